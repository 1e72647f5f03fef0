"""The inbox: fetched articles as Markdown files, and what has been fetched.

Each article is one ``<slug>-<hash>.md`` file: the slug comes from the headline
at the time of fetching, the hash from the article's key (GUID or canonical
link), so the name is stable and an article is recognised by the hash even if
the state file is lost. Names are built from ``[a-z0-9-]`` only and checked to
stay inside the inbox. Every file (articles and state) is written to a hidden
temporary file first and moved into place with ``os.replace``: a reader never
sees a partial file, and a crash leaves none behind under a real name.

The state file ``.fetched.json`` (hidden, so ``digest build`` skips it) records
the keys fetched and each feed's validators (``ETag``, ``Last-Modified``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..text import normalize_space, slugify

STATE_NAME = ".fetched.json"
STATE_VERSION = 1
HASH_LENGTH = 12
FRONT_MATTER_KEYS = ("title", "outlet", "url", "published", "author")
_SAFE_NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\.md$")
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>&~|])")
_MARKDOWN_LINE_START = re.compile(r"^([#+\-=])")
_ORDERED_LIST = re.compile(r"^(\d+)([.)])")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:HASH_LENGTH]


def file_name(title: str, key: str) -> str:
    """``<slug>-<hash>.md``: readable, stable for ``key``, safe on every file system."""
    slug = slugify(title, max_length=60) or "article"
    name = f"{slug}-{key_hash(key)}.md"
    assert _SAFE_NAME.match(name), name
    return name


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would leave ``folder``."""
    if not _SAFE_NAME.match(name):
        raise ValueError(f"unsafe file name {name!r}")
    path = (folder / name).resolve()
    if path.parent != folder.resolve():
        raise ValueError(f"{name!r} is outside {folder}")
    return path


def escape_markdown(text: str) -> str:
    """Text that CommonMark reads back as exactly ``text`` (one paragraph, no markup)."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    text = _MARKDOWN_LINE_START.sub(r"\\\1", text)
    return _ORDERED_LIST.sub(r"\1\\\2", text)


def render_markdown(meta: dict[str, str], paragraphs: list[str]) -> str:
    """A Markdown article: YAML front matter (safe_dump) and escaped paragraphs."""
    front = {key: normalize_space(meta[key]) for key in FRONT_MATTER_KEYS
             if meta.get(key) and normalize_space(meta[key])}
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False,
                            default_flow_style=False, width=1_000_000)
    body = "\n\n".join(escape_markdown(normalize_space(p)) for p in paragraphs
                       if normalize_space(p))
    return f"---\n{header}---\n\n{body}\n"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a hidden temporary file and ``os.replace``."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass
class State:
    """What has been fetched into one inbox."""

    articles: dict[str, dict[str, str]] = field(default_factory=dict)
    """key -> {"file": name, "url": canonical link key}."""
    feeds: dict[str, dict[str, str]] = field(default_factory=dict)
    """feed URL -> {"etag": ..., "last_modified": ...}."""
    _urls: set[str] = field(default_factory=set, repr=False)
    _hashes: set[str] = field(default_factory=set, repr=False)

    def index(self, inbox: Path) -> None:
        """Index the recorded URLs and the hashes of the files present in ``inbox``."""
        self._urls = {v.get("url", "") for v in self.articles.values()}
        self._hashes = {key_hash(k) for k in self.articles}
        if inbox.is_dir():
            for path in inbox.glob("*.md"):
                stem = path.stem
                if "-" in stem:
                    self._hashes.add(stem.rsplit("-", 1)[1])

    def known(self, key: str, url_key: str) -> bool:
        return (key in self.articles or url_key in self._urls
                or key_hash(key) in self._hashes or key_hash(url_key) in self._hashes)

    def add(self, key: str, url_key: str, name: str) -> None:
        self.articles[key] = {"file": name, "url": url_key}
        self._urls.add(url_key)
        self._hashes.add(key_hash(key))

    def to_json(self) -> bytes:
        data = {"version": STATE_VERSION, "articles": self.articles, "feeds": self.feeds}
        return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()


def load_state(inbox: Path) -> tuple[State, str | None]:
    """The inbox's state, or an empty one and a warning when it is unreadable."""
    path = inbox / STATE_NAME
    state = State()
    warning = None
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        data = None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        data = None
        warning = f"{path}: unreadable state file ({exc}); started afresh"
    if isinstance(data, dict):
        articles = data.get("articles")
        feeds = data.get("feeds")
        if isinstance(articles, dict):
            state.articles = {str(k): {str(a): str(b) for a, b in v.items()}
                              for k, v in articles.items() if isinstance(v, dict)}
        if isinstance(feeds, dict):
            state.feeds = {str(k): {str(a): str(b) for a, b in v.items()}
                           for k, v in feeds.items() if isinstance(v, dict)}
    elif data is not None:
        warning = f"{path}: state file is not a JSON object; started afresh"
    state.index(inbox)
    return state, warning


def save_state(inbox: Path, state: State) -> None:
    write_atomic(inbox / STATE_NAME, state.to_json())
