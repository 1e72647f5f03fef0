"""The whole site, built by the real pipeline from tests/fixtures/site: links at a
domain root and under a subpath, feeds, sitemap, search index, `digest init` and
the GitHub Pages workflow.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
import yaml

from generator.build import build
from generator.cli import main
from generator.config import load_config
from generator.model import BuildResult
from generator.scaffold import INSTALL_FROM_CHECKOUT, ScaffoldError, init, workflow
from tests.sitecheck import broken, site_links, target

FIXTURE = Path(__file__).parent / "fixtures" / "site"
ROOT = Path(__file__).resolve().parent.parent
BASES = ["/", "/repo/", "https://user.github.io/repo/", "https://news.example/"]


def build_fixture(tmp: Path, base_url: str) -> BuildResult:
    folder = shutil.copytree(FIXTURE, tmp / "src")
    config = load_config(folder / "digest.toml")
    config.base_url = base_url
    return build(config)


@pytest.fixture(scope="module", params=BASES)
def built(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, str]:
    base_url: str = request.param
    return build_fixture(tmp_path_factory.mktemp("site"), base_url), base_url


def test_every_link_asset_feed_entry_and_search_result_resolves(
        built: tuple[BuildResult, str]) -> None:
    result, base_url = built
    problems, checked = broken(result.output, base_url)
    assert not problems, problems
    assert checked > 200
    links = site_links(result.output)
    assert links["search/index.json"] and links["sitemap.xml"] and links["feed.xml"]
    for story in (result.output / "stories").iterdir():
        assert (story / "feed.xml").is_file()


def test_nothing_links_outside_the_base_path(built: tuple[BuildResult, str]) -> None:
    result, base_url = built
    for rel, links in site_links(result.output).items():
        for link in links:
            file = target(result.output, base_url, link.split("#")[0]) if link[:1] != "#" else None
            if file is not None:
                assert "__outside_the_base_path__" not in str(file), f"{rel}: {link}"


def test_feeds_parse(built: tuple[BuildResult, str]) -> None:
    result, base_url = built
    feeds = sorted(result.output.rglob("feed.xml"))
    assert len(feeds) == 1 + len(result.digest.stories)
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.entries, path
        for entry in feed.entries:
            assert entry.title and entry.link and entry.id and entry.updated
            assert entry.updated[:4] == "2024"  # from the articles, not the clock
    site = feedparser.parse((result.output / "feed.xml").read_bytes())
    assert site.entries[0].title.startswith("Central library")  # latest story first (15:20Z)
    if base_url.startswith("https://"):
        assert all(e.link.startswith(base_url) for e in site.entries)


def test_sitemap_lists_every_page(built: tuple[BuildResult, str]) -> None:
    result, _ = built
    root = ET.fromstring((result.output / "sitemap.xml").read_bytes())
    locs = [loc.text for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    pages = [p for p in result.output.rglob("index.html")]
    assert len(locs) == len(set(locs)) == len(pages)
    assert (result.output / "robots.txt").read_text().startswith("User-agent: *")


def test_site_has_every_kind_of_page(built: tuple[BuildResult, str]) -> None:
    result, _ = built
    out = result.output
    for rel in ["index.html", "404.html", "about/index.html", "search/index.html",
                "archive/index.html", "archive/2024-03-04/index.html",
                "archive/2024-03-05/index.html", "api/stories.json",
                ".nojekyll", "robots.txt", "sitemap.xml", "feed.xml", "search/index.json"]:
        assert (out / rel).is_file(), rel
    about = (out / "about" / "index.html").read_text()
    assert '<a href="https://example.org/digest">' in about
    assert "<script>alert" not in about and 'href="javascript' not in about
    assert "&lt;script&gt;alert" in about  # shown as text


def test_hostile_article_is_inert_in_every_output(built: tuple[BuildResult, str]) -> None:
    result, _ = built
    for path in result.output.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "window.__pwned" not in html.replace("window.__pwned = &#39;", "").replace(
            "window.__pwned=&#39;", ""), path
        assert "<svg" not in html and "<img" not in html, path
    index = json.loads((result.output / "search" / "index.json").read_text())
    assert any("Hostile" in e["title"] for e in index["entries"])


def test_served_over_http_every_internal_link_answers_200(
        built: tuple[BuildResult, str], tmp_path: Path,
        serve_folder: Callable[[Path], str]) -> None:
    """The link checker again, through a real HTTP server, with the site at its base path."""
    result, base_url = built
    from urllib.parse import urlsplit

    base_path = urlsplit(base_url).path
    docroot = tmp_path / "docroot"
    shutil.copytree(result.output, docroot / base_path.strip("/") if base_path != "/" else docroot)
    origin = serve_folder(docroot)
    seen: set[str] = set()
    for links in site_links(result.output).values():
        for link in links:
            parts = urlsplit(link)
            if not parts.path.startswith(base_path) or (
                    parts.netloc and parts.netloc != urlsplit(base_url).netloc):
                continue
            seen.add(parts.path)
    assert len(seen) > 20
    for path in sorted(seen):
        with urllib.request.urlopen(origin + path, timeout=10) as response:
            assert response.status == 200, path


def test_builds_are_byte_identical(tmp_path: Path) -> None:
    one = build_fixture(tmp_path / "a", "/repo/").output
    two = build_fixture(tmp_path / "b", "/repo/").output
    files_one = {p.relative_to(one): p.read_bytes() for p in one.rglob("*") if p.is_file()}
    files_two = {p.relative_to(two): p.read_bytes() for p in two.rglob("*") if p.is_file()}
    assert files_one == files_two


def test_init_scaffolds_a_site_that_builds_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "my-news"
    assert main(["init", str(folder)]) == 0
    for rel in ["digest.toml", "content/pages/about.md", "templates/README.md",
                ".github/workflows/pages.yml", "requirements.txt"]:
        assert (folder / rel).is_file(), rel
    assert list((folder / "content" / "articles").glob("*.md"))
    config = load_config(folder / "digest.toml")
    assert config.title == "My news"
    result = build(config)
    assert not [p for p in result.problems if p.severity == "error"]
    assert len(result.digest.stories) == 1 and len(result.digest.articles) == 2
    assert (result.output / "about" / "index.html").is_file()
    problems, _ = broken(result.output, "/")
    assert not problems


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "digest.toml").write_text("title = 'mine'\n")
    with pytest.raises(ScaffoldError, match=r"digest\.toml"):
        init(tmp_path)
    assert (tmp_path / "digest.toml").read_text() == "title = 'mine'\n"
    assert not (tmp_path / "content").exists()
    assert main(["init", str(tmp_path)]) == 2
    assert "digest.toml" in capsys.readouterr().err


def check_workflow(text: str) -> dict:  # type: ignore[type-arg]
    flow = yaml.safe_load(text)
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    assert flow["concurrency"]["group"] == "pages"
    steps = flow["jobs"]["build"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/configure-pages@") for u in uses)
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    pages = next(s for s in steps if s.get("uses", "").startswith("actions/configure-pages@"))
    build_step = next(s for s in steps if "digest build" in s.get("run", ""))
    assert f'--base-url "${{{{ steps.{pages["id"]}.outputs.base_url }}}}/"' in build_step["run"]
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in deploy["steps"])
    return flow  # type: ignore[no-any-return]


def test_pages_workflows() -> None:
    repo = (ROOT / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8")
    assert repo == workflow(INSTALL_FROM_CHECKOUT)
    check_workflow(repo)
    check_workflow(workflow())


def test_link_checker_catches_broken_links(tmp_path: Path) -> None:
    """The checker is not vacuous: a missing page, a missing anchor, a link outside
    the base path and a javascript: link are each reported."""
    site = build_fixture(tmp_path, "/repo/").output
    page = site / "index.html"
    html = page.read_text(encoding="utf-8")
    page.write_text(html.replace("</main>", '<a href="/repo/nowhere/">x</a>'
                                 '<a href="/repo/about/#missing">y</a><a href="/about/">z</a>'
                                 '<a href="javascript:alert(1)">w</a></main>'), encoding="utf-8")
    problems, _ = broken(site, "/repo/")
    assert len(problems) == 4, problems


def test_semantic_html_on_every_built_page(built: tuple[BuildResult, str]) -> None:
    from tests.test_render import _Outline

    result, _ = built
    for path in sorted(result.output.rglob("*.html")):
        outline = _Outline()
        outline.feed(path.read_text(encoding="utf-8"))
        name = path.relative_to(result.output)
        assert {"header", "nav", "main", "footer"} <= outline.landmarks, name
        assert outline.headings[0] == 1 and outline.headings.count(1) == 1, name
        for before, after in zip(outline.headings, outline.headings[1:], strict=False):
            assert after <= before + 1, f"{name}: h{before} then h{after}"
        assert all(c and c in outline.labels for c in outline.inputs), name


def test_a_page_cannot_take_a_folder_the_site_uses(tmp_path: Path) -> None:
    folder = shutil.copytree(FIXTURE, tmp_path / "src")
    (folder / "content" / "pages" / "search.md").write_text("# Mine\n", encoding="utf-8")
    result = build(load_config(folder / "digest.toml"))
    assert any("search.md" in p.path and "/search/" in p.reason for p in result.problems)
    assert "Search stories and sources" in (result.output / "search" / "index.html").read_text()
