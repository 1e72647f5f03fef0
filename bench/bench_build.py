"""Whole-build benchmark: cold build, no-change rebuild, one changed article, memory,
time per stage, and a naive pipeline on the same articles in the same run.

    python bench/bench_build.py ../shared/data                 # NeuS raw_crawled, ~1,480 articles
    python bench/bench_build.py ../shared/data --articles 10000 --no-naive

Each digest build runs as its own process (``python -m generator build -v``), so
the figures include start-up and imports, as a user sees them; the naive pipeline
(bench/_naive.py) runs the same way, timed from before its imports and reading the
same Markdown files (its old in-process time, tools imported and articles in memory
before the timer, is reported too). Both run with Python's bytecode cache on, as
users have it (digest's modules are compiled once before timing). Peak memory is the
build process's maximum resident set size, and separately the largest worker
process's (forked workers share the parent's memory pages until they write them,
so the sum overstates what the machine needs).
"""

from __future__ import annotations

import argparse
import json
import os
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
    "t = time.perf_counter()\n"
    "from generator.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "wall = time.perf_counter() - t\n"
    "rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
    "print(f'BENCH wall={wall:.3f} maxrss_kb={rss} children_maxrss_kb={kids}', "
    "file=sys.stderr)\n"
    "sys.exit(code)\n"
)


# Python as users run it: bytecode is cached (some environments, this machine's too,
# set PYTHONDONTWRITEBYTECODE, which would make every build compile digest's modules
# again: about 0.1 s). The plain tools' modules are compiled in site-packages already.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
COMPILE = ("import compileall, os, generator\n"
           "compileall.compile_dir(os.path.dirname(generator.__file__), quiet=1)\n")


def settle(not_before: float = 0.0) -> None:
    """Flush pending file writes (the bench's own articles, the previous run's output)
    so a timed run does not wait behind them: called before every timed run, digest's
    and the naive pipeline's alike. With ``not_before`` (a ``time.monotonic()``), also
    wait until then."""
    os.sync()
    time.sleep(max(0.5, not_before - time.monotonic()))


# On ext4 without a journal (this machine's disk) the inode allocator does not reuse an
# inode freed in the last 30 s (35 s while its table block is unwritten), and checks
# every such inode it passes for each file or folder it makes. A run that makes
# thousands of them soon after thousands were deleted - the previous bench run's
# temporary folder, removed when it exits - pays seconds for it (perf shows
# recently_deleted under mkdir and open). So the warm-up runs, then the first cold
# build (the one that writes the whole site into an empty folder), start this long
# after the bench started. The wait comes before the warm-up, not after it: this VM
# drops its page cache within a minute of idling (Cached fell to 15 MB), and a build
# right after an idle wait reads every library and article from disk again.
FRESH_AFTER = 36.0


def run_build(site: Path, jobs: int | None) -> dict[str, float]:
    args = [sys.executable, "-c", RUNNER, "build", "-v", "-q"]
    if jobs is not None:
        args += ["--jobs", str(jobs)]
    settle()
    started = time.perf_counter()
    proc = subprocess.run(args, cwd=site, env=ENV, capture_output=True, text=True,
                          check=False)
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


def naive_process(items: list[Item], articles: Path, out: Path) -> dict[str, float]:
    """The naive pipeline (bench/_naive.py) as its own process, timed like a digest
    build: from before its imports, reading the same Markdown files."""
    gold = articles.parent / "gold.json"
    gold.write_text(json.dumps({f"{i.key}.md": i.story for i in items}), encoding="utf-8")
    settle()
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("_naive.py")),
                           str(articles), str(gold), str(out)],
                          env=ENV, capture_output=True, text=True, check=False)
    total = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"naive pipeline failed:\n{proc.stderr[-3000:]}")
    m = re.search(r"NAIVE wall=([\d.]+)", proc.stdout)
    if m is None:
        raise SystemExit(f"naive pipeline printed no time:\n{proc.stdout[-3000:]}")
    return {"seconds": float(m.group(1)), "process_seconds": round(total, 3)}


def naive_in_process(items: list[Item], out: Path) -> float:
    """The naive pipeline in this process, its tools imported and its articles in
    memory before the timer starts (how this bench timed it before: it leaves out
    the 1.5 s of imports and the file reading that digest's timed build includes)."""
    from _naive import import_tools, pipeline

    import_tools()

    stories: dict[str, list[tuple[str, str, list[str]]]] = {}
    for item in items:
        stories.setdefault(item.story, []).append((item.key, item.title, item.paragraphs))
    settle()
    started = time.perf_counter()
    pipeline(stories, out)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder (shared/data)")
    parser.add_argument("--articles", type=int, default=0,
                        help="number of articles (default: all of NeuS raw_crawled)")
    parser.add_argument("--jobs", type=int, default=None, help="digest build --jobs")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive pipeline")
    parser.add_argument("--repeat", type=int, default=1, help="repeat each measurement")
    parser.add_argument("--fresh-wait", type=float, default=FRESH_AFTER, metavar="SECONDS",
                        help="start the warm-up and the first cold build (into an empty "
                        "folder) at least this long after the bench started, so they do "
                        "not pay for files deleted just before (default "
                        f"{FRESH_AFTER:g}; 0 to not wait)")
    args = parser.parse_args()
    begun = time.monotonic()

    items = combined(args.data, args.articles) if args.articles else list(neus_raw(args.data))
    report: dict[str, object] = {"articles": len(items),
                                 "gold_stories": len({i.story for i in items}),
                                 "fresh_wait_seconds": args.fresh_wait}
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        paths = write_markdown(items, site / "articles")
        (site / "digest.toml").write_text('title = "bench"\narticles = ["articles"]\n'
                                          'pages = "pages"\noutput = "site"\n')
        # what installing a package does: digest's modules compiled once, before timing
        subprocess.run([sys.executable, "-c", COMPILE], cwd=site, env=ENV, check=True)
        settle(begun + args.fresh_wait)
        # Untimed warm-up of both pipelines (a build into another folder, its cache then
        # deleted, and a naive run), so neither timed run is the first to read the
        # libraries both import (numpy, NLTK, sumy, Jinja2...) from disk: the naive
        # pipeline always runs after a digest build, and would otherwise never pay it.
        subprocess.run([sys.executable, "-m", "generator", "build", "-q", "--output",
                        "warm-up"], cwd=site, env=ENV, capture_output=True, check=False)
        naive_process(items, site / "articles", site / "naive-warm-up")
        colds, nochanges, ones, naives = [], [], [], []
        for n in range(args.repeat):
            for cache in site.glob(".digest-cache"):
                import shutil
                shutil.rmtree(cache)
            colds.append(run_build(site, args.jobs))
            if not args.no_naive:  # right after the cold build: the machine's speed drifts
                naives.append(naive_process(items, site / "articles", site / f"naive-{n}"))
            nochanges.append(run_build(site, args.jobs))
            target = paths[len(paths) // 2]
            target.write_text(target.read_text() + "\n\nAn added closing sentence for the "
                              "benchmark, changed on purpose.\n")
            ones.append(run_build(site, args.jobs))
        # The first cold build writes the site into an empty folder; later ones find
        # the previous site there and write only changed files (none, here).
        report["cold"] = colds[-1] if len(colds) == 1 else colds
        report["no_change"] = nochanges[-1] if len(nochanges) == 1 else nochanges
        report["one_changed"] = ones[-1] if len(ones) == 1 else ones
        if len(colds) > 1:
            report["cold_median_seconds"] = statistics.median(c["build_seconds"] for c in colds)
        if naives:
            report["naive"] = naives[-1] if len(naives) == 1 else naives
            # each cold build against the naive pipeline run right after it
            pairs = [round(c["build_seconds"] / v["seconds"], 3)
                     for c, v in zip(colds, naives, strict=True)]
            report["cold_over_naive"] = pairs[-1] if len(pairs) == 1 else pairs
            inside = naive_in_process(items, site / "naive-in-process")
            report["naive_in_process_seconds"] = round(inside, 3)
            report["cold_over_naive_in_process"] = round(colds[-1]["build_seconds"] / inside, 3)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
