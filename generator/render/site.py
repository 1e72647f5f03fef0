"""Site-wide values and small helpers shared by the HTML, feed and index writers.

Everything here is a pure function of the digest and the config: no clock, no
locale, no environment. Times come from the articles' own publication dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from urllib.parse import urlsplit

from ..model import Article, Story

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The time used where nothing in the input has a date (feeds need one)."""

TIMES_KEPT = 1 << 15
"""Distinct publication times whose parsed and written forms are kept (per process)."""

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_BAD_URL_CHAR = re.compile(r"[\x00-\x20\x7f<>\"'`\\]")


@dataclass(frozen=True)
class Site:
    """Site-wide values handed to every template (computed once per build)."""

    title: str
    description: str
    base_url: str
    base_path: str
    lang: str = "en"

    def url(self, path: str = "") -> str:
        """Root-relative URL of a site path, under the base path."""
        return self.base_path + path.lstrip("/")

    @property
    def has_host(self) -> bool:
        parts = urlsplit(self.base_url)
        return bool(parts.scheme in ("http", "https") and parts.netloc)

    def absolute(self, path: str = "") -> str:
        """Absolute URL (for feeds and the sitemap) when the base URL has a host."""
        parts = urlsplit(self.base_url)
        if self.has_host:
            return f"{parts.scheme}://{parts.netloc}{self.url(path)}"
        return self.url(path)


@lru_cache(maxsize=TIMES_KEPT)
def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs with a host become links; anything else is dropped (kept by
    value: an article's URL is checked on its page, its story's page and for labels)."""
    if not url:
        return None
    url = url.strip()
    if _BAD_URL_CHAR.search(url):
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


@lru_cache(maxsize=TIMES_KEPT)
def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime (UTC when no zone is given).

    Kept by value: a render reads each article's time a dozen times (story order,
    archive days, feeds, sitemap, pages), and datetimes are immutable."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@lru_cache(maxsize=TIMES_KEPT)
def rfc3339(moment: datetime | None) -> str:
    """RFC 3339 in UTC, for Atom and the sitemap (the epoch when unknown)."""
    return (moment or EPOCH).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=TIMES_KEPT)
def human_time(value: str | None) -> str:
    """``31 May 2024`` or ``31 May 2024, 14:05 UTC``, in the zone the source gave."""
    moment = parse_time(value)
    if moment is None or value is None:
        return value or ""
    day = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if len(value.strip()) == 10:
        return day
    offset = moment.utcoffset()
    if offset is None or not offset:
        zone = " UTC"
    else:
        minutes = int(offset.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        zone = f" UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return f"{day}, {moment.hour:02d}:{moment.minute:02d}{zone}"


def day_of(value: str | None) -> str | None:
    """The YYYY-MM-DD day of a publication time, or None when it is not a real date."""
    if not value or not _DAY_RE.fullmatch(value[:10]):
        return None
    try:
        date.fromisoformat(value[:10])
    except ValueError:
        return None
    return value[:10]


def human_day(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def story_time(story: Story) -> datetime | None:
    """The latest publication time among the story's articles."""
    times = [t for t in (parse_time(a.published) for a in story.articles) if t]
    return max(times) if times else None


def story_first_time(story: Story) -> datetime | None:
    times = [t for t in (parse_time(a.published) for a in story.articles) if t]
    return min(times) if times else None


def story_span(story: Story) -> tuple[str | None, str | None]:
    """The first and the latest publication time of the story's articles, as the
    sources wrote them (compared as instants, so mixed time zones order correctly)."""
    dated = [(t, a.published) for a in story.articles
             if a.published and (t := parse_time(a.published))]
    if not dated:
        return None, None
    dated.sort(key=lambda pair: pair[0])
    return dated[0][1], dated[-1][1]


def latest_first(stories: list[Story]) -> list[Story]:
    """Stories by their latest article, newest first (undated last; ties by id)."""
    times = {id(s): story_time(s) for s in stories}
    dated = sorted((s for s in stories if times[id(s)]), key=lambda s: s.id)
    dated.sort(key=lambda s: times[id(s)] or EPOCH, reverse=True)
    undated = sorted((s for s in stories if not times[id(s)]), key=lambda s: s.id)
    return dated + undated


def source_labels(articles: list[Article]) -> dict[str, str]:
    """A short, unique label per article: its outlet, else its site's host, else its number."""
    base: dict[str, str] = {}
    for n, article in enumerate(articles, 1):
        label = (article.outlet or "").strip()
        if not label:
            url = safe_url(article.url)
            host = urlsplit(url).hostname if url else None
            label = host.removeprefix("www.") if host else f"Source {n}"
        base[article.id] = label
    counts: dict[str, int] = {}
    for label in base.values():
        counts[label] = counts.get(label, 0) + 1
    seen: dict[str, int] = {}
    out: dict[str, str] = {}
    for article in articles:
        label = base[article.id]
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            label = f"{label} ({seen[label]})"
        out[article.id] = label
    return out


LANG_CODES = {
    "english": "en", "german": "de", "french": "fr", "spanish": "es", "italian": "it",
    "portuguese": "pt", "dutch": "nl", "russian": "ru", "polish": "pl", "danish": "da",
    "swedish": "sv", "norwegian": "no", "finnish": "fi", "czech": "cs", "greek": "el",
    "turkish": "tr", "ukrainian": "uk", "arabic": "ar", "chinese": "zh", "japanese": "ja",
}


def html_lang(language: str) -> str:
    """The ``lang`` attribute for a configured language name or code."""
    lang = language.strip().lower()
    if lang in LANG_CODES:
        return LANG_CODES[lang]
    return lang if re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", lang) else "en"
