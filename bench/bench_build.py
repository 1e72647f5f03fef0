"""Whole-build benchmark: cold build, no-change rebuild, one changed article, memory,
time per stage, and a naive pipeline on the same articles in the same run.

    python bench/bench_build.py ../shared/data                 # NeuS raw_crawled, ~1,480 articles
    python bench/bench_build.py ../shared/data --articles 10000 --no-naive

Each digest build runs as its own process (``python -m generator build -v``), so
the figures include start-up and imports, as a user sees them. Peak memory is the
build process's maximum resident set size, and separately the largest worker
process's (forked workers share the parent's memory pages until they write them,
so the sum overstates what the machine needs).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import Item, combined, neus_raw, write_markdown

RUNNER = (
    "import resource, sys, time\n"
    "from generator.cli import main\n"
    "t = time.perf_counter()\n"
    "code = main(sys.argv[1:])\n"
    "wall = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'BENCH wall={wall:.3f} maxrss_kb={rss} children_maxrss_kb={kids}', "
    "file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_build(site: Path, jobs: int | None) -> dict[str, float]:
    args = [sys.executable, "-c", RUNNER, "build", "-v", "-q"]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=site, capture_output=True, text=True, check=False)
    total = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"build failed:\n{proc.stderr[-3000:]}")
    result: dict[str, float] = {"process_seconds": round(total, 3)}
    for line in proc.stderr.splitlines():
        if m := re.match(r"^(?:\[\s*[\d.]+s\]\s*)?([\w+]+): ([\d.]+)s", line.strip()):
            result[f"stage_{m.group(1)}"] = float(m.group(2))
        if m := re.match(r"BENCH wall=([\d.]+) maxrss_kb=(\d+) children_maxrss_kb=(\d+)",
                         line):
            result["build_seconds"] = float(m.group(1))
            result["peak_rss_mb"] = round(int(m.group(2)) / 1024, 1)
            # the largest worker process (forked: shares the parent's pages until written)
            result["worker_peak_rss_mb"] = round(int(m.group(3)) / 1024, 1)
    return result


def naive_pipeline(items: list[Item], out: Path) -> float:
    """Plain tools, no cache: sumy LexRank per gold story, markdown-it + Jinja2 pages."""
    import jinja2
    import pysbd
    from markdown_it import MarkdownIt
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.utils import get_stop_words

    class PlainTokenizer:
        """sumy's tokenizer interface over plain pysbd (what a user of the plain tools
        writes: no faster splitting, no cache)."""

        language = "english"

        def __init__(self) -> None:
            self.segmenter = pysbd.Segmenter(language="en", clean=False)

        def to_sentences(self, paragraph: str) -> list[str]:
            return [s.strip() for s in self.segmenter.segment(paragraph) if s.strip()]

        def to_words(self, sentence: str) -> list[str]:
            return re.findall(r"\w+", sentence)

    started = time.perf_counter()
    tokenizer = PlainTokenizer()
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    md = MarkdownIt("commonmark", {"html": False})
    env = jinja2.Environment(autoescape=True)
    page = env.from_string("<!doctype html><title>{{ title }}</title><h1>{{ title }}</h1>"
                           "{{ body }}<ul>{% for s in summary %}<li>{{ s }}</li>{% endfor %}</ul>")
    stories: dict[str, list[Item]] = {}
    for item in items:
        stories.setdefault(item.story, []).append(item)
    out.mkdir(parents=True, exist_ok=True)
    for n, (_, members) in enumerate(sorted(stories.items())):
        paragraphs = [Paragraph([Sentence(s, tokenizer) for s in tokenizer.to_sentences(p)])
                      for m in members for p in m.paragraphs]
        summary = [str(s) for s in summarizer(ObjectDocumentModel(paragraphs), 5)]
        (out / f"story-{n}.html").write_text(page.render(title=members[0].title, body="",
                                                         summary=summary))
        for m in members:
            body = md.render("\n\n".join(m.paragraphs))
            (out / f"{m.key}.html").write_text(page.render(title=m.title, body=body,
                                                           summary=[]))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (shared/data)")
    parser.add_argument("--articles", type=int, default=0,
                        help="number of articles (default: all of NeuS raw_crawled)")
    parser.add_argument("--jobs", type=int, default=None, help="digest build --jobs")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pipeline")
    parser.add_argument("--repeat", type=int, default=1, help="repeat each measurement")
    args = parser.parse_args()

    items = combined(args.data, args.articles) if args.articles else list(neus_raw(args.data))
    report: dict[str, object] = {"articles": len(items),
                                 "gold_stories": len({i.story for i in items})}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        paths = write_markdown(items, site / "articles")
        (site / "digest.toml").write_text('title = "bench"\narticles = ["articles"]\n'
                                          'pages = "pages"\noutput = "site"\n')
        colds, nochanges, ones = [], [], []
        for _ in range(args.repeat):
            for cache in site.glob(".digest-cache"):
                import shutil
                shutil.rmtree(cache)
            colds.append(run_build(site, args.jobs))
            nochanges.append(run_build(site, args.jobs))
            target = paths[len(paths) // 2]
            target.write_text(target.read_text() + "\n\nAn added closing sentence for the "
                              "benchmark, changed on purpose.\n")
            ones.append(run_build(site, args.jobs))
        report["cold"] = colds[-1] if len(colds) == 1 else colds
        report["no_change"] = nochanges[-1] if len(nochanges) == 1 else nochanges
        report["one_changed"] = ones[-1] if len(ones) == 1 else ones
        if len(colds) > 1:
            report["cold_median_seconds"] = statistics.median(c["build_seconds"] for c in colds)
        if not args.no_naive:
            naive = naive_pipeline(items, site / "naive")
            report["naive_seconds"] = round(naive, 3)
            report["cold_over_naive"] = round(colds[-1]["build_seconds"] / naive, 3)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
