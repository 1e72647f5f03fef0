"""Live preview latency: time from saving an article file to its new text being
visible in a real browser (Debian's chromium driven by Playwright), through
``digest serve`` running as its own process.

    python bench/bench_preview.py DATA_DIR [--edits 25] [--articles 1000] [--gap 1.0]

Two sites are measured, each in a temporary folder that is deleted afterwards:
the bundled seeds (this checkout's ``seeds/``, ``content/pages`` and
``digest.toml``), and ``--articles`` articles from DATA_DIR's
``neus/raw_crawled.jsonl`` written as Markdown files with front matter. For each
edit one article's file gets a new sentence carrying a unique marker; the tab
showing that article's page must reload and show it. Two latencies per edit:
``painted`` is from the file write to the first paint of the reloaded page (the
page's own Paint Timing, on the browser's clock, same machine); ``observed`` is
until Playwright, polling each animation frame, reports the text in the page
(it adds the driver's round trips, about 0.1 s here). Prints p50 and p95 of
both, mean and max of ``observed``, and the server's own build times from its log.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from generator.load import article_id

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def seeds_site(folder: Path) -> list[Path]:
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    shutil.copytree(ROOT / "content" / "pages", folder / "content" / "pages")
    shutil.copy(ROOT / "digest.toml", folder / "digest.toml")
    return sorted((folder / "seeds").glob("*.txt"))


def neus_site(folder: Path, data: Path, count: int) -> list[Path]:
    articles = folder / "articles"
    articles.mkdir(parents=True)
    written: list[Path] = []
    with (data / "neus" / "raw_crawled.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for side in ("left", "center", "right"):
                news = (record.get("news") or {}).get(side)
                if not news or not news.get("newBody"):
                    continue
                front = {"title": news.get("newsTitle") or "", "outlet": news.get("newsSource")
                         or "", "url": news.get("newsLink") or "",
                         "published": str(record.get("date", ""))[:10]}
                head = "\n".join(f"{k}: {json.dumps(v)}" for k, v in front.items() if v)
                body = "\n\n".join(p.strip() for p in news["newBody"] if p.strip())
                path = articles / f"a{len(written):04d}.md"
                path.write_text(f"---\n{head}\n---\n\n{body}\n", encoding="utf-8")
                written.append(path)
                if len(written) >= count:
                    break
            if len(written) >= count:
                break
    (folder / "digest.toml").write_text(
        'title = "preview benchmark"\narticles = ["articles"]\noutput = "site"\n',
        encoding="utf-8")
    return written


class Server:
    """``digest serve`` in a subprocess; collects its log lines."""

    def __init__(self, config: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--config", str(config),
             "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1)
        self.lines: list[tuple[float, str]] = []
        self.url = ""
        ready = threading.Event()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.append((time.perf_counter(), line.rstrip()))
                if line.startswith("Serving "):
                    self.url = line.split()[1]
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        started = time.perf_counter()
        ready.wait(1800)
        self.startup = time.perf_counter() - started
        if not self.url:
            raise SystemExit("digest serve did not start:\n" +
                             "\n".join(text for _, text in self.lines))

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def times(self, pattern: str) -> list[float]:
        found = []
        for _, text in self.lines:
            match = re.search(pattern, text)
            if match:
                found.append(float(match.group(1)))
        return found


PAINT_JS = """(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {origin: performance.timeOrigin,
          paint: fcp ? fcp.startTime : nav.domContentLoadedEventEnd};
})()"""


def add_marker(path: Path, marker: str, shown: str) -> None:
    """Append a sentence with ``marker`` to the first body paragraph the page shows."""
    text = path.read_text(encoding="utf-8")
    start = text.index("\n---", 3) + 4 if text.startswith("---") else 0
    head, body = text[:start], text[start:]
    paragraphs = body.split("\n\n")
    index = next(i for i, p in enumerate(paragraphs)
                 if len(p.strip()) > 80 and p.strip()[:60] in shown)
    paragraphs[index] = re.sub(r"\s*Editors added note \w+\.", "", paragraphs[index].rstrip())
    paragraphs[index] += f" Editors added note {marker}."
    path.write_text(head + "\n\n".join(paragraphs), encoding="utf-8")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def measure(name: str, folder: Path, files: list[Path], edits: int, gap: float,
            browser: Any, timeout: float = 120.0) -> dict[str, Any]:
    server = Server(folder / "digest.toml")
    latencies: list[float] = []
    missed: list[str] = []
    painted: list[float] = []
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        context = browser.new_context()
        page = context.new_page()
        for n in range(edits):
            path = files[(n * 7) % len(files)]
            rel = path.relative_to(path.parent).as_posix()
            page.goto(server.url + f"articles/{article_id(rel)}/", timeout=600_000)
            shown = page.inner_text("main")
            marker = f"zq{n:03d}x{int(time.time() * 1000) % 100000}"
            started, wall = time.perf_counter(), time.time()
            add_marker(path, marker, shown)
            try:
                page.wait_for_function(f"document.body.innerText.includes({marker!r})",
                                       timeout=timeout * 1000, polling="raf")
            except PlaywrightTimeout:
                missed.append(path.name)
                print(f"edit {n} of {path.name} not visible after {timeout:.0f}s; server log:\n"
                      + "\n".join(text for _, text in server.lines[-15:]), file=sys.stderr)
                continue
            latencies.append(time.perf_counter() - started)
            # The browser's own clock: when the reloaded page was first painted.
            timing = page.evaluate(PAINT_JS)
            if timing["origin"] / 1000 > wall:
                painted.append(timing["origin"] / 1000 + timing["paint"] / 1000 - wall)
            time.sleep(gap)
        context.close()
    finally:
        status = server.stop()
    quick = server.times(r"rebuilt \d+ edited file\(s\) in ([\d.]+)s")
    full = server.times(r"^built .* in ([\d.]+)s$")
    result = {
        "site": name, "articles": len(files), "edits": edits, "missed": len(missed),
        "startup_s": round(server.startup, 2),
        "painted_p50_ms": round(1000 * percentile(painted, 50)) if painted else None,
        "painted_p95_ms": round(1000 * percentile(painted, 95)) if painted else None,
        "p50_ms": round(1000 * percentile(latencies, 50)),
        "p95_ms": round(1000 * percentile(latencies, 95)),
        "mean_ms": round(1000 * statistics.fmean(latencies)),
        "max_ms": round(1000 * max(latencies)),
        "quick_builds": len(quick),
        "quick_build_p50_ms": round(1000 * statistics.median(quick)) if quick else None,
        "full_builds": len(full),
        "full_build_p50_s": round(statistics.median(full), 2) if full else None,
        "exit_status": status,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="the evaluation data folder")
    parser.add_argument("--edits", type=int, default=25)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--gap", type=float, default=1.0,
                        help="seconds between an edit becoming visible and the next edit")
    parser.add_argument("--only", choices=["seeds", "neus"])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for name in ("seeds", "neus"):
                if args.only and args.only != name:
                    continue
                with tempfile.TemporaryDirectory(prefix="digest-preview-") as tmp:
                    folder = Path(tmp)
                    files = (seeds_site(folder) if name == "seeds"
                             else neus_site(folder, args.data, args.articles))
                    result = measure(name, folder, files, args.edits, args.gap, browser)
                    print(json.dumps(result), flush=True)
                    results.append(result)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
