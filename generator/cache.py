"""A small on-disk cache of JSON values, keyed by content hash.

``Cache(folder)`` keeps its values in one SQLite file, ``<folder>/entries.sqlite``
(a table of key and JSON text). Keys come from :meth:`Cache.key`: the sha256 of
the JSON form of whatever identifies a result (code version, options, input), so a
changed input, option or code gives a new key and stale entries are simply never
read again. One file, not one per entry: a cold build stores thousands of results,
and making as many small files cost 0.4-0.9 s of a build on this project's machine
(the reason mypy offers an SQLite cache too). Writes are not synced to disk, as
befits a cache: a power cut may lose or damage it, never the site. An unreadable
entry is a miss; a file that is not a readable database is replaced by an empty
one (:attr:`Cache.replaced` says so); a folder that cannot be written only means
nothing is cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

DB_NAME = "entries.sqlite"
BATCH = 2000
"""Values put before they are written to the file in one transaction."""
LOCK_WAIT = 5.0
"""Seconds to wait for a database another build holds before doing without it."""


class Cache:
    """Get and put JSON values under content-hash keys in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self.replaced = False
        """The folder held a damaged or foreign database, replaced by an empty one."""
        self._lock = threading.Lock()  # one connection, shared by a build's threads
        self._pending = 0
        self._read_only = False  # after a write failed (another build holds the file)
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        path = self.folder / DB_NAME
        for _ in range(2):
            db = None
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                # Transactions opened explicitly (put() batches, commit() ends them), the
                # journal in memory and no syncing: no extra files per write, and a cache
                # needs no durability.
                db = sqlite3.connect(path, timeout=LOCK_WAIT, isolation_level=None,
                                     check_same_thread=False)
                db.execute("PRAGMA journal_mode=MEMORY")
                db.execute("PRAGMA synchronous=OFF")
                db.execute("CREATE TABLE IF NOT EXISTS entries "
                           "(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
                db.execute("SELECT count(*) FROM entries WHERE key = ''").fetchone()
                return db
            except sqlite3.OperationalError:  # locked by another build past the timeout
                if db is not None:
                    db.close()
                break
            except sqlite3.DatabaseError:  # not a database, or a damaged one: start afresh
                if db is not None:
                    db.close()
                self.replaced = True
                for suffix in ("", "-journal", "-wal", "-shm"):
                    with contextlib.suppress(OSError):
                        os.unlink(f"{path}{suffix}")
            except (OSError, sqlite3.Error):
                break
        return None

    def empty(self) -> bool:
        """Whether the cache holds no entry (a first build, or one after the cache was
        deleted or replaced, or one that cannot open it): every lookup will miss."""
        with self._lock:
            try:
                return (self._db is None or self._db.execute(
                    "SELECT 1 FROM entries LIMIT 1").fetchone() is None)
            except sqlite3.Error:
                return True

    @staticmethod
    def key(*parts: Any) -> str:
        """sha256 hex digest of the parts' canonical JSON (sorted keys, no spaces)."""
        data = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Any | None:
        """The stored value, or None when absent, unreadable or corrupt."""
        with self._lock:
            try:
                if self._db is None:
                    raise sqlite3.OperationalError("no database")
                row = self._db.execute("SELECT value FROM entries WHERE key = ?",
                                       (key,)).fetchone()
                if row is None or not isinstance(row[0], str):
                    raise ValueError("absent")
                value = json.loads(row[0])
            except (sqlite3.Error, ValueError):
                self.misses += 1
                return None
            self.hits += 1
            return value

    def put(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value; failures to write are ignored. Values are
        written in batches: they are in the file after :meth:`commit` or
        :meth:`close` (or every :data:`BATCH` values); until then this cache's own
        :meth:`get` sees them already."""
        try:
            # json.dumps, not json.dump: only the one-shot form uses the C encoder.
            text = json.dumps(value, ensure_ascii=False, sort_keys=True)
            with self._lock:
                if self._db is None or self._read_only:
                    return
                if not self._db.in_transaction:
                    self._db.execute("BEGIN")
                self._db.execute("INSERT OR REPLACE INTO entries (key, value) "
                                 "VALUES (?, ?)", (key, text))
                self._pending += 1
                if self._pending >= BATCH:
                    self._commit()
        except sqlite3.OperationalError:  # e.g. another build holds the file: stop trying
            self._read_only = True
        except (sqlite3.Error, TypeError, ValueError):
            return

    def commit(self) -> None:
        """Write the values put so far to the file."""
        with self._lock:
            self._commit()

    def _commit(self) -> None:
        self._pending = 0
        if self._db is not None and self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")

    def close(self) -> None:
        """Commit and close; the cache then misses every lookup and stores nothing."""
        with self._lock:
            self._commit()
            if self._db is not None:
                self._db.close()
                self._db = None


class Packed:
    """Many small JSON values in one file (``<folder>/<name>.json``), read at once.

    For results looked up per article on every build (reading one file is far
    cheaper than thousands). Entries neither read nor written by a build are
    dropped when it saves, so the file holds one build's worth. A missing or
    corrupt file reads as empty: every lookup is a miss.
    """

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / f"{name}.json"
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = None
        self._old: dict[str, Any] = data if isinstance(data, dict) else {}
        self._used: dict[str, Any] = {}
        self._changed = False

    def get(self, key: str) -> Any | None:
        value = self._old.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: str, value: Any) -> None:
        self._used[key] = value
        self._changed = True

    def save(self) -> None:
        """Write the entries used by this build, if any changed; failures are ignored."""
        if not self._changed and len(self._used) == len(self._old):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(self._used, ensure_ascii=False, separators=(",", ":")),
                           encoding="utf-8")
            os.replace(tmp, self.path)
        except (OSError, TypeError, ValueError):
            return
