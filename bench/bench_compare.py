"""Perturbation benchmark for numbers that disagree.

    python bench/bench_compare.py ../shared/data [--per-story 0] [--seed 7] [--show] [--sample 20]

Real multi-source stories from the data folder: BASIL events (three outlets), ECB+
gold clusters (two or more articles) and NeuS ``raw_crawled`` stories (three
outlets). The question is the issue's: change one number in one article, is the
change flagged?

*Candidates* are numbers that state the same claim in two articles, found without
compare's number extractor:

- the two sentences say the same thing: compare's own fact alignment puts them in
  one fact, or (independently of it) they share at least half of their content
  words (Jaccard of stems, numbers left out, at least four words in common);
- the number has the same value in both (``five`` = ``5``), occurs once in each
  sentence, and fills the same slot: the same counted word after it (``people``,
  ``percent``/``%``, ``drones``; scale words such as ``million`` skipped) or, when
  no word is counted, the same word before it (``below 150,000``);
- it is a quantity, not a label: years, days of a month, clock times, ordinals,
  ages, numbers glued to words or other numbers (``G7``, ``3-1``, ``COVID-19``),
  labels after ``No.``/``number`` (``the No. 5 seed``), ranges and alternatives
  (``20 to 30``, ``two or three``, ``a minute or two``) are not candidates.

Each tested candidate is changed in its article to a clearly different value (30%
to 80% more, at least 2 more for small numbers; digits stay digits with the same
grouping and decimals, words stay words), and counts as *flagged* when compare()
on the changed story reports a conflict whose value for the changed article is the
new number, in the changed sentence. ``--per-story N`` tests at most N candidates
per story (reproducible random choice; 0 = all).

*Alarms*: conflicts compare() raises on the untouched stories. Some are real
disagreements between the outlets (reports written hours apart), so this is an
upper bound on false alarms; ``--sample N`` prints N of them (reproducible random
choice) for a person to classify, and ``--show`` prints them all. Targets: >= 0.9
of changes flagged, <= 0.05 false alarms per untouched story.

BASIL and NeuS articles carry their publication dates (BASIL per article, NeuS the
story's date), so reports published days apart get the ``as_of`` label; ECB+ has none.
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
from dataclasses import dataclass
from pathlib import Path

from generator.compare import compare
from generator.compare.facts import align
from generator.compare.lexicon import STOP, stem, stems
from generator.compare.numbers import MONTHS, WORD_NUMBERS
from generator.model import Article, Conflict, Story
from generator.text import fold, split_sentences

_WORDS = "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
_NUM = re.compile(r"(?<![\w.,:/\-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|(?i:" + _WORDS
                  + r"))(?![\w\-/]|[.,:]\d)")
_SCALES = frozenset("thousand million billion trillion mn bn m k tn".split())
_CLOCK = frozenset("am pm a.m p.m gmt utc et edt est pdt pst cet bst".split())
_NEXT = re.compile(r"\s*(%|[^\W\d_][\w'’.\-]*)")
_PREV = re.compile(r"([^\W\d_][\w'’\-]*|[$€£¥])\s*$")

SIMILAR = 0.5
"""Jaccard of content stems at and above which two sentences state the same claim."""
MIN_SHARED = 4
"""Content words two such sentences must share."""


def _article(aid: str, title: str, paragraphs: list[list[str]],
             published: str | None = None) -> Article:
    paras = [[s for s in p if s.strip()] for p in paragraphs]
    paras = [p for p in paras if p]
    return Article(id=aid, path=aid, folder="bench", title=title,
                   paragraphs=[" ".join(p) for p in paras], sentences=paras,
                   published=published)


def basil(data: Path) -> list[Story]:
    events: dict[str, list[Article]] = defaultdict(list)
    for path in sorted((data / "basil" / "articles").glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        events[raw["triplet-uuid"]].append(_article(path.stem, raw.get("title", ""),
                                                    raw["body-paragraphs"], raw.get("date")))
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
                arts.append(_article(f"{n}-{side}", item.get("newsTitle", ""), paras,
                                     raw.get("date")))
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


@dataclass(frozen=True)
class Number:
    """A quantity in one sentence: where it is, its value and its slot."""

    start: int
    end: int
    token: str
    value: float
    slot: str


def numbers(sentence: str) -> list[Number]:
    """Quantities of a sentence (labels such as years, dates, times and ordinals left out)."""
    out = []
    for m in _NUM.finditer(sentence):
        tok = m.group(1)
        value = _value(tok)
        if value is None:
            continue
        rest = sentence[m.end():]
        head = sentence[:m.start()]
        nm = _NEXT.match(rest)
        pm = _PREV.search(head)
        nxt = fold(nm.group(1)).rstrip(".") if nm else ""
        prev = fold(pm.group(1)) if pm else ""
        if nxt in MONTHS or prev in MONTHS or nxt in _CLOCK or nxt in ("a", "p") \
                or prev in ("no", "aged", "age"):
            continue
        if tok.isdigit() and 1800 <= value <= 2100 and prev not in "$€£¥":
            continue
        if nxt in ("st", "nd", "rd", "th") or nxt.startswith(("year-old", "years-old")) \
                or re.match(r"\s*[\-–]\s*\w", rest) or re.search(r"\w\s*[\-–]\s*$", head):
            continue  # ordinals, ages, scores, ranges, compounds ("32 - bit", tokenised)
        if re.match(r"\s?[,.:]\s?\d", rest) or re.search(r"\d\s?[,.:]\s?$", head):
            continue  # part of a number or time split by tokenisation ("657, 600", "3: 30")
        if re.match(r"\s*(?:to|and|of|out of|or)\s+(?:\d|(?i:" + _WORDS + r")\b)", rest) \
                or re.search(r"(?:\d|\b(?i:" + _WORDS + r"))\s+(?:to|and|of|out of)\s*$", head):
            continue  # ranges, ratios, alternatives: "20 to 30", "8 and 9", "29 of 34", "2 or 3"
        if re.search(r"\bor\s*$", head, re.I):
            continue  # an alternative or a vague amount: "3 or 4", "a minute or two"
        if re.search(r"\b(?:no|nos|number)\.?\s*$", head, re.I):
            continue  # a label: "No. 5 seed", "incarnation of number 12"
        if pm and pm.group(1)[:1].isupper() and head[:pm.start()].strip():
            continue  # a label after a name: "Amendment 64", "Explorer 8", "Flight 370"
        if re.search(r"\d[^()]{0,30}\(\s*[$€£¥]?$", head):
            continue  # a unit conversion in brackets: "60 metres (200 feet)"
        words = rest.split()
        k = 0
        while k < len(words) and fold(words[k]).strip(".,") in _SCALES:
            k += 1
        following = _NEXT.match(" ".join(words[k:])) if k < len(words) else None
        noun = fold(following.group(1)).rstrip(".") if following else ""
        if noun in ("%", "percent") or (noun == "per" and rest.lstrip().startswith("per cent")):
            slot = "percent"
        elif noun and noun not in STOP and not rest.lstrip().startswith((",", ".", ";", ")")):
            slot = stem(noun)
        elif prev:
            slot = "<" + prev
        else:
            continue
        out.append(Number(m.start(1), m.end(1), tok, value, slot))
    return out


@dataclass(frozen=True)
class Candidate:
    article: int
    paragraph: int
    sentence: int
    number: Number
    partner: str
    via: str
    """``aligned`` (compare's fact alignment) or ``similar`` (content words)."""


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def candidates(story: Story) -> list[Candidate]:
    """Numbers stating the same claim as a number of another article (see the module doc)."""
    arts = story.articles
    place: list[list[tuple[int, int]]] = []
    for article in arts:
        place.append([(pi, si) for pi, para in enumerate(article.sentences)
                      for si in range(len(para))])
    index_of = {a.id: i for i, a in enumerate(arts)}
    aligned: set[tuple[int, int, int, int]] = set()
    for fact in align(arts).facts:
        anchors = sorted((index_of[a], n) for a, n in fact.anchors.items())
        for x, (ai, si) in enumerate(anchors):
            for bi, sj in anchors[x + 1:]:
                aligned.add((ai, si, bi, sj))
    found: list[tuple[int, int, str, set[str], list[Number]]] = []
    for ai, article in enumerate(arts):
        for si, sentence in enumerate(article.all_sentences):
            nums = numbers(sentence)
            if nums:
                found.append((ai, si, sentence, set(stems(sentence, keep_numbers=False)), nums))
    out: dict[tuple[int, int, int], Candidate] = {}
    for x, (ai, si, _, wa, na) in enumerate(found):
        for bi, sj, _, wb, nb in found[x + 1:]:
            if ai == bi:
                continue
            if (ai, si, bi, sj) in aligned:
                via = "aligned"
            elif len(wa & wb) >= MIN_SHARED and _jaccard(wa, wb) >= SIMILAR:
                via = "similar"
            else:
                continue
            for a in na:
                if sum(1 for n in na if n.value == a.value) != 1:
                    continue
                same = [b for b in nb if b.value == a.value]
                if len(same) != 1 or same[0].slot != a.slot:
                    continue
                b = same[0]
                for art, s, num, other in ((ai, si, a, bi), (bi, sj, b, ai)):
                    key = (art, s, num.start)
                    if key not in out or (out[key].via == "similar" and via == "aligned"):
                        pi, pj = place[art][s]
                        out[key] = Candidate(art, pi, pj, num, arts[other].id, via)
    return [out[k] for k in sorted(out)]


def _new_token(tok: str, value: float, rng: random.Random) -> str:
    """A clearly different value written like ``tok``."""
    if not tok[0].isdigit():
        pool = sorted({w for w, v in WORD_NUMBERS.items()
                       if v >= value + 2 and v <= max(value + 6, value * 1.8) and "-" not in w},
                      key=lambda w: WORD_NUMBERS[w])
        word = rng.choice(pool) if pool else "ninety"
        return word.capitalize() if tok[0].isupper() else word
    decimals = len(tok.partition(".")[2])
    new = value * rng.uniform(1.3, 1.8)
    if value < 10:
        new = max(new, value + 2)
    new = round(new, decimals)
    text = f"{new:,.{decimals}f}" if "," in tok else f"{new:.{decimals}f}"
    return text


def perturb(story: Story, cand: Candidate, rng: random.Random) -> tuple[Story, str, str, str]:
    """A copy of the story with the candidate changed: (story, article id, sentence, new)."""
    new = _new_token(cand.number.token, cand.number.value, rng)
    changed = copy.deepcopy(story)
    article = changed.articles[cand.article]
    sentence = article.sentences[cand.paragraph][cand.sentence]
    n = cand.number
    article.sentences[cand.paragraph][cand.sentence] = sentence[:n.start] + new + sentence[n.end:]
    article.paragraphs[cand.paragraph] = " ".join(article.sentences[cand.paragraph])
    return changed, article.id, article.sentences[cand.paragraph][cand.sentence], new


def flagged(conflicts: list[Conflict], aid: str, sentence: str, new: str) -> bool:
    """A conflict gives the changed article's new value in the changed sentence."""
    return any(aid in v.articles and v.text == sentence and new in v.value
               for c in conflicts for v in c.values)


def _show(story: Story, c: Conflict) -> str:
    return f"  [{story.id}] {c.kind} {c.about}: " + " | ".join(
        f"{v.value} ({','.join(v.articles)}): {v.text}" for v in c.values)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (../shared/data)")
    parser.add_argument("--per-story", type=int, default=0,
                        help="changes tested per story (0: every candidate)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", action="store_true", help="print every alarm")
    parser.add_argument("--sample", type=int, default=0,
                        help="print this many alarms, chosen at random, for manual checking")
    parser.add_argument("--misses", action="store_true", help="print every change not flagged")
    args = parser.parse_args(argv)
    corpora = {"BASIL": basil(args.data), "ECB+": ecbplus(args.data), "NeuS": neus(args.data)}
    print(f"{'corpus':<7} {'stories':>7} {'cands':>6} {'aligned':>7} {'tested':>6} "
          f"{'flagged':>8} {'alarms/story':>13} {'differ/story':>13} {'ms/story':>9}")
    totals = [0, 0, 0, 0, 0, 0, 0, 0.0]
    every_alarm: list[str] = []
    for name, stories in corpora.items():
        rng = random.Random(args.seed)
        cands = via_aligned = tested = hits = alarms = differ = 0
        started = time.perf_counter()
        for story in stories:
            base = compare(story).conflicts
            alarms += len(base)
            differ += sum(1 for c in base if c.kind == "differ")
            every_alarm.extend(_show(story, c) for c in base)
            if args.show:
                for c in base:
                    print(_show(story, c))
            options = candidates(story)
            cands += len(options)
            via_aligned += sum(1 for c in options if c.via == "aligned")
            if args.per_story and len(options) > args.per_story:
                options = rng.sample(options, args.per_story)
            for cand in options:
                changed, aid, sentence, new = perturb(story, cand, rng)
                tested += 1
                if flagged(compare(changed).conflicts, aid, sentence, new):
                    hits += 1
                elif args.misses:
                    print(f"  MISS [{story.id}] {cand.via} {cand.number.token}->{new} "
                          f"({cand.number.slot}) {aid}: {sentence}")
        elapsed = time.perf_counter() - started
        runs = len(stories) + tested
        print(f"{name:<7} {len(stories):>7} {cands:>6} {via_aligned:>7} {tested:>6} "
              f"{hits / max(1, tested):>8.3f} {alarms / max(1, len(stories)):>13.3f} "
              f"{differ / max(1, len(stories)):>13.3f} {1000 * elapsed / max(1, runs):>9.1f}")
        for k, v in enumerate((len(stories), cands, via_aligned, tested, hits, alarms, differ,
                               elapsed)):
            totals[k] += v
    n, t = int(totals[0]), int(totals[3])
    print(f"{'all':<7} {n:>7} {int(totals[1]):>6} {int(totals[2]):>7} {t:>6} "
          f"{totals[4] / max(1, t):>8.3f} {totals[5] / max(1, n):>13.3f} "
          f"{totals[6] / max(1, n):>13.3f} {1000 * totals[7] / max(1, n + t):>9.1f}")
    if args.sample and every_alarm:
        print(f"\n{min(args.sample, len(every_alarm))} of {len(every_alarm)} alarms "
              f"(seed {args.seed}):")
        for line in random.Random(args.seed).sample(every_alarm,
                                                    min(args.sample, len(every_alarm))):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
