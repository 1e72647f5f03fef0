"""Shared fixtures. ``browser`` is a real chromium (Debian's, driven by Playwright),
skipped with the reason when chromium or Playwright is missing; ``serve_folder``
serves a folder over HTTP on 127.0.0.1 from a thread.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """Serve ``folder`` at http://127.0.0.1:<free port>; yields that origin (no slash)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def serve_folder() -> Iterator[Callable[[Path], str]]:
    """A function that serves a folder and returns its origin; servers stop after the test."""
    stack: list[Any] = []

    def serve(folder: Path) -> str:
        cm = static_server(folder)
        stack.append(cm)
        return cm.__enter__()

    yield serve
    for cm in reversed(stack):
        cm.__exit__(None, None, None)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless chromium (Playwright ``Browser``); skips when it cannot run here."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} "
                    "(apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need the playwright package (pip install -e '.[test]')")
    with sync_playwright() as p:
        try:
            instance = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:  # the binary exists but cannot start here
            pytest.skip(f"chromium at {CHROMIUM} did not start: {exc}")
        yield instance
        instance.close()
