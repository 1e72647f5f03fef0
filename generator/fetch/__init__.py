"""``digest fetch``: pull new articles from RSS and Atom feeds into the inbox.

For each configured feed: download it (conditionally, with the validators of the
last run), parse the bytes with feedparser, keep the entries not fetched before,
download each entry's page, extract its text and metadata with the ingestion
extractor (:func:`generator.clean.html_extract`) and write one Markdown file
with YAML front matter into the inbox (see :mod:`generator.fetch.writer`).

Nothing here stops on one bad feed or page: every failure becomes a
:class:`~generator.model.Problem` naming the URL and the reason, and the rest
goes on. HTTP politeness lives in :mod:`generator.fetch.http`.
"""

from __future__ import annotations

import concurrent.futures as cf
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..config import Config, FeedConfig
from ..model import Problem
from .feeds import Entry, Feed, FeedError, canonical_url, parse_feed
from .http import Client, FetchFailure, Response, Settings
from .writer import State, file_name, inside, load_state, render_markdown, save_state, write_atomic

Progress = Callable[[str], None]

__all__ = ["FetchError", "FetchResult", "canonical_url", "fetch", "inbox_is_read", "user_agent"]


class FetchError(Exception):
    """A fetch that cannot start (inbox not writable); the message says why."""


@dataclass
class FetchResult:
    """What one run of ``digest fetch`` did."""

    inbox: Path
    written: list[Path] = field(default_factory=list)
    known: int = 0
    """Entries skipped because they were fetched before."""
    feeds: int = 0
    not_modified: int = 0
    """Feeds that answered 304 Not Modified."""
    problems: list[Problem] = field(default_factory=list)
    requests: int = 0


def _quiet(_: str) -> None:
    pass


def inbox_is_read(config: Config) -> bool:
    """Whether ``digest build`` reads the inbox (it is, or is inside, an article folder)."""
    inbox = config.resolve(config.inbox).resolve()
    for folder in config.articles:
        root = config.resolve(folder).resolve()
        if inbox == root or root in inbox.parents:
            return True
    return False


def user_agent(config: Config) -> str:
    """The configured User-Agent, else ``digest/<version> (+<base_url>)``."""
    if config.fetch.user_agent.strip():
        return config.fetch.user_agent.strip()
    if urlsplit(config.base_url).scheme in ("http", "https"):
        return f"digest/{__version__} (+{config.base_url})"
    return f"digest/{__version__} (static news digest generator)"


@dataclass
class _Candidate:
    entry: Entry
    feed: FeedConfig
    feed_title: str


def fetch(config: Config, feeds: list[FeedConfig] | None = None,
          progress: Progress = _quiet, *, client: Client | None = None) -> FetchResult:
    """Fetch new articles from ``feeds`` (default: the configured ones) into the inbox."""
    feeds = list(config.feeds if feeds is None else feeds)
    inbox = config.resolve(config.inbox)
    if not feeds:  # nothing to do: touch nothing on disk
        progress("no feeds configured")
        return FetchResult(inbox=inbox)
    try:
        inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create inbox folder {inbox} ({exc.strerror})") from None
    state, warning = load_state(inbox)
    result = FetchResult(inbox=inbox, feeds=len(feeds))
    if warning:
        result.problems.append(Problem(str(inbox), warning, "warning"))
    settings = config.fetch
    client = client or Client(Settings(
        user_agent=user_agent(config), timeout=settings.timeout, retries=settings.retries,
        backoff=settings.backoff, per_host=settings.per_host, max_bytes=settings.max_bytes))
    pool = cf.ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="digest-fetch")
    try:
        _run(config, feeds, state, client, pool, result, progress)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        try:
            save_state(inbox, state)
        except OSError as exc:
            result.problems.append(Problem(str(inbox), f"cannot save fetch state ({exc})"))
    result.requests = client.requests
    result.problems.sort(key=lambda p: (p.path, p.reason))
    return result


def _run(config: Config, feeds: list[FeedConfig], state: State, client: Client,
         pool: cf.ThreadPoolExecutor, result: FetchResult, progress: Progress) -> None:
    feed_jobs = []
    for feed in feeds:
        validators = state.feeds.get(feed.url, {})
        feed_jobs.append((feed, validators, pool.submit(
            client.get, feed.url, etag=validators.get("etag"),
            last_modified=validators.get("last_modified"))))
    candidates: list[_Candidate] = []
    fresh: dict[str, Response] = {}
    seen: set[str] = set()
    incomplete: set[str] = set()  # feeds whose validators must not be kept (see below)
    for feed, _validators, job in feed_jobs:
        try:
            response = job.result()
        except FetchFailure as exc:
            _fault(result, progress, feed.url, exc.reason)
            continue
        if response.not_modified:
            result.not_modified += 1
            progress(f"feed {feed.url}: not modified")
            continue
        try:
            parsed: Feed = parse_feed(response.body, response.url,
                                      response.headers.get("content-type"))
        except FeedError as exc:
            _fault(result, progress, feed.url, str(exc))
            continue
        if parsed.warning:
            result.problems.append(Problem(feed.url, parsed.warning, "warning"))
        fresh[feed.url] = response
        new = 0
        for entry in parsed.entries:
            if state.known(entry.key, entry.url_key):
                result.known += 1
                continue
            if entry.key in seen or entry.url_key in seen:
                continue
            if new >= config.fetch.max_per_feed:
                incomplete.add(feed.url)  # the rest comes next run: no 304 for it
                break
            seen.update((entry.key, entry.url_key))
            candidates.append(_Candidate(entry, feed, parsed.title))
            new += 1
        progress(f"feed {feed.url}: {len(parsed.entries)} entries, {new} new")

    page_jobs = {pool.submit(client.get, c.entry.link): c for c in candidates}
    done = 0
    for job in cf.as_completed(page_jobs):
        candidate = page_jobs[job]
        done += 1
        try:
            page = job.result()
            path = _save_article(candidate, page, state, result.inbox)
        except FetchFailure as exc:
            if exc.transient:  # worth another try next run
                incomplete.add(candidate.feed.url)
            _fault(result, progress, candidate.entry.link, exc.reason)
            continue
        except OSError as exc:
            incomplete.add(candidate.feed.url)
            _fault(result, progress, candidate.entry.link, f"cannot write to the inbox ({exc})")
            continue
        result.written.append(path)
        progress(f"[{done}/{len(candidates)}] wrote {path.name}")

    # Keep a feed's validators only when all its new entries were taken and none failed
    # for a reason that may pass (network, timeout, 5xx): else a 304 would hide them.
    for url, response in fresh.items():
        validators = {name: response.headers[header] for name, header in
                      (("etag", "etag"), ("last_modified", "last-modified"))
                      if response.headers.get(header)}
        if validators and url not in incomplete:
            state.feeds[url] = validators
        else:
            state.feeds.pop(url, None)
    result.written.sort()


def _fault(result: FetchResult, progress: Progress, url: str, reason: str) -> None:
    result.problems.append(Problem(url, reason))
    progress(f"failed: {url}: {reason}")


_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)


def page_text(body: bytes, content_type: str | None) -> str:
    """The page's text: the charset the server declared, else detected."""
    from ..load import decode

    match = _CHARSET.search(content_type or "")
    if match:
        try:
            return body.decode(match.group(1))
        except (LookupError, UnicodeDecodeError):
            pass
    text, _ = decode(body)
    return text or ""


def _save_article(candidate: _Candidate, page: Response, state: State, inbox: Path) -> Path:
    from ..clean import html_extract

    entry = candidate.entry
    content_type = page.headers.get("content-type", "")
    if content_type and not re.search(r"html|xml", content_type, re.I):
        raise FetchFailure(entry.link, f"not an HTML page ({content_type.split(';')[0]})")
    html = page_text(page.body, content_type)
    try:
        paragraphs, found = html_extract(html)
    except Exception as exc:  # the extractor must not stop the run
        raise FetchFailure(entry.link, f"extraction failed ({type(exc).__name__})") from None
    if not paragraphs:
        raise FetchFailure(entry.link, "no article text found on the page")
    meta = {
        "title": entry.title or found.get("title", ""),
        "outlet": candidate.feed.outlet or found.get("outlet", "") or candidate.feed_title,
        "url": canonical_url(page.url),
        "published": entry.published or found.get("published", ""),
        "author": entry.author or found.get("author", ""),
    }
    name = file_name(meta["title"] or entry.link, entry.key)
    path = inside(inbox, name)
    write_atomic(path, render_markdown(meta, paragraphs).encode("utf-8"))
    state.add(entry.key, entry.url_key, name)
    return path
