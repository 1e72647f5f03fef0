"""Stage 6, render: turn the digest into the site's files (in memory).

HTML pages come from Jinja2 templates with autoescaping on: article text is
untrusted and never reaches the page unescaped. A user's ``templates`` folder
overrides the built-in theme template by template. ``stories.json`` is the
machine-readable digest (see ``docs/json.md``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import markupsafe

from .config import Config
from .model import Article, Digest, Story

JSON_VERSION = 1


def theme_dir() -> Path:
    """The built-in theme: packaged in the wheel, or ``templates/`` of a checkout."""
    packaged = Path(__file__).parent / "_theme"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Site:
    """Site-wide values handed to every template (computed once per build)."""

    title: str
    description: str
    base_url: str
    base_path: str

    def url(self, path: str = "") -> str:
        """Root-relative URL of a site path, under the base path."""
        return self.base_path + path.lstrip("/")

    def absolute(self, path: str = "") -> str:
        """Absolute URL (for feeds and the sitemap) when the base URL has a host."""
        parts = urlsplit(self.base_url)
        if parts.scheme and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}{self.url(path)}"
        return self.url(path)


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs become links."""
    if not url:
        return None
    return url if urlsplit(url).scheme in ("http", "https") else None


def markdown_html(text: str) -> markupsafe.Markup:
    """Markdown to HTML with raw HTML disabled (only markdown-it's safe link schemes)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})
    return markupsafe.Markup(md.render(text))


def make_environment(config: Config) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    user = config.resolve(config.templates)
    builtin = theme_dir()
    if user.is_dir() and user.resolve() != builtin.resolve():
        loaders.append(jinja2.FileSystemLoader(str(user)))
    loaders.append(jinja2.FileSystemLoader(str(builtin)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["outlet"] = outlet_name
    return env


def outlet_name(article: Article) -> str:
    return article.outlet or "Outlet not named"


def article_json(article: Article, site: Site) -> dict[str, Any]:
    return {
        "id": article.id,
        "path": article.path,
        "outlet": article.outlet,
        "url": article.url,
        "title": article.title,
        "published": article.published,
        "page": site.url(article.page),
    }


def story_json(story: Story, site: Site) -> dict[str, Any]:
    d = story.differences
    data: dict[str, Any] = {
        "id": story.id,
        "slug": story.slug,
        "title": story.title,
        "page": site.url(story.page),
        "published": story.published,
        "summary": [{"text": s.text, "articles": s.articles} for s in story.summary],
        "articles": [article_json(a, site) for a in story.articles],
        "reasons": story.reasons,
    }
    if d is not None:
        data["differences"] = {
            "facts": [{"text": f.text, "articles": f.articles} for f in d.facts],
            "unique": {aid: [{"text": f.text} for f in facts] for aid, facts in d.unique.items()},
            "conflicts": [
                {"about": c.about, "note": c.note,
                 "values": [{"value": v.value, "articles": v.articles, "text": v.text}
                            for v in c.values]}
                for c in d.conflicts
            ],
            "quotes": [{"speaker": q.speaker, "text": q.text, "articles": q.articles}
                       for q in d.quotes],
            "headlines": [{"article": h.article, "title": h.title,
                           "distinct_words": h.distinct_words} for h in d.headlines],
            "syndication": d.syndication,
            "independent_reports": d.independent_reports,
            "entities": d.entities,
        }
    return data


def stories_json(digest: Digest, site: Site) -> bytes:
    payload = {
        "version": JSON_VERSION,
        "title": site.title,
        "stories": [story_json(s, site) for s in digest.stories],
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(digest: Digest, config: Config) -> dict[str, bytes]:
    """Every output file of the site, by path relative to the output folder."""
    site = Site(config.title, config.description, config.base_url, config.base_path)
    env = make_environment(config)
    files: dict[str, bytes] = {}
    story_of = {a.id: s for s in digest.stories for a in s.articles}
    articles_by_id = {a.id: a for a in digest.articles}
    common: Mapping[str, Any] = {"site": site, "pages": digest.pages}

    def page(template: str, out: str, **context: Any) -> None:
        html = env.get_template(template).render(**common, **context)
        files[out] = html.encode("utf-8")

    page("index.html", "index.html", stories=digest.stories, page_path="")
    for story in digest.stories:
        page("story.html", story.page + "index.html", story=story,
             articles_by_id=articles_by_id, page_path=story.page)
    for article in digest.articles:
        page("article.html", article.page + "index.html", article=article,
             story=story_of.get(article.id), page_path=article.page)
    for p in digest.pages:
        page("page.html", f"{p.slug}/index.html", page=p, body=markdown_html(p.markdown),
             page_path=f"{p.slug}/")
    page("404.html", "404.html", page_path="404.html")
    files["api/stories.json"] = stories_json(digest, site)
    files[".nojekyll"] = b""
    static = theme_dir() / "static"
    user_static = config.resolve(config.templates) / "static"
    for folder in (static, user_static):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files["static/" + path.relative_to(folder).as_posix()] = path.read_bytes()
    return files
