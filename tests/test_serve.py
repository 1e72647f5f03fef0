"""``digest serve`` (generator/serve): the WSGI app without a socket, the watcher's
filters, error reporting, quick rebuilds, and the server's life cycle."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.build import build
from generator.config import ConfigError, load_config
from generator.serve import PreviewServer
from generator.serve.app import POLL_PATH, PreviewApp, inject, site_key
from generator.serve.builder import Builder, config_failure, failure, find_key_line
from generator.serve.state import Failure, SiteState
from generator.serve.watch import ChangeHandler, Watch, is_temporary
from tests.util import ROOT

FIXTURE = Path(__file__).parent / "fixtures" / "serve"
SCRIPT_ID = b'id="digest-live-reload"'


def copy_site(tmp: Path) -> Path:
    site = tmp / "site-src"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns(".digest-cache"))
    return site


def reader(site: Path) -> Any:
    return lambda: load_config(site / "digest.toml")


# -- the WSGI app, no socket -------------------------------------------------------------


def call(app: PreviewApp, path: str, query: str = "", method: str = "GET"
         ) -> tuple[str, dict[str, str], bytes]:
    """Request ``path`` (already percent-decoded, as WSGI servers pass it)."""
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path.encode("utf-8").decode("latin-1"),
               "QUERY_STRING": query, "wsgi.input": io.BytesIO()}
    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def make_app(files: dict[str, bytes], base: str = "/") -> tuple[PreviewApp, SiteState]:
    state = SiteState()
    state.publish(files)
    return PreviewApp(state, lambda: base), state


PAGE = b"<!doctype html><html><body><p>Hello</p></body></html>"
FILES = {"index.html": PAGE, "articles/a/index.html": PAGE.replace(b"Hello", b"A"),
         "static/style.css": b"body{}", "404.html": b"<html><body>Missing</body></html>",
         "api/stories.json": b"{}"}


def test_serves_pages_with_the_reload_script_and_assets_untouched() -> None:
    app, _ = make_app(FILES)
    status, headers, body = call(app, "/")
    assert status == "200 OK" and headers["Content-Type"].startswith("text/html")
    assert SCRIPT_ID in body and body.index(SCRIPT_ID) < body.index(b"</body>")
    assert body.count(b"<p>Hello</p>") == 1
    status, headers, body = call(app, "/static/style.css")
    assert status == "200 OK" and body == b"body{}" and headers["Content-Type"].startswith(
        "text/css")
    status, headers, body = call(app, "/api/stories.json")
    assert body == b"{}" and headers["Content-Type"] == "application/json"
    assert call(app, "/articles/a")[:2] == ("301 Moved Permanently",
                                            {"Location": "/articles/a/", "Content-Length": "0",
                                             "Cache-Control": "no-store"})
    status, _, body = call(app, "/nothing/here/")
    assert status == "404 Not Found" and b"Missing" in body and SCRIPT_ID in body
    assert call(app, "/", method="POST")[0].startswith("405")
    assert call(app, "/", method="HEAD")[2] == b""


def test_serves_under_the_base_path_only() -> None:
    app, _ = make_app(FILES, base="/repo/")
    status, _, body = call(app, "/repo/")
    assert status == "200 OK" and b'"/repo/__digest__/poll"' in body
    assert call(app, "/repo")[1]["Location"] == "/repo/"
    assert call(app, "/")[0] == "404 Not Found"
    assert call(app, "/index.html")[0] == "404 Not Found"
    assert call(app, "/repo/static/style.css")[2] == b"body{}"


@pytest.mark.parametrize("path", [
    "/../etc/passwd", "/static/../../etc/passwd", "/static/./style.css", "/a/../index.html",
    "/..", "/static/..", "//etc/passwd", "/static//style.css", "/..\\etc\\passwd",
    "/static\\..\\..\\x", "/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "/x%00.html",
    "/index.html\x00", "/repo/../../etc/passwd",
])
def test_traversal_is_refused(path: str) -> None:
    app, _ = make_app(FILES)
    status, _, body = call(app, path)
    assert status in ("403 Forbidden", "404 Not Found"), (path, status)
    assert b"Hello" not in body


def test_absolute_paths_and_foreign_files_are_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret", encoding="utf-8")
    app, _ = make_app(FILES)
    for path in (str(secret), "/" + str(secret), f"/static/{secret}", "/etc/passwd"):
        status, _, body = call(app, path)
        assert status in ("403 Forbidden", "404 Not Found")
        assert b"top secret" not in body and b"root:" not in body


def test_symlinks_leading_out_are_not_followed(tmp_path: Path) -> None:
    """The preview serves the rendered file map; a symlink in any folder is never followed."""
    site = copy_site(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("top secret", encoding="utf-8")
    out = site / "site"
    out.mkdir()
    (out / "leak").symlink_to(outside, target_is_directory=True)
    result = Builder(reader(site)).full()
    state = SiteState()
    state.publish(result.files)
    app = PreviewApp(state, lambda: "/")
    for path in ("/leak/secret.txt", "/site/leak/secret.txt", "/articles/../outside/secret.txt"):
        status, _, body = call(app, path)
        assert status in ("403 Forbidden", "404 Not Found") and b"top secret" not in body


@given(st.text(alphabet=st.sampled_from(list("ab./\\%2eE0f")), max_size=24))
def test_site_key_never_escapes(raw: str) -> None:
    from generator.serve.app import Refused

    try:
        key = site_key("/" + raw, "/")
    except Refused:
        return
    assert key is not None
    parts = key.split("/")
    assert ".." not in parts and "." not in parts[:-1] and not key.startswith("/")
    assert "\\" not in key


def test_inject_before_the_last_body_tag_or_at_the_end() -> None:
    assert inject(b"<body>x</BODY>", b"S") == b"<body>xS</BODY>"
    assert inject(b"<p>no body", b"S") == b"<p>no bodyS"


def test_poll_waits_for_a_newer_build_and_reloads_only_changed_pages() -> None:
    app, state = make_app(FILES)
    _, _, index = call(app, "/")
    _, _, article = call(app, "/articles/a/")

    def token(body: bytes) -> str:
        return body.split(b'token = "')[1].split(b'"')[0].decode()

    index_token, article_token = token(index), token(article)
    changed = dict(FILES)
    changed["articles/a/index.html"] = PAGE.replace(b"Hello", b"A, edited")
    answers: dict[str, Any] = {}

    def poll(name: str, page: str, tok: str) -> None:
        _, _, body = call(app, "/" + POLL_PATH, f"page={page}&token={tok}&generation=1")
        answers[name] = json.loads(body)

    threads = [threading.Thread(target=poll, args=("index", "index.html", index_token)),
               threading.Thread(target=poll, args=("article", "articles/a/index.html",
                                                   article_token))]
    for t in threads:
        t.start()
    time.sleep(0.2)
    assert not answers, "polls must wait for a newer build"
    state.publish(changed)
    for t in threads:
        t.join(5)
    assert answers["article"] == {"generation": 2, "reload": True}
    assert answers["index"] == {"generation": 2, "reload": False}


def test_a_failed_build_shows_the_error_over_the_last_good_site() -> None:
    app, state = make_app(FILES)
    state.publish(None, Failure("invalid TOML: <bad> value", "/s/digest.toml", 3))
    status, _, body = call(app, "/")
    assert status == "200 OK" and b"<p>Hello</p>" in body
    assert b'id="digest-build-error"' in body
    assert b"/s/digest.toml, line 3" in body and b"&lt;bad&gt; value" in body
    assert call(app, "/static/style.css")[2] == b"body{}"
    state.publish(FILES)
    assert b"digest-build-error" not in call(app, "/")[2]


def test_no_good_build_yet_answers_503_with_the_error() -> None:
    state = SiteState()
    state.publish(None, Failure("content folder not found", "articles"))
    status, _, body = call(PreviewApp(state, lambda: "/"), "/")
    assert status.startswith("503") and b"content folder not found" in body
    assert SCRIPT_ID in body


def test_requests_wait_while_a_change_is_being_built() -> None:
    app, state = make_app(FILES)
    state.changed()
    got: list[bytes] = []
    t = threading.Thread(target=lambda: got.append(call(app, "/")[2]))
    t.start()
    time.sleep(0.2)
    assert not got
    state.publish({**FILES, "index.html": PAGE.replace(b"Hello", b"New")}, settled=1)
    t.join(5)
    assert got and b"<p>New</p>" in got[0]


# -- errors: file, line, message ----------------------------------------------------------


def test_config_errors_name_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text('title = "x"\n\n[summary]\nsentences = "many"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    fail = failure(info.value)
    assert fail.file == str(path) and fail.line == 4 and "summary.sentences" in fail.message
    path.write_text('title = "x"\narticles = [\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    fail = failure(info.value)
    assert fail.file == str(path) and fail.line == 2 and "TOML" in fail.message
    path.write_text('title = "x"\nthis is not toml\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert failure(info.value).line == 2
    path.write_text('title = "x"\nbogus = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert failure(info.value).line == 2


def test_find_key_line_and_plain_messages(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text('a = 1\n[cluster]\nthreshold = 2\n[summary]\nwords = -1\n', encoding="utf-8")
    assert find_key_line(path, "cluster.threshold") == 3
    assert find_key_line(path, "summary.words") == 5
    assert find_key_line(path, "a") == 1
    assert find_key_line(path, "nothing") is None
    assert config_failure("no colon here") == Failure("no colon here")
    assert str(Failure("m", "f", 2)) == "f:2: m"


# -- the watcher ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", [".article.md.swp", "article.md~", "4913", ".#article.md",
                                  "#article.md#", "article.md.tmp", ".goutputstream-XYZ12"])
def test_editor_temporary_files_are_ignored(name: str, tmp_path: Path) -> None:
    assert is_temporary(name) or name.startswith(".")
    assert not Watch(tmp_path, True).relevant(tmp_path / name)


def test_missing_folders_are_watched_through_their_parent(tmp_path: Path) -> None:
    from generator.serve.watch import watches

    (tmp_path / "pages").mkdir()
    found = watches(tmp_path / "digest.toml", [tmp_path / "pages", tmp_path / "a" / "b"])
    assert Watch(tmp_path, False, tmp_path / "digest.toml") in found
    assert Watch(tmp_path.resolve() / "pages", True) in found
    missing = next(w for w in found if w.file == tmp_path.resolve() / "a" / "b")
    assert missing.folder == tmp_path.resolve() and not missing.recursive
    assert missing.relevant(tmp_path.resolve() / "a")
    assert not missing.relevant(tmp_path.resolve() / "other")


def test_watch_relevance(tmp_path: Path) -> None:
    watch = Watch(tmp_path, True)
    assert watch.relevant(tmp_path / "a.md") and watch.relevant(tmp_path / "sub" / "b.txt")
    assert not watch.relevant(tmp_path / ".digest-cache" / "x.json")
    assert not watch.relevant(tmp_path / "_drafts" / "x.md")
    assert not watch.relevant(tmp_path.parent / "elsewhere.md")
    config = Watch(tmp_path, False, tmp_path / "digest.toml")
    assert config.relevant(tmp_path / "digest.toml")
    assert not config.relevant(tmp_path / "other.toml")


def test_handler_ignores_reads_and_partial_writes_on_inotify(tmp_path: Path) -> None:
    from watchdog.events import (
        FileClosedEvent,
        FileClosedNoWriteEvent,
        FileModifiedEvent,
        FileMovedEvent,
        FileOpenedEvent,
    )

    seen: list[Path] = []
    handler = ChangeHandler(Watch(tmp_path, True), seen.append, inotify=True)
    a = str(tmp_path / "a.md")
    handler.dispatch(FileOpenedEvent(a))
    handler.dispatch(FileClosedNoWriteEvent(a))
    handler.dispatch(FileModifiedEvent(a))
    assert seen == []
    handler.dispatch(FileClosedEvent(a))
    handler.dispatch(FileMovedEvent(str(tmp_path / ".a.md.swp"), a))
    assert seen == [Path(a), Path(a)]
    polling = ChangeHandler(Watch(tmp_path, True), seen.append, inotify=False)
    polling.dispatch(FileModifiedEvent(a))
    assert len(seen) == 3


# -- builds -------------------------------------------------------------------------------


def test_quick_rebuild_of_an_edited_article_then_full_matches_build(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    builder = Builder(reader(site))
    first = builder.full()
    article = site / "articles" / "harbor-gazette.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "Ferry traffic", "Ferry boats"), encoding="utf-8")
    quick = builder.quick({article})
    assert quick is not None and not quick.exact
    page = "articles/harbor-gazette/index.html"
    assert b"Ferry boats" in quick.files[page] and b"Ferry boats" not in first.files[page]
    assert quick.files["static/style.css"] == first.files["static/style.css"]
    assert builder.stale
    stories = builder.restory()
    assert stories is not None and not builder.stale and builder.restory() is None
    full = builder.full()
    assert b"Ferry boats" in full.files[page]
    assert quick.files[page] == full.files[page]
    story_pages = [k for k in full.files if k.startswith("stories/")]
    assert story_pages and all(stories.files[k] == full.files[k] for k in story_pages)
    config = load_config(site / "digest.toml")
    config.output = str(tmp_path / "out")
    build(config)
    on_disk = {p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
               for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert on_disk == full.files
    assert not any(b"digest-live-reload" in data or b"__digest__" in data
                   for data in on_disk.values())


def test_quick_rebuild_declines_what_it_cannot_do(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    builder = Builder(reader(site))
    assert builder.quick({site / "articles" / "harbor-gazette.md"}) is None  # no build yet
    builder.full()
    new = site / "articles" / "new.md"
    new.write_text("A new article about something else entirely.\n", encoding="utf-8")
    assert builder.quick({new}) is None
    assert builder.quick({site / "digest.toml"}) is None
    gone = site / "articles" / "north-ledger.md"
    gone.unlink()
    assert builder.quick({gone}) is None
    assert builder.quick({site / "articles" / ".tmp-gone"}) is None


# -- the server ----------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    site = copy_site(tmp_path)
    srv = PreviewServer(reader(site), "127.0.0.1", 0, log=lambda _: None)
    srv.start()
    try:
        yield srv, site
    finally:
        srv.shutdown()


def fetch(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def wait_until(predicate: Any, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_server_rebuilds_on_change_keeps_last_good_site_and_joins_threads(
        server: tuple[PreviewServer, Path]) -> None:
    srv, site = server
    base = f"http://127.0.0.1:{srv.port}/"
    status, body = fetch(base + "articles/valley-courier/")
    assert status == 200 and SCRIPT_ID in body
    article = site / "articles" / "valley-courier.md"
    article.write_text(article.read_text(encoding="utf-8").replace(
        "by a third", "by a quarter"), encoding="utf-8")
    assert wait_until(lambda: b"by a quarter" in fetch(base + "articles/valley-courier/")[1])
    config = site / "digest.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("sentences = 3", 'sentences = "three"'), encoding="utf-8")
    assert wait_until(lambda: b"digest-build-error" in fetch(base)[1])
    status, body = fetch(base)
    assert status == 200 and b"summary.sentences" in body and b"by a quarter" not in body
    assert b"Lakeside" in body  # the last good site is still there
    config.write_text(good, encoding="utf-8")
    assert wait_until(lambda: b"digest-build-error" not in fetch(base)[1])
    srv.shutdown()
    assert srv.threads_alive() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("digest-serve")]


def test_shutdown_wakes_waiting_polls(server: tuple[PreviewServer, Path]) -> None:
    srv, _ = server
    url = f"http://127.0.0.1:{srv.port}/{POLL_PATH}?page=index.html&token=x&generation=999"
    got: list[int] = []
    t = threading.Thread(target=lambda: got.append(fetch(url)[0]))
    t.start()
    time.sleep(0.3)
    started = time.monotonic()
    srv.shutdown()
    t.join(10)
    assert got == [200] and time.monotonic() - started < 5


def test_a_broken_first_build_still_serves_and_recovers(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    (site / "articles").rename(site / "elsewhere")
    srv = PreviewServer(reader(site), "127.0.0.1", 0, log=lambda _: None)
    srv.start()
    try:
        base = f"http://127.0.0.1:{srv.port}/"
        status, body = fetch(base)
        assert status == 503 and b"content folder not found" in body
        (site / "elsewhere").rename(site / "articles")  # watched for while missing
        assert wait_until(lambda: fetch(base)[0] == 200)
        assert b"Lakeside" in fetch(base)[1]
    finally:
        srv.shutdown()


def _digest_serve(site: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--config", str(site / "digest.toml"),
         "--port", "0", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.parametrize("extra", [[], ["--poll", "0.2"]])
def test_cli_serve_stops_cleanly_on_ctrl_c(tmp_path: Path, extra: list[str]) -> None:
    site = copy_site(tmp_path)
    proc = _digest_serve(site, *extra)
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Serving http://127.0.0.1:"):
                break
        assert lines and lines[-1].startswith("Serving"), lines
        url = lines[-1].split()[1]
        assert fetch(url)[0] == 200
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
        assert proc.returncode == 0, out
        assert time.monotonic() - started < 10
        assert "Traceback" not in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_cli_serve_reports_a_bad_config_with_status_2(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    (site / "digest.toml").write_text("bogus = 1\n", encoding="utf-8")
    proc = _digest_serve(site)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "bogus" in out


def test_serve_is_documented_with_its_options() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### `digest serve`", 1)[1].split("\n## ", 1)[0]
    for flag in ("--host", "--port", "--poll", "--config", "--content", "--base-url"):
        assert flag in section


def test_polling_observer_sees_changes(tmp_path: Path) -> None:
    site = copy_site(tmp_path)
    srv = PreviewServer(reader(site), "127.0.0.1", 0, poll=0.1, log=lambda _: None)
    srv.start()
    try:
        assert type(srv.observer).__name__ == "PollingObserver"
        base = f"http://127.0.0.1:{srv.port}/"
        edit = site / "articles" / "harbor-gazette.md"
        edit.write_text(edit.read_text(encoding="utf-8").replace("ribbon", "red ribbon"),
                        encoding="utf-8")
        assert wait_until(lambda: b"red ribbon" in fetch(base + "articles/harbor-gazette/")[1])
    finally:
        srv.shutdown()
    assert srv.threads_alive() == []


def test_an_editors_atomic_save_is_one_quick_rebuild(server: tuple[PreviewServer, Path]) -> None:
    """vim-style save: probe file, backup by rename, new file, backup removed."""
    srv, site = server
    base = f"http://127.0.0.1:{srv.port}/"
    target = site / "articles" / "north-ledger.md"
    text = target.read_text(encoding="utf-8").replace("from April", "from June")
    before = len(srv.builds)
    probe = target.parent / "4913"
    probe.write_text("", encoding="utf-8")
    probe.unlink()
    backup = target.with_name(target.name + "~")
    target.rename(backup)
    swap = target.with_name("." + target.name + ".swp")
    swap.write_text("swap", encoding="utf-8")
    target.write_text(text, encoding="utf-8")
    backup.unlink()
    swap.unlink()
    assert wait_until(lambda: b"from June" in fetch(base + "articles/north-ledger/")[1])
    assert wait_until(lambda: any(k == "full" for k, _ in srv.builds[before:]))
    time.sleep(0.5)
    kinds = [k for k, _ in srv.builds[before:]]
    # One quick rebuild; a second only if this busy machine paused the save for longer
    # than the debounce. Never an error, and the temporary files never count.
    assert 1 <= kinds.count("quick") <= 2 and "error" not in kinds, kinds
