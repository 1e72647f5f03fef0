"""The pipeline: load -> clean -> cluster -> summarize -> compare -> render -> write.

``build(config)`` is a plain function: the CLI, the preview server and the tests
all call it. It reads and processes everything first, then writes the site in
one step (see :mod:`generator.write`).

Incremental builds: every stage's result is kept in the build cache
(``.digest-cache/`` beside ``digest.toml``, safe to delete), keyed by the sha256
of the code version, the options the stage reads and its input. A rebuild redoes
only what changed: cleaning of changed files, clustering when any article
changed, summaries and comparisons of stories whose articles changed. Listing
pages are always rendered from the whole digest, so they reflect every change;
when nothing at all changed and the output folder is as the last build left it,
render and write are skipped.

Per-story work and the cleaning of changed files run in parallel (``jobs``
processes, or any ``concurrent.futures``-style executor, e.g. a Dask client's);
results are gathered in input order, so the output does not depend on it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from . import load as load_stage
from . import serial
from .cache import Cache
from .config import Config
from .model import (
    Article,
    BuildResult,
    Differences,
    Digest,
    Document,
    Problem,
    Story,
    SummarySentence,
)
from .theme import theme_dir
from .worker import WarmWorker

if TYPE_CHECKING:
    from .cluster.features import Features

Progress = Callable[[str], None]
T = TypeVar("T")
R = TypeVar("R")

CACHE_FORMAT = 2
PARALLEL_MIN = 24
"""Fewer cache misses than this are processed in this process (pool start-up costs more)."""


class BuildError(Exception):
    """A build that cannot go on (bad folder, unwritable output); the message says why."""


def _quiet(_: str) -> None:
    pass


@cache
def code_version() -> str:
    """Hash of digest's own source and theme: a code change invalidates the cache."""
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    roots = [(package, "*.py"), (theme_dir(), "*")]
    for root, pattern in roots:
        for path in sorted(root.rglob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(path.relative_to(root).as_posix().encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


# --- the cache --------------------------------------------------------------------------


def cache_folder(config: Config) -> Path:
    return config.root / ".digest-cache"


def open_cache(config: Config, progress: Progress, enabled: bool = True) -> Cache | None:
    """The build cache, or None when disabled; a foreign or corrupt one is discarded."""
    if not enabled:
        return None
    folder = cache_folder(config)
    stamp = folder / "cache.json"
    expected = {"format": CACHE_FORMAT, "tool": "digest"}
    if folder.exists():
        try:
            found = json.loads(stamp.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found = None
        if found != expected:
            progress("warning: ignoring a foreign or corrupt build cache in "
                     f"{folder} (it is rebuilt)")
            _clear(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tag = folder / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# digest build cache; safe to delete.\n", encoding="utf-8")
        stamp.write_text(json.dumps(expected) + "\n", encoding="utf-8")
    except OSError:
        return None
    store = Cache(folder / "results")
    if store.replaced:
        progress(f"warning: the build cache's database in {store.folder} could not be "
                 "read; it was replaced by an empty one")
    return store


def _clear(folder: Path) -> None:
    import shutil

    for child in folder.iterdir():
        if child.name == "build-report.json":
            continue
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


class _Texts:
    """Texts kept between builds (what render reuses) in one packed file of the build
    cache; each carries a sha256 of its key and text, so an entry that does not match
    what was stored under its key is a miss, never a wrong page."""

    def __init__(self, folder: Path, name: str) -> None:
        from .cache import Packed

        self.store = Packed(folder, name)

    def get(self, key: str) -> str | None:
        value = self.store.get(key)
        if (isinstance(value, dict) and isinstance(value.get("text"), str)
                and value.get("check") == self._check(key, value["text"])):
            return str(value["text"])
        return None

    def __setitem__(self, key: str, value: str) -> None:
        self.store.put(key, {"text": value, "check": self._check(key, value)})

    def save(self) -> None:
        self.store.save()

    @staticmethod
    def _check(key: str, text: str) -> str:
        return hashlib.sha1(f"{key}\n{text}".encode()).hexdigest()


def _cached(cache: Cache | None, key: str, cls: type[T]) -> T | None:
    if cache is None:
        return None
    data = cache.get(key)
    if data is None:
        return None
    try:
        return serial.load(cls, data)
    except serial.SerialError:
        return None


# --- running work -------------------------------------------------------------------------


class _Collection:
    """Python's cyclic garbage collector, paused while any build runs (see
    :func:`collection_paused`); builds may run at once in threads (the live preview)."""

    lock = threading.Lock()
    builds = 0
    was_enabled = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the block runs (then back on, if it
    was on and no other build still runs).

    A build makes millions of objects that live until it ends (documents, articles,
    their words and sentences) and next to no reference cycles: a cold build of the
    1,479-article benchmark leaves 1,201 objects in cycles, which one collection after
    it frees in 0.05 s. The collector's passes over that growing heap are so pure cost:
    0.27 s of the build process's time in that build, on the stages it runs alone.
    Worker processes forked meanwhile inherit the setting."""
    with _Collection.lock:
        if _Collection.builds == 0:
            _Collection.was_enabled = gc.isenabled()
            gc.disable()
        _Collection.builds += 1
    try:
        yield
    finally:
        with _Collection.lock:
            _Collection.builds -= 1
            if _Collection.builds == 0 and _Collection.was_enabled:
                gc.enable()



def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


def run_all(fn: Callable[[T], R], items: Sequence[T], jobs: int,
            executor: Executor | None = None,
            meanwhile: Callable[[], None] | None = None) -> list[R]:
    """``fn`` over ``items``, in parallel when worth it, results in input order."""
    return list(run_each(fn, items, jobs, executor, meanwhile))


def run_each(fn: Callable[[T], R], items: Sequence[T], jobs: int,
             executor: Executor | None = None,
             meanwhile: Callable[[], None] | None = None) -> Iterator[R]:
    """``fn`` over ``items`` (in ``executor``, in a pool of ``jobs`` forked processes
    when there are enough items, else here), each result yielded in input order as
    soon as it is done, so the caller can store one while later ones are worked on.

    ``meanwhile`` is this process's own work to do while the items are worked on
    elsewhere: it is called once, after every item has been handed out (a pool's
    processes are all forked by then, so it may import modules or start work that
    must not be forked half-done), or before the items when they run here."""
    if executor is not None and items:
        futures = [executor.submit(fn, item) for item in items]
        if meanwhile is not None:
            meanwhile()
        for future in futures:
            yield future.result()
        return
    if jobs <= 1 or len(items) < PARALLEL_MIN:
        if meanwhile is not None:
            meanwhile()
        for item in items:
            yield fn(item)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(items) // (jobs * 8))
    forked = os.name == "posix"
    context = multiprocessing.get_context("fork" if forked else "spawn")
    # Forked workers inherit the function and the items, so only their positions are
    # sent (pickling a story task, articles and all, then unpickling it in a worker
    # cost about 0.1 s of a cold build's CPU); spawned ones are sent the items.
    call = id(items)
    if forked:
        _INHERITED[call] = (fn, items)
    # What exists now stays out of garbage collection while the workers run: a full
    # collection in a worker would otherwise touch every inherited object and copy
    # the memory pages they share with this process (see gc.freeze).
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            # submits all: the workers run
            results = (pool.map(_run_inherited, [(call, i) for i in range(len(items))],
                                chunksize=chunk) if forked
                       else pool.map(fn, items, chunksize=chunk))
            if meanwhile is not None:
                meanwhile()
            yield from results
    finally:
        gc.unfreeze()
        _INHERITED.pop(call, None)


_INHERITED: dict[int, tuple[Callable[[Any], Any], Sequence[Any]]] = {}
"""The function and items of each :func:`run_each` whose pool is forked (the workers
inherit them), by the id of its items (builds may run at once in threads)."""


def _run_inherited(ref: tuple[int, int]) -> Any:
    """In a forked worker: the function of :func:`run_each` call ``ref[0]`` over its
    item ``ref[1]``."""
    fn, items = _INHERITED[ref[0]]
    return fn(items[ref[1]])


# --- stages -------------------------------------------------------------------------------


def duplicates(articles: list[Article]) -> tuple[list[Article], list[Problem]]:
    """Drop the second and later copies of the same article text (reported)."""
    seen: dict[str, Article] = {}
    kept: list[Article] = []
    problems: list[Problem] = []
    for article in articles:
        key = "\n".join(article.paragraphs).strip().casefold()
        if key in seen:
            first = seen[key]
            problems.append(Problem(
                f"{article.folder.rstrip('/')}/{article.path}",
                f"same article text as {first.folder.rstrip('/')}/{first.path}; skipped"))
            continue
        seen[key] = article
        kept.append(article)
    return kept, problems


@dataclass
class _CleanTask:
    document: Document
    language: str
    key: str | None = None
    """The document's clean key when known (else the worker computes it)."""


Extracted = tuple[str, "Features"]
"""An article's clustering features and the language they were extracted in."""


def _clean_one(task: _CleanTask) -> tuple[Article, Extracted | None]:
    """The cleaned article and, while the worker has it at hand, its clustering
    features (what the cluster stage would extract, in parallel here)."""
    from . import clean as clean_stage
    from .cluster.features import extract

    article = clean_stage.clean(task.document, task.language)
    if any(p.severity == "error" for p in article.problems):
        return article, None
    language = article.language or task.language
    return article, (language, extract(article, language))


@cache
def _document_fields() -> tuple[str, ...]:
    """The fields of a document a clean key holds as they are (all but its problems)."""
    import dataclasses

    return tuple(f.name for f in dataclasses.fields(Document) if f.name != "problems")


def _clean_key(document: Document, language: str) -> str:
    """The cache key of cleaning ``document``: every field of it in field order, its
    problems (few) dumped, which is the information of ``serial.dump(document)``
    without walking the body and metadata in Python."""
    return Cache.key(code_version(), "clean", language,
                     [getattr(document, n) for n in _document_fields()],
                     [serial.dump(p) for p in document.problems])


def _clean_keyed(task: _CleanTask) -> tuple[str, Article, Extracted | None]:
    """:func:`_clean_one`, with the document's clean key (computed when not known)."""
    return (task.key or _clean_key(task.document, task.language), *_clean_one(task))


def _clean_some(tasks: list[_CleanTask]) -> list[tuple[str, Article, Extracted | None]]:
    return [_clean_keyed(task) for task in tasks]


@dataclass
class StoryResult:
    """What the per-story stages add to a story (cached and sent between processes)."""

    title: str
    summary: list[SummarySentence]
    differences: Differences | None


def story_results(stories: list[Story], config: Config,
                  summaries: Cache | None = None) -> list[StoryResult]:
    """Headline, summary and differences of each story (the per-story stages; the build
    and the live preview's quick path both run this). Summaries are made in one batch
    (``summarize_all`` gives each story the summary ``summarize`` gives it alone);
    ``summaries`` is an optional summary cache."""
    from . import compare as compare_stage
    from . import summarize as summarize_stage

    for story in stories:
        story.title = summarize_stage.choose_headline(story)
    made = summarize_stage.summarize_all(stories, config.summary, config.language,
                                         cache=summaries)
    results = []
    for story, summary in zip(stories, made, strict=True):
        differences = compare_stage.compare(story)
        if differences is not None:
            summarize_stage.add_fact_citations(summary, differences.facts, story.articles)
        results.append(StoryResult(story.title, summary, differences))
    return results


@dataclass
class _StoriesTask:
    stories: list[Story]
    config: Config


def _story_some(task: _StoriesTask) -> list[StoryResult]:
    return story_results(task.stories, task.config)


def _story_imports(config: Config) -> None:
    from . import (
        compare,  # noqa: F401
        summarize,
    )

    summarize.prepare(config.summary, config.language)


def _imports_ahead(config: Config, executor: Executor | None, cache: Cache | None,
                   cleaning: int) -> None:
    """Import, while ``cleaning`` articles are cleaned (in worker processes when they
    are many), what the next stages will need in this process: numpy and scipy for
    clustering (0.2-0.3 s), and, when the story stage will fork its workers from
    here, sumy and compare's tables (0.1-0.2 s), which would otherwise be imported
    with the other core idle. When many articles are cleaned, wordfreq's list too,
    unless the build cache keeps it as a list file (a cold build: 0.1-0.2 s)."""
    from .cluster import link  # noqa: F401

    if cleaning >= PARALLEL_MIN:
        from .cluster.cached import load_unlisted

        load_unlisted(cache.folder if cache is not None else None, config.language)
        if executor is None:
            _story_imports(config)


def _run_later(later: list[Callable[[], None]]) -> None:
    while later:
        later.pop(0)()


def early_workers(config: Config, changed: int, jobs: int) -> Executor | None:
    """A worker for the per-story stage, started as soon as cleaning is done, so that
    its imports (sumy, which loads NLTK; numpy; compare's tables: about 0.4 s) overlap
    clustering instead of following it: a :class:`~generator.worker.WarmWorker` when
    fewer than :data:`PARALLEL_MIN` articles changed. None otherwise: when nothing
    changed, with one job, where forking is unsafe or unavailable (not on POSIX, or
    with other threads running: the live preview builds in a thread), and when many
    changed (a pool of ``jobs`` workers started this early, importing beside
    clustering on the same cores, measured no faster than the pool forked after it)."""

    if (jobs <= 1 or not 0 < changed < PARALLEL_MIN or os.name != "posix"
            or threading.active_count() > 1):
        return None
    return WarmWorker(functools.partial(_story_imports, config))


@dataclass
class _Unread:
    """A file the load stage did not read and the clean key of its document."""

    ref: load_stage.FileRef
    key: str


RACY_NS = 2_000_000_000
"""A file changed less than this long (2 s) before a build is read, whatever the file
index says, and not entered in it: a change in the same tick of the file system's
clock would leave its time as it was (git's "racily clean" files)."""


class FileIndex:
    """What the files of one article each gave the last build (their clean keys), by
    the state of each on disk: a rebuild does not read, parse and key again the files
    that did not change (0.15-0.25 s for 1,479 Markdown files on this project's
    machine), and looks their articles up in the cache by the key kept here.

    A file's state is its size, modification and status-change times (ns), inode and
    device, the same of its own sidecar (``<name>.json``) or its absence, its entry
    in the folder's manifest, its path and the id its document gets: any change to
    the file or its metadata changes one of them (writing a file sets both times;
    setting the modification time back sets the status-change time). Entries belong
    to one code version and language. A file changed within :data:`RACY_NS` of the
    build is read. The index is one packed file of the build cache (``files.json``);
    an entry whose article the cache does not have is read after all."""

    def __init__(self, cache: Cache, language: str, use: bool = True) -> None:
        """``use``: whether to use the entries kept (False when the cache has no
        articles: the index is only filled)."""
        from .cache import Packed

        self.use = use
        self.store = Packed(cache.folder, "files")
        self.scope = [code_version(), language]
        self.now = time.time_ns()
        self.pending: dict[str, tuple[str, list[Any]]] = {}
        """Files read now, by their document's id: entry name and state (see :meth:`add`)."""

    def state(self, ref: load_stage.FileRef) -> list[Any] | None:
        """The file's state (see the class), or None when it cannot be known or is too
        recent to trust."""
        try:
            info = os.stat(ref.path)
        except OSError:
            return None
        times = [info.st_mtime_ns, info.st_ctime_ns]
        try:
            side = os.stat(load_stage.sidecar_path(ref.path))
            sidecar: list[int] | None = [side.st_size, side.st_mtime_ns, side.st_ctime_ns,
                                         side.st_ino, side.st_dev]
            times += [side.st_mtime_ns, side.st_ctime_ns]
        except OSError:
            sidecar = None
        if max(times) > self.now - RACY_NS:
            return None
        return [info.st_size, *times[:2], info.st_ino, info.st_dev, sidecar, ref.sidecar,
                ref.folder, ref.rel, ref.id]

    def known(self, ref: load_stage.FileRef) -> str | None:
        """The clean key of the file's document when the file is as the index has it;
        None otherwise (then :meth:`add` enters it once it is read and keyed)."""
        state = self.state(ref)
        if state is None:
            return None
        name = Cache.key(*self.scope, ref.folder, ref.rel)
        stored = self.store.get(name) if self.use else None
        if (isinstance(stored, list) and len(stored) == 2 and stored[0] == state
                and isinstance(stored[1], str)):
            return stored[1]
        self.pending[ref.id] = (name, state)
        return None

    def add(self, read: Iterable[tuple[Document, str]]) -> None:
        """Enter the files read now by their documents and clean keys."""
        for document, key in read:
            entry = self.pending.get(document.id)
            if entry is not None:
                self.store.put(entry[0], [entry[1], key])

    def save(self) -> None:
        self.store.save()


class Cleaning:
    """The clean stage, fed one document at a time as the load stage reads them.

    Each document is keyed and looked up in the cache, and once ``PARALLEL_MIN`` of
    them have missed it, a pool of ``jobs`` forked workers starts and cleans the
    misses in chunks while the rest are still being looked up. Fewer misses are
    cleaned when :meth:`finish` is called (see :func:`run_all`). Each document is
    cleaned on its own, so the results do not depend on how.

    When the cache is empty (a first build, a deleted cache, ``--no-cache``) every
    document will miss, so none is looked up: each is a miss as soon as it is read,
    and the workers key and clean the misses while the rest are loaded (loading no
    longer leaves a core idle, and this process, which reads the files, does not
    also key them). Otherwise the lookups wait until every document is read
    (:meth:`finish`): interleaved with reading the files, a rebuild's 1,479 cache
    hits took 0.06-0.1 s longer."""

    CHUNK = 32
    """Documents per task once the pool runs."""

    def __init__(self, config: Config, cache: Cache | None, jobs: int) -> None:
        self.config, self.cache, self.jobs = config, cache, jobs
        code_version()  # computed once, here, before any worker forks
        self.documents: list[Document | _Unread] = []
        self.problems: list[Problem] = []
        """Problems met reading files the load stage left unread (see :meth:`add_unread`)."""
        self.keys: list[str | None] = []  # None: not keyed yet (a miss, keyed when cleaned)
        self.results: list[Article | None] = []
        self.missed = 0
        self._waiting: list[int] = []  # misses not yet handed to the pool
        self._sent: list[tuple[list[int],
                               Future[list[tuple[str, Article, Extracted | None]]]]] = []
        self._pool: Any = None
        self._cleaned: list[tuple[str, Article]] = []  # to store (see finish)
        self._parallel = jobs > 1 and os.name == "posix"
        self.streaming = cache is None or cache.empty()
        """Whether documents are taken as misses (and cleaned) as they are read."""

    def add(self, document: Document) -> None:
        """Take the next document: a miss right away when streaming (see the class)."""
        self.documents.append(document)
        if self.streaming:
            self.keys.append(None)
            self.results.append(None)
            self._missed()

    def add_unread(self, ref: load_stage.FileRef, key: str) -> None:
        """Take the next document as the one of a file the load stage did not read,
        whose clean key is ``key`` (:class:`FileIndex`); looked up in :meth:`finish`,
        and read then if the cache does not have it after all."""
        assert not self.streaming
        self.documents.append(_Unread(ref, key))

    def _look_up(self) -> None:
        """Key the next document not yet looked up, and take it as a miss when the
        cache does not have it."""
        item = self.documents[len(self.keys)]
        if isinstance(item, _Unread):
            found = _cached(self.cache, item.key, Article)
            if found is not None:
                self.keys.append(item.key)
                self.results.append(found)
                return
            docs, problems = item.ref.read()  # not in the cache after all
            self.problems.extend(problems)
            if not docs:  # no longer readable: left out, its problems reported
                self.keys.append(None)
                self.results.append(None)
                return
            item = self.documents[len(self.keys)] = docs[0]
        key = _clean_key(item, self.config.language)
        found = _cached(self.cache, key, Article)
        self.keys.append(key)
        self.results.append(found)
        if found is None:
            self._missed()

    def _missed(self) -> None:
        """The last document taken missed the cache: hand it to the pool when the pool
        runs (or start the pool at the ``PARALLEL_MIN``-th miss)."""
        self.missed += 1
        self._waiting.append(len(self.keys) - 1)
        if self._parallel and len(self._waiting) >= (self.CHUNK if self._pool is not None
                                                      else PARALLEL_MIN):
            self._send()

    def _send(self) -> None:
        if self._pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            from . import clean  # noqa: F401 - imported once, before the workers fork
            from .cluster import features  # noqa: F401

            gc.freeze()  # see run_each
            self._pool = ProcessPoolExecutor(max_workers=self.jobs,
                                             mp_context=multiprocessing.get_context("fork"))
        chunk, self._waiting = self._waiting, []
        self._sent.append((chunk, self._pool.submit(_clean_some, self._tasks(chunk))))

    def _tasks(self, indexes: list[int]) -> list[_CleanTask]:
        return [_CleanTask(cast(Document, self.documents[i]), self.config.language,
                           self.keys[i]) for i in indexes]

    def store(self) -> None:
        """Put the articles :meth:`finish` cleaned in the cache (once)."""
        cleaned, self._cleaned = self._cleaned, []
        if self.cache is not None:
            for key, article in cleaned:
                self.cache.put(key, serial.dump(article))

    @property
    def pooled(self) -> bool:
        """Whether the workers are cleaning (they start at the ``PARALLEL_MIN``-th miss)."""
        return self._pool is not None

    def close(self) -> None:
        """Stop the pool, if one runs (what it has not started is dropped)."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
            gc.unfreeze()

    def finish(self, meanwhile: Callable[[int], None] | None = None,
               ) -> tuple[list[Article], dict[str, str], dict[str, Extracted]]:
        """Cleaned articles (cache first), each article's content key by article id, and
        the clustering features of the articles cleaned now, by article id. The
        articles cleaned now go in the cache when :meth:`store` is called (a build
        calls it while the story workers work: 0.1 s for 1,479 articles).

        ``meanwhile(n)``, when ``n`` documents missed the cache, is this process's own
        work while they are cleaned (see :func:`run_each`)."""
        extracted: dict[str, Extracted] = {}
        try:
            while len(self.keys) < len(self.documents):  # not looked up while read
                self._look_up()
            if self._pool is not None:
                if self._waiting:
                    self._send()
                if meanwhile is not None:
                    meanwhile(self.missed)
                done = [(i, r) for chunk, future in self._sent
                        for i, r in zip(chunk, future.result(), strict=True)]
            else:
                missing = self._waiting
                if missing:
                    from . import clean  # noqa: F401
                    from .cluster import features  # noqa: F401
                later = (functools.partial(meanwhile, len(missing))
                         if meanwhile is not None and missing else None)
                done = list(zip(missing, run_all(_clean_keyed, self._tasks(missing), self.jobs,
                                                 None, later), strict=True))
        finally:
            self.close()
        for i, (key, article, found) in done:
            self.keys[i] = key
            self.results[i] = article
            if found is not None:
                extracted[article.id] = found
        self._cleaned = [(key, article) for _, (key, article, _) in done]
        kept = [(r, k) for r, k in zip(self.results, self.keys, strict=True) if r is not None]
        return [r for r, _ in kept], {r.id: cast(str, k) for r, k in kept}, extracted

    def read_keys(self) -> Iterator[tuple[Document, str]]:
        """Each document read from its file (not left unread) and its clean key, once
        :meth:`finish` has run."""
        for document, key in zip(self.documents, self.keys, strict=True):
            if isinstance(document, Document) and key is not None:
                yield document, key


def clean_all(documents: list[Document], config: Config, cache: Cache | None, jobs: int,
              meanwhile: Callable[[int], None] | None = None,
              ) -> tuple[list[Article], dict[str, str], dict[str, Extracted]]:
    """:class:`Cleaning` of ``documents`` already loaded."""
    cleaning = Cleaning(config, cache, jobs)
    for document in documents:
        cleaning.add(document)
    try:
        return cleaning.finish(meanwhile)
    finally:
        cleaning.store()


def cluster_all(articles: list[Article], config: Config, keys: dict[str, str],
                cache: Cache | None, extracted: Mapping[str, Extracted] | None = None,
                later: list[Callable[[], None]] | None = None) -> list[Story]:
    """Stories of ``articles`` (cached by their content keys); ``extracted`` holds
    features the cleaning workers already extracted, by article id.

    With ``later``, the cache writes the stories do not depend on (every article's
    features, the word frequencies looked up) are appended to it instead of done now,
    for the caller to do while the story workers work."""
    key = Cache.key(code_version(), "cluster", serial.dump(config.cluster),
                    sorted((a.id, keys[a.id]) for a in articles))
    by_id = {a.id: a for a in articles}
    stored = cache.get(key) if cache is not None else None
    if isinstance(stored, list):
        try:
            return [Story(id=s["id"], slug=s["slug"], reasons=list(s["reasons"]),
                          articles=[by_id[i] for i in s["articles"]]) for s in stored]
        except (KeyError, TypeError):
            pass
    from . import cluster as cluster_stage
    from .cluster.cached import Frequencies, features_reader

    features_of, features_store = features_reader(keys, cache, code_version(), extracted)
    frequencies = Frequencies(cache) if cache is not None else None
    saves = [store.save for store in (frequencies, features_store) if store is not None]
    try:
        stories = cluster_stage.cluster(articles, config.cluster, features_of)
    except BaseException:
        for save in saves:
            save()
        raise
    if frequencies is not None:  # now, while no other thread runs: it may fork
        frequencies.write_lists()
    if later is not None:
        later.extend(saves)
    else:
        for save in saves:
            save()
    if cache is not None:
        cache.put(key, [{"id": s.id, "slug": s.slug, "reasons": s.reasons,
                         "articles": [a.id for a in s.articles]} for s in stories])
    return stories


def story_key(story: Story, config: Config, keys: dict[str, str]) -> str:
    return Cache.key(code_version(), "story", serial.dump(config.summary), config.language,
                     [keys[a.id] for a in story.articles])


def stories_all(stories: list[Story], config: Config, keys: dict[str, str],
                cache: Cache | None, jobs: int, executor: Executor | None = None,
                warm: Executor | None = None,
                meanwhile: Callable[[], None] | None = None) -> list[str]:
    """Title, summary and differences of every story (cache first, misses in parallel).

    ``warm``, a worker started early (:func:`early_workers`), takes the misses when
    they are too few for a pool. ``meanwhile`` is this process's own work while the
    misses are worked on (see :func:`run_each`); each result is stored in the cache
    as it arrives. Returns each story's cache key."""
    story_keys = [story_key(s, config, keys) for s in stories]
    results: list[StoryResult | None] = [_cached(cache, k, StoryResult) for k in story_keys]
    missing = [i for i, r in enumerate(results) if r is None]
    if executor is None and warm is not None and 0 < len(missing) < PARALLEL_MIN:
        executor = warm
    elif missing:  # import before forking workers, so each does not import them again
        _story_imports(config)
    size = max(1, len(missing) // PARALLEL_MIN)  # stories per task, >= PARALLEL_MIN tasks
    tasks = [_StoriesTask([stories[i] for i in missing[k:k + size]], config)
             for k in range(0, len(missing), size)]
    fresh = (r for done in run_each(_story_some, tasks, jobs, executor, meanwhile)
             for r in done)
    for i, result in zip(missing, fresh, strict=True):
        results[i] = result
        if cache is not None:
            cache.put(story_keys[i], serial.dump(result))
    for story, done in zip(stories, results, strict=True):
        assert done is not None
        story.title, story.summary, story.differences = (done.title, done.summary,
                                                         done.differences)
    return story_keys


def process(config: Config, progress: Progress = _quiet,
            timings: dict[str, float] | None = None, *, jobs: int | None = None,
            executor: Executor | None = None, use_cache: bool = True,
            inputs: list[Any] | None = None,
            meanwhile: Callable[[bool], None] | None = None) -> Digest:
    """Run every stage up to (not including) render; return the digest.

    ``inputs``, when given, receives the content keys of everything the digest is
    made of (articles, stories, pages, problems), from which the site's fingerprint
    is computed without serialising the whole digest. ``meanwhile`` is the caller's
    own work, called once while the per-story work runs (see :func:`run_each`), or
    before returning when there is none, with whether any article was cleaned anew
    (then the site has changed, unless the article's new text reads as the old)."""
    timings = timings if timings is not None else {}
    with collection_paused():
        store = open_cache(config, progress, use_cache)
        try:
            return _process(config, progress, timings, jobs or default_jobs(), executor,
                            store, inputs, meanwhile)
        finally:
            if store is not None:
                store.close()  # writes what the stages put


def _process(config: Config, progress: Progress, timings: dict[str, float], jobs: int,
             executor: Executor | None, store: Cache | None,
             inputs: list[Any] | None, meanwhile: Callable[[bool], None] | None) -> Digest:
    def stage(name: str, started: float, detail: str = "") -> None:
        timings[name] = time.perf_counter() - started
        progress(f"{name}: {timings[name]:.2f}s{detail}")

    t = time.perf_counter()
    folders = [(name, config.resolve(name)) for name in config.articles]
    hits = store.hits if store else 0
    cleaning = Cleaning(config, store, jobs)  # cleans while the documents are read
    index = FileIndex(store, config.language, not cleaning.streaming) if store else None

    def known(ref: load_stage.FileRef) -> bool:
        key = index.known(ref) if index is not None else None
        if key is not None:
            cleaning.add_unread(ref, key)
        return key is not None

    try:
        loaded = load_stage.load(folders, each=cleaning.add,
                                 known=known if index is not None else None)
    except load_stage.ContentError as exc:
        cleaning.close()
        raise BuildError(str(exc)) from None
    except BaseException:
        cleaning.close()
        raise
    pages, page_problems = load_stage.load_pages(config.resolve(config.pages), config.pages)
    problems = [*loaded.problems, *page_problems]
    unread = f", {len(loaded.unread)} unchanged files not read" if loaded.unread else ""
    stage("load", t, f" ({len(loaded.documents) + len(loaded.unread)} documents{unread})")

    t = time.perf_counter()
    cleaned, keys, extracted = cleaning.finish(functools.partial(_imports_ahead, config,
                                                                 executor, store))
    problems.extend(cleaning.problems)
    if index is not None:
        index.add(cleaning.read_keys())
    articles: list[Article] = []
    for article in cleaned:
        problems.extend(article.problems)
        if not any(p.severity == "error" for p in article.problems):
            articles.append(article)
    articles, dup_problems = duplicates(articles)
    problems.extend(dup_problems)
    reused = (store.hits - hits) if store else 0
    stage("clean", t, f" ({len(cleaned)} articles, {reused} from cache)")

    # A few changed articles: their stories' worker starts now, importing beside clustering.
    warm = early_workers(config, len(cleaned) - reused, jobs) if executor is None else None
    # work to do while the story workers work, first the cleaned articles' cache entries
    later: list[Callable[[], None]] = [cleaning.store]
    if index is not None:
        later.append(index.save)
    if meanwhile is not None:
        later.append(functools.partial(meanwhile, cleaning.missed > 0))
    try:
        t = time.perf_counter()
        stories = cluster_all(articles, config, keys, store, extracted, later)
        stage("cluster", t, f" ({len(stories)} stories)")

        t = time.perf_counter()
        hits = store.hits if store else 0
        story_keys = stories_all(stories, config, keys, store, jobs, executor, warm,
                                 functools.partial(_run_later, later))
        reused = (store.hits - hits) if store else 0
        sent = (f", {warm.sent} in a worker started early"
                if isinstance(warm, WarmWorker) and warm.sent else "")
        stage("summarize+compare", t, f" ({len(stories)} stories, {reused} from cache{sent})")
    finally:
        _run_later(later)
        if warm is not None:
            warm.shutdown()

    ordered = sorted(articles, key=lambda a: a.id)
    if inputs is not None:
        inputs.extend([
            sorted((a.id, keys[a.id]) for a in ordered),
            [(s.id, s.slug, s.reasons, [a.id for a in s.articles]) for s in stories],
            story_keys, serial.dump(pages), serial.dump(problems),
        ])
    return Digest(stories=stories, articles=ordered, pages=pages, problems=problems)


# --- the whole build --------------------------------------------------------------------


def _site_key(config: Config, digest: Digest) -> str:
    """Everything every page shows besides its own content: code and theme, options,
    the user's templates, the pages listed in the navigation."""
    options = _config_json(config)
    templates = config.resolve(config.templates)
    user = sorted((p.relative_to(templates).as_posix(), hashlib.sha256(p.read_bytes())
                   .hexdigest()) for p in templates.rglob("*") if p.is_file()) \
        if templates.is_dir() else []
    return Cache.key(code_version(), "site", options, user, serial.dump(digest.pages))


def _fingerprint(site_key: str, inputs: list[Any]) -> str:
    """Everything the rendered site depends on."""
    return Cache.key(site_key, inputs)


def _config_json(config: Config) -> Any:
    import dataclasses

    return {f.name: serial.dump(getattr(config, f.name)) for f in dataclasses.fields(config)
            if not f.metadata.get("internal")}


def _listing(output: Path) -> dict[str, list[int]]:
    """Size and modification time of every file below ``output`` (symlinks left out)."""
    out: dict[str, list[int]] = {}
    if not output.is_dir():
        return out
    pending = [("", str(output))]
    while pending:
        prefix, folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():  # never written by a build: the folder is not as left
                out[prefix + entry.name] = [-1, -1]
            elif entry.is_dir():
                pending.append((prefix + entry.name + "/", entry.path))
            elif entry.is_file():
                st = entry.stat()
                out[prefix + entry.name] = [st.st_size, st.st_mtime_ns]
    return dict(sorted(out.items()))


def _relisted(listing: dict[str, list[int]], output: Path,
              touched: list[str]) -> dict[str, list[int]]:
    """``listing`` after an update that wrote or removed only ``touched``."""
    out = dict(listing)
    for rel in touched:
        try:
            st = os.lstat(output / rel)
        except OSError:
            out.pop(rel, None)
            continue
        out[rel] = [st.st_size, st.st_mtime_ns]
    return dict(sorted(out.items()))


def build(config: Config, progress: Progress = _quiet, *, jobs: int | None = None,
          executor: Executor | None = None, use_cache: bool = True) -> BuildResult:
    """Build the site described by ``config`` into its output folder."""
    with collection_paused():
        return _build(config, progress, jobs, executor, use_cache)


def _build(config: Config, progress: Progress, jobs: int | None, executor: Executor | None,
           use_cache: bool) -> BuildResult:
    timings: dict[str, float] = {}
    output = config.resolve(config.output)
    protected = [config.root / "digest.toml", config.resolve(config.pages),
                 config.resolve(config.templates), *(config.resolve(a) for a in config.articles)]
    try:
        from . import write as write_stage

        write_stage.check_output(output, protected)
    except write_stage.OutputError as exc:
        raise BuildError(str(exc)) from None
    inputs: list[Any] = []
    state_path = cache_folder(config) / "site.json"
    compiled = cache_folder(config) / "templates" if use_cache else None
    seen: dict[str, Any] = {}

    def look(changed: bool) -> None:
        """The last build's saved state and the output folder as it is now (nothing
        writes it before this build does, so this is done while the stories are);
        and, when articles changed (the site will be rendered), the templates
        compiled now rather than in the render stage, which this process starts alone
        (importing Jinja2 and compiling the theme: 0.05-0.1 s)."""
        if changed:
            from . import render as render_stage

            # A template that does not compile fails the render stage, which reports it.
            with contextlib.suppress(Exception):
                render_stage.prepare(config, compiled)
        seen["state"] = None
        if use_cache:
            with contextlib.suppress(OSError, ValueError):
                seen["state"] = json.loads(state_path.read_text(encoding="utf-8"))
        seen["listing"] = _listing(output)

    digest = process(config, progress, timings, jobs=jobs, executor=executor,
                     use_cache=use_cache, inputs=inputs, meanwhile=look)

    t = time.perf_counter()
    site_key = _site_key(config, digest)
    fingerprint = _fingerprint(site_key, inputs)
    state: Any = seen["state"]  # process() called look() once, whatever the stages did
    listing: dict[str, list[int]] = seen["listing"]
    # The output folder is exactly as the last build left it (same files, sizes, times).
    intact = (isinstance(state, dict) and state.get("output") == str(output)
              and state.get("files") == listing)
    if intact and state.get("fingerprint") == fingerprint:
        count = len(state["files"])
        progress("render+write: skipped, nothing changed since the last build")
    else:
        from . import render as render_stage

        previous = state.get("pages") if intact else None
        article_keys, stories_keys = inputs[0], zip(inputs[1], inputs[2], strict=True)
        reuse = render_stage.Reuse(
            site_key, stories={s[0]: k for s, k in stories_keys},
            articles=dict(article_keys),
            previous=previous if isinstance(previous, dict) else {},
            json_texts=_Texts(cache_folder(config) / "results", "story-json")
            if use_cache else None,
            search_words=_Texts(cache_folder(config) / "results", "search-words")
            if use_cache else None,
            compiled=compiled, output=output if listing else None)
        files = render_stage.render(digest, config, reuse if use_cache else None,
                                    jobs=jobs or default_jobs())
        for texts in (reuse.json_texts, reuse.search_words):
            if isinstance(texts, _Texts) and use_cache:
                texts.save()
        timings["render"] = time.perf_counter() - t
        progress(f"render: {timings['render']:.2f}s ({len(files) + len(reuse.same)} files, "
                 f"{len(reuse.kept)} pages unchanged)")
        t = time.perf_counter()
        # Without a saved state, an existing site of plain files is still updated in
        # place (only changed files written, stale ones removed): replacing the whole
        # folder makes and removes a folder per page, slow on some file systems.
        present = None if intact and use_cache else write_stage.in_place(files, output)
        try:
            # The pages render found the same in the output folder are kept as well.
            if intact and use_cache:
                stats = write_stage.update(files, reuse.kept | reuse.same, output, listing)
            elif present is not None:
                stats = write_stage.update(files, reuse.same, output, present, prune=True)
            else:
                stats = write_stage.publish(files, output, threads=jobs or default_jobs(),
                                            same=reuse.same)
        except write_stage.OutputError as exc:
            raise BuildError(str(exc)) from None
        count = stats.files
        timings["write"] = time.perf_counter() - t
        progress(f"write: {timings['write']:.2f}s ({stats.written} written, "
                 f"{stats.unchanged} unchanged)")
        if use_cache:
            # After an update, only the files it wrote or removed differ from the listing.
            updated = intact or present is not None
            after = (_relisted(listing, output, stats.touched) if updated
                     else stats.listing if stats.listing is not None else _listing(output))
            _save_state(state_path, {"fingerprint": fingerprint, "output": str(output),
                                     "files": after, "pages": reuse.keys})
        else:  # this output no longer matches its saved state (another output's stays)
            try:
                saved = json.loads(state_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = None
            if not isinstance(saved, dict) or saved.get("output") == str(output):
                state_path.unlink(missing_ok=True)
    report = write_report(config, digest)
    return BuildResult(output=output, digest=digest, files=count, report_path=report,
                       timings=timings)


def _save_state(path: Path, state: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


def write_report(config: Config, digest: Digest) -> Path | None:
    """The build report (problems met), beside the site in ``.digest-cache/``."""
    folder = cache_folder(config)
    data = {
        "stories": len(digest.stories),
        "articles": len(digest.articles),
        "problems": [{"path": p.path, "reason": p.reason, "severity": p.severity}
                     for p in digest.problems],
    }
    try:
        folder.mkdir(exist_ok=True)
        path = folder / "build-report.json"
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError:
        return None
    return path

