"""Story clustering at scale: time and peak memory at 1k, 5k and 10k articles.

Usage: python bench/bench_cluster_scale.py DATA_DIR [--sizes 1000,5000,10000] [--days 365]

Article sets are built from real text in DATA_DIR (``../shared/data``): NeuS
``raw_crawled.jsonl`` (dated), NeuS ``train.source`` and ``val.source`` (headline
and lead paragraph of each outlet's article), ECB+ ``dev.jsonl`` and BASIL
(dated). Stories of sets without dates get a synthetic but plausible date: one
day drawn (seeded) from a ``--days`` span for the whole story, and an hour per
article, so a story's articles are published within a day like real coverage.
Whole stories are drawn (seeded shuffle) until the size is reached.

Each size runs in a fresh subprocess that builds the articles and then times
``generator.cluster.cluster`` (features, candidate pairs, linkage, overrides,
slugs) with the default config, wall-clock and CPU time (the machine may be shared);
peak memory is the process's maximum resident
set size (``resource.getrusage``), which includes Python, NumPy/SciPy, the
word-frequency list and the articles themselves. B-cubed F1 against the source
stories is printed as a sanity check.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator.model import Article

Story = tuple[str, list[tuple[str, list[str]]], str | None]
"""(story key, [(headline, paragraphs)], ISO date or None)."""


def _source_stories(path: Path, prefix: str) -> list[Story]:
    stories: list[Story] = []
    if not path.exists():
        return stories
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            items = []
            for part in line.split("[SEP]"):
                if "ARTICLE=>" not in part:
                    continue
                head, _, body = part.partition("ARTICLE=>")
                title = head.replace("TITLE=>", "").strip()
                body = body.strip()
                if body:
                    items.append((title, [body]))
            if items:
                stories.append((f"{prefix}-{n}", items, None))
    return stories


def all_stories(data: Path) -> list[Story]:
    """Every story of the real-text sources, in a fixed order."""
    stories: list[Story] = []
    with open(data / "neus" / "raw_crawled.jsonl", encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            row = json.loads(line)
            items = []
            for side in sorted(row.get("news") or {}):
                item = row["news"][side]
                paras = [p.replace("\xa0", " ").strip() for p in item.get("newBody") or []]
                paras = [p for p in paras if p]
                if paras:
                    items.append(((item.get("newsTitle") or "").strip(), paras))
            if items:
                stories.append((f"raw-{n}", items, row.get("date")))
    stories += _source_stories(data / "neus" / "train.source", "train")
    stories += _source_stories(data / "neus" / "val.source", "val")
    ecb: dict[str, list[tuple[str, list[str]]]] = {}
    with open(data / "ecbplus" / "dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            sents = [s.replace("``", '"').replace("''", '"') for s in row["sentences"]]
            if sents:
                ecb.setdefault(str(row["cluster"]), []).append((sents[0], sents[1:] or sents))
    stories += [(f"ecb-{k}", v, None) for k, v in sorted(ecb.items())]
    basil: dict[str, tuple[list[tuple[str, list[str]]], str | None]] = {}
    for name in sorted(glob.glob(str(data / "basil" / "articles" / "*" / "*.json"))):
        row = json.loads(Path(name).read_text(encoding="utf-8"))
        paras = [" ".join(p) for p in row.get("body-paragraphs") or [] if p]
        key = str(row.get("triplet-uuid") or Path(name).stem.rsplit("_", 1)[0])
        items, date = basil.get(key, ([], row.get("date")))
        items.append((row.get("title") or "", paras))
        basil[key] = (items, date)
    stories += [(f"basil-{k}", v[0], v[1]) for k, v in sorted(basil.items())]
    return stories


def build_set(data: Path, size: int, days: int, seed: int = 7) -> tuple[list[Article], list[str]]:
    """About ``size`` articles (whole stories) with gold story keys."""
    stories = all_stories(data)
    rng = random.Random(seed)
    rng.shuffle(stories)
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    articles: list[Article] = []
    gold: list[str] = []
    for key, items, date in stories:
        if len(articles) >= size:
            break
        day = start + dt.timedelta(days=rng.randrange(days))
        for k, (title, paras) in enumerate(items):
            if date:
                published = date
            else:
                published = (day + dt.timedelta(hours=rng.randrange(6, 22),
                                                minutes=rng.randrange(60))).isoformat()
            articles.append(Article(id=f"{key}-{k}", path=f"{key}/{k}", folder="bench",
                                    title=title, paragraphs=paras, published=published))
            gold.append(key)
    return articles[:size], gold[:size]


def child(data: Path, size: int, days: int) -> None:
    from bench_cluster import bcubed

    from generator.cluster import cluster
    from generator.config import ClusterConfig

    articles, gold = build_set(data, size, days)
    chars = sum(len(a.title) + len(a.text) for a in articles)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    stories = cluster(articles, ClusterConfig())
    took, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    label = {a.id: k for k, s in enumerate(stories) for a in s.articles}
    _, _, f1 = bcubed([label[a.id] for a in articles], gold)
    print(json.dumps({"articles": len(articles), "chars": chars, "stories": len(stories),
                      "seconds": round(took, 2), "cpu_seconds": round(cpu, 2),
                      "peak_rss_mb": round(peak / 1024),
                      "rss_before_mb": round(rss_before / 1024), "bcubed_f1": round(f1, 3)}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="evaluation data folder")
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--days", type=int, default=365,
                        help="span of synthetic dates for undated stories")
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.data, args.child, args.days)
        return 0
    print(f"{'articles':>8} {'MB text':>8} {'stories':>8} {'seconds':>8} {'CPU s':>8} "
          f"{'peak MB':>8} {'F1':>6}")
    for size in [int(s) for s in args.sizes.split(",")]:
        out = subprocess.run([sys.executable, __file__, str(args.data), "--child", str(size),
                              "--days", str(args.days)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['articles']:>8} {r['chars'] / 1e6:>8.1f} {r['stories']:>8} "
              f"{r['seconds']:>8.2f} {r['cpu_seconds']:>8.2f} {r['peak_rss_mb']:>8} "
              f"{r['bcubed_f1']:>6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
