"""``digest serve``: a live preview that rebuilds on change and reloads open tabs.

Threads, all joined by :meth:`PreviewServer.shutdown`:

- the HTTP server (one short-lived thread per request, see :mod:`.app`);
- the watchdog observer, which only records changes (see :mod:`.watch`);
- the quick builder, which waits for a burst of changes to settle (debounce),
  rebuilds the edited articles' pages and publishes them;
- the full builder, which then runs the whole pipeline and publishes the exact
  site; it is abandoned between stages when newer changes arrive.

Every build goes into memory and is published as one snapshot, so a request
sees either the previous site or the new one, never a mix of files. A failed
build publishes its error (shown over the last good site) and keeps the last
good files.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from ..config import Config
from .app import PreviewApp
from .builder import Builder, Cancelled, Result, failure, input_folders
from .state import Failure, SiteState
from .watch import ChangeHandler, Watch, is_inotify, make_observer, watches

__all__ = ["DEBOUNCE", "PreviewServer", "serve"]

DEBOUNCE = 0.03
"""Seconds without further events before a burst of changes is built."""
MAX_DELAY = 1.0
"""A steady stream of events is built at least this often."""

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins every request thread
    allow_reuse_address = True


class PreviewServer:
    """The preview: build, serve, watch, rebuild. ``start()`` then ``shutdown()``."""

    def __init__(self, read_config: Callable[[], Config], host: str = "127.0.0.1",
                 port: int = 8000, poll: float | None = None, log: Log = _stderr) -> None:
        self.read_config = read_config
        self.log = log
        self.state = SiteState()
        self.builder = Builder(read_config)
        self.config = read_config()
        self.app = PreviewApp(self.state, lambda: self.config.base_path)
        self.httpd = _Server((host, port), _Handler)
        self.httpd.set_app(self.app)
        self.observer = make_observer(poll)
        self.inotify = is_inotify(self.observer)
        self._watched: list[Watch] = []
        self._changes: set[Path] = set()
        self._events = 0
        self._last_event = 0.0
        self._first_event = 0.0
        self._full_wanted = False
        self._full_running = False
        self._seq = 0  # bumped by every change the watcher reports
        self._cond = threading.Condition()
        self._publishing = threading.Lock()
        self._rewatching = threading.Lock()
        """Held to publish, so a full build's "still current?" check and its publish are one
        step: a full build that read the files before an edit never hides its quick rebuild."""
        self._closing = False
        self._threads: list[threading.Thread] = []
        self.builds: list[tuple[str, float]] = []
        """(kind, seconds) of each build, newest last (for tests and benchmarks)."""

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.httpd.server_address[0])
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.port}{self.config.base_path}"

    # -- life cycle ---------------------------------------------------------

    def start(self) -> None:
        """First build (synchronous), then serve, watch and rebuild in threads."""
        self._full_build(initial=True)
        self._rewatch(self.config)
        self.observer.start()
        for name, target in (("digest-serve-http", self.httpd.serve_forever),
                             ("digest-serve-quick", self._quick_loop),
                             ("digest-serve-full", self._full_loop)):
            # Builders are daemons: a full build busy inside one long stage when Ctrl-C
            # comes must not keep the process alive; shutdown() still joins them.
            thread = threading.Thread(target=target, name=name,
                                      daemon=name != "digest-serve-http")
            thread.start()
            self._threads.append(thread)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop everything and join every thread this server started."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self.state.close()
        with self._rewatching:
            self.observer.stop()
        if self._threads:
            self.httpd.shutdown()
        self.httpd.server_close()
        if self.observer.is_alive():
            self.observer.join(timeout)
        for thread in self._threads:
            thread.join(timeout)

    def threads_alive(self) -> list[str]:
        alive = [t.name for t in self._threads if t.is_alive()]
        return alive + (["observer"] if self.observer.is_alive() else [])

    # -- watching -----------------------------------------------------------

    def _rewatch(self, config: Config) -> None:
        wanted = watches(config.source, input_folders(config))
        # Not under self._cond: watchdog holds its own lock while it calls _changed().
        with self._rewatching:
            if wanted == self._watched or self._closing:
                return
            self.observer.unschedule_all()
            for watch in wanted:
                handler = ChangeHandler(watch, self._changed, self.inotify)
                try:
                    self.observer.schedule(handler, str(watch.folder),
                                           recursive=watch.recursive)
                except OSError as exc:  # removed meanwhile, or the watch limit reached
                    self.log(f"cannot watch {watch.folder}: {exc.strerror or exc}")
            self._watched = wanted

    def _changed(self, path: Path) -> None:
        now = time.monotonic()
        with self._cond:
            if not self._changes:
                self._first_event = now
            self._changes.add(path)
            self._events += 1
            self._seq += 1
            self._last_event = now
            self._cond.notify_all()
        self.state.changed()

    # -- building -----------------------------------------------------------

    def _quick_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._changes) or self._closing)
                if self._closing:
                    return
                while not self._closing:
                    now = time.monotonic()
                    quiet = self._last_event + DEBOUNCE - now
                    limit = self._first_event + MAX_DELAY - now
                    left = min(quiet, limit)
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._closing:
                    return
                changes, self._changes = self._changes, set()
                events, self._events = self._events, 0
            started = time.perf_counter()
            result: Result | None = None
            try:
                result = self.builder.quick(changes)
            except Exception as exc:  # any failure: let the full build report it
                self.log(f"quick rebuild failed ({exc!r}); running a full build")
                result = None
            if result is not None:
                with self._publishing:
                    self.state.publish(result.files, exact=False, settled=events)
                self.builds.append(("quick", time.perf_counter() - started))
                self.log(f"rebuilt {len(changes)} edited file(s) in "
                         f"{time.perf_counter() - started:.2f}s; full build follows")
                self._restory()
                with self._cond:
                    self._full_wanted = True
                    self._cond.notify_all()
            else:
                with self._cond:
                    self._full_wanted = True
                    self._settle_with_full += events
                    self._cond.notify_all()

    _settle_with_full = 0

    def _restory(self) -> None:
        """Refresh the edited articles' stories, unless newer edits are waiting."""
        with self._cond:
            if self._changes or self._closing:
                return
        started = time.perf_counter()
        try:
            result = self.builder.restory()
        except Exception as exc:  # the full build that follows reports it
            self.log(f"story refresh failed ({exc!r})")
            return
        if result is not None:
            with self._publishing:
                self.state.publish(result.files, exact=False)
            self.builds.append(("stories", time.perf_counter() - started))

    def _full_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._full_wanted or self._closing)
                if self._closing:
                    return
                self._full_wanted = False
                seq = self._seq
                settle, self._settle_with_full = self._settle_with_full, 0
            self._full_build(seq=seq, settle=settle)

    def _full_build(self, initial: bool = False, seq: int = 0, settle: int = 0) -> None:
        def cancelled() -> bool:
            with self._cond:
                return self._closing or (not initial and self._seq != seq)

        started = time.perf_counter()
        try:
            # Worker processes only for the first build, made before any other thread
            # runs: forking a process whose threads hold locks is unsafe, and a pool busy
            # when Ctrl-C comes would hold the exit up. Rebuilds mostly hit the cache.
            result = self.builder.full(cancelled, jobs=None if initial else 1)
        except Cancelled:
            with self._cond:
                self._settle_with_full += settle
            return
        except Exception as exc:
            error: Failure = failure(exc)
            with self._publishing:
                if cancelled():
                    with self._cond:
                        self._settle_with_full += settle
                    return
                self.state.publish(None, error, settled=settle)
            self.builds.append(("error", time.perf_counter() - started))
            self.log(f"build failed: {error}")
            return
        with self._publishing:
            if cancelled():
                with self._cond:
                    self._settle_with_full += settle
                return
            self.config = result.config
            self.state.publish(result.files, settled=settle)
        self._rewatch(result.config)
        self.builds.append(("full", time.perf_counter() - started))
        stories = len(result.digest.stories)
        self.log(f"built {stories} {'story' if stories == 1 else 'stories'} from "
                 f"{len(result.digest.articles)} articles in "
                 f"{time.perf_counter() - started:.2f}s")


def serve(read_config: Callable[[], Config], host: str = "127.0.0.1", port: int = 8000,
          poll: float | None = None, log: Log = _stderr,
          ready: Callable[[PreviewServer], None] | None = None) -> int:
    """Run the preview until interrupted (Ctrl-C); returns the exit status."""
    server = PreviewServer(read_config, host, port, poll, log)
    try:
        server.start()
        log(f"Serving {server.url} (Ctrl-C to stop)")
        if ready is not None:
            ready(server)
        while not server.state.closed:
            time.sleep(0.2)
    except KeyboardInterrupt:
        log("Stopping.")
    finally:
        # A full build busy inside one long stage (a big site) is a daemon thread:
        # wait for it briefly, then let the process end without it.
        server.shutdown(timeout=2.0)
    return 0
