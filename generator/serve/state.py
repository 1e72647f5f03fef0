"""The site the preview serves: complete snapshots swapped in one step.

A :class:`Snapshot` is one finished build (every file of the site in memory) or
one failed build (the error, plus the last good files). :class:`SiteState`
holds the current snapshot and a generation counter under a condition
variable: requests read a whole snapshot at once, so a half-built site is
never served, and reload polls wait on the condition for a newer generation.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Failure:
    """Why the last build failed, for the error overlay: file, line and message."""

    message: str
    file: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if where and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message


@dataclass
class Snapshot:
    """One published state of the site (immutable once published)."""

    files: dict[str, bytes]
    generation: int
    error: Failure | None = None
    exact: bool = True
    """False when only the pages of edited articles were rebuilt (a full build follows)."""
    _hashes: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def digest_of(self, key: str) -> str:
        """Hash of one file's bytes (cached); ``-`` for a missing file."""
        with self._lock:
            cached = self._hashes.get(key)
            if cached is None:
                data = self.files.get(key)
                cached = "-" if data is None else hashlib.sha1(data).hexdigest()
                self._hashes[key] = cached
            return cached

    def assets_digest(self) -> str:
        """Hash of every non-HTML asset a page may use (stylesheets, scripts)."""
        with self._lock:
            cached = self._hashes.get("\0assets")
        if cached is None:
            h = hashlib.sha1()
            for key in sorted(self.files):
                if key.startswith("static/"):
                    h.update(key.encode("utf-8") + b"\0" + self.files[key] + b"\0")
            cached = h.hexdigest()
            with self._lock:
                self._hashes["\0assets"] = cached
        return cached

    def token(self, key: str) -> str:
        """What a tab showing ``key`` depends on: its bytes, the assets and the error."""
        h = hashlib.sha1()
        h.update(self.digest_of(key).encode("ascii"))
        h.update(self.assets_digest().encode("ascii"))
        h.update(str(self.error or "").encode("utf-8"))
        return h.hexdigest()[:20]


class SiteState:
    """The current snapshot, a generation counter and the changes not yet built."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.snapshot = Snapshot(files={}, generation=0,
                                 error=Failure("the site is being built"))
        self.pending = 0
        """Change batches seen by the watcher and not yet published."""
        self.closed = False

    @property
    def generation(self) -> int:
        with self.cond:
            return self.snapshot.generation

    def publish(self, files: dict[str, bytes] | None, error: Failure | None = None,
                *, exact: bool = True, settled: int = 0) -> Snapshot:
        """Make a new snapshot visible; ``files=None`` keeps the last good files.

        ``settled`` is the number of pending change batches this build covers.
        """
        with self.cond:
            previous = self.snapshot
            snap = Snapshot(files=previous.files if files is None else files,
                            generation=previous.generation + 1, error=error, exact=exact)
            self.snapshot = snap
            self.pending = max(0, self.pending - settled)
            self.cond.notify_all()
            return snap

    def changed(self) -> None:
        """The watcher saw a change: page requests wait until it is built."""
        with self.cond:
            self.pending += 1
            self.cond.notify_all()

    def current(self, wait: float = 0.0) -> Snapshot:
        """The current snapshot, waiting up to ``wait`` seconds for pending changes."""
        deadline = time.monotonic() + wait
        with self.cond:
            while self.pending and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.snapshot

    def wait_newer(self, generation: int, timeout: float) -> Snapshot:
        """The first snapshot newer than ``generation`` (or the current one on timeout)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.snapshot.generation <= generation and not self.closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return self.snapshot

    def close(self) -> None:
        """Wake every waiting request and thread: the server is stopping."""
        with self.cond:
            self.closed = True
            self.cond.notify_all()
