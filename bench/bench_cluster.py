"""Story clustering quality: B-cubed precision, recall and F1 on real news sets.

Usage: python bench/bench_cluster.py DATA_DIR [--sweep]

DATA_DIR is the evaluation data folder (``../shared/data``). Two gold sets:

* ``ecbplus/dev.jsonl``: each article's gold story is its ``cluster``; every topic
  holds two different events of the same kind (hard negatives). No dates.
* ``neus/raw_crawled.jsonl``: each AllSides roundup's left/center/right articles
  form one gold story; articles carry the roundup's date.

Articles are built directly (headline + paragraphs + date), not through the
cleaning stage. digest's clustering runs with the default ``ClusterConfig`` (one
method, one set of thresholds for both sets); ``--sweep`` also prints F1 across
thresholds. The baseline is TF-IDF cosine (scikit-learn, headline + body) with
average-link agglomeration (SciPy), at its best threshold per set (an oracle
choice that favours the baseline).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from generator.cluster import group_articles
from generator.config import ClusterConfig
from generator.model import Article


def load_ecbplus(data: Path) -> tuple[list[Article], list[str]]:
    """ECB+ dev articles (first sentence as headline) and their gold clusters."""
    articles: list[Article] = []
    gold: list[str] = []
    with open(data / "ecbplus" / "dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            sentences = [s.replace("``", '"').replace("''", '"') for s in row["sentences"]]
            if not sentences:
                continue
            articles.append(Article(id=f"ecb-{row['doc_id']}", path=row["doc_id"],
                                    folder="ecbplus", title=sentences[0],
                                    paragraphs=sentences[1:] or [sentences[0]]))
            gold.append(str(row["cluster"]))
    return articles, gold


def load_neus(data: Path) -> tuple[list[Article], list[str]]:
    """NeuS raw_crawled articles (one gold story per roundup), dated by the roundup."""
    articles: list[Article] = []
    gold: list[str] = []
    with open(data / "neus" / "raw_crawled.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            row = json.loads(line)
            for side in sorted(row.get("news") or {}):
                item = row["news"][side]
                paragraphs = [p.replace("\xa0", " ").strip() for p in item.get("newBody") or []]
                paragraphs = [p for p in paragraphs if p]
                title = (item.get("newsTitle") or "").strip()
                if not paragraphs and not title:
                    continue
                articles.append(Article(
                    id=f"neus-{n}-{side}", path=f"{n}/{side}", folder="neus", title=title,
                    paragraphs=paragraphs, outlet=item.get("newsSource"),
                    published=row.get("date")))
                gold.append(f"neus-{n}")
    return articles, gold


def bcubed(pred: Sequence[str | int], gold: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a predicted labelling against the gold one."""
    by_pred: dict[str | int, list[int]] = defaultdict(list)
    by_gold: dict[str, list[int]] = defaultdict(list)
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        by_pred[p].append(i)
        by_gold[g].append(i)
    precision = recall = 0.0
    for i, (p, g) in enumerate(zip(pred, gold, strict=True)):
        same = sum(1 for j in by_pred[p] if gold[j] == g)
        precision += same / len(by_pred[p])
        recall += same / len(by_gold[g])
        del i
    n = len(gold)
    precision, recall = precision / n, recall / n
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def digest_labels(articles: list[Article], threshold: float | None = None) -> list[int]:
    config = ClusterConfig() if threshold is None else ClusterConfig(threshold=threshold)
    labels = [0] * len(articles)
    for k, (members, _) in enumerate(group_articles(articles, config)):
        for i in members:
            labels[i] = k
    return labels


def baseline(articles: list[Article], gold: list[str],
             window_days: float | None = None) -> tuple[float, tuple[float, ...]]:
    """TF-IDF + average-link at its best threshold: (threshold, (P, R, F1)).

    With ``window_days``, pairs published further apart count as not similar at all.
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{a.title}\n{a.text}" for a in articles]
    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts)
    sim = (matrix @ matrix.T).toarray()
    if window_days is not None:
        from generator.cluster import _time

        stamps = np.array([_time(a) if _time(a) is not None else np.nan for a in articles])
        gap = np.abs(stamps[:, None] - stamps[None, :])
        sim[np.nan_to_num(gap, nan=0.0) > window_days * 86400] = 0.0
    dist = np.clip(1.0 - sim, 0.0, None)
    np.fill_diagonal(dist, 0.0)
    tree = linkage(squareform(dist, checks=False), method="average")
    best: tuple[float, tuple[float, ...]] = (0.0, (0.0, 0.0, 0.0))
    for t in np.arange(0.02, 0.8, 0.01):
        labels = fcluster(tree, t=1.0 - t, criterion="distance")
        score = bcubed(list(labels), gold)
        if score[2] > best[1][2]:
            best = (float(t), score)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="evaluation data folder")
    parser.add_argument("--sweep", action="store_true", help="also print F1 across thresholds")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline")
    args = parser.parse_args(argv)
    config = ClusterConfig()
    print(f"digest: threshold {config.threshold:.2f}, window {config.window_days:g} days")
    sets = {"ecbplus/dev.jsonl": load_ecbplus(args.data),
            "neus/raw_crawled.jsonl": load_neus(args.data)}
    for name, (articles, gold) in sets.items():
        t0 = time.perf_counter()
        labels = digest_labels(articles)
        took = time.perf_counter() - t0
        p, r, f = bcubed(labels, gold)
        print(f"{name}: {len(articles)} articles, {len(set(gold))} gold stories, "
              f"{len(set(labels))} found")
        print(f"  digest    P {p:.3f} R {r:.3f} F1 {f:.3f}  ({took:.1f} s)")
        if any(a.published for a in articles):
            undated = [dataclasses.replace(a, published=None) for a in articles]
            up, ur, uf = bcubed(digest_labels(undated), gold)
            print(f"  digest, dates removed  P {up:.3f} R {ur:.3f} F1 {uf:.3f}")
        if not args.no_baseline:
            t, (bp, br, bf) = baseline(articles, gold)
            print(f"  baseline  P {bp:.3f} R {br:.3f} F1 {bf:.3f}  "
                  f"(TF-IDF + average-link, best threshold {t:.2f})")
            if any(a.published for a in articles):
                t, (bp, br, bf) = baseline(articles, gold, config.window_days)
                print(f"  baseline + {config.window_days:g}-day window  P {bp:.3f} R {br:.3f} "
                      f"F1 {bf:.3f}  (best threshold {t:.2f})")
        if args.sweep:
            for t in np.arange(0.10, 0.5, 0.02):
                sp, sr, sf = bcubed(digest_labels(articles, float(t)), gold)
                print(f"    threshold {t:.2f}: P {sp:.3f} R {sr:.3f} F1 {sf:.3f}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
