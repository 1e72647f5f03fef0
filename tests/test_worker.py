"""The warm worker: a forked process that imports first and runs tasks on request."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from generator.worker import WarmWorker

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the warm worker forks (POSIX)")

WARMED: list[str] = []


def _warm() -> None:
    WARMED.append("warm")


def _where(tag: str) -> tuple[int, str, list[str]]:
    return os.getpid(), tag, list(WARMED)


def _fail(message: str) -> None:
    raise ValueError(message)


def test_tasks_run_in_the_worker_after_its_warm_up() -> None:
    WARMED.clear()
    worker = WarmWorker(_warm)
    try:
        pid, tag, warmed = worker.submit(_where, "a").result()
        assert pid != os.getpid() and pid == worker._process.pid
        assert (tag, warmed) == ("a", ["warm"])
        assert WARMED == []  # the warm-up ran in the worker, not here
        assert worker.submit(_where, "b").result()[:2] == (pid, "b")
        assert worker.sent == 2
    finally:
        worker.shutdown()
    assert not worker._process.is_alive()


def test_an_error_in_a_task_reaches_the_caller() -> None:
    worker = WarmWorker(_warm)
    try:
        future = worker.submit(_fail, "bad story")
        with pytest.raises(ValueError, match="bad story"):
            future.result()
        assert worker.submit(_where, "after").result()[1] == "after"  # still serving
    finally:
        worker.shutdown()


def test_a_lost_worker_means_the_task_runs_here() -> None:
    worker = WarmWorker(_warm)
    assert worker._process.pid is not None
    os.kill(worker._process.pid, signal.SIGKILL)
    worker._process.join(timeout=10)
    pid, tag, _ = worker.submit(_where, "here").result()
    assert (pid, tag) == (os.getpid(), "here")
    assert worker.sent == 0
    worker.shutdown()


def test_shutdown_kills_a_worker_that_does_not_stop() -> None:
    worker = WarmWorker(lambda: time.sleep(60))  # never reaches its loop in time
    started = time.monotonic()
    worker.shutdown(wait=False)
    assert not worker._process.is_alive()
    assert time.monotonic() - started < 10


def test_the_build_starts_no_worker_beside_other_threads() -> None:
    from generator.build import early_workers
    from generator.config import Config

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert early_workers(Config(), 1, 2) is None
        assert early_workers(Config(), 500, 2) is None
    finally:
        stop.set()
        other.join()


def test_early_workers_by_how_many_articles_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    from generator.build import PARALLEL_MIN, early_workers
    from generator.config import Config

    monkeypatch.setattr(threading, "active_count", lambda: 1)  # whatever else pytest runs
    assert early_workers(Config(), 0, 2) is None  # nothing changed
    assert early_workers(Config(), 5, 1) is None  # one job: no worker
    assert early_workers(Config(), PARALLEL_MIN, 2) is None  # many: the pool comes later
    one = early_workers(Config(), PARALLEL_MIN - 1, 2)
    try:
        assert isinstance(one, WarmWorker)
        assert one.submit(os.getpid).result() != os.getpid()
    finally:
        assert one is not None
        one.shutdown()
