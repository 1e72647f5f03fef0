"""The cluster stage's use of the build cache (called by ``generator.build``).

Each article's features are kept in one packed file of the build cache, keyed by
the code version and the article's content key, and the word frequencies
clustering looks up are kept too (with wordfreq's whole list as a sorted file
searched in place), so a rebuild after one edit neither re-featurises every
article nor imports and loads wordfreq's lists.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from .. import serial
from ..cache import Cache
from ..model import Article


def pairs(data: Any, value: type | tuple[type, ...]) -> dict[str, Any]:
    """``[[keys...], [values...]]`` (JSON) as a dict in the same order, every key a str
    and every value of type ``value`` (not bool); anything else is a SerialError."""
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], list)
            and isinstance(data[1], list) and len(data[0]) == len(data[1])):
        raise serial.SerialError("expected [keys, values]")
    keys, values = data
    types = value if isinstance(value, tuple) else (value,)
    if not all(type(k) is str for k in keys) or not all(type(v) in types for v in values):
        raise serial.SerialError("expected [keys, values]")
    out = dict(zip(keys, values, strict=True))
    if len(out) != len(keys):
        raise serial.SerialError("repeated key")
    return out


def columns(table: dict[str, Any]) -> list[list[Any]]:
    return [list(table), list(table.values())]


def features_reader(keys: dict[str, str], cache: Cache | None, version: str,
                    extracted: Mapping[str, tuple[str, Any]] | None = None,
                    ) -> tuple[Any, FeatureStore | None]:
    """An extract function for clustering that keeps each article's features in the
    build cache (in their original order: the vectors' sums depend on it), and the
    store to save afterwards. ``extracted`` holds features already extracted (by the
    cleaning workers), by article id, with the language they were extracted in; they
    are used when clustering asks for that language."""
    from . import features as features_module

    known = extracted or {}

    def extract(article: Article, language: str) -> features_module.Features:
        made = known.get(article.id)
        if made is not None and made[0] == (article.language or language):
            return cast(features_module.Features, made[1])
        return features_module.extract(article, language)

    if cache is None:
        return extract, None
    store = FeatureStore(cache, version)

    def features_of(article: Article, language: str) -> features_module.Features:
        content = keys[article.id]
        made = known.get(article.id)
        if made is not None and made[0] == (article.language or language):
            # Extracted now (the article was cleaned anew): kept when the store saves.
            store.made.append((language, content, made[1]))
            return cast(features_module.Features, made[1])
        found = store.get(language, content)
        if found is None:
            found = extract(article, language)
            store.made.append((language, content, found))
        return found

    return features_of, store


class FeatureStore:
    """Each article's features in one packed file of the build cache, by code version,
    language and the article's content key. The features made by this build are keyed
    and put when it saves (a build saves while its story workers work: keying and
    converting 1,479 articles' features took 0.03-0.04 s of clustering, which the build
    process runs alone)."""

    def __init__(self, cache: Cache, version: str) -> None:
        from ..cache import Packed

        self.store = Packed(cache.folder, "features")
        self.version = version
        self.made: list[tuple[str, str, Any]] = []
        """(language, content key, features) of the features made by this build."""

    def _key(self, language: str, content: str) -> str:
        return Cache.key(self.version, language, content)

    def get(self, language: str, content: str) -> Any | None:
        """The kept features of the article with this content key, or None."""
        from collections import Counter

        from . import features as features_module

        data = self.store.get(self._key(language, content))
        if isinstance(data, dict):
            number = (int, float)
            try:
                words = pairs(data.get("w"), number)
                return features_module.Features(
                    words={k: float(v) for k, v in words.items()},
                    names=Counter(pairs(data.get("n"), int)),
                    numbers=Counter(pairs(data.get("u"), int)),
                    forms=pairs(data.get("f"), str),
                    surface=pairs(data.get("s"), str))
            except serial.SerialError:
                pass
        return None

    def save(self) -> None:
        """Put the features made by this build, then write the file (see
        :class:`~generator.cache.Packed`)."""
        made, self.made = self.made, []
        for language, content, found in made:
            self.store.put(self._key(language, content),
                           {"w": columns(found.words), "n": columns(found.names),
                            "u": columns(found.numbers), "f": columns(found.forms),
                            "s": columns(found.surface)})
        self.store.save()


def distribution_tag(name: str) -> str:
    """The installed distribution of package ``name`` as its ``*.dist-info`` folder name
    (name and version), found beside the package: importlib.metadata scans every path
    entry (0.06 s)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        return ""
    site = Path(spec.origin).resolve().parent.parent
    try:
        found = sorted(entry.name for entry in os.scandir(site)
                       if entry.name.lower().startswith(name.lower() + "-")
                       and entry.name.endswith(".dist-info"))
    except OSError:
        found = []
    return " ".join(found) or str(Path(spec.origin).stat().st_mtime_ns)


@functools.cache
def wordfreq_tag() -> str:
    """The installed wordfreq's name and version, which its kept lists belong to (looked
    up once per process: a cold build asks before clustering and again in it)."""
    return "wordfreq " + distribution_tag("wordfreq")


def list_path(folder: Path, tag: str, code: str) -> Path:
    """Where the build cache in ``folder`` keeps the list file of language ``code``."""
    name = hashlib.sha256(f"{tag} {code}".encode()).hexdigest()[:16]
    return folder / f"words-{name}.tsv"


def load_unlisted(folder: Path | None, language: str) -> None:
    """Load wordfreq's list for ``language`` now when clustering will have to (the build
    cache in ``folder`` keeps no list file for it, or there is no cache): a cold build
    calls this while the cleaning workers work, so clustering, which runs alone, does
    not spend 0.1-0.2 s on it."""
    from ..text import language_code
    from . import features

    code = language_code(language)
    if folder is None or not list_path(folder, wordfreq_tag(), code).is_file():
        features.load_frequencies(code)


class Frequencies:
    """Clustering's word frequencies kept in the build cache: the words looked up so far
    (seeded before clustering) and, per language, wordfreq's whole list as a sorted
    file searched in place, so a rebuild does not load wordfreq's lists even when an
    edit brings new words.

    A list file starts with the sha256 of the rest (a damaged or cut file is not
    used). Making one (sorting wordfreq's 321,000 English words: 0.3-0.5 s of CPU)
    is left to a detached process at the lowest priority when the build may fork
    (:func:`in_background`), so a cold build does not wait for it; the next build
    that finds the file uses it."""

    def __init__(self, cache: Cache) -> None:
        from ..cache import Packed
        from . import features

        self.folder = cache.folder
        self.store = Packed(cache.folder, "frequencies")
        self.tag = wordfreq_tag()
        data = self.store.get(self.tag)
        if isinstance(data, dict):
            for code, table in data.items():
                if isinstance(table, dict) and all(isinstance(v, int | float)
                                                   and not isinstance(v, bool)
                                                   for v in table.values()):
                    known = features.known_frequencies(code)
                    for word, value in table.items():
                        known.setdefault(word, float(value))
        self.sizes = {code: len(known) for code, known in features.frequency_tables().items()}
        self.listed: set[str] = set()
        """Languages whose list file was written, or handed to a background process."""
        features.use_word_lists(self.word_list)

    def _path(self, code: str) -> Path:
        return list_path(self.folder, self.tag, code)

    def word_list(self, code: str) -> Any:
        from . import features

        try:
            data = self._path(code).read_bytes()
        except OSError:
            return None
        check, _, body = data.partition(b"\n")
        if hashlib.sha256(body).hexdigest().encode() != check:
            return None
        return features.WordList(body)

    def write_lists(self) -> None:
        """Write a list file for each wordfreq list this process loaded that has none
        (in a detached process when :func:`in_background` can start one)."""
        from . import features

        missing = [code for code in features.loaded_codes()
                   if code not in self.listed and self.word_list(code) is None]
        lists = [(self._path(code), code) for code in missing]
        if lists and not in_background(lambda: _write_lists(lists)):
            _write_lists(lists)
        self.listed.update(missing)

    def save(self) -> None:
        """Keep the frequencies looked up (and write missing list files, if
        :meth:`write_lists` was not called already)."""
        from . import features

        features.use_word_lists(None)
        tables = {code: dict(known) for code, known in features.frequency_tables().items()}
        if any(len(t) != self.sizes.get(code) for code, t in tables.items()):
            self.store.put(self.tag, tables)
        self.write_lists()
        self.store.save()
        reap()


def _write_lists(lists: list[tuple[Path, str]]) -> None:
    """Write each list file (path, language code) from wordfreq's whole list (made
    here: in a cold build, in the background process)."""
    from . import features

    for path, code in lists:
        body = features.WordList.encode(features.full_list(code))
        data = hashlib.sha256(body).hexdigest().encode() + b"\n" + body
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()


def in_background(work: Callable[[], object]) -> bool:
    """Run ``work`` in a detached process at the lowest priority and return at once
    (True); False, doing nothing, where that is unsafe or impossible: not POSIX, or
    other threads running (forking a threaded process may deadlock the child).

    The process is a grandchild (reaped by the system, not left a zombie here), with
    standard input and output on /dev/null and no other file descriptor open, so a
    caller that reads this process's output is not kept waiting for it. The child
    between them exits as soon as it has started it; it is reaped by :func:`reap`
    (the build calls it later, rather than wait 0.01-0.02 s for it here)."""
    import threading

    if os.name != "posix" or threading.active_count() > 1:
        return False
    reap()
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # pragma: no cover - runs in the child processes
        try:
            if os.fork() == 0:
                null = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(null, fd)
                os.closerange(3, 1 << 16)
                os.nice(19)
                work()
        finally:
            os._exit(0)
    _STARTING.append(pid)
    return True


_STARTING: list[int] = []
"""The children :func:`in_background` forked and did not wait for yet."""


def reap() -> None:
    """Wait for the children :func:`in_background` left (each exits once it has started
    its own child, so this hardly waits)."""
    while _STARTING:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(_STARTING.pop(), 0)
