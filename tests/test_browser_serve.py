"""``digest serve`` in a real browser (Playwright driving Debian's chromium): edits
reload the page showing them, a broken config shows its error, fixing it recovers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.config import load_config
from generator.serve import PreviewServer

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "serve"
TIMEOUT_MS = 60_000  # the machine running the tests may be busy


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    site = tmp_path / "site-src"
    shutil.copytree(FIXTURE, site, ignore=shutil.ignore_patterns(".digest-cache"))
    server = PreviewServer(lambda: load_config(site / "digest.toml"), "127.0.0.1", 0,
                           log=lambda _: None)
    server.start()
    try:
        yield server, site
    finally:
        server.shutdown()
    assert server.threads_alive() == []


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    try:
        yield tab
    finally:
        context.close()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_edit_reloads_the_page_showing_it(preview: tuple[PreviewServer, Path],
                                          page: Any) -> None:
    server, site = preview
    page.goto(f"http://127.0.0.1:{server.port}/articles/north-ledger/")
    assert "separate lane" in page.inner_text("main")
    page.evaluate("window.__before_reload = true")
    edit(site / "articles" / "north-ledger.md",
         "Cyclists will get a separate lane on the bridge from April.",
         "Cyclists will get a painted lane on the bridge from May.")
    # One condition checked in the page, because the full build that follows the quick one
    # may reload the tab a second time: a separate evaluate() could land mid-navigation.
    # A timeout here fails the test (the edit never showed, or showed without a reload).
    page.wait_for_function("""() => window.__before_reload === undefined
        && document.body.innerText.includes('painted lane')
        && !document.querySelector('main').innerText.includes('separate lane')""",
                           timeout=TIMEOUT_MS)


def test_only_tabs_whose_page_changed_reload(preview: tuple[PreviewServer, Path],
                                             browser: Any) -> None:
    server, site = preview
    context = browser.new_context()
    try:
        edited, other = context.new_page(), context.new_page()
        edited.goto(f"http://127.0.0.1:{server.port}/articles/harbor-gazette/")
        other.goto(f"http://127.0.0.1:{server.port}/about/")
        for tab in (edited, other):
            tab.evaluate("window.__marker = true")
        before = len(server.builds)
        edit(site / "articles" / "harbor-gazette.md", "normal timetable", "summer timetable")
        edited.wait_for_function("document.body.innerText.includes('summer timetable')",
                                 timeout=TIMEOUT_MS)
        waited = 0
        while not any(kind == "full" for kind, _ in server.builds[before:]) \
                and waited < TIMEOUT_MS:
            edited.wait_for_timeout(100)  # the full build follows the quick one
            waited += 100
        assert any(kind == "full" for kind, _ in server.builds[before:])
        other.wait_for_timeout(500)
        assert other.evaluate("window.__marker === true"), "an unchanged page reloaded"
    finally:
        context.close()


def test_config_error_is_shown_and_recovers(preview: tuple[PreviewServer, Path],
                                            page: Any) -> None:
    server, site = preview
    page.goto(f"http://127.0.0.1:{server.port}/")
    assert page.locator("#digest-build-error").count() == 0
    config = site / "digest.toml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good.replace("sentences = 3", 'sentences = "three"'), encoding="utf-8")
    banner = page.locator("#digest-build-error")
    banner.wait_for(state="visible", timeout=TIMEOUT_MS)
    text = banner.inner_text()
    assert "digest.toml, line 9" in text and "summary.sentences" in text
    assert "Lakeside" in page.inner_text("main")  # the last good site stays visible
    config.write_text(good.replace('title = "serve fixture"', 'title = "fixed fixture"'),
                      encoding="utf-8")
    page.wait_for_function("document.title.includes('fixed fixture')", timeout=TIMEOUT_MS)
    assert page.locator("#digest-build-error").count() == 0
