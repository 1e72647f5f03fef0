"""Builds for the preview: a full build, and a quick one for edited articles.

A full build runs the same pipeline as ``digest build`` (:func:`generator.build.process`
then :func:`generator.render.render`) into memory. When the only changes since
the last build are edits to existing article files, :meth:`Builder.quick`
re-reads and re-cleans just those files, puts each cleaned article back into
the story it was in, summarizes and compares only those stories, and re-renders
only their story and article pages; everything else is kept from the last
build. The server then runs a full build anyway, so pages that depend on the
whole digest (home page, archive, search, feeds, or a regrouping the edit
causes) follow a moment later and the preview ends byte-identical to
``digest build``.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import build as build_stage
from .. import clean as clean_stage
from .. import load as load_stage
from .. import render as render_stage
from .. import summarize as summarize_stage
from ..cache import Cache
from ..config import Config, ConfigError
from ..model import Article, Digest, Story
from .state import Failure

QUICK_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}


class Cancelled(Exception):
    """A full build given up because newer changes arrived."""


@dataclass
class Result:
    """A finished build: the site's files and what they were made from."""

    files: dict[str, bytes]
    config: Config
    digest: Digest
    exact: bool = True


def input_folders(config: Config) -> list[Path]:
    """Every folder whose files go into the site (articles, pages, templates, theme)."""
    folders = [config.resolve(a) for a in config.articles]
    folders += [config.resolve(config.pages), config.resolve(config.templates),
                render_stage.theme_dir()]
    return folders


def full_build(config: Config, cancelled: Callable[[], bool] = lambda: False,
               jobs: int | None = None) -> Result:
    """The whole pipeline into memory; raises :class:`Cancelled` between stages.

    ``jobs`` as for :func:`generator.build.process` (None: one process per core).
    """

    def progress(_: str) -> None:
        if cancelled():
            raise Cancelled

    digest = build_stage.process(config, progress, jobs=jobs)
    progress("")
    files = render_stage.render(digest, config)
    return Result(files=files, config=config, digest=digest)


class Builder:
    """Runs builds and keeps the last one, for quick rebuilds of edited articles."""

    def __init__(self, read_config: Callable[[], Config]) -> None:
        self.read_config = read_config
        self.last: Result | None = None
        self.stale: set[str] = set()
        """Ids of stories whose summary and differences predate a quick rebuild."""
        self.lock = threading.Lock()

    def full(self, cancelled: Callable[[], bool] = lambda: False,
             jobs: int | None = None) -> Result:
        config = self.read_config()
        result = full_build(config, cancelled, jobs)
        with self.lock:
            if cancelled():  # an edit arrived: the quick rebuild of it builds on self.last
                raise Cancelled
            self.last = result
            self.stale = set()
        return result

    def quick(self, changed: set[Path]) -> Result | None:
        """A rebuild of only the edited articles' pages, or None when it does not apply."""
        with self.lock:
            last = self.last
        if last is None or not changed:
            return None
        config = last.config
        if config.source is not None and config.source in changed:
            return None
        by_path = {(config.resolve(a.folder).resolve() / a.path): a for a in last.digest.articles
                   if "#" not in a.path}
        story_of = {a.id: s for s in last.digest.stories for a in s.articles}
        fresh: dict[str, Article] = {}
        for path in changed:
            old = by_path.get(path.resolve())
            if old is None and not path.exists():
                continue  # a temporary file that came and went (an atomic save)
            if old is None or path.suffix.lower() not in QUICK_SUFFIXES or not path.is_file():
                return None
            article = self._reread(path, old, config)
            if article is None or old.id not in story_of:
                return None
            fresh[old.id] = article
        if not fresh:
            return None
        texts = {"\n".join(a.paragraphs).strip().casefold() for a in fresh.values()}
        if len(texts) < len(fresh):
            return None
        others = [a for a in last.digest.articles if a.id not in fresh]
        if any("\n".join(a.paragraphs).strip().casefold() in texts for a in others):
            return None  # now a duplicate of another article: the full build reports it
        articles = [fresh.get(a.id, a) for a in last.digest.articles]
        touched: dict[str, Story] = {}
        stories: list[Story] = []
        for story in last.digest.stories:
            if any(a.id in fresh for a in story.articles):
                # Summary and differences are refreshed by restory(); article pages
                # show only the story's title, page and size, all current here.
                story = dataclasses.replace(
                    story, articles=[fresh.get(a.id, a) for a in story.articles])
                story.title = summarize_stage.choose_headline(story)
                touched[story.id] = story
            stories.append(story)
        files = self._rerender(last, list(touched.values()), config, story_pages=False)
        digest = Digest(stories=stories, articles=articles, pages=last.digest.pages,
                        problems=last.digest.problems)
        result = Result(files=files, config=config, digest=digest, exact=False)
        with self.lock:
            self.last = result
            self.stale.update(touched)
        return result

    def restory(self) -> Result | None:
        """Summarize and compare the stories of quickly rebuilt articles; their pages."""
        with self.lock:
            last, stale = self.last, set(self.stale)
        if last is None or not stale:
            return None
        config = last.config
        cache = Cache(config.root / ".digest-cache" / "summaries")
        touched: list[Story] = []
        stories: list[Story] = []
        for story in last.digest.stories:
            if story.id in stale:
                story = dataclasses.replace(story, articles=list(story.articles))
                touched.append(story)
            stories.append(story)
        # The build's own per-story step (headline, summary, differences and the
        # summary's citations of compare's aligned sources), so the preview matches.
        try:
            done_all = build_stage.story_results(touched, config, cache)
        finally:
            cache.close()
        for story, done in zip(touched, done_all, strict=True):
            story.title, story.summary, story.differences = (done.title, done.summary,
                                                             done.differences)
        files = self._rerender(last, touched, config, story_pages=True)
        digest = dataclasses.replace(last.digest, stories=stories)
        result = Result(files=files, config=config, digest=digest, exact=False)
        with self.lock:
            if self.last is not last:
                return None  # newer edits arrived meanwhile: they come first
            self.last = result
            self.stale -= stale
        return result

    @staticmethod
    def _rerender(last: Result, touched: list[Story], config: Config,
                  story_pages: bool) -> dict[str, bytes]:
        """The last files with the pages of ``touched`` stories (or of their articles)."""
        members = [a for s in touched for a in s.articles]
        partial = Digest(stories=touched, articles=sorted(members, key=lambda a: a.id),
                         pages=last.digest.pages)
        rendered = render_stage.render(partial, config)
        files = dict(last.files)
        keys = ([k for s in touched for k in (s.page + "index.html", s.page + "feed.xml")]
                if story_pages else [a.page + "index.html" for a in members])
        for key in keys:
            if key in rendered:
                files[key] = rendered[key]
        return files

    @staticmethod
    def _reread(path: Path, old: Article, config: Config) -> Article | None:
        folder = config.resolve(old.folder)
        manifest, _ = load_stage.read_manifest(folder, old.folder)
        display = f"{old.folder.rstrip('/')}/{old.path}"
        docs, problems = load_stage.read_file(path, old.path, old.folder, display,
                                              manifest.get(old.path, {}))
        if problems or len(docs) != 1:
            return None
        doc = docs[0]
        doc.id = old.id
        article = clean_stage.clean(doc, config.language)
        if any(p.severity == "error" for p in article.problems):
            return None
        return article


_LINE_RE = re.compile(r"\bline (\d+)")
_KEY_RE = re.compile(r"'([A-Za-z0-9_.\[\]-]+)'")


def failure(exc: BaseException) -> Failure:
    """File, line and message of a build error, for the browser overlay."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return Failure(f"template error: {exc.message}", exc.filename or exc.name, exc.lineno)
    if isinstance(exc, ConfigError):
        return config_failure(str(exc))
    if isinstance(exc, build_stage.BuildError):
        text = str(exc)
        file, sep, message = text.partition(": ")
        return Failure(message, file) if sep else Failure(text)
    frames = traceback.extract_tb(exc.__traceback__)
    template = next((f for f in reversed(frames) if f.filename.endswith((".html", ".xml"))),
                    None)
    message = f"{type(exc).__name__}: {exc}"
    if template is not None:
        return Failure(message, template.filename, template.lineno)
    if frames:
        last = frames[-1]
        return Failure(message, last.filename, last.lineno)
    return Failure(message)


def config_failure(text: str) -> Failure:
    """A :class:`ConfigError` message (``<file>: <what>``) with the line found if possible."""
    file, sep, message = text.partition(": ")
    if not sep:
        return Failure(text)
    match = _LINE_RE.search(message)
    if match:
        return Failure(message, file, int(match.group(1)))
    if "at end of document" in message:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return Failure(message, file)
        return Failure(message, file, max(1, len(text.splitlines())))
    key = _KEY_RE.search(message)
    line = find_key_line(Path(file), key.group(1)) if key else None
    return Failure(message, file, line)


def find_key_line(path: Path, dotted: str) -> int | None:
    """The line of ``digest.toml`` that sets a (dotted) key, for error messages."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    *tables, name = re.sub(r"\[\d+\]$", "", dotted).split(".")
    table = ".".join(tables)
    current = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        header = re.match(r"\[\s*([^\]]+?)\s*\]$", stripped)
        if header:
            current = header.group(1)
            if not name and current == table:
                return number
            continue
        if current == table and re.match(rf"{re.escape(name)}\s*=", stripped):
            return number
        if not table and re.match(rf"{re.escape(dotted)}\s*=", stripped):
            return number
    if tables and table:
        for number, line in enumerate(lines, start=1):
            if re.match(rf"\[\s*{re.escape(table)}\s*\]", line.strip()):
                return number
    return None
