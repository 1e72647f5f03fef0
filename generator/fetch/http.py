"""A small, polite HTTP client for ``digest fetch`` (standard library only).

Politeness, in one place:

- a clear ``User-Agent`` naming digest and how to reach whoever runs it;
- ``robots.txt`` read once per host and obeyed (``Disallow`` and ``Crawl-delay``);
  401/403 on ``robots.txt`` means "nothing allowed", another 4xx "everything
  allowed", a 5xx or unreachable ``robots.txt`` stops fetching from that host;
- at most ``per_host`` requests in flight to one host (and ``workers`` in total,
  the caller's thread pool);
- conditional requests (``If-None-Match``, ``If-Modified-Since``) when the caller
  has validators, so an unchanged feed costs a 304 and no body;
- a timeout on every connection and read, and a whole-response deadline;
- retries with exponential backoff only for failures that may pass (network
  errors, timeouts, HTTP 429 and 5xx), honouring ``Retry-After`` up to a cap;
- responses larger than ``max_bytes`` (counted after gzip decompression) are
  refused while reading, never buffered whole;
- redirects followed by hand (at most :data:`MAX_REDIRECTS`), each target
  checked against its own host's ``robots.txt``; a loop is reported as such.

Every failure is a :class:`FetchFailure` carrying the URL and a short reason.
"""

from __future__ import annotations

import email.utils
import http.client
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
import urllib.robotparser
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 5
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})
MAX_RETRY_AFTER = 60.0
"""Longest ``Retry-After`` wait honoured (seconds); longer asks are cut to this."""
ROBOTS_MAX_BYTES = 512 * 1024
DEADLINE_FACTOR = 4
"""A whole response must arrive within this many times the timeout."""


class FetchFailure(Exception):
    """A request that did not give a usable response; ``reason`` says why."""

    def __init__(self, url: str, reason: str, *, transient: bool = False) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.transient = transient


@dataclass
class Response:
    """A complete response: final URL (after redirects), status, headers, body."""

    url: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class Settings:
    """The knobs of :class:`Client` (``[fetch]`` in ``digest.toml``)."""

    user_agent: str
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 1.0
    per_host: int = 2
    max_bytes: int = 5_000_000


_Rules = urllib.robotparser.RobotFileParser | bool | FetchFailure
"""A host's robots.txt: its parsed rules, True (all allowed), False (none) or the failure."""


class _Passthrough(urllib.request.HTTPErrorProcessor):
    """Hand every response back as it is: redirects and errors are handled by Client."""

    def http_response(
        self, request: urllib.request.Request, response: http.client.HTTPResponse
    ) -> http.client.HTTPResponse:
        return response

    https_response = http_response


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased: the unit of politeness."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class Client:
    """Polite GET requests; safe to share between threads."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_Passthrough())
        self._lock = threading.Lock()
        self._slots: dict[str, threading.Semaphore] = {}
        self._next_time: dict[str, float] = {}
        self._robots: dict[str, _Rules] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._delays: dict[str, float] = {}
        self.requests = 0
        """Number of HTTP requests sent (for progress and tests)."""

    # --- public ---------------------------------------------------------------------------

    def get(self, url: str, *, etag: str | None = None,
            last_modified: str | None = None) -> Response:
        """GET ``url`` politely, following redirects; 304 is returned, not raised."""
        seen: list[str] = []
        current = url
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(MAX_REDIRECTS + 1):
            _check_scheme(current)
            seen.append(current)
            self.check_robots(current)
            response = self._with_retries(current, headers, self.settings.max_bytes)
            if response.status in REDIRECT_STATUS and response.headers.get("location"):
                target = urljoin(current, response.headers["location"])
                if target in seen:
                    raise FetchFailure(url, f"redirect loop ({' -> '.join([*seen, target])})")
                current = target
                continue
            return _accept(url, response)
        raise FetchFailure(url, f"more than {MAX_REDIRECTS} redirects")

    def check_robots(self, url: str) -> None:
        """Raise :class:`FetchFailure` unless ``robots.txt`` lets us fetch ``url``."""
        rules = self._robots_for(url)
        if isinstance(rules, FetchFailure):
            raise FetchFailure(url, rules.reason, transient=True)
        allowed = rules if isinstance(rules, bool) else rules.can_fetch(
            self.settings.user_agent, url)
        if not allowed:
            raise FetchFailure(url, "disallowed by robots.txt")

    # --- robots.txt -----------------------------------------------------------------------

    def _robots_for(self, url: str) -> _Rules:
        key = origin(url)
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:  # one fetch per host, others wait for it
            if key not in self._robots:
                self._robots[key] = self._read_robots(key)
            return self._robots[key]

    def _read_robots(self, key: str) -> _Rules:
        robots_url = key + "/robots.txt"
        rules = urllib.robotparser.RobotFileParser(robots_url)
        current = robots_url
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = self._with_retries(current, {}, ROBOTS_MAX_BYTES)
                location = response.headers.get("location")
                if response.status in REDIRECT_STATUS and location:
                    current = urljoin(current, location)
                    _check_scheme(current)
                    continue
                break
            else:
                raise FetchFailure(robots_url, "too many redirects")
        except FetchFailure as exc:
            return FetchFailure(robots_url, f"robots.txt unreachable ({exc.reason})")
        if response.status in (401, 403):
            return False
        if 400 <= response.status < 500:
            return True
        if response.status >= 300:
            return FetchFailure(robots_url, f"robots.txt unreachable (HTTP {response.status})")
        rules.parse(response.body.decode("utf-8", errors="replace").splitlines())
        delay = rules.crawl_delay(self.settings.user_agent)
        if delay:
            with self._lock:
                self._delays[key] = float(delay)
        return rules

    # --- one request ----------------------------------------------------------------------

    @contextmanager
    def _slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's ``per_host`` slots, after its crawl delay."""
        key = origin(url)
        with self._lock:
            slot = self._slots.setdefault(key, threading.Semaphore(self.settings.per_host))
        with slot:
            with self._lock:
                delay = self._delays.get(key, 0.0)
            if delay:
                with self._lock:
                    now = time.monotonic()
                    start = max(now, self._next_time.get(key, 0.0))
                    self._next_time[key] = start + delay
                if start > now:
                    self._sleep(start - now)
            yield

    def _with_retries(self, url: str, headers: dict[str, str], limit: int) -> Response:
        settings = self.settings
        attempt = 0
        while True:
            wait = settings.backoff * (2 ** attempt)
            try:
                with self._slot(url):
                    response = self._once(url, headers, limit)
                if response.status not in RETRY_STATUS:
                    return response
                failure = FetchFailure(url, _status_reason(response.status), transient=True)
                retry_after = _retry_after(response.headers.get("retry-after"))
                if retry_after is not None:
                    wait = max(wait, min(retry_after, MAX_RETRY_AFTER))
            except FetchFailure as exc:
                if not exc.transient:
                    raise
                failure = exc
            if attempt >= settings.retries:
                if settings.retries:
                    raise FetchFailure(url, f"{failure.reason} (after {attempt + 1} attempts)",
                                       transient=True)
                raise failure
            attempt += 1
            self._sleep(wait)

    def _once(self, url: str, headers: dict[str, str], limit: int) -> Response:
        request = urllib.request.Request(url, headers={
            "User-Agent": self.settings.user_agent,
            "Accept-Encoding": "gzip",
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
                      "text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
            **headers,
        })
        with self._lock:
            self.requests += 1
        timeout = self.settings.timeout
        deadline = time.monotonic() + timeout * DEADLINE_FACTOR
        try:
            with self._opener.open(request, timeout=timeout) as raw:
                status = int(raw.status)
                got = {k.lower(): v for k, v in raw.headers.items()}
                body = b""
                if status not in REDIRECT_STATUS and status != 304 and status < 400:
                    body = _read_body(url, raw, got, limit, deadline)
        except FetchFailure:
            raise
        except urllib.error.URLError as exc:
            raise _network_failure(url, exc.reason) from None
        except (OSError, http.client.HTTPException) as exc:
            raise _network_failure(url, exc) from None
        return Response(url=url, status=status, headers=got, body=body)


def _read_body(url: str, raw: http.client.HTTPResponse, headers: dict[str, str], limit: int,
               deadline: float) -> bytes:
    encoding = headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip", ""):
        raise FetchFailure(url, f"unsupported content encoding {encoding!r}")
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS) if "gzip" in encoding else None
    length = headers.get("content-length", "")
    if inflate is None and length.isdigit() and int(length) > limit:
        raise FetchFailure(url, f"response too large ({int(length)} bytes, limit {limit})")
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = raw.read(64 * 1024)
        if not chunk:
            break
        if inflate is not None:
            try:
                chunk = inflate.decompress(chunk, limit - total + 1)
            except zlib.error:
                raise FetchFailure(url, "corrupt gzip data") from None
        total += len(chunk)
        if total > limit:
            raise FetchFailure(url, f"response too large (more than {limit} bytes)")
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise FetchFailure(url, "timed out (response too slow)", transient=True)
    if inflate is not None:
        rest = inflate.flush()
        total += len(rest)
        if total > limit:
            raise FetchFailure(url, f"response too large (more than {limit} bytes)")
        chunks.append(rest)
    return b"".join(chunks)


def _accept(url: str, response: Response) -> Response:
    if response.status == 304 or 200 <= response.status < 300:
        return response
    if response.status in REDIRECT_STATUS:
        raise FetchFailure(url, f"HTTP {response.status} redirect without a Location")
    raise FetchFailure(url, _status_reason(response.status))


def _status_reason(status: int) -> str:
    from http import HTTPStatus

    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"HTTP {status} {phrase}".rstrip()


def _check_scheme(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchFailure(url, "not an http(s) address")


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _network_failure(url: str, reason: object) -> FetchFailure:
    """A readable, retryable failure for a transport error."""
    if isinstance(reason, TimeoutError | socket.timeout):
        return FetchFailure(url, "timed out", transient=True)
    if isinstance(reason, ConnectionRefusedError):
        return FetchFailure(url, "connection refused", transient=True)
    if isinstance(reason, ConnectionResetError):
        return FetchFailure(url, "connection reset", transient=True)
    if isinstance(reason, socket.gaierror):
        return FetchFailure(url, f"host not found ({reason.strerror})", transient=True)
    if isinstance(reason, ssl.SSLCertVerificationError):
        return FetchFailure(url, f"TLS certificate not valid ({reason.verify_message})")
    if isinstance(reason, ssl.SSLError):
        return FetchFailure(url, f"TLS error ({reason.reason})", transient=True)
    if isinstance(reason, http.client.HTTPException):
        return FetchFailure(url, f"broken response ({type(reason).__name__})", transient=True)
    if isinstance(reason, OSError):
        return FetchFailure(url, f"network error ({reason.strerror or reason})", transient=True)
    return FetchFailure(url, f"network error ({reason})", transient=True)
