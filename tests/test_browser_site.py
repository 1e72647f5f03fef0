"""Real-browser tests: Debian's chromium, driven by Playwright, over the fixture site
served from 127.0.0.1 under a GitHub Pages-like subpath (``/repo/``).

Screenshots of each page (360 px and desktop, light and dark) go to
``test-output/screenshots/`` (git-ignored). Skipped, with the reason, when chromium or
Playwright is missing (see the ``browser`` fixture in conftest.py).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import build
from generator.config import load_config
from tests.sitecheck import site_links

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).parent / "fixtures" / "site"
SHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"
BASE = "/repo/"


@pytest.fixture(scope="module")
def docroot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site built for ``/repo/`` and placed at ``<docroot>/repo/``."""
    tmp = tmp_path_factory.mktemp("browser")
    src = shutil.copytree(FIXTURE, tmp / "src")
    config = load_config(src / "digest.toml")
    config.base_url = BASE
    config.output = str(tmp / "docroot" / "repo")
    build(config)
    return tmp / "docroot"


@pytest.fixture
def origin(docroot: Path, serve_folder: Callable[[Path], str]) -> str:
    return serve_folder(docroot)


class Watch:
    """Everything a page does that it should not: console errors, uncaught
    exceptions, dialogs, requests to other hosts, failed requests."""

    def __init__(self, page: Any, origin: str) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: "ERR_ABORTED" in (r.failure or "")  # left the page
                or self.errors.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.errors.append(
            f"{r.status}: {r.url}"))

        def dialog(d: Any) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.on("request", lambda r: r.url.startswith(origin) or self.foreign.append(r.url))

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs
        assert not self.foreign, self.foreign


@pytest.fixture
def page(browser: Any, origin: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    p = context.new_page()
    watch = Watch(p, origin)
    yield p, watch
    context.close()


def shoot(p: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_story_source_and_back(page: tuple[Any, Watch], origin: str) -> None:
    p, watch = page
    p.goto(origin + BASE)
    assert p.title().startswith("Harbour Town Digest")
    shoot(p, "home")
    headline = "Harbour bridge closed after engineers find crack in main span"
    p.get_by_role("link", name=headline).click()
    p.wait_for_url(origin + BASE + "stories/harbour-bridge/")
    assert p.locator("h1").inner_text().startswith("Harbour bridge closed")
    assert p.locator("table.matrix tbody tr").count() >= 1
    shoot(p, "story")
    p.locator(".source-card .headline a").first.click()
    p.wait_for_url("**/repo/articles/**")
    assert p.locator(".cleaned p").count() >= 3
    shoot(p, "source")
    p.go_back()
    p.wait_for_url(origin + BASE + "stories/harbour-bridge/")
    # a summary chip lands on the cited sentence, highlighted by :target
    p.locator(".summary .chip").first.click()
    p.wait_for_function("location.hash.length > 1")
    fragment = p.url.rsplit("#", 1)[1]
    assert p.locator(f"#{fragment}").is_visible()
    watch.assert_clean()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [360, 1280])
def test_pages_fit_the_screen_in_both_colour_schemes(browser: Any, origin: str, width: int,
                                                     scheme: str) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    p = context.new_page()
    watch = Watch(p, origin)
    backgrounds = set()
    for name, path in [("home", ""), ("story", "stories/harbour-bridge/"),
                       ("source", "articles/bridge-coastal/"), ("archive", "archive/"),
                       ("day", "archive/2024-03-04/"), ("about", "about/"),
                       ("search", "search/?q=harbour+bridge"), ("404", "404.html")]:
        p.goto(origin + BASE + path)
        p.wait_for_load_state("networkidle")
        overflow = p.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
        backgrounds.add(p.evaluate("getComputedStyle(document.body).backgroundColor"))
        shoot(p, f"{name}-{width}-{scheme}")
    watch.assert_clean()
    context.close()
    assert len(backgrounds) == 1
    dark = next(iter(backgrounds)) == "rgb(22, 21, 19)"
    assert dark == (scheme == "dark")


def test_hostile_article_runs_nothing(page: tuple[Any, Watch], origin: str) -> None:
    p, watch = page
    for path in ["stories/hostile/", "articles/hostile/", "", "archive/2024-03-03/",
                 "search/?q=hostile", "search/?q=script+pwned", "about/"]:
        p.goto(origin + BASE + path)
        p.wait_for_load_state("networkidle")
        p.mouse.move(200, 200)
        p.mouse.move(600, 400)
        assert p.evaluate("typeof window.__pwned") == "undefined", path
        hrefs = p.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        assert not [h for h in hrefs if not h.startswith(("http://", "https://"))], path
        handlers = p.evaluate("""() => [...document.querySelectorAll('*')].flatMap(
            e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name))""")
        assert handlers == [], path
        scripts = p.eval_on_selector_all("script", "els => els.map(e => e.src)")
        assert scripts in ([], [origin + BASE + "static/search.js"]), path
    p.goto(origin + BASE + "search/?q=hostile")
    p.wait_for_selector("#search-results li")
    assert "<script>" in p.locator("#search-results li h2").first.inner_text()
    assert p.evaluate("typeof window.__pwned") == "undefined"
    watch.assert_clean()


def test_search_finds_stories_and_sources(page: tuple[Any, Watch], origin: str) -> None:
    p, watch = page
    p.goto(origin + BASE + "search/")
    box = p.get_by_label("Search stories and sources")
    box.fill("librar")
    p.keyboard.press("Enter")
    p.wait_for_selector("#search-results li")
    titles = p.locator("#search-results li h2").all_inner_texts()
    assert titles[0] == "Central library reopens after two-year renovation"  # the story first
    assert len(titles) == 3  # the story and both sources
    p.wait_for_function("location.search.includes('q=librar')")
    assert p.locator("#search-results li h2 mark").first.inner_text() == "library"
    box.fill("açai zoe")  # accents folded both ways
    p.keyboard.press("Enter")
    p.wait_for_function("document.querySelectorAll('#search-results li').length === 1")
    p.locator("#search-results li a").first.click()
    p.wait_for_url("**/repo/articles/library-coastal/")
    p.go_back()
    p.goto(origin + BASE + "search/?q=nothing+matches+this")
    p.wait_for_function("document.getElementById('search-status').textContent.length > 0")
    assert "No results" in p.locator("#search-status").inner_text()
    watch.assert_clean()


def test_every_search_result_resolves(page: tuple[Any, Watch], origin: str,
                                      docroot: Path) -> None:
    p, watch = page
    urls = site_links(docroot / "repo")["search/index.json"]
    for url in urls:
        response = p.goto(origin + url)
        assert response is not None and response.status == 200, url
    watch.assert_clean()


def test_everything_but_search_works_without_javascript(browser: Any, origin: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    p.goto(origin + BASE)
    p.locator(".story-card h3 a").first.click()
    p.wait_for_load_state()
    assert p.locator(".summary li").count() >= 1
    assert p.locator("table.matrix").count() == 1
    details = p.locator("details")
    if details.count():  # "more" lists open without JavaScript
        details.first.locator("summary").click()
        assert details.first.evaluate("d => d.open")
    p.goto(origin + BASE + "search/")
    assert "needs JavaScript" in p.locator("main").inner_text()
    context.close()


def test_keyboard_navigation(page: tuple[Any, Watch], origin: str) -> None:
    p, watch = page
    p.goto(origin + BASE + "stories/harbour-bridge/")
    p.keyboard.press("Tab")
    assert p.evaluate("document.activeElement.textContent") == "Skip to content"
    assert p.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # visible
    p.keyboard.press("Enter")
    # following the link is asynchronous: wait for it (times out, failing, if it never happens)
    p.wait_for_function("location.hash === '#main'")
    p.keyboard.press("Tab")
    focused = p.evaluate("document.activeElement.closest('main') !== null")
    assert focused, "after the skip link, Tab moves into the main content"
    outline = p.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    # the coverage table scrolls by keyboard: its region is focusable
    assert p.locator(".table-wrap[tabindex='0']").count() == 1
    watch.assert_clean()
