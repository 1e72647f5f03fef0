"""Typed configuration, read from ``digest.toml``.

Every option is a dataclass field with a type, a default and a one-line
description (``metadata["doc"]``). ``load_config`` validates the TOML against
these declarations: an unknown key or a value of the wrong type is a
:class:`ConfigError` that names the key and the file.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONFIG_NAME = "digest.toml"


class ConfigError(Exception):
    """A configuration file that cannot be used; the message names file and key."""


def option(default: Any, doc: str) -> Any:
    """Declare a config option with its default and one-line description."""
    if isinstance(default, list | dict):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata={"doc": doc})
    return field(default=default, metadata={"doc": doc})


@dataclass
class ClusterConfig:
    """How articles are grouped into stories."""

    threshold: float = option(
        0.12, "Similarity (0-1) above which two articles count as reporting the same event."
    )
    window_days: float = option(
        3.0, "Articles published further apart than this many days are never grouped."
    )
    half_life_days: float = option(
        1.0,
        "Similarity of two articles halves for every this many days between them (0: no decay).",
    )
    merge: list[list[str]] = option(
        [], "Groups of article ids that must form one story, overriding the clustering."
    )
    split: list[list[str]] = option(
        [], "Groups of article ids to take out of their story and keep together apart."
    )


@dataclass
class SummaryConfig:
    """How story summaries are made."""

    algorithm: str = option(
        "lexrank",
        "The sumy summarizer: lexrank, textrank, lsa, luhn, kl, sumbasic or edmundson.",
    )
    sentences: int = option(5, "Number of sentences in each story summary.")
    words: int = option(
        0,
        "If above 0, fill each summary to this many words instead "
        "(whole sentences: the last one may run over).",
    )


@dataclass
class FeedConfig:
    """One RSS or Atom feed read by ``digest fetch`` (a ``[[feeds]]`` table)."""

    url: str = option("", "Address (http or https) of an RSS or Atom feed.")
    outlet: str = option(
        "", "Outlet name for the feed's articles (default: the page's site name, else feed title)."
    )


@dataclass
class FetchConfig:
    """How ``digest fetch`` talks to web servers."""

    timeout: float = option(20.0, "Seconds to wait for a connection or for data before giving up.")
    retries: int = option(
        2, "Extra attempts after a network error, HTTP 429 or 5xx, with exponential backoff."
    )
    backoff: float = option(1.0, "Seconds before the first retry; doubled before each further one.")
    per_host: int = option(2, "Most requests in flight to one host at a time.")
    workers: int = option(8, "Most requests in flight in total.")
    max_bytes: int = option(
        5_000_000, "Largest response accepted, in bytes (after decompression); larger is skipped."
    )
    max_per_feed: int = option(50, "Most new articles taken from one feed in one run.")
    user_agent: str = option(
        "", "User-Agent header; empty means digest/<version> (+base_url when it is a full URL)."
    )


@dataclass
class Config:
    """Everything ``digest build`` reads from ``digest.toml``."""

    title: str = option("digest", "Site title, shown in the header and feeds.")
    description: str = option(
        "Multi-source news digest.", "One-line description of the site, for feeds and meta tags."
    )
    base_url: str = option(
        "/",
        "Public address of the site, e.g. https://user.github.io/repo/ (a path like /repo/ works).",
    )
    articles: list[str] = option(
        ["content/articles"], "Folders of article files (.txt, .md, .html, .jsonl) to read."
    )
    pages: str = option("content/pages", "Folder of Markdown pages (about, ...) to publish.")
    output: str = option("site", "Folder the built site is written to (replaced on each build).")
    templates: str = option(
        "templates", "Folder of Jinja2 templates that override the built-in theme by name."
    )
    language: str = option("english", "Language of the articles (sentence rules, stop words).")
    cluster: ClusterConfig = field(
        default_factory=ClusterConfig, metadata={"doc": "Story clustering options."}
    )
    summary: SummaryConfig = field(
        default_factory=SummaryConfig, metadata={"doc": "Summary options."}
    )
    feeds: list[FeedConfig] = option(
        [], "RSS and Atom feeds read by digest fetch, each a [[feeds]] table."
    )
    inbox: str = option(
        "content/articles", "Folder digest fetch writes fetched articles to (list it in articles)."
    )
    fetch: FetchConfig = field(
        default_factory=FetchConfig, metadata={"doc": "Fetching options."}
    )
    # Not options: where the config came from, so relative paths resolve against it.
    root: Path = field(default=Path("."), metadata={"internal": True})
    source: Path | None = field(default=None, metadata={"internal": True})

    def resolve(self, path: str) -> Path:
        """A configured path, relative to the folder holding ``digest.toml``."""
        p = Path(path)
        return p if p.is_absolute() else self.root / p

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        from urllib.parse import urlsplit

        path = urlsplit(self.base_url).path or "/"
        if not path.startswith("/"):
            path = "/" + path
        if not path.endswith("/"):
            path += "/"
        return path


def documented_options(cls: type = Config, prefix: str = "") -> list[tuple[str, str, str]]:
    """``(dotted key, type, doc)`` for every option, for docs and the docs test."""
    rows: list[tuple[str, str, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.metadata.get("internal"):
            continue
        hint = hints[f.name]
        key = prefix + f.name
        if dataclasses.is_dataclass(hint):
            rows.extend(documented_options(typing.cast(type, hint), key + "."))
        elif _table_list(hint) is not None:
            rows.append((key, "list[table]", str(f.metadata.get("doc", ""))))
            rows.extend(documented_options(typing.cast(type, _table_list(hint)), key + "[]."))
        else:
            rows.append((key, _type_name(hint), str(f.metadata.get("doc", ""))))
    return rows


def _table_list(hint: Any) -> type | None:
    """The dataclass of a ``list[SomeDataclass]`` option (a TOML array of tables), else None."""
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        if dataclasses.is_dataclass(item):
            return typing.cast(type, item)
    return None


def _type_name(hint: Any) -> str:
    origin = typing.get_origin(hint)
    if origin is None:
        return getattr(hint, "__name__", str(hint))
    args = ", ".join(_type_name(a) for a in typing.get_args(hint))
    return f"{getattr(origin, '__name__', str(origin))}[{args}]"


def _check(value: Any, hint: Any, key: str, where: str) -> Any:
    """Validate ``value`` against ``hint``; return it (ints widened to float)."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: '{key}' must be a table, not {_describe(value)}")
        return _build(typing.cast(type, hint), value, key + ".", where)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: '{key}' must be a number, not {_describe(value)}")
        return float(value)
    if hint in (int, str, bool):
        if isinstance(value, bool) != (hint is bool) or not isinstance(value, hint):
            wanted = _a(hint.__name__)
            raise ConfigError(f"{where}: '{key}' must be {wanted}, not {_describe(value)}")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{where}: '{key}' must be a list, not {_describe(value)}")
        (item,) = typing.get_args(hint)
        return [_check(v, item, f"{key}[{i}]", where) for i, v in enumerate(value)]
    if origin in (typing.Union, types.UnionType):
        raise ConfigError(f"{where}: unsupported option type for '{key}'")  # pragma: no cover
    raise ConfigError(f"{where}: unsupported option type for '{key}'")  # pragma: no cover


def _a(name: str) -> str:
    return {"int": "a whole number", "str": "a string", "bool": "true or false"}.get(name, name)


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"


def _build(cls: type, data: dict[str, Any], prefix: str, where: str) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        dotted = prefix + key
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{where}: unknown option '{dotted}' (known here: {known})")
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: '{dotted}' must be a table ([{dotted}])")
            kwargs[key] = _build(typing.cast(type, hint), value, dotted + ".", where)
        else:
            kwargs[key] = _check(value, hint, dotted, where)
    return cls(**kwargs)


def load_config(path: Path | None = None, *, root: Path | None = None) -> Config:
    """Read ``digest.toml`` (or defaults when ``path`` is None) into a :class:`Config`."""
    if path is None:
        config = Config()
        config.root = (root or Path.cwd()).resolve()
        return config
    where = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{where}: config file not found") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read config file ({exc.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    config = typing.cast(Config, _build(Config, data, "", where))
    config.root = path.resolve().parent
    config.source = path.resolve()
    _validate(config, where)
    return config


def _validate(config: Config, where: str) -> None:
    from .summarize import ALGORITHMS

    if config.summary.algorithm.lower() not in ALGORITHMS:
        names = ", ".join(sorted(ALGORITHMS))
        raise ConfigError(
            f"{where}: 'summary.algorithm' must be one of {names}, "
            f"not {config.summary.algorithm!r}"
        )
    if config.summary.sentences < 1:
        raise ConfigError(f"{where}: 'summary.sentences' must be at least 1")
    if config.summary.words < 0:
        raise ConfigError(f"{where}: 'summary.words' must be 0 or more")
    if not 0.0 <= config.cluster.threshold <= 1.0:
        raise ConfigError(f"{where}: 'cluster.threshold' must be between 0 and 1")
    if config.cluster.window_days <= 0:
        raise ConfigError(f"{where}: 'cluster.window_days' must be above 0")
    if config.cluster.half_life_days < 0:
        raise ConfigError(f"{where}: 'cluster.half_life_days' must be 0 or more")
    if not config.articles:
        raise ConfigError(f"{where}: 'articles' must name at least one folder")
    for i, feed in enumerate(config.feeds):
        if not feed.url.startswith(("http://", "https://")):
            raise ConfigError(f"{where}: 'feeds[{i}].url' must be an http(s) address")
    fetch = config.fetch
    if fetch.timeout <= 0 or fetch.backoff < 0 or fetch.retries < 0:
        raise ConfigError(f"{where}: 'fetch.timeout' must be above 0, 'fetch.backoff' and "
                          "'fetch.retries' 0 or more")
    if min(fetch.per_host, fetch.workers, fetch.max_bytes, fetch.max_per_feed) < 1:
        raise ConfigError(f"{where}: 'fetch.per_host', 'fetch.workers', 'fetch.max_bytes' and "
                          "'fetch.max_per_feed' must be at least 1")


def find_config(start: Path) -> Path | None:
    """``digest.toml`` in ``start`` or the nearest parent folder holding one."""
    for folder in [start, *start.parents]:
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None
