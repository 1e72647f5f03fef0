"""The published site on a realistic corpus: render time, output size, search index
size, feeds, and the link checker over the whole output under a subpath.

    python bench/bench_site.py ../shared/data              # NeuS raw_crawled, ~1,480 articles
    python bench/bench_site.py ../shared/data --reps 5

The pipeline (load .. compare) runs once; ``render`` is then timed ``--reps`` times
(the first includes compiling the theme). Figures only: no text of the data is printed.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import neus_raw, write_markdown

from generator.build import process
from generator.config import Config
from generator.render import render
from generator.write import write_site
from tests.sitecheck import broken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder")
    parser.add_argument("--reps", type=int, default=3, help="times to run render")
    parser.add_argument("--base-url", default="https://user.github.io/repo/")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        items = list(neus_raw(args.data))
        write_markdown(items, tmp / "articles")
        config = Config(articles=[str(tmp / "articles")], pages=str(tmp / "pages"),
                        output=str(tmp / "site"), base_url=args.base_url, root=tmp)
        started = time.perf_counter()
        digest = process(config)
        pipeline = time.perf_counter() - started
        times = []
        files: dict[str, bytes] = {}
        for _ in range(args.reps):
            started = time.perf_counter()
            files = render(digest, config)
            times.append(time.perf_counter() - started)
        again = render(digest, config)
        write_site(files, tmp / "site")
        started = time.perf_counter()
        problems, checked = broken(tmp / "site", args.base_url)
        check = time.perf_counter() - started

    def kib(n: int) -> str:
        return f"{n / 1024:,.0f} KiB"

    index = files["search/index.json"]
    pages = [k for k in files if k.endswith(".html")]
    feeds = [k for k in files if k.endswith("feed.xml")]
    print(f"articles: {len(digest.articles)}, stories: {len(digest.stories)}, "
          f"pipeline before render: {pipeline:.1f} s")
    print(f"render: first {times[0]:.2f} s, then median "
          f"{statistics.median(times[1:] or times):.2f} s ({args.reps} runs)")
    print(f"output: {len(files)} files, {kib(sum(map(len, files.values())))}; "
          f"{len(pages)} HTML pages, {len(feeds)} Atom feeds")
    print(f"search/index.json: {kib(len(index))}, gzipped {kib(len(gzip.compress(index)))}")
    print(f"largest page: {kib(max(len(files[p]) for p in pages))}; "
          f"feed.xml: {kib(len(files['feed.xml']))}")
    print(f"deterministic: {files == again}")
    print(f"link check under {args.base_url}: {checked} internal links in {check:.1f} s, "
          f"{len(problems)} broken")
    for problem in problems[:10]:
        print("  ", problem)


if __name__ == "__main__":
    main()
