"""Atom feeds (RFC 4287): the whole site's stories, and each story's sources.

Dates come from the articles' publication times, never the build time, so the
same input always gives the same bytes. Entry ids are the pages' absolute URLs
when ``base_url`` names a host, else stable ``urn:`` ids built from story and
article ids.
"""

from __future__ import annotations

import re
from datetime import datetime

import markupsafe

from ..model import Article, Story
from .site import Site, latest_first, parse_time, rfc3339, source_labels, story_time

ATOM = "http://www.w3.org/2005/Atom"
FEED_STORIES = 50
"""Stories in the site feed (the newest)."""

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Text with the characters XML 1.0 cannot carry removed."""
    return _INVALID_XML.sub("", text)


class Node:
    """An XML element of a feed or the sitemap: what they need of ElementTree's
    elements, written by :func:`xml_string` exactly as ElementTree writes them."""

    __slots__ = ("attrs", "children", "tag", "text")

    def __init__(self, tag: str, attrs: dict[str, str] | None = None,
                 text: str | None = None) -> None:
        self.tag = tag
        self.attrs = attrs or {}
        self.text = text
        self.children: list[Node] = []

    def add(self, tag: str, text: str | None = None, attrs: dict[str, str] | None = None) -> Node:
        child = Node(tag, attrs, text)
        self.children.append(child)
        return child


def xml_string(root: Node) -> str:
    """``ET.indent(root, "  ")`` then ``ET.tostring(root, encoding="unicode")`` of the same
    tree, the same text (ElementTree's escaping and indentation rules), made without
    ElementTree's generic serializer."""
    out: list[str] = []
    _write(root, "\n", out)
    return "".join(out)


def _write(node: Node, newline: str, out: list[str]) -> None:
    out.append("<" + node.tag)
    for key, value in node.attrs.items():
        out.append(f' {key}="{_escape_attrib(value)}"')
    text = node.text
    if node.children:
        inner = newline + "  "
        out.append(">" + (_escape_cdata(text) if text and text.strip() else inner))
        last = len(node.children) - 1
        for i, child in enumerate(node.children):
            _write(child, inner, out)
            out.append(inner if i < last else newline)
        out.append(f"</{node.tag}>")
    elif text:
        out.append(f">{_escape_cdata(text)}</{node.tag}>")
    else:
        out.append(" />")


def _escape_cdata(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attrib(text: str) -> str:
    text = _escape_cdata(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _el(parent: Node, tag: str, text: str | None = None, **attrs: str) -> Node:
    return parent.add(tag, xml_text(text) if text is not None else None,
                      {k: xml_text(v) for k, v in attrs.items()})


def _entry_id(site: Site, path: str, urn: str) -> str:
    return site.absolute(path) if site.has_host else f"urn:digest:{urn}"


def _serialize(feed: Node) -> bytes:
    body = xml_string(feed)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _feed(site: Site, title: str, path: str, feed_path: str, urn: str,
          updated: datetime | None, subtitle: str | None = None) -> Node:
    feed = Node("feed", {"xmlns": ATOM, "xml:lang": site.lang})
    _el(feed, "title", title)
    if subtitle:
        _el(feed, "subtitle", subtitle)
    _el(feed, "id", _entry_id(site, feed_path, urn))
    _el(feed, "updated", rfc3339(updated))
    _el(feed, "link", rel="alternate", type="text/html", href=site.absolute(path))
    _el(feed, "link", rel="self", type="application/atom+xml", href=site.absolute(feed_path))
    author = _el(feed, "author")
    _el(author, "name", site.title)
    _el(feed, "generator", "digest")
    return feed


def story_summary_html(story: Story, labels: dict[str, str]) -> str:
    """The story's summary as escaped HTML, each sentence followed by its sources."""
    items = []
    for sentence in story.summary:
        sources = ", ".join(labels.get(a, a) for a in sentence.articles)
        items.append(markupsafe.Markup("<li>{} <small>({})</small></li>").format(
            sentence.text, sources))
    outlets = ", ".join(labels[a.id] for a in story.articles)
    return str(markupsafe.Markup("<ol>{}</ol><p>Sources: {}</p>").format(
        markupsafe.Markup("").join(items), outlets))


def site_feed(stories: list[Story], site: Site) -> bytes:
    """``feed.xml``: the newest stories, each with its cited summary."""
    ordered = latest_first(stories)[:FEED_STORIES]
    times = [t for t in (story_time(s) for s in ordered) if t]
    feed = _feed(site, site.title, "", "feed.xml", "site", max(times) if times else None,
                 site.description)
    for story in ordered:
        labels = source_labels(story.articles)
        entry = _el(feed, "entry")
        _el(entry, "title", story.title)
        _el(entry, "id", _entry_id(site, story.page, f"story:{story.id}"))
        _el(entry, "link", rel="alternate", type="text/html", href=site.absolute(story.page))
        first = [t for t in (parse_time(a.published) for a in story.articles) if t]
        if first:
            _el(entry, "published", rfc3339(min(first)))
        _el(entry, "updated", rfc3339(story_time(story)))
        if story.summary:
            _el(entry, "summary", story.summary[0].text)
        _el(entry, "content", story_summary_html(story, labels), type="html")
    return _serialize(feed)


def story_feed(story: Story, site: Site) -> bytes:
    """``stories/<slug>/feed.xml``: the story's source articles, newest first."""
    labels = source_labels(story.articles)
    feed = _feed(site, f"{story.title} · {site.title}", story.page, story.page + "feed.xml",
                 f"story:{story.id}:feed", story_time(story),
                 f"Every source of this story, {len(story.articles)} so far.")

    def key(a: Article) -> tuple[str, str]:
        return (rfc3339(parse_time(a.published)), a.id)

    for article in sorted(story.articles, key=key, reverse=True):
        entry = _el(feed, "entry")
        _el(entry, "title", f"{labels[article.id]}: {article.title}")
        _el(entry, "id", _entry_id(site, article.page, f"article:{article.id}"))
        _el(entry, "link", rel="alternate", type="text/html", href=site.absolute(article.page))
        moment = parse_time(article.published)
        if moment:
            _el(entry, "published", rfc3339(moment))
        _el(entry, "updated", rfc3339(moment or story_time(story)))
        if article.author:
            author = _el(entry, "author")
            _el(author, "name", article.author)
        lead = article.standfirst or (article.paragraphs[0] if article.paragraphs else "")
        if lead:
            _el(entry, "summary", lead)
    return _serialize(feed)
