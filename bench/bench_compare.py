"""Perturbation benchmark for numbers that disagree.

    python bench/bench_compare.py ../shared/data [--per-story 3] [--seed 7]

Real multi-source stories from the data folder: BASIL events (three outlets),
ECB+ gold clusters (two or more articles) and NeuS ``raw_crawled`` stories (three
outlets). For each story, a number that two articles share (same value followed by
the same word, e.g. "five people" / "5 people", in sentences sharing at least three
other content words; years and days of a month are not picked) is changed in one
article, in one sentence, to a clearly different value (reproducible random choice);
the change counts as *flagged* when compare() reports a conflict holding the changed
sentence of the changed article. False
alarms: conflicts compare() raises on the untouched stories (an upper bound: some
may be real disagreements between the outlets). Targets: >= 0.9 of changes
flagged, <= 0.05 false alarms per untouched story.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from generator.compare import compare
from generator.compare.lexicon import stems
from generator.compare.numbers import MONTHS, WORD_NUMBERS
from generator.model import Article, Story
from generator.text import fold, split_sentences

_NUM = re.compile(r"(?<![\w.,$:/-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|[A-Za-z]+)(?![\w-])"
                  r"(?=\s+([A-Za-z%]+))")


SHARED_WORDS = 3
"""Content words the two sentences sharing a number must also share (same claim)."""


def _article(aid: str, title: str, paragraphs: list[list[str]]) -> Article:
    paras = [[s for s in p if s.strip()] for p in paragraphs]
    paras = [p for p in paras if p]
    return Article(id=aid, path=aid, folder="bench", title=title,
                   paragraphs=[" ".join(p) for p in paras], sentences=paras)


def basil(data: Path) -> list[Story]:
    events: dict[str, list[Article]] = defaultdict(list)
    for path in sorted((data / "basil" / "articles").glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        events[raw["triplet-uuid"]].append(_article(path.stem, raw.get("title", ""),
                                                    raw["body-paragraphs"]))
    return [Story(id=f"basil-{k}", slug=k, articles=v) for k, v in sorted(events.items())
            if len(v) > 1]


def ecbplus(data: Path) -> list[Story]:
    clusters: dict[str, list[Article]] = defaultdict(list)
    with (data / "ecbplus" / "dev.jsonl").open(encoding="utf-8") as f:
        for line in f:
            raw = json.loads(line)
            sents = [s.replace("``", "“").replace("''", "”") for s in raw["sentences"]]
            clusters[raw["cluster"]].append(_article(raw["doc_id"], sents[0] if sents else "",
                                                     [sents[1:]]))
    return [Story(id=f"ecb-{k}", slug=k, articles=v) for k, v in sorted(clusters.items())
            if len(v) > 1]


def neus(data: Path) -> list[Story]:
    stories = []
    with (data / "neus" / "raw_crawled.jsonl").open(encoding="utf-8") as f:
        for n, line in enumerate(f):
            raw = json.loads(line)
            arts = []
            for side in ("left", "center", "right"):
                item = (raw.get("news") or {}).get(side)
                if not item or not item.get("newBody"):
                    continue
                paras = [split_sentences(p) for p in item["newBody"] if p.strip()]
                arts.append(_article(f"{n}-{side}", item.get("newsTitle", ""), paras))
            if len(arts) > 1:
                stories.append(Story(id=f"neus-{n}", slug=str(n), articles=arts))
    return stories


def _value(tok: str) -> float | None:
    t = fold(tok)
    if t in WORD_NUMBERS:
        return float(WORD_NUMBERS[t])
    try:
        return float(t.replace(",", ""))
    except ValueError:
        return None


def shared_numbers(story: Story) -> list[tuple[int, int, int, re.Match[str]]]:
    """(article index, paragraph, sentence, match) of numbers another article also has."""
    seen: dict[tuple[float, str], list[tuple[int, set[str]]]] = defaultdict(list)
    found = []
    for ai, article in enumerate(story.articles):
        for pi, para in enumerate(article.sentences):
            for si, sentence in enumerate(para):
                for m in _NUM.finditer(sentence):
                    v = _value(m.group(1))
                    nxt = fold(m.group(2))
                    prev = fold(sentence[:m.start()].split()[-1]) if m.start() else ""
                    if v is None or nxt in MONTHS or prev.strip(",.") in MONTHS:
                        continue
                    if m.group(1).isdigit() and 1800 <= v <= 2100:
                        continue
                    seen[(v, nxt)].append((ai, set(stems(sentence, keep_numbers=False))))
                    found.append((ai, pi, si, m, (v, nxt), set(stems(sentence,
                                                                       keep_numbers=False))))
    return [(ai, pi, si, m) for ai, pi, si, m, key, words in found
            if any(bi != ai and len(words & other) >= SHARED_WORDS for bi, other in seen[key])]


def perturb(story: Story, rng: random.Random) -> tuple[Story, str, str] | None:
    """A copy of the story with one shared number changed: (story, article id, sentence)."""
    options = shared_numbers(story)
    if not options:
        return None
    ai, pi, si, m = rng.choice(options)
    old = _value(m.group(1)) or 0.0
    while True:
        new = float(round(old * rng.choice([0.5, 1.5, 2, 3]) + rng.randint(1, 9)))
        if new != old and new > 0:
            break
    written = f"{int(new):,}" if new >= 1000 else str(int(new))
    changed = copy.deepcopy(story)
    article = changed.articles[ai]
    sentence = article.sentences[pi][si]
    article.sentences[pi][si] = sentence[:m.start(1)] + written + sentence[m.end(1):]
    article.paragraphs[pi] = " ".join(article.sentences[pi])
    return changed, article.id, article.sentences[pi][si]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (../shared/data)")
    parser.add_argument("--per-story", type=int, default=3, help="perturbations per story")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print every false alarm")
    args = parser.parse_args(argv)
    corpora = {"BASIL": basil(args.data), "ECB+": ecbplus(args.data), "NeuS": neus(args.data)}
    print(f"{'corpus':<7} {'stories':>7} {'changes':>7} {'flagged':>8} {'alarms/story':>13} "
          f"{'differ/story':>13} {'ms/story':>9}")
    totals = [0, 0, 0, 0.0, 0, 0.0]
    for name, stories in corpora.items():
        rng = random.Random(args.seed)
        changes = flagged = alarms = differ = 0
        started = time.perf_counter()
        for story in stories:
            base = compare(story).conflicts
            alarms += len(base)
            differ += sum(1 for c in base if c.kind == "differ")
            if args.show:
                for c in base:
                    print(f"  [{story.id}] {c.kind} {c.about}: " + " | ".join(
                        f"{v.value} ({','.join(v.articles)}): {v.text[:90]}" for v in c.values))
            for _ in range(args.per_story):
                result = perturb(story, rng)
                if result is None:
                    break
                changed, aid, sentence = result
                changes += 1
                conflicts = compare(changed).conflicts
                if any(aid in v.articles and v.text == sentence
                       for c in conflicts for v in c.values):
                    flagged += 1
        elapsed = time.perf_counter() - started
        runs = len(stories) + changes
        print(f"{name:<7} {len(stories):>7} {changes:>7} {flagged / max(1, changes):>8.3f} "
              f"{alarms / max(1, len(stories)):>13.3f} {differ / max(1, len(stories)):>13.3f} "
              f"{1000 * elapsed / max(1, runs):>9.1f}")
        totals[0] += len(stories)
        totals[1] += changes
        totals[2] += flagged
        totals[3] += alarms
        totals[4] += differ
        totals[5] += elapsed
    n, c = int(totals[0]), int(totals[1])
    print(f"{'all':<7} {n:>7} {c:>7} {totals[2] / max(1, c):>8.3f} {totals[3] / max(1, n):>13.3f} "
          f"{totals[4] / max(1, n):>13.3f} {1000 * totals[5] / max(1, n + c):>9.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
