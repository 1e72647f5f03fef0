"""Helpers shared by the tests (plain functions, no fixtures)."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

from generator.build import build
from generator.config import Config, load_config
from generator.model import BuildResult

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def seeds_config(tmp: Path, base_url: str = "/") -> Config:
    """The demo config, with its output redirected into ``tmp``."""
    config = load_config(ROOT / "digest.toml")
    config.output = str(tmp / "site")
    config.base_url = base_url
    return config


def build_seeds(tmp: Path, base_url: str = "/") -> BuildResult:
    return build(seeds_config(tmp, base_url))


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("href", "src") and tag in ("a", "link", "script", "img"):
                self.links.append(value)
            if name == "id":
                self.ids.add(value)


def parse_links(html: str) -> tuple[list[str], set[str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links, parser.ids


def resolve(site: Path, base_path: str, url: str) -> Path | None:
    """The output file a root-relative URL points at (None when outside the site)."""
    path = unquote(urlsplit(url).path)
    if not path.startswith(base_path):
        return None
    rel = path[len(base_path):]
    target = site / rel
    if rel == "" or rel.endswith("/"):
        target = target / "index.html"
    return target


def broken_links(site: Path, base_path: str = "/") -> list[str]:
    """Every internal link or asset of every HTML page that does not resolve."""
    problems: list[str] = []
    pages = {p: p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html"))}
    ids = {p: parse_links(html)[1] for p, html in pages.items()}
    for page, html in pages.items():
        links, _ = parse_links(html)
        for link in links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", link, re.I) or link.startswith("//"):
                continue  # external
            url, fragment = urldefrag(link)
            if not url:
                target: Path | None = page
            else:
                target = resolve(site, base_path, url)
            if target is None or not target.is_file():
                problems.append(f"{page.relative_to(site)}: {link}")
            elif fragment and target.suffix == ".html" and fragment not in ids.get(target, set()):
                problems.append(f"{page.relative_to(site)}: {link} (no id {fragment!r})")
    return problems
