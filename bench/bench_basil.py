"""'Only here' facts against BASIL's informational-bias annotations.

    python bench/bench_basil.py ../shared/data

BASIL (Fan et al., EMNLP 2019) has the same event from Fox News, the New York Times
and HuffPost, with phrase-level annotations; ``inf`` (informational bias) marks
content an outlet includes to frame the story, often absent from the others. Each
event's three articles form one story (BASIL's own sentence split is kept); a
sentence is predicted positive when compare() lists it as "only here" for its
article. Gold: a sentence holding at least one ``inf`` span. Sentence-level
precision, recall and F1 over all articles, next to the published supervised
baseline (RoBERTa, van den Berg and Markert 2020: P 0.454 / R 0.400 / F1 0.425),
and for reference the trivial "every sentence" predictor and the top-k of each
article's ranked unique list (top 5 also on alternate halves of the events, to show
the ranking is not fitted to one half).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from generator.compare import compare
from generator.model import Article, Story


def load_events(data: Path) -> dict[str, list[tuple[Article, set[int]]]]:
    """Event id -> [(article, indices of gold inf sentences)]."""
    events: dict[str, list[tuple[Article, set[int]]]] = defaultdict(list)
    for path in sorted((data / "basil" / "articles").glob("*/*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        paras = [[s for s in p if s.strip()] for p in raw["body-paragraphs"]]
        paras = [p for p in paras if p]
        flat = [s for p in paras for s in p]
        ann_path = data / "basil" / "annotations" / path.parent.name / f"{path.stem}_ann.json"
        gold: set[int] = set()
        if ann_path.exists():
            ann = json.loads(ann_path.read_text(encoding="utf-8"))
            for a in ann.get("phrase-level-annotations", []):
                if a.get("bias") != "inf":
                    continue
                idx = _locate(flat, a["txt"], a.get("start"), a.get("end"))
                if idx is not None:
                    gold.add(idx)
        article = Article(id=f"{path.stem}", path=path.name, folder="basil",
                          title=raw.get("title", ""), paragraphs=[" ".join(p) for p in paras],
                          outlet=raw.get("source"), published=raw.get("date"), sentences=paras)
        events[raw["triplet-uuid"]].append((article, gold))
    return events


def _locate(sentences: list[str], txt: str, start: int | None, end: int | None) -> int | None:
    hits = [i for i, s in enumerate(sentences) if txt in s]
    if not hits:
        core = txt.strip("“”\"' ")
        hits = [i for i, s in enumerate(sentences) if core and core in s]
    if len(hits) > 1 and start is not None:
        exact = [i for i in hits if sentences[i][start:end] == txt]
        hits = exact or hits
    return hits[0] if hits else None


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (../shared/data)")
    args = parser.parse_args(argv)
    events = load_events(args.data)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    sentences = positives = 0
    started = time.perf_counter()
    for eid in sorted(events):
        members = events[eid]
        story = Story(id=eid, slug=eid, articles=[a for a, _ in members])
        diff = compare(story)
        for article, gold in members:
            n = len(article.all_sentences)
            sentences += n
            positives += len(gold)
            ranked = [f.anchors[article.id] for f in diff.unique.get(article.id, [])]
            variants: dict[str, set[int]] = {"only here (all)": set(ranked),
                                             "every sentence": set(range(n))}
            for k in (3, 5, 10):
                variants[f"only here (top {k})"] = set(ranked[:k])
            half = f" [half {sorted(events).index(eid) % 2 + 1}]"
            variants["only here (top 5)" + half] = set(ranked[:5])
            for name, pred in variants.items():
                c = counts[name]
                c[0] += len(pred & gold)
                c[1] += len(pred - gold)
                c[2] += len(gold - pred)
    elapsed = time.perf_counter() - started
    print(f"BASIL: {len(events)} events, {sum(len(m) for m in events.values())} articles, "
          f"{sentences} sentences, {positives} with informational bias "
          f"({positives / max(1, sentences):.3f}); compare {elapsed:.2f}s")
    print(f"{'predictor':<26} {'P':>6} {'R':>6} {'F1':>6}")
    for name in ("only here (all)", "only here (top 10)", "only here (top 5)",
                 "only here (top 5) [half 1]", "only here (top 5) [half 2]", "only here (top 3)",
                 "every sentence"):
        p, r, f = prf(*counts[name])
        print(f"{name:<26} {p:6.3f} {r:6.3f} {f:6.3f}")
    print(f"{'published RoBERTa':<26} {0.454:6.3f} {0.400:6.3f} {0.425:6.3f}  (supervised)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
