"""A link checker over a built site: every link, asset, feed entry, sitemap address,
search result and JSON page must resolve to a file of the output (plain functions).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src", "action", "data-index"):
                self.links.append(value)
            if name == "id":
                self.ids.add(value)


def parse_page(html: str) -> tuple[list[str], set[str]]:
    page = _Page()
    page.feed(html)
    return page.links, page.ids


def target(site: Path, base_url: str, url: str) -> Path | None:
    """The output file ``url`` points at, or None when it points outside the site."""
    base = urlsplit(base_url)
    parts = urlsplit(url)
    if (parts.scheme or parts.netloc) and (parts.scheme, parts.netloc) != (base.scheme,
                                                                           base.netloc):
        return None
    path = unquote(parts.path)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    if not path.startswith(base_path):
        return site / "__outside_the_base_path__"
    rel = path[len(base_path):]
    file = site / rel
    if rel == "" or rel.endswith("/"):
        file = file / "index.html"
    return file


def site_links(site: Path) -> dict[str, list[str]]:
    """Every URL each output file links to (HTML, feeds, sitemap, search index, JSON)."""
    found: dict[str, list[str]] = {}
    for path in sorted(site.rglob("*")):
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            found[rel] = parse_page(path.read_text(encoding="utf-8"))[0]
        elif rel.endswith("feed.xml"):
            root = ET.fromstring(path.read_bytes())
            found[rel] = [link.get("href", "") for link in root.iter(f"{ATOM}link")]
        elif rel == "sitemap.xml":
            root = ET.fromstring(path.read_bytes())
            found[rel] = [loc.text or "" for loc in root.iter(f"{SITEMAP}loc")]
        elif rel == "search/index.json":
            found[rel] = [e["url"] for e in json.loads(path.read_text("utf-8"))["entries"]]
        elif rel == "api/stories.json":
            data = json.loads(path.read_text("utf-8"))
            found[rel] = [s["page"] for s in data["stories"]] + [
                a["page"] for s in data["stories"] for a in s["articles"]]
    return found


def broken(site: Path, base_url: str) -> tuple[list[str], int]:
    """(every link that does not resolve, number of internal links checked)."""
    problems: list[str] = []
    ids: dict[Path, set[str]] = {}
    checked = 0
    for rel, links in site_links(site).items():
        page = site / rel
        for link in links:
            if re.match(r"^(javascript|data|vbscript):", link.strip(), re.I):
                problems.append(f"{rel}: unsafe link {link!r}")
                continue
            url, fragment = urldefrag(link)
            file = page if not url else target(site, base_url, url)
            if file is None:
                continue  # another host: the original articles
            checked += 1
            if not file.is_file():
                problems.append(f"{rel}: {link}")
                continue
            if fragment and file.suffix == ".html":
                if file not in ids:
                    ids[file] = parse_page(file.read_text(encoding="utf-8"))[1]
                if fragment not in ids[file]:
                    problems.append(f"{rel}: {link} (no id {fragment!r})")
    return problems, checked
