"""The preview's WSGI application: serves the in-memory site under its base path.

Only files of the current build are served: request paths are matched against
the rendered file map, never joined to a folder on disk, so ``..``, encoded
traversal, absolute paths and symlinks cannot reach anything else (they are
refused with 403 or 404 before any lookup). HTML pages get a small reload script
before ``</body>``; it long-polls ``<base>__digest__/poll`` on its own origin and
reloads the tab when the page it shows (its bytes, the stylesheets, or the build
error) changed. While the last build failed, every HTML page shows the error over
the last good site.
"""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from .state import Failure, SiteState, Snapshot

StartResponse = Callable[..., Any]
Environ = dict[str, Any]

POLL_PATH = "__digest__/poll"
POLL_TIMEOUT = 25.0
"""Seconds a reload poll is held open when nothing changes."""
REQUEST_WAIT = 30.0
"""Seconds a page request waits for a change being built before serving the last build."""

TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".json": "application/json",
         ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
         ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json"}

RELOAD_SCRIPT = """<script id="digest-live-reload">
/* digest serve: reloads this tab when its page is rebuilt (not in digest build output) */
(function () {
  var poll = %(poll)s, page = %(page)s, token = %(token)s, generation = %(generation)d;
  function again(delay) { setTimeout(check, delay); }
  function check() {
    var url = poll + "?page=" + encodeURIComponent(page) + "&token=" + token +
      "&generation=" + generation;
    fetch(url, {cache: "no-store"}).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (data) {
      if (data.reload) { location.reload(); return; }
      generation = data.generation;
      again(0);
    }).catch(function () { again(1000); });
  }
  again(0);
})();
</script>
"""

OVERLAY = """<div id="digest-build-error" role="alert" style="position:fixed;inset:0 0 auto 0;\
z-index:2147483647;max-height:60vh;overflow:auto;margin:0;padding:1em 1.5em;\
background:#7f1d1d;color:#fff;font:15px/1.5 system-ui,sans-serif;\
box-shadow:0 2px 12px rgba(0,0,0,.4)">
<strong>digest: the last build failed</strong> \
<span style="opacity:.8">(showing the last good site; this page reloads when it is fixed)</span>
<pre style="white-space:pre-wrap;margin:.5em 0 0;font:14px/1.4 ui-monospace,monospace">\
%(where)s%(message)s</pre>
</div>
"""

NO_SITE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>digest: build failed</title></head>
<body><h1>No site yet</h1><p>The site has not been built successfully yet.</p>
</body></html>
"""


def js_string(value: str) -> str:
    """A JavaScript string literal safe inside a <script> element."""
    return (json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def reload_script(base_path: str, page: str, snapshot: Snapshot) -> bytes:
    values = {"poll": js_string(base_path + POLL_PATH), "page": js_string(page),
              "token": js_string(snapshot.token(page)), "generation": snapshot.generation}
    return (RELOAD_SCRIPT % values).encode("utf-8")


def overlay(error: Failure) -> bytes:
    where = ""
    if error.file:
        where = error.file + (f", line {error.line}" if error.line else "") + "\n"
    return (OVERLAY % {"where": html.escape(where), "message": html.escape(error.message)}) \
        .encode("utf-8")


def inject(page_html: bytes, extra: bytes) -> bytes:
    """``extra`` inserted before the last ``</body>`` (appended when there is none)."""
    index = page_html.lower().rfind(b"</body>")
    if index < 0:
        return page_html + extra
    return page_html[:index] + extra + page_html[index:]


class Refused(Exception):
    """A request path that would leave the site root."""


def site_key(path: str, base_path: str) -> str | None:
    """The site file key for a decoded request path, or None when outside the base path.

    Raises :class:`Refused` for traversal (``..``/``.`` segments, backslashes,
    NUL bytes, empty segments such as ``//etc``). ``""`` means the site root.
    """
    if not path.startswith(base_path):
        return None
    rel = path[len(base_path):]
    if "\\" in rel or "\x00" in rel:
        raise Refused(path)
    if rel == "":
        return ""
    parts = rel.split("/")
    inner = parts[:-1] if parts[-1] == "" else parts
    if any(part in ("", ".", "..") for part in inner):
        raise Refused(path)
    return rel


def content_type(key: str) -> str:
    dot = key.rfind(".")
    suffix = key[dot:].lower() if dot > key.rfind("/") else ""
    if suffix in TYPES:
        return TYPES[suffix]
    guess, _ = mimetypes.guess_type(key)
    return guess or "application/octet-stream"


class PreviewApp:
    """WSGI application over a :class:`SiteState` (testable without a socket)."""

    def __init__(self, state: SiteState, base_path: Callable[[], str]) -> None:
        self.state = state
        self.base_path = base_path

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status, headers, body = self.respond(environ)
        headers = [*headers, ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store")]
        start_response(status, headers)
        return [] if environ.get("REQUEST_METHOD") == "HEAD" else [body]

    def respond(self, environ: Environ) -> tuple[str, list[tuple[str, str]], bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", [("Allow", "GET, HEAD"),
                                              ("Content-Type", TYPES[".txt"])], b"GET only\n"
        raw = environ.get("PATH_INFO", "/") or "/"
        # WSGI gives the percent-decoded path as latin-1 characters: back to UTF-8.
        try:
            path = raw.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return self._refused()
        if "%" in path and any(seq in path.lower() for seq in ("%2e", "%2f", "%5c", "%00")):
            return self._refused()  # double-encoded traversal: never decoded twice, refused
        base = self.base_path()
        if path == base.rstrip("/"):
            return "301 Moved Permanently", [("Location", base)], b""
        try:
            key = site_key(path, base)
        except Refused:
            return self._refused()
        if key is None:
            text = f"Not found. The site is served under {base}\n".encode()
            return "404 Not Found", [("Content-Type", TYPES[".txt"])], text
        if key == POLL_PATH:
            return self._poll(environ)
        snapshot = self.state.current(wait=REQUEST_WAIT)
        if not snapshot.files:
            page = NO_SITE.encode("utf-8")
            body = self._decorate(page, key or "index.html", snapshot, base)
            return "503 Service Unavailable", [("Content-Type", TYPES[".html"])], body
        lookup = key + "index.html" if key == "" or key.endswith("/") else key
        data = snapshot.files.get(lookup)
        if data is None and not key.endswith("/") and key + "/index.html" in snapshot.files:
            return "301 Moved Permanently", [("Location", base + key + "/")], b""
        status = "200 OK"
        if data is None:
            status, data = "404 Not Found", snapshot.files.get("404.html", b"Not found\n")
            served = "404.html" if "404.html" in snapshot.files else lookup
            ctype = TYPES[".html"] if served == "404.html" else TYPES[".txt"]
            # The tab is keyed by the path it asked for, so it reloads when that appears.
            if served == "404.html":
                data = self._decorate(data, lookup, snapshot, base)
            return status, [("Content-Type", ctype)], data
        ctype = content_type(lookup)
        if lookup.endswith((".html", ".htm")):
            data = self._decorate(data, lookup, snapshot, base)
        return status, [("Content-Type", ctype)], data

    def _decorate(self, page: bytes, key: str, snapshot: Snapshot, base: str) -> bytes:
        extra = reload_script(base, key, snapshot)
        if snapshot.error is not None:
            extra = overlay(snapshot.error) + extra
        return inject(page, extra)

    def _poll(self, environ: Environ) -> tuple[str, list[tuple[str, str]], bytes]:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        page = query.get("page", [""])[0]
        token = query.get("token", [""])[0]
        try:
            generation = int(query.get("generation", ["0"])[0])
        except ValueError:
            generation = 0
        snapshot = self.state.wait_newer(generation, POLL_TIMEOUT)
        reload = snapshot.generation > generation and snapshot.token(page) != token
        payload = {"generation": snapshot.generation, "reload": reload}
        return "200 OK", [("Content-Type", TYPES[".json"])], json.dumps(payload).encode()

    @staticmethod
    def _refused() -> tuple[str, list[tuple[str, str]], bytes]:
        return "403 Forbidden", [("Content-Type", TYPES[".txt"])], b"Forbidden\n"
