"""The pipeline: load -> clean -> cluster -> summarize -> compare -> render -> write.

``build(config)`` is a plain function: the CLI, the preview server and the tests
all call it. It reads and processes everything first, then writes the site in
one step (see :mod:`generator.write`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from . import clean as clean_stage
from . import cluster as cluster_stage
from . import compare as compare_stage
from . import load as load_stage
from . import render as render_stage
from . import summarize as summarize_stage
from . import write as write_stage
from .cache import Cache
from .config import Config
from .model import Article, BuildResult, Digest, Problem

Progress = Callable[[str], None]


class BuildError(Exception):
    """A build that cannot go on (bad folder, unwritable output); the message says why."""


def _quiet(_: str) -> None:
    pass


def duplicates(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Drop the second and later copies of the same article text (reported)."""
    seen: dict[str, Article] = {}
    kept: list[Article] = []
    problems: list[Problem] = []
    for article in articles:
        key = "\n".join(article.paragraphs).strip().casefold()
        if key in seen:
            first = seen[key]
            problems.append(Problem(
                f"{article.folder.rstrip('/')}/{article.path}",
                f"same article text as {first.folder.rstrip('/')}/{first.path}; skipped"))
            continue
        seen[key] = article
        kept.append(article)
    return kept, problems


def process(config: Config, progress: Progress = _quiet,
            timings: dict[str, float] | None = None) -> Digest:
    """Run every stage up to (not including) render; return the digest."""
    timings = timings if timings is not None else {}

    def stage(name: str, started: float) -> None:
        timings[name] = time.perf_counter() - started
        progress(f"{name}: {timings[name]:.2f}s")

    t = time.perf_counter()
    folders = [(name, config.resolve(name)) for name in config.articles]
    try:
        loaded = load_stage.load(folders)
    except load_stage.ContentError as exc:
        raise BuildError(str(exc)) from None
    pages, page_problems = load_stage.load_pages(config.resolve(config.pages), config.pages)
    problems = [*loaded.problems, *page_problems]
    stage("load", t)

    t = time.perf_counter()
    articles: list[Article] = []
    for document in loaded.documents:
        article = clean_stage.clean(document, config.language)
        fatal = [p for p in article.problems if p.severity == "error"]
        problems.extend(article.problems)
        if not fatal:
            articles.append(article)
    articles, dup_problems = duplicates(articles)
    problems.extend(dup_problems)
    stage("clean", t)

    t = time.perf_counter()
    stories = cluster_stage.cluster(articles, config.cluster)
    stage("cluster", t)

    t = time.perf_counter()
    summary_cache = Cache(config.root / ".digest-cache" / "summaries")
    for story in stories:
        story.title = summarize_stage.choose_headline(story)
        story.summary = summarize_stage.summarize(story, config.summary, config.language,
                                                  cache=summary_cache)
    stage("summarize", t)

    t = time.perf_counter()
    for story in stories:
        story.differences = compare_stage.compare(story)
    stage("compare", t)

    ordered = sorted(articles, key=lambda a: a.id)
    return Digest(stories=stories, articles=ordered, pages=pages, problems=problems)


def build(config: Config, progress: Progress = _quiet) -> BuildResult:
    """Build the site described by ``config`` into its output folder."""
    timings: dict[str, float] = {}
    output = config.resolve(config.output)
    protected = [config.root / "digest.toml", config.resolve(config.pages),
                 config.resolve(config.templates), *(config.resolve(a) for a in config.articles)]
    try:
        write_stage.check_output(output, protected)
    except write_stage.OutputError as exc:
        raise BuildError(str(exc)) from None
    digest = process(config, progress, timings)

    t = time.perf_counter()
    files = render_stage.render(digest, config)
    timings["render"] = time.perf_counter() - t
    progress(f"render: {timings['render']:.2f}s")

    t = time.perf_counter()
    try:
        count = write_stage.write_site(files, output)
    except write_stage.OutputError as exc:
        raise BuildError(str(exc)) from None
    timings["write"] = time.perf_counter() - t
    progress(f"write: {timings['write']:.2f}s")
    report = write_report(config, digest)
    return BuildResult(output=output, digest=digest, files=count, report_path=report,
                       timings=timings)


def write_report(config: Config, digest: Digest) -> Path | None:
    """The build report (problems met), beside the site in ``.digest-cache/``."""
    folder = config.root / ".digest-cache"
    data = {
        "stories": len(digest.stories),
        "articles": len(digest.articles),
        "problems": [{"path": p.path, "reason": p.reason, "severity": p.severity}
                     for p in digest.problems],
    }
    try:
        folder.mkdir(exist_ok=True)
        path = folder / "build-report.json"
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError:
        return None
    return path
