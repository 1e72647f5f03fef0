"""The build cache's key-value store (one SQLite file) and its packed files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from generator.cache import DB_NAME, Cache


def test_values_persist_between_instances(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    key = Cache.key("v", {"a": 1})
    cache.put(key, {"text": "é", "n": [1, 2.5, None, True]})
    cache.put(Cache.key("other"), "x")
    cache.close()
    again = Cache(tmp_path)
    assert again.get(key) == {"text": "é", "n": [1, 2.5, None, True]}
    assert again.get(Cache.key("absent")) is None
    assert (again.hits, again.misses) == (1, 1)
    assert not again.replaced
    assert sorted(p.name for p in tmp_path.iterdir()) == [DB_NAME]  # one file, no journal


def test_put_replaces_and_unserialisable_values_are_skipped(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.put("k", [1])
    cache.put("k", [2])
    cache.put("bad", {1, 2})  # not JSON: ignored
    assert cache.get("k") == [2]
    assert cache.get("bad") is None


def test_a_damaged_database_is_replaced_by_an_empty_one(tmp_path: Path) -> None:
    (tmp_path / DB_NAME).write_bytes(b"\x00garbage, not SQLite" * 500)
    cache = Cache(tmp_path)
    assert cache.replaced
    assert cache.get("k") is None
    cache.put("k", "v")
    cache.close()
    assert Cache(tmp_path).get("k") == "v"


def test_an_unusable_folder_means_nothing_is_cached(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the folder should be")
    cache = Cache(blocked / "cache")
    cache.put("k", "v")  # no error
    assert cache.get("k") is None


def test_threads_share_one_cache(tmp_path: Path) -> None:
    cache = Cache(tmp_path)

    def work(n: int) -> None:
        for i in range(50):
            cache.put(f"{n}-{i}", i)
            assert cache.get(f"{n}-{i}") == i

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.hits == 200
    cache.commit()
    assert Cache(tmp_path).get("3-49") == 49


def test_values_are_written_in_batches(tmp_path: Path) -> None:
    from generator import cache as cache_module

    cache = Cache(tmp_path)
    cache.put("a", 1)
    assert cache.get("a") == 1  # this cache sees it at once
    assert Cache(tmp_path).get("a") is None  # the file has it after a commit
    cache.commit()
    assert Cache(tmp_path).get("a") == 1
    for i in range(cache_module.BATCH):
        cache.put(f"n{i}", i)
    assert Cache(tmp_path).get(f"n{cache_module.BATCH - 1}") == cache_module.BATCH - 1
    cache.close()
    assert cache.get("a") is None  # closed: misses, stores nothing


def test_a_cache_another_process_holds_is_read_but_not_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3
    import time

    from generator import cache as cache_module

    monkeypatch.setattr(cache_module, "LOCK_WAIT", 0.2)
    Cache(tmp_path).close()
    other = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another build writing
    try:
        started = time.monotonic()
        cache = Cache(tmp_path)  # waits for the lock, then does without a cache
        cache.put("a", 1)
        assert cache.get("a") is None
        assert time.monotonic() - started < 20
        assert not cache.replaced
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert (tmp_path / DB_NAME).is_file()  # a locked database is not a damaged one
    writer = Cache(tmp_path)
    writer.put("a", 1)
    other = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    try:
        reader = Cache(tmp_path)  # another build, while this one has a batch open
        started = time.monotonic()
        reader.put("b", 2)  # waits for the lock once, then gives up writing
        reader.put("c", 3)
        assert reader._read_only and time.monotonic() - started < 20
    finally:
        other.close()
        writer.close()
