"""Files for machines: ``sitemap.xml``, ``robots.txt`` and the search index.

The search index (``search/index.json``) is built here, at build time, so search
works on any static host: ``static/search.js`` downloads it and matches in the
browser. Each entry keeps what a result shows (title, kind, source, date,
snippet, URL under the base path) and ``k``, the entry's distinct words, folded
(lower case, no accents) in order of first appearance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ..model import Article, Digest, Story
from ..text import strip_accents
from .feeds import Node, xml_string, xml_text
from .site import (
    Site,
    day_of,
    human_day,
    human_time,
    parse_time,
    rfc3339,
    source_labels,
    story_time,
)

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
SNIPPET_CHARS = 220
_TOKEN = re.compile(r"[^\W_]+")


def search_fold(text: str) -> str:
    """Lower case without accents; ``static/search.js`` folds queries the same way."""
    return strip_accents(text).lower()


def keywords(*texts: str) -> str:
    """The distinct folded words of ``texts``, in order of first appearance.

    The texts are folded and searched as one, joined by line breaks: no word crosses
    one, and folding treats one as a boundary (accents are stripped per run of
    non-ASCII characters; lower-casing's final-sigma rule stops at it), so the words
    are those of each text folded alone (see the tests)."""
    return " ".join(dict.fromkeys(_TOKEN.findall(search_fold("\n".join(texts)))))


def snippet(text: str) -> str:
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0]
    return cut + " …"


def _day(story: Story) -> str:
    moment = story_time(story)
    return human_day(rfc3339(moment)[:10]) if moment else ""


def article_keywords(article: Article) -> str:
    """An article's words in the search index (``k``)."""
    return keywords(article.title, article.outlet or "", article.author or "",
                    article.standfirst or "", article.text)


def story_keywords(story: Story) -> str:
    """A story's words in the search index (``k``)."""
    labels = source_labels(story.articles)
    summary = " ".join(s.text for s in story.summary)
    return keywords(story.title, summary, " ".join(labels.values()),
                    " ".join(a.title for a in story.articles))


def search_index(digest: Digest, stories: list[Story], site: Site,
                 keywords_of: Callable[[Article], str] = article_keywords,
                 story_keywords_of: Callable[[Story], str] = story_keywords) -> bytes:
    """``search/index.json``: every story and every source article (``keywords_of``
    and ``story_keywords_of`` may supply the words, e.g. kept from the last build)."""
    entries: list[dict[str, Any]] = []
    for story in stories:
        entries.append({
            "kind": "story",
            "title": story.title,
            "url": site.url(story.page),
            "date": _day(story),
            "source": f"{len(story.articles)} sources",
            "snippet": snippet(story.summary[0].text if story.summary else ""),
            "k": story_keywords_of(story),
        })
    story_labels: dict[str, str] = {}
    for story in stories:
        story_labels.update(source_labels(story.articles))
    for article in digest.articles:
        entries.append({
            "kind": "source",
            "title": article.title,
            "url": site.url(article.page),
            "date": human_time(article.published) if article.published else "",
            "source": story_labels.get(article.id, article.outlet or ""),
            "snippet": snippet(article.standfirst or next(iter(article.paragraphs), "")),
            "k": keywords_of(article),
        })
    payload = {"version": 1, "entries": entries}
    return (json.dumps(payload, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def sitemap(digest: Digest, stories: list[Story], days: list[str], site: Site) -> bytes:
    """``sitemap.xml``: every HTML page, with the last publication time it shows."""
    urlset = Node("urlset", {"xmlns": SITEMAP})
    latest = max((t for t in (story_time(s) for s in stories) if t), default=None)

    def add(path: str, lastmod: str | None) -> None:
        url = urlset.add("url")
        url.add("loc", xml_text(site.absolute(path)))
        if lastmod:
            url.add("lastmod", lastmod)

    add("", rfc3339(latest) if latest else None)
    add("archive/", rfc3339(latest) if latest else None)
    for day in days:
        add(f"archive/{day}/", day)
    add("search/", None)
    for story in stories:
        moment = story_time(story)
        add(story.page, rfc3339(moment) if moment else None)
    for article in digest.articles:
        moment = parse_time(article.published)
        add(article.page, rfc3339(moment) if moment else None)
    for page in digest.pages:
        add(f"{page.slug}/", None)
    body = xml_string(urlset)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def robots(site: Site) -> bytes:
    """``robots.txt``: everything may be crawled; names the sitemap when the host is known."""
    lines = ["User-agent: *", "Allow: /"]
    if site.has_host:
        lines.append(f"Sitemap: {site.absolute('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def archive_days(stories: list[Story]) -> dict[str, list[Story]]:
    """Day (YYYY-MM-DD) -> the stories with an article published that day, newest day first."""
    by_day: dict[str, list[Story]] = {}
    for story in stories:
        for day in sorted({d for d in (day_of(a.published) for a in story.articles) if d}):
            by_day.setdefault(day, []).append(story)
    return {day: by_day[day] for day in sorted(by_day, reverse=True)}


def articles_on(story: Story, day: str) -> list[Article]:
    return [a for a in story.articles if day_of(a.published) == day]
