"""Stage 1, load: find article files in the content folders and read them.

Formats: ``.txt`` (scraped text), ``.md`` (Markdown with optional YAML front
matter), ``.html``/``.htm`` (saved pages), ``.jsonl`` (one article per line).
Metadata for files that cannot carry front matter comes from a sidecar: a
``manifest.json`` in the folder (``{"files": {"name.txt": {...}}}``) or a
``<file name>.json`` beside the file.

Bad input never stops the build: each unreadable file becomes a
:class:`~generator.model.Problem` naming the file and the reason.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from .model import Document, Page, Problem
from .text import slugify

# libyaml's C parser when PyYAML was built with it: same safe schema, ~10x faster.
_YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ARTICLE_SUFFIXES = {".txt": "txt", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html",
                    ".jsonl": "jsonl"}
MANIFEST_NAME = "manifest.json"
MAX_BYTES = 5 * 1024 * 1024
"""Files this large (5 MiB) or larger are reported and skipped."""

COMMON_ENCODINGS = ("utf_16", "utf_32", "cp1252", "iso8859_15", "latin_1")
"""Preferred, in this order, among equally likely detected encodings."""
RESERVED_PAGE_SLUGS = frozenset({"api", "archive", "articles", "search", "static", "stories"})
"""Top-level folders the rendered site uses itself; a page there would overwrite them."""

KNOWN_FIELDS = ("title", "outlet", "url", "published", "author", "language", "story")
ALIASES = {"source": "outlet", "date": "published", "link": "url", "headline": "title",
           "byline": "author", "lang": "language"}
_CONTROLS_RE = re.compile(r"[\x00-\x08\x0e-\x1f]")
"""Control characters other than white space (tab, newline, vertical tab, form feed, CR)."""
_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


@dataclass
class Loaded:
    """Output of the load stage: the documents read and the problems met."""

    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unread: list[FileRef] = field(default_factory=list)
    """Files not read because the caller knew them already (see :func:`load`)."""


@dataclass(frozen=True)
class FileRef:
    """An article file of a content folder that holds one article (not ``.jsonl``),
    as found, before it is read."""

    path: Path
    rel: str
    """Its path relative to the content folder."""
    folder: str
    """The content folder, as configured."""
    display: str
    id: str
    """The id its document gets (unique among the documents loaded)."""
    sidecar: dict[str, Any]
    """Its entry in the folder's manifest."""

    def read(self) -> tuple[list[Document], list[Problem]]:
        """Read it now, as :func:`load` would have."""
        docs, problems = read_file(self.path, self.rel, self.folder, self.display,
                                   self.sidecar)
        for doc in docs:
            doc.id = self.id
        return docs, problems


class ContentError(Exception):
    """A content folder that cannot be read at all (missing, not a folder)."""


def discover(folder: Path) -> list[Path]:
    """Article files below ``folder``, sorted by path, hidden files and sidecars skipped."""
    # As Path.rglob("*") would find them (symlinked folders are not entered, symlinks
    # to files count), with os.scandir: several times faster on thousands of files.
    found: list[tuple[str, Path]] = []
    pending = [("", folder)]
    while pending:
        prefix, here = pending.pop()
        try:
            with os.scandir(here) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            if entry.name.startswith((".", "_")):
                continue
            path = here / entry.name
            try:
                is_dir = entry.is_dir() and not entry.is_symlink()
            except OSError:
                continue
            if is_dir:
                pending.append((prefix + entry.name + "/", path))
            elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES and path.is_file():
                found.append((prefix + entry.name, path))
    return [path for _, path in sorted(found, key=lambda pair: pair[0])]


def load(folders: Iterable[tuple[str, Path]],
         each: Callable[[Document], None] | None = None,
         known: Callable[[FileRef], bool] | None = None) -> Loaded:
    """Read every article file of the given ``(name as configured, path)`` folders.

    ``each``, when given, is called with every document as soon as it is read (with
    its final id), in the order of ``Loaded.documents``. ``known``, when given, is
    asked about each file of one article before it is read: when it answers True the
    file is not read but listed in ``Loaded.unread`` (its document's id taken all
    the same), for the caller, which knows what reading it would give."""
    result = Loaded()
    seen_ids: set[str] = set()
    for name, folder in folders:
        if not folder.is_dir():
            raise ContentError(f"{name}: content folder not found" if not folder.exists()
                               else f"{name}: not a folder")
        manifest, manifest_problem = read_manifest(folder, name)
        if manifest_problem:
            result.problems.append(manifest_problem)
        for path in discover(folder):
            rel = path.relative_to(folder).as_posix()
            display = f"{name.rstrip('/')}/{rel}"
            if known is not None and ARTICLE_SUFFIXES[path.suffix.lower()] != "jsonl":
                ref = FileRef(path, rel, name, display, _next_id(article_id(rel), seen_ids),
                              manifest.get(rel, {}))
                if known(ref):
                    seen_ids.add(ref.id)
                    result.unread.append(ref)
                    continue
            docs, problems = read_file(path, rel, name, display, manifest.get(rel, {}))
            result.problems.extend(problems)
            for doc in docs:
                doc.id = _unique_id(doc.id, seen_ids)
                result.documents.append(doc)
                if each is not None:
                    each(doc)
    return result


def read_paths(paths: Iterable[Path]) -> Loaded:
    """Read the given files and folders as ``digest build`` would (for ``digest inspect``).

    A file's id and sidecars are those it has in its own folder; a folder is
    read like a content folder. Paths are shown as given.
    """
    result = Loaded()
    seen_ids: set[str] = set()
    for path in paths:
        shown = path.as_posix()
        if path.is_dir():
            sub = load([(shown, path)])
            result.problems.extend(sub.problems)
            documents = sub.documents
        elif not path.exists():
            result.problems.append(Problem(shown, "no such file or folder"))
            continue
        elif path.suffix.lower() not in ARTICLE_SUFFIXES:
            result.problems.append(Problem(shown, "not an article file (.txt, .md, .html, "
                                                  ".htm, .jsonl)"))
            continue
        else:
            manifest, problem = read_manifest(path.parent, path.parent.as_posix())
            if problem:
                result.problems.append(problem)
            folder = path.parent.as_posix()
            documents, problems = read_file(path, path.name, folder, shown,
                                            manifest.get(path.name, {}))
            result.problems.extend(problems)
        for doc in documents:
            doc.id = _unique_id(doc.id, seen_ids)
            result.documents.append(doc)
    return result


def _unique_id(base: str, seen: set[str]) -> str:
    candidate = _next_id(base, seen)
    seen.add(candidate)
    return candidate


def _next_id(base: str, seen: set[str]) -> str:
    """The id :func:`_unique_id` would give next (``seen`` unchanged)."""
    candidate, n = base, 2
    while candidate in seen:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def article_id(rel_path: str) -> str:
    """Stable id from the path relative to its content folder (extension dropped)."""
    stem = rel_path.rsplit(".", 1)[0] if "." in rel_path.rsplit("/", 1)[-1] else rel_path
    return slugify(stem.replace("/", "-"), max_length=80) or "article"


def read_manifest(folder: Path, name: str) -> tuple[dict[str, dict[str, Any]], Problem | None]:
    path = folder / MANIFEST_NAME
    if not path.is_file():
        return {}, None
    display = f"{name.rstrip('/')}/{MANIFEST_NAME}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, Problem(display, f"manifest is not valid JSON ({exc}); its metadata is ignored")
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
        return {}, Problem(display, 'manifest must be {"files": {"name": {...}}}; ignored')
    return {str(k): dict(v) for k, v in files.items()}, None


def decode(raw: bytes) -> tuple[str | None, str | None]:
    """Decode file bytes: ``(text, None)``, ``(text, note)`` or ``(None, reason)``.

    UTF-8 (with or without BOM) first. Bytes that are mostly UTF-8 with a few
    invalid sequences are refused (decoding them any other way would mangle
    the text). Otherwise the encoding is detected with charset-normalizer and
    named in the note. Binary data (NUL bytes, control characters) is refused.
    """
    if b"\x00" in raw[:8192] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "binary file (contains NUL bytes), not text"
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        error = exc
    else:
        if _mostly_controls(text):
            return None, "binary file (control characters), not text"
        return text, None
    replaced = raw.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    good_multibyte = sum(1 for ch in replaced if ord(ch) > 0x7F and ch != "\ufffd")
    if good_multibyte and good_multibyte >= bad:
        return None, (f"invalid UTF-8 (byte 0x{raw[error.start]:02x} at offset {error.start}, "
                      f"{bad} bad sequence(s) in otherwise UTF-8 text); re-save the file as UTF-8")
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))
    if not matches:
        return None, "binary file (not text in any known encoding)"
    best = matches[0]
    encoding, text = best.encoding, str(best)
    # Equally good guesses (short Western text fits cp1250 as well as cp1252):
    # take the far more common one rather than the first listed.
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    for preferred in COMMON_ENCODINGS:
        if any(preferred in m.could_be_from_charset for m in tied):
            encoding, text = preferred, raw.decode(preferred)
            break
    if _mostly_controls(text):
        return None, "binary file (control characters), not text"
    return text, f"not UTF-8; decoded as {encoding} (detected)"


def _mostly_controls(text: str) -> bool:
    """More than 1% control characters (other than white space): not text."""
    controls = len(_CONTROLS_RE.findall(text))
    return controls > max(2, len(text) // 100)


def read_file(path: Path, rel: str, folder: str, display: str,
              sidecar: dict[str, Any]) -> tuple[list[Document], list[Problem]]:
    """Read one article file into documents (several for ``.jsonl``)."""
    fmt = cast(Literal["txt", "md", "html", "jsonl"], ARTICLE_SUFFIXES[path.suffix.lower()])
    try:
        size = path.stat().st_size
        if size >= MAX_BYTES:
            return [], [Problem(display, f"file too large ({size / 1048576:.1f} MiB; the limit "
                                         f"is {MAX_BYTES // 1048576} MiB), skipped")]
        raw = path.read_bytes()
    except OSError as exc:
        return [], [Problem(display, f"cannot read file ({exc.strerror})")]
    if not raw.strip():
        return [], [Problem(display, "empty file")]
    text, note = decode(raw)
    if text is None:
        return [], [Problem(display, note or "cannot decode")]
    problems = [Problem(display, note, "warning")] if note else []
    own_sidecar, sidecar_problem = _file_sidecar(path, display)
    if sidecar_problem:
        problems.append(sidecar_problem)
    if fmt == "jsonl":
        docs, more = _read_jsonl(text, rel, folder, display)
        return docs, problems + more
    doc = Document(id=article_id(rel), path=rel, folder=folder, format=fmt, body=text,
                   body_format="markdown" if fmt == "md" else "html" if fmt == "html" else "text")
    if sidecar:
        _apply_metadata(doc, sidecar, f"sidecar {MANIFEST_NAME}", display)
    if own_sidecar:
        _apply_metadata(doc, own_sidecar, f"sidecar {path.name}.json", display)
    if fmt == "md":
        front, body, problem = split_front_matter(text)
        if problem:
            problems.append(Problem(display, f"{problem}; file skipped"))
            return [], problems
        doc.body = body
        if front:
            _apply_metadata(doc, front, "front matter", display)
    doc.problems.extend(problems)
    return [doc], []


def sidecar_path(path: Path) -> Path:
    """Where the article file ``path`` keeps its own sidecar (``<file name>.json``)."""
    return path.with_name(path.name + ".json")


def _file_sidecar(path: Path, display: str) -> tuple[dict[str, Any], Problem | None]:
    side = sidecar_path(path)
    if not side.is_file():
        return {}, None
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, Problem(display, f"sidecar {side.name} is not valid JSON ({exc}); ignored",
                           "warning")
    if not isinstance(data, dict):
        return {}, Problem(display, f"sidecar {side.name} must be a JSON object; ignored",
                           "warning")
    return data, None


_SIMPLE_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):[ ]+(.*?)[ ]*")
_PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@`")


def _plain_text(value: str) -> bool:
    """Whether YAML reads ``value`` (a plain scalar on one line) as this very text."""
    if (not value or value[0] in _PLAIN_START or ": " in value or " #" in value
            or value.endswith(":") or not value.isprintable() or "\t" in value):
        return False
    resolvers = _YAML_LOADER.yaml_implicit_resolvers
    return not any(regexp.match(value)
                   for _, regexp in [*resolvers.get(value[0], []), *resolvers.get(None, [])])


def simple_front_matter(block: str) -> dict[str, Any] | None:
    """Front matter made only of ``key: value`` lines whose values YAML reads as text
    (plain, or quoted without escapes), read without YAML; None for anything else.

    Most front matter is such lines, and YAML's constructor costs about 0.1 ms a
    file. The result equals ``yaml.load`` with the safe loader (property-tested)."""
    data: dict[str, Any] = {}
    for line in block.split("\n"):
        match = _SIMPLE_LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.groups()
        if not _plain_text(key):
            return None
        inner = value[1:-1]
        if len(value) >= 2 and value[0] == value[-1] and (
                (value[0] == "'" and "'" not in inner)
                or (value[0] == '"' and '"' not in inner and "\\" not in inner)):
            value = inner  # quoted without escapes: the text between the quotes
        elif not _plain_text(value):
            return None
        if not value.isprintable():
            return None
        data[key] = value
    return data


def split_front_matter(text: str) -> tuple[dict[str, Any], str, str | None]:
    """``(front matter, body, problem)`` of a Markdown file."""
    if not text.startswith("---"):
        return {}, text, None
    match = _FRONT_MATTER_RE.match(text)
    if not match:
        return {}, text, "front matter starts with '---' but has no closing '---' line"
    try:
        data = simple_front_matter(match.group(1))
        if data is None:  # anything but plain "key: text" lines: YAML decides
            data = yaml.load(match.group(1), Loader=_YAML_LOADER)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""
        return {}, text, f"malformed front matter{where}: {getattr(exc, 'problem', exc)}"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, text, "front matter must be a mapping of 'key: value' lines"
    return data, text[match.end():], None


def _apply_metadata(doc: Document, data: dict[str, Any], origin: str, display: str) -> None:
    for key, value in data.items():
        name = ALIASES.get(str(key).lower(), str(key).lower())
        if name not in KNOWN_FIELDS:
            if name not in ("text", "html", "id", "path"):
                doc.problems.append(Problem(display, f"unknown metadata key '{key}' ({origin}); "
                                                     "ignored", "warning"))
            continue
        if value is None or value == "":
            continue
        if name == "published":
            iso = normalize_date(value)
            if iso is None:
                doc.problems.append(Problem(display, f"'{key}' is not an ISO 8601 date: "
                                                     f"{value!r}; ignored", "warning"))
                continue
            value = iso
        elif not isinstance(value, str | int | float):
            doc.problems.append(Problem(display, f"'{key}' must be text; ignored", "warning"))
            continue
        doc.metadata[name] = str(value).strip()
        doc.origin[name] = origin


def normalize_date(value: Any) -> str | None:
    """ISO 8601 text for a date or date-time value (YAML may give date objects)."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _read_jsonl(text: str, rel: str, folder: str, display: str) -> tuple[list[Document],
                                                                          list[Problem]]:
    docs: list[Document] = []
    problems: list[Problem] = []
    base = article_id(rel)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{display}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(where, f"invalid JSON ({exc.msg})"))
            continue
        if not isinstance(record, dict):
            problems.append(Problem(where, "line is not a JSON object"))
            continue
        body, body_format = record.get("text"), "text"
        if not isinstance(body, str) or not body.strip():
            body, body_format = record.get("html"), "html"
        if not isinstance(body, str) or not body.strip():
            problems.append(Problem(where, "no 'text' or 'html' field"))
            continue
        doc = Document(id=f"{base}-{number}", path=f"{rel}#{number}", folder=folder,
                       format="jsonl", body=body,
                       body_format=cast(Literal["text", "html"], body_format))
        _apply_metadata(doc, record, "json line", where)
        docs.append(doc)
    return docs, problems


def load_pages(folder: Path, name: str) -> tuple[list[Page], list[Problem]]:
    """Markdown pages (``about.md`` -> ``/about/``) of the pages folder, if it exists."""
    pages: list[Page] = []
    problems: list[Problem] = []
    if not folder.is_dir():
        return pages, problems
    for path in sorted(folder.glob("*.md")):
        display = f"{name.rstrip('/')}/{path.name}"
        text, note = decode(path.read_bytes())
        if text is None:
            problems.append(Problem(display, note or "cannot decode"))
            continue
        front, body, problem = split_front_matter(text)
        if problem:
            problems.append(Problem(display, problem))
            continue
        slug = slugify(str(front.get("slug") or path.stem))
        if not slug:
            problems.append(Problem(display, "page name gives an empty URL slug"))
            continue
        if slug in RESERVED_PAGE_SLUGS:
            problems.append(Problem(display, f"the site itself uses /{slug}/; rename the page "
                                             "or give it a 'slug:' in its front matter"))
            continue
        title = str(front.get("title") or path.stem.replace("-", " ").title())
        pages.append(Page(slug=slug, title=title, markdown=body, source=display))
    return pages, problems
