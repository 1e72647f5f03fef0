"""A worker process started before it is needed, so its imports overlap the build's work.

A rebuild after one article changed summarises and compares one story. The work takes
milliseconds; importing what it needs (sumy, which loads NLTK, numpy, the compare
stage's tables) takes about 0.4 s. :class:`WarmWorker` forks a process that makes
those imports while the build's own process loads, cleans and clusters; the story is
then sent to it and its result comes back pickled. It is a
``concurrent.futures.Executor``, so the build hands it work like any other executor.

Nothing depends on the worker for correctness: a task that raises re-raises here, and
if the worker is gone (killed, failed to start) the task runs in this process instead.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

T = TypeVar("T")

WORKER_NICE = 5
"""How much lower the worker's scheduling priority is than its parent's (``os.nice``)."""


class WarmWorker(Executor):
    """One forked worker process that first runs ``warm`` (its imports), then runs the
    tasks sent to it one at a time, in order. POSIX only (it forks)."""

    def __init__(self, warm: Callable[[], object]) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, warm), daemon=True,
                                        name="digest-warm-worker")
        # Objects made so far stay out of garbage collection until shutdown, so neither
        # process's collector writes to them: their memory pages stay shared instead
        # of being copied on the next collection (see gc.freeze).
        gc.freeze()
        self._frozen = True
        self._process.start()
        child.close()
        self._alive = True
        self.sent = 0
        """Tasks the worker ran (the rest, if any, ran in this process)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` in the worker and wait for it; the returned future
        is already done (its result, or the exception the call raised)."""
        future: Future[T] = Future()
        if self._alive:
            try:
                self._conn.send((fn, args, kwargs))
                ok, value = self._conn.recv()
            except (OSError, EOFError):  # the worker is gone: run it here instead
                self._alive = False
            else:
                self.sent += 1
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
                return future
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Tell the worker to exit and reap it (killed if it does not exit in time)."""
        if self._alive:
            with contextlib.suppress(OSError):
                self._conn.send(None)
            self._alive = False
        self._conn.close()
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
        self._process.join(timeout=5.0 if wait else 0.0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _serve(conn: Connection, warm: Callable[[], object]) -> None:
    """The worker's loop: warm up, then run tasks until told to stop or the pipe closes.

    The worker runs at a lower priority: its warm-up is work ahead of need, which should
    not slow the process that forked it when the machine has no core to spare."""
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)
    with contextlib.suppress(Exception):  # a task that needs what failed raises it again
        warm()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        fn, args, kwargs = task
        try:
            reply: tuple[bool, Any] = (True, fn(*args, **kwargs))
        except Exception as exc:  # re-raised by the caller
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # e.g. an exception that does not pickle
            conn.send((False, RuntimeError(f"warm worker: {type(exc).__name__}: {exc}")))
