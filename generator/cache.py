"""A small on-disk cache of JSON values, keyed by content hash.

``Cache(folder)`` stores each value as ``<folder>/<key[:2]>/<key>.json``. Keys
come from :meth:`Cache.key`: the sha256 of the JSON form of whatever identifies
a result (code version, options, input), so a changed input, option or code
gives a new key and stale entries are simply never read again. Unreadable or
corrupt entries count as misses; a folder that cannot be written only means
nothing is cached. Writes go through a temporary file and a rename, so a reader
never sees half an entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


class Cache:
    """Get and put JSON values under content-hash keys in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._root = os.fspath(folder)
        self._folders: set[Path] = set()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(*parts: Any) -> str:
        """sha256 hex digest of the parts' canonical JSON (sorted keys, no spaces)."""
        data = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Any | None:
        """The stored value, or None when absent, unreadable or corrupt."""
        # Plain strings, not Path objects: a rebuild reads thousands of entries.
        try:
            with open(os.path.join(self._root, key[:2], key + ".json"), "rb") as f:
                value = json.loads(f.read().decode("utf-8"))
        except (OSError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable value; failures to write are ignored."""
        path = self._path(key)
        try:
            if path.parent not in self._folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._folders.add(path.parent)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
            try:
                # json.dumps, not json.dump: only the one-shot form uses the C encoder.
                text = json.dumps(value, ensure_ascii=False, sort_keys=True)
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    f.write(text)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except (OSError, TypeError, ValueError):
            return


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
