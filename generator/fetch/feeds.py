"""RSS and Atom feeds: bytes in, entries out (feedparser never touches the network).

Each entry gets two identities: ``key``, from its GUID (``<guid>`` / Atom
``<id>``) scoped to the feed's host, else its canonical link; and ``url_key``,
its canonical link. An article counts as already fetched when either is known,
so an edited headline (same GUID or link) never comes back as a new article.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ..text import normalize_space

TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "mc_cid", "mc_eid", "ocid", "cmpid"})


class FeedError(Exception):
    """Feed bytes that hold no usable feed; the message says why."""


@dataclass(frozen=True)
class Entry:
    """One item of a feed, reduced to what fetching needs."""

    key: str
    url_key: str
    link: str
    title: str
    published: str | None
    author: str | None


@dataclass
class Feed:
    """A parsed feed: its title and its entries in feed order."""

    title: str
    entries: list[Entry]
    warning: str | None = None


def canonical_url(url: str) -> str:
    """``url`` with host lower-cased, default port, fragment and tracking parameters dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) \
        else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> Feed:
    """Entries of the RSS or Atom document ``body`` fetched from ``url``."""
    import feedparser

    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    parsed: Any = feedparser.parse(body, response_headers=headers)
    raw_entries = list(parsed.get("entries") or [])
    if not raw_entries:
        if re.match(rb"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", body[:2048], re.I | re.S):
            raise FeedError("not an RSS or Atom feed (an HTML page)")
        if parsed.get("bozo"):
            problem = parsed.get("bozo_exception")
            raise FeedError(f"malformed feed ({problem})" if problem else "malformed feed")
        if not parsed.get("version"):
            raise FeedError("not an RSS or Atom feed")
    warning = None
    if parsed.get("bozo"):
        warning = f"feed is not well-formed ({parsed.get('bozo_exception')}); read what parsed"
    host = (urlsplit(url).hostname or "").lower()
    entries: list[Entry] = []
    for raw in raw_entries:
        link = _link(raw, url)
        if link is None:
            continue
        guid = normalize_space(str(raw.get("id") or ""))
        url_key = "url:" + canonical_url(link)
        entries.append(Entry(
            key=f"guid:{host} {guid}" if guid else url_key,
            url_key=url_key,
            link=link,
            title=normalize_space(str(raw.get("title") or "")),
            published=_date(raw),
            author=normalize_space(str(raw.get("author") or "")) or None,
        ))
    title = normalize_space(str(parsed.get("feed", {}).get("title") or ""))
    return Feed(title=title, entries=entries, warning=warning)


def _link(raw: Any, feed_url: str) -> str | None:
    candidates = [raw.get("link")]
    candidates += [link.get("href") for link in raw.get("links") or []
                   if link.get("rel", "alternate") == "alternate"]
    for candidate in candidates:
        if not candidate:
            continue
        link = urljoin(feed_url, str(candidate).strip())
        if urlsplit(link).scheme in ("http", "https") and urlsplit(link).hostname:
            return link
    return None


def _date(raw: Any) -> str | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(name)
        if isinstance(value, time.struct_time):
            try:
                when = dt.datetime(*value[:6], tzinfo=dt.UTC)
            except ValueError:
                continue
            return when.isoformat()
    return None
