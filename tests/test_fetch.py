"""``digest fetch`` against a local HTTP server on 127.0.0.1 (no other address is touched).

The server serves the feeds and pages of ``tests/fixtures/fetch/`` (``{base}`` in a
feed becomes the server's address) plus dynamic routes for every fault: a 404,
a 500, a timeout, a redirect loop, oversized responses, a flaky page, a gzip bomb.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.clean import clean, markdown_paragraphs
from generator.cli import main
from generator.config import Config, ConfigError, FeedConfig, FetchConfig, load_config
from generator.fetch import fetch, user_agent
from generator.fetch.feeds import canonical_url, parse_feed
from generator.fetch.http import Client, Settings
from generator.fetch.writer import (
    STATE_NAME,
    escape_markdown,
    file_name,
    inside,
    render_markdown,
    write_atomic,
)
from generator.load import load, split_front_matter
from generator.text import normalize_space

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fetch"
UA = "digest-test/1 (+https://example.org/digest/)"

Route = Callable[["_Handler"], None]


@dataclass
class Site:
    """The test web site: static fixtures, dynamic routes and a log of requests."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    robots: bytes = (FIXTURES / "robots.txt").read_bytes()
    log: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.log]

    def count(self, path: str) -> int:
        return sum(p.split("?")[0] == path for p in self.paths())

    def feed(self, name: str, text: str) -> str:
        """Serve ``text`` as ``/feeds/<name>``; return its URL."""
        self.files[f"/feeds/{name}"] = text.replace("{base}", self.base).encode("utf-8")
        return f"{self.base}/feeds/{name}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        site = self.server.site
        path = self.path.split("?")[0]
        with site.lock:
            site.log.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
        try:
            if path in site.routes:
                site.routes[path](self)
            elif path == "/robots.txt":
                self.send(200, site.robots, "text/plain")
            elif path in site.files:
                self.send(200, site.files[path], "application/xml", conditional=True)
            else:
                self.static(path)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def static(self, path: str) -> None:
        target = (FIXTURES / path.lstrip("/")).resolve()
        if FIXTURES not in target.parents or not target.is_file():
            self.send(404, b"<h1>Not found</h1>", "text/html")
            return
        body = target.read_bytes()
        if target.suffix in (".rss", ".atom", ".xml"):
            body = body.replace(b"{base}", self.server.site.base.encode())
            self.send(200, body, "application/xml", conditional=True)
        else:
            charset = "iso-8859-1" if b"iso-8859-1" in body[:300] else "utf-8"
            self.send(200, body, f"text/html; charset={charset}")

    def send(self, status: int, body: bytes, content_type: str, *, conditional: bool = False,
             headers: dict[str, str] | None = None) -> None:
        extra = dict(headers or {})
        if conditional:
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            extra["ETag"] = etag
            extra["Last-Modified"] = formatdate(1_713_000_000, usegmt=True)
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.end_headers()
                return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = Site(base=f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.site
    finally:
        server.site.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def make_config(tmp: Path, feeds: list[str], **fetch_options: object) -> Config:
    config = Config()
    config.root = tmp
    config.inbox = "inbox"
    config.articles = ["inbox"]
    config.feeds = [FeedConfig(url=u) for u in feeds]
    options: dict[str, object] = {"timeout": 0.5, "retries": 1, "backoff": 0.01, "per_host": 2,
                                  "workers": 4, "max_bytes": 50_000, "user_agent": UA}
    options.update(fetch_options)
    config.fetch = FetchConfig(**options)  # type: ignore[arg-type]
    return config


def articles(inbox: Path) -> dict[str, tuple[dict[str, object], str]]:
    """Front matter and body of every Markdown file in the inbox, by file name."""
    out = {}
    for path in sorted(inbox.glob("*.md")):
        meta, body, problem = split_front_matter(path.read_text(encoding="utf-8"))
        assert problem is None
        out[path.name] = (meta, body)
    return out


def snapshot(folder: Path, pattern: str = "*") -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern)) if p.is_file()}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the happy path -------------------------------------------------------------------------


def test_fetch_writes_one_markdown_file_per_new_article(site: Site, tmp_path: Path) -> None:
    config = make_config(tmp_path, [f"{site.base}/news.rss", f"{site.base}/valley.atom"])
    config.feeds[0].outlet = "The Riverside Courier"
    result = fetch(config)

    inbox = tmp_path / "inbox"
    found = articles(inbox)
    assert len(found) == 4 and len(result.written) == 4
    by_title = {str(meta["title"]): (name, meta, body) for name, (meta, body) in found.items()}
    assert sorted(by_title) == [
        "Council approves footbridge over the Wend",
        "Harbour dredging delayed by spring storms",
        "Library extends weekend opening hours",
        "Orchard growers expect an early cherry harvest",
    ]
    name, meta, body = by_title["Council approves footbridge over the Wend"]
    assert re.fullmatch(r"council-approves-footbridge-over-the-wend-[0-9a-f]{12}\.md", name)
    assert meta == {"title": "Council approves footbridge over the Wend",
                    "outlet": "The Riverside Courier",  # configured outlet wins
                    "url": f"{site.base}/pages/bridge.html",
                    "published": "2024-04-12T08:30:00+00:00",
                    "author": "Mara Ellison"}
    assert "nine votes to four" in body and "Copyright" not in body
    # Atom: relative link resolved against the feed, outlet from the page, time zone kept.
    _, meta, _ = by_title["Orchard growers expect an early cherry harvest"]
    assert meta["url"] == f"{site.base}/pages/orchard.html"
    assert meta["outlet"] == "Valley Ledger"
    assert meta["published"] == "2024-04-14T07:00:00+00:00"
    assert meta["author"] == "Ines Walcott"
    # Tracking parameters dropped from the recorded address; Latin-1 page decoded.
    assert by_title["Library extends weekend opening hours"][1]["url"] == \
        f"{site.base}/pages/library.html"
    assert "José Aldana" in by_title["Harbour dredging delayed by spring storms"][2]

    # robots.txt: the disallowed page is reported and never requested.
    assert [(p.path, p.reason) for p in result.problems] == [
        (f"{site.base}/pages/private/briefing.html", "disallowed by robots.txt")]
    assert not any("/private/" in p for p in site.paths())
    assert site.count("/robots.txt") == 1
    assert {h["user-agent"] for _, h in site.log} == {UA}

    # The build reads the files as it reads any Markdown article.
    loaded = load([("inbox", inbox)])
    assert not [p for p in loaded.problems if p.severity == "error"]
    cleaned = [clean(d) for d in loaded.documents]
    bridge = next(a for a in cleaned if a.title.startswith("Council"))
    assert bridge.outlet == "The Riverside Courier" and bridge.author == "Mara Ellison"
    assert bridge.published == "2024-04-12T08:30:00+00:00"
    assert any("nine votes to four" in p for p in bridge.paragraphs)
    assert not [p for a in cleaned for p in a.problems]


def test_second_run_writes_nothing_and_sends_conditional_requests(
        site: Site, tmp_path: Path) -> None:
    config = make_config(tmp_path, [f"{site.base}/news.rss", f"{site.base}/valley.atom"])
    first = fetch(config)
    assert len(first.written) == 4
    before = snapshot(tmp_path / "inbox")
    site.log.clear()

    second = fetch(config)
    assert second.written == [] and second.not_modified == 2
    assert snapshot(tmp_path / "inbox") == before
    feed_requests = [h for p, h in site.log if p.endswith((".rss", ".atom"))]
    assert len(feed_requests) == 2
    assert all(h.get("if-none-match") and h.get("if-modified-since") for h in feed_requests)
    assert not any(p.startswith("/pages/") for p in site.paths())  # 304: nothing else asked

    # Without validators (a server that ignores them), the entries are known anyway.
    state = tmp_path / "inbox" / STATE_NAME
    state.write_text(state.read_text().replace('"etag"', '"x-etag"'), encoding="utf-8")
    third = fetch(config)
    assert third.written == [] and third.known == 4


def test_an_edited_headline_does_not_come_back_as_a_duplicate(site: Site, tmp_path: Path) -> None:
    text = (FIXTURES / "news.rss").read_text(encoding="utf-8")
    url = site.feed("news.rss", text)
    config = make_config(tmp_path, [url])
    assert len(fetch(config).written) == 3
    before = snapshot(tmp_path / "inbox", "*.md")

    # Same GUID (bridge) and same link without a GUID (harbour), new headlines.
    edited = (text.replace("Council approves footbridge", "Council finally approves footbridge")
              .replace("Harbour dredging delayed", "Harbour dredging postponed"))
    site.feed("news.rss", edited)
    assert fetch(config).written == []
    assert snapshot(tmp_path / "inbox", "*.md") == before  # only the feed's ETag changed

    # Even with the state file lost, the key's hash in the file names recognises them.
    (tmp_path / "inbox" / STATE_NAME).unlink()
    assert fetch(config).written == []
    assert snapshot(tmp_path / "inbox", "*.md") == before


def test_an_article_in_two_feeds_is_written_once(site: Site, tmp_path: Path) -> None:
    one = site.feed("one.rss", _rss([("a", "/pages/tram.html", "Night trams return")]))
    two = site.feed("two.rss", _rss([("b", "/pages/tram.html#top", "Trams return at night")]))
    result = fetch(make_config(tmp_path, [one, two]))
    assert len(result.written) == 1 and site.count("/pages/tram.html") == 1


# --- faults ---------------------------------------------------------------------------------


def _rss(items: list[tuple[str | None, str, str]]) -> str:
    parts = []
    for guid, link, title in items:
        guid_xml = f"<guid isPermaLink=\"false\">{guid}</guid>" if guid else ""
        parts.append(f"<item><title>{title}</title><link>{{base}}{link}</link>{guid_xml}"
                     "<pubDate>Mon, 15 Apr 2024 12:00:00 +0000</pubDate></item>")
    return ("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Faults</title>"
            + "".join(parts) + "</channel></rss>")


def _tram(handler: _Handler) -> None:
    handler.send(200, (FIXTURES / "pages" / "tram.html").read_bytes(), "text/html")


def _install_faults(site: Site) -> None:
    def error(h: _Handler) -> None:
        h.send(500, b"<h1>Internal error</h1>", "text/html")

    def slow(h: _Handler) -> None:
        site.release.wait(3)
        _tram(h)

    def loop_a(h: _Handler) -> None:
        h.send(302, b"", "text/html", headers={"Location": "/pages/loop-b"})

    def loop_b(h: _Handler) -> None:
        h.send(302, b"", "text/html", headers={"Location": f"{site.base}/pages/loop-a"})

    def big(h: _Handler) -> None:
        h.send(200, b"<p>" + b"x" * 60_000 + b"</p>", "text/html")

    def big_stream(h: _Handler) -> None:  # no Content-Length: only counting catches it
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        for _ in range(20):
            h.wfile.write(b"<p>" + b"y" * 10_000 + b"</p>\n")

    def bomb(h: _Handler) -> None:  # 1 MB of zeros, a few KB on the wire
        h.send(200, gzip.compress(b"0" * 1_000_000), "text/html",
               headers={"Content-Encoding": "gzip"})

    def pdf(h: _Handler) -> None:
        h.send(200, b"%PDF-1.4 not a page", "application/pdf")

    site.routes.update({"/pages/error.html": error, "/pages/slow.html": slow,
                        "/pages/loop-a": loop_a, "/pages/loop-b": loop_b,
                        "/pages/big.html": big, "/pages/big-stream.html": big_stream,
                        "/pages/bomb.html": bomb, "/pages/report.pdf": pdf})


def test_each_fault_is_reported_and_the_rest_goes_on(site: Site, tmp_path: Path) -> None:
    _install_faults(site)
    faults = site.feed("faults.rss", _rss([
        ("1", "/pages/missing.html", "Missing"), ("2", "/pages/error.html", "Error"),
        ("3", "/pages/slow.html", "Slow"), ("4", "/pages/loop-a", "Loop"),
        ("5", "/pages/big.html", "Big"), ("6", "/pages/big-stream.html", "Big stream"),
        ("7", "/pages/bomb.html", "Bomb"), ("8", "/pages/report.pdf", "PDF"),
        ("9", "/pages/tram.html", "Night trams return to the ring line"),
    ]))
    dead = f"http://127.0.0.1:{closed_port()}/feed.rss"
    malformed = f"{site.base}/malformed.xml"
    not_a_feed = f"{site.base}/pages/library.html"
    config = make_config(tmp_path, [dead, malformed, not_a_feed, faults])
    started = time.monotonic()
    result = fetch(config)
    elapsed = time.monotonic() - started

    reasons = {p.path.removeprefix(site.base): p.reason for p in result.problems}
    assert len(result.problems) == 11, reasons
    assert "connection refused" in reasons[dead]
    assert reasons["/malformed.xml"].startswith("malformed feed")
    assert reasons["/pages/library.html"] == "not an RSS or Atom feed (an HTML page)"
    assert reasons["/pages/missing.html"] == "HTTP 404 Not Found"
    assert reasons["/pages/error.html"] == "HTTP 500 Internal Server Error (after 2 attempts)"
    assert reasons["/pages/slow.html"] == "timed out (after 2 attempts)"
    assert reasons["/pages/loop-a"].startswith("redirect loop (")
    assert reasons["/pages/big.html"] == "response too large (60007 bytes, limit 50000)"
    assert reasons["/pages/big-stream.html"] == "response too large (more than 50000 bytes)"
    assert reasons["/pages/bomb.html"] == "response too large (more than 50000 bytes)"
    assert reasons["/pages/report.pdf"] == "not an HTML page (application/pdf)"
    assert all(p.severity == "error" for p in result.problems)

    # The one good article arrived; nothing partial, no temporary file left behind.
    inbox = tmp_path / "inbox"
    assert [p.name for p in result.written] == [
        f"night-trams-return-to-the-ring-line-{_hash(site, '9')}.md"]
    assert sorted(p.name for p in inbox.iterdir()) == sorted([STATE_NAME, result.written[0].name])
    assert site.count("/pages/error.html") == 2  # one retry
    assert elapsed < 10, elapsed  # a timeout never hangs the run (2 x 0.5 s here)

    # Transient failures keep the feed's validators out of the state, so the next
    # run reads the feed again (no 304) and retries the failed pages.
    site.log.clear()
    again = fetch(config)
    assert again.not_modified == 0 and site.count("/pages/error.html") == 2
    assert site.count("/pages/missing.html") == 1 and site.count("/pages/tram.html") == 0


def _hash(site: Site, guid: str) -> str:
    return hashlib.sha256(f"guid:127.0.0.1 {guid}".encode()).hexdigest()[:12]


def test_a_flaky_page_is_retried_with_backoff(site: Site, tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky(h: _Handler) -> None:
        calls.append(1)
        if len(calls) < 3:
            h.send(503, b"busy", "text/plain", headers={"Retry-After": "0"})
        else:
            _tram(h)

    site.routes["/pages/flaky.html"] = flaky
    url = site.feed("flaky.rss", _rss([("f", "/pages/flaky.html", "Night trams")]))
    config = make_config(tmp_path, [url], retries=2, backoff=0.25)
    waits: list[float] = []
    client = Client(Settings(user_agent=UA, timeout=0.5, retries=2, backoff=0.25,
                             per_host=2, max_bytes=50_000), sleep=waits.append)
    result = fetch(config, client=client)
    assert len(result.written) == 1 and not result.problems
    assert waits == [0.25, 0.5]  # exponential backoff
    assert len(calls) == 3


def test_gzip_pages_are_decompressed(site: Site, tmp_path: Path) -> None:
    def zipped(h: _Handler) -> None:
        body = gzip.compress((FIXTURES / "pages" / "orchard.html").read_bytes())
        h.send(200, body, "text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})

    site.routes["/pages/zipped.html"] = zipped
    url = site.feed("zip.rss", _rss([("z", "/pages/zipped.html", "Cherries")]))
    result = fetch(make_config(tmp_path, [url]))
    assert len(result.written) == 1
    assert "wind machines" in result.written[0].read_text(encoding="utf-8")
    assert all(h.get("accept-encoding") == "gzip" for _, h in site.log)


def test_redirects_are_followed_and_the_final_address_recorded(
        site: Site, tmp_path: Path) -> None:
    def moved(h: _Handler) -> None:
        h.send(301, b"", "text/html", headers={"Location": "/pages/tram.html"})

    site.routes["/pages/old-tram.html"] = moved
    url = site.feed("moved.rss", _rss([("m", "/pages/old-tram.html", "Trams")]))
    result = fetch(make_config(tmp_path, [url]))
    (meta, _), = articles(tmp_path / "inbox").values()
    assert not result.problems and meta["url"] == f"{site.base}/pages/tram.html"


def test_robots_txt_disallowing_everything_stops_all_requests(
        site: Site, tmp_path: Path) -> None:
    site.robots = b"User-agent: digest-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    result = fetch(make_config(tmp_path, [f"{site.base}/news.rss"]))
    assert [p.reason for p in result.problems] == ["disallowed by robots.txt"]
    assert site.paths() == ["/robots.txt"]


def test_crawl_delay_spaces_requests_to_a_host(site: Site, tmp_path: Path) -> None:
    site.robots = b"User-agent: *\nCrawl-delay: 2\n"
    waits: list[float] = []
    client = Client(Settings(user_agent=UA, timeout=0.5, retries=0, per_host=4,
                             max_bytes=50_000), sleep=waits.append)
    result = fetch(make_config(tmp_path, [f"{site.base}/news.rss"]), client=client)
    assert len(result.written) == 3
    # 4 requests after robots.txt (feed + 3 pages), each 2 s after the previous one.
    waits.sort()
    assert len(waits) == 3 and 0 < waits[0] <= 2.0 and waits[2] <= 6.0
    assert [round(b - a, 1) for a, b in itertools.pairwise(waits)] == [2.0, 2.0]


def test_requests_to_one_host_are_limited(site: Site, tmp_path: Path) -> None:
    busy = [0, 0]  # pages being served now, most at once (counted before the reply is sent)
    lock = threading.Lock()

    def slow_page(h: _Handler) -> None:
        with lock:
            busy[0] += 1
            busy[1] = max(busy[1], busy[0])
        time.sleep(0.15)
        with lock:
            busy[0] -= 1
        _tram(h)

    items = []
    for i in range(6):
        site.routes[f"/pages/p{i}.html"] = slow_page
        items.append((f"p{i}", f"/pages/p{i}.html", f"Trams part {i}"))
    url = site.feed("many.rss", _rss(items))
    result = fetch(make_config(tmp_path / "a", [url], per_host=2, workers=6))
    assert len(result.written) == 6 and busy[1] == 2

    busy[1] = 0
    result = fetch(make_config(tmp_path / "b", [url], per_host=1, workers=6))
    assert len(result.written) == 6 and busy[1] == 1


def test_max_per_feed_limits_new_articles(site: Site, tmp_path: Path) -> None:
    config = make_config(tmp_path, [f"{site.base}/news.rss"], max_per_feed=2)
    assert len(fetch(config).written) == 2
    assert len(fetch(config).written) == 1  # the rest comes on the next run


# --- the command line -----------------------------------------------------------------------


def _toml(tmp: Path, feeds: list[str], extra: str = "") -> Path:
    path = tmp / "digest.toml"
    tables = "".join(f'\n[[feeds]]\nurl = "{u}"\n' for u in feeds)
    path.write_text(
        'title = "t"\nbase_url = "https://example.org/digest/"\narticles = ["inbox"]\n'
        f'inbox = "inbox"\noutput = "site"\n{extra}\n[fetch]\ntimeout = 0.5\nretries = 0\n'
        f'user_agent = "{UA}"\n{tables}', encoding="utf-8")
    return path


def test_cli_fetch(site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _toml(tmp_path, [f"{site.base}/news.rss"])
    assert main(["fetch", "--config", str(config)]) == 0
    err = capsys.readouterr().err
    assert "Fetched 3 new article(s) from 1 feed(s)" in err
    assert "fetch:" not in err  # no progress lines when stderr is not a terminal
    assert len(list((tmp_path / "inbox").glob("*.md"))) == 3

    # --feed replaces the configured feeds; -v shows progress; --strict fails on faults.
    other = tmp_path / "other"
    status = main(["fetch", "--config", str(config), "--feed", f"{site.base}/valley.atom",
                   "--inbox", str(other), "-v", "--strict"])
    err = capsys.readouterr().err
    assert status == 1
    assert "fetch: feed " in err and "wrote orchard-growers" in err
    assert f"error: {site.base}/pages/private/briefing.html: disallowed by robots.txt" in err
    assert "is not one of the 'articles' folders" in err  # the build would not read it
    assert len(list(other.glob("*.md"))) == 1


def test_cli_fetch_without_feeds_touches_nothing(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    config = _toml(tmp_path, [])
    assert main(["fetch", "--config", str(config), "--strict"]) == 0
    assert "No feeds to fetch" in capsys.readouterr().err
    assert not (tmp_path / "inbox").exists()


def test_cli_build_fetch_fetches_then_builds(site: Site, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    config = _toml(tmp_path, [f"{site.base}/news.rss", f"{site.base}/valley.atom"])
    # The robots-disallowed entry is a fetch failure: --strict turns it into status 1,
    # and the site is built all the same.
    assert main(["build", "--fetch", "--strict", "--config", str(config), "-q"]) == 1
    site_dir = tmp_path / "site"
    assert (site_dir / "index.html").is_file()
    pages = sorted(p.parent.name for p in (site_dir / "articles").glob("*/index.html"))
    assert len(pages) == 4 and any(p.startswith("council-approves-footbridge") for p in pages)
    assert "disallowed by robots.txt" in capsys.readouterr().err
    index = (site_dir / "index.html").read_bytes()
    # Next run: both feeds answer 304, nothing new, the same site.
    assert main(["build", "--fetch", "--strict", "--config", str(config), "-q"]) == 0
    assert (site_dir / "index.html").read_bytes() == index


def test_cli_fetch_unwritable_inbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x")
    config = _toml(tmp_path, [], extra="")
    status = main(["fetch", "--config", str(config), "--inbox", str(tmp_path / "file" / "in"),
                   "--feed", "http://127.0.0.1:9/feed"])
    assert status == 2 and "cannot create inbox folder" in capsys.readouterr().err


# --- configuration --------------------------------------------------------------------------


def test_feeds_are_read_from_digest_toml(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('[[feeds]]\nurl = "https://example.org/rss"\noutlet = "Example"\n\n'
                    '[[feeds]]\nurl = "https://example.net/atom"\n\n[fetch]\nper_host = 1\n',
                    encoding="utf-8")
    config = load_config(path)
    assert config.feeds == [FeedConfig("https://example.org/rss", "Example"),
                            FeedConfig("https://example.net/atom", "")]
    assert config.fetch.per_host == 1 and config.inbox == "content/articles"


@pytest.mark.parametrize(("text", "message"), [
    ('feeds = "https://example.org/rss"', "'feeds' must be a list"),
    ("feeds = [1]", "'feeds[0]' must be a table"),
    ("[[feeds]]\nurl = 3", "'feeds[0].url' must be a string"),
    ('[[feeds]]\nurl = "https://x.org"\n[[feeds]]\nlink = "x"', "unknown option 'feeds[1].link'"),
    ('[[feeds]]\nurl = "ftp://x.org/rss"', "'feeds[0].url' must be an http(s) address"),
    ("[fetch]\nper_host = 0", "'fetch.per_host'"),
    ("[fetch]\ntimeout = 0", "'fetch.timeout' must be above 0"),
])
def test_bad_feed_config_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_inbox_is_read(tmp_path: Path) -> None:
    from generator.fetch import inbox_is_read

    config = Config(root=tmp_path, articles=["content"], inbox="content/fetched")
    assert inbox_is_read(config)
    config.inbox = "elsewhere"
    assert not inbox_is_read(config)


def test_default_user_agent_names_digest_and_the_site() -> None:
    assert re.fullmatch(r"digest/\d+\.\d+\.\d+ \(\+https://x\.org/d/\)",
                        user_agent(Config(base_url="https://x.org/d/")))
    assert user_agent(Config(base_url="/")).startswith("digest/")
    assert user_agent(Config(fetch=FetchConfig(user_agent="me/1 (a@b.c)"))) == "me/1 (a@b.c)"


# --- pure parts: names, Markdown, front matter, feeds ---------------------------------------


@given(st.text(max_size=200), st.text(min_size=1, max_size=100))
def test_file_names_are_safe_and_stay_in_the_inbox(title: str, key: str) -> None:
    name = file_name(title, key)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*-[0-9a-f]{12}\.md", name)
    assert len(name) <= 80
    assert file_name(title, key) == name
    folder = Path("/tmp/inbox")
    assert inside(folder, name).parent == folder.resolve()


@pytest.mark.parametrize("name", ["../x.md", "a/b.md", ".fetched.md", "x.md/..", "", "A.md"])
def test_inside_refuses_unsafe_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        inside(tmp_path, name)


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                min_size=1, max_size=120).map(normalize_space).filter(bool)
_MARKUP = st.lists(st.sampled_from([*"#*-_+=1.)`[]<>&!|~\\:0 a", "&amp;", "```", "<div>",
                                    "http://x.y", "---"]),
                   min_size=1, max_size=12).map("".join).map(normalize_space).filter(bool)


@given(st.one_of(_TEXT, _MARKUP))
@settings(max_examples=400)
def test_escaped_text_reads_back_verbatim(text: str) -> None:
    assert markdown_paragraphs(escape_markdown(text)) == [text]


@pytest.mark.parametrize("text", ["# not a heading", "- not a list", "1. not a list", "---",
                                  "<script>alert(1)</script>", "a *b* _c_ `d` [e](f)",
                                  "&amp; stays", "> not a quote", "tail \\"])
def test_markdown_lookalikes_stay_text(text: str) -> None:
    assert markdown_paragraphs(escape_markdown(text)) == [text]


@given(st.dictionaries(st.sampled_from(["title", "outlet", "url", "published", "author"]),
                       _TEXT), st.lists(_TEXT, min_size=1, max_size=4))
def test_front_matter_round_trips(meta: dict[str, str], paragraphs: list[str]) -> None:
    text = render_markdown(meta, paragraphs)
    data, body, problem = split_front_matter(text)
    assert problem is None
    assert data == meta  # every value comes back as the same string
    assert markdown_paragraphs(body) == paragraphs


def test_write_atomic_leaves_no_partial_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.md"
    write_atomic(target, b"old")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


@pytest.mark.parametrize(("url", "canonical"), [
    ("HTTP://Example.ORG:80/a?utm_source=x&id=3#frag", "http://example.org/a?id=3"),
    ("https://example.org", "https://example.org/"),
    ("https://example.org:8443/a?fbclid=1", "https://example.org:8443/a"),
])
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical


@given(st.binary(max_size=2000))
@settings(max_examples=100)
def test_parse_feed_never_crashes_on_junk(data: bytes) -> None:
    from generator.fetch.feeds import FeedError

    try:
        feed = parse_feed(data, "http://127.0.0.1/feed")
    except FeedError:
        return
    assert all(e.link.startswith("http") for e in feed.entries)
