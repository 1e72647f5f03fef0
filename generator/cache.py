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
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
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
