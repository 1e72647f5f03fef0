"""render: pages, feeds, sitemap, search index and escaping, from a digest built by hand.

These tests do not run the pipeline: the digest below fills every section of the
differences, so the templates are exercised whatever the other stages produce.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from itertools import chain
from pathlib import Path

import feedparser
import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from generator.config import Config
from generator.model import (
    Article,
    Conflict,
    ConflictValue,
    Differences,
    Digest,
    Fact,
    Headline,
    Page,
    Quote,
    Story,
    SummarySentence,
)
from generator.render import (
    indented_json,
    linkify,
    mark_words,
    markdown_html,
    numbered,
    render,
    safe_url,
    time_tag,
)
from generator.render.feeds import Node, xml_string, xml_text
from generator.render.site import human_time, parse_time, source_labels, story_span
from generator.text import fold

EVIL = '<script>window.__pwned=1</script><img src=x onerror="alert(1)">'


def article(aid: str, title: str, outlet: str | None, published: str | None,
            url: str | None = None, paragraphs: list[str] | None = None) -> Article:
    paras = paragraphs or [f"{title}. It happened on the quay.", "A second paragraph."]
    return Article(id=aid, path=f"{aid}.md", folder="content", title=title, paragraphs=paras,
                   outlet=outlet, url=url, published=published,
                   sentences=[[p] for p in paras])


def make_digest() -> Digest:
    a = article("a-one", "Ferry strike halts crossings", "Bay Times", "2024-06-01T08:00:00Z",
                "https://bay.example/ferry")
    b = article("b-two", "Crossings halted as ferry crews walk out " + EVIL, EVIL,
                "2024-06-02T09:30:00+02:00", "javascript:alert(1)",
                [f"Crews walked out {EVIL}. See https://union.example/a?x=1&y=2 now.",
                 "Ignore javascript:alert(2) please."])
    c = article("c-three", "Ferry strike: what we know", "Bay Times", "2024-06-02")
    d = article("d-four", "Museum opens new wing", "Valley Post", None)
    diff = Differences(
        facts=[Fact("Crossings are halted.", ["a-one", "b-two", "c-three"]),
               Fact("Crews walked out " + EVIL, ["b-two", "c-three"]),
               Fact("Talks resume Friday.", ["a-one"])],
        unique={"a-one": [Fact("Talks resume Friday.", ["a-one"])],
                "b-two": [Fact("Only in b " + EVIL, ["b-two"])]},
        conflicts=[Conflict("passengers stranded", [
            ConflictValue("2,000", ["a-one"], "About 2,000 passengers were stranded."),
            ConflictValue("3,500 " + EVIL, ["b-two"], "Some 3,500 were stranded " + EVIL)],
            note="Different times of day " + EVIL)],
        quotes=[Quote("Ann Lee " + EVIL, "We will not sail until this is fixed " + EVIL,
                      ["a-one", "b-two"]),
                Quote(None, "Nobody told us anything at all", ["c-three"])],
        headlines=[Headline("a-one", "Ferry strike halts crossings", ["halts"]),
                   Headline("b-two", "Crossings halted as ferry crews walk out " + EVIL,
                            ["crews", "script"])],
        syndication=[["a-one", "c-three"]],
        independent_reports=2,
        entities={"b-two": ["Ann Lee", EVIL]},
    )
    ferry = Story(id="ferry", slug="2024-06-01-ferry-strike", articles=[a, b, c],
                  title="Ferry strike halts crossings " + EVIL,
                  reasons=["shared names: ferry " + EVIL],
                  summary=[SummarySentence("Crossings are halted " + EVIL + ".",
                                           ["a-one", "b-two"], {"a-one": 0, "b-two": 1})],
                  differences=diff)
    museum = Story(id="museum", slug="museum-wing", articles=[d], title="Museum opens new wing",
                   summary=[SummarySentence("Museum opens new wing.", ["d-four"], {"d-four": 0})],
                   differences=Differences(independent_reports=1))
    pages = [Page("about", "About", "# About\n\n<script>alert(1)</script> [x](javascript:alert(1))"
                  " [ok](https://example.org/)", "about.md")]
    return Digest(stories=[museum, ferry], articles=[a, b, c, d], pages=pages)


def config(tmp_path: Path, base_url: str = "/") -> Config:
    return Config(base_url=base_url, title="Test <Digest>", root=tmp_path)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, bytes]:
    return render(make_digest(), config(tmp_path, "https://user.github.io/repo/"))


def html_pages(files: dict[str, bytes]) -> dict[str, str]:
    return {k: v.decode("utf-8") for k, v in files.items() if k.endswith(".html")}


def test_every_page_and_machine_file_is_rendered(files: dict[str, bytes]) -> None:
    for path in ["index.html", "404.html", "about/index.html", "search/index.html",
                 "archive/index.html", "archive/2024-06-01/index.html",
                 "archive/2024-06-02/index.html", "stories/2024-06-01-ferry-strike/index.html",
                 "stories/2024-06-01-ferry-strike/feed.xml", "stories/museum-wing/feed.xml",
                 "articles/a-one/index.html", "articles/d-four/index.html", "feed.xml",
                 "sitemap.xml", "robots.txt", "search/index.json", "api/stories.json",
                 ".nojekyll", "static/style.css", "static/search.js"]:
        assert path in files, path


def test_home_lists_latest_first_with_counts(files: dict[str, bytes]) -> None:
    home = files["index.html"].decode()
    assert home.index("Ferry strike halts") < home.index("Museum opens new wing")
    assert "3 sources · 2 independent reports" in home
    assert "1 source · 1 independent report" in home
    assert "Crossings are halted" in home  # first summary sentence
    assert '<time datetime="2024-06-02T09:30:00+02:00">' in home


def test_story_page_shows_every_differences_section(files: dict[str, bytes]) -> None:
    page = files["stories/2024-06-01-ferry-strike/index.html"].decode()
    for heading in ("Summary", "Sources", "How the sources differ", "Coverage",
                    "Only here", "Where the sources disagree", "Who is quoted",
                    "Headlines side by side", "Copies of one report",
                    "Names only one source mentions", "Why these articles are grouped"):
        assert heading in page, heading
    # coverage matrix: one row per shared fact, one column per source
    table = page.split('<table class="matrix">', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="col">') == 3 + 2
    assert table.count('<th scope="row">') == 2  # the single-source fact is under "only here"
    assert table.count('class="yes"') == 3 + 2
    # chips link to the cited sentence; outlets that repeat are told apart
    assert 'href="/repo/articles/b-two/#s1"' in page
    assert "Bay Times (1)" in page and "Bay Times (2)" in page
    assert "Speaker not named" in page
    assert "<mark>halts</mark>" in page
    assert 'href="https://bay.example/ferry"' in page
    assert "original address unknown" in page  # the javascript: URL is not a link


def test_hostile_text_is_escaped_everywhere(files: dict[str, bytes]) -> None:
    for name, html in html_pages(files).items():
        scripts = re.findall(r"<script\b[^>]*>", html)
        if name == "search/index.html":
            assert scripts == ['<script src="/repo/static/search.js" defer>']
        else:
            assert scripts == [], name
        assert "<img" not in html and "onerror=" not in html.replace("onerror=&#34;", ""), name
        assert not re.search(r"""href\s*=\s*["']?\s*(javascript|data|vbscript):""", html, re.I)
    for name in ("feed.xml", "stories/2024-06-01-ferry-strike/feed.xml", "sitemap.xml"):
        ET.fromstring(files[name])  # still well-formed XML
    data = json.loads(files["search/index.json"])
    assert any(EVIL in e["title"] for e in data["entries"])  # kept as text, for textContent


def test_markdown_pages_render_without_raw_html() -> None:
    html = str(markdown_html("# T\n\n<script>alert(1)</script>\n\n<b onclick=x>b</b> "
                             "[a](javascript:alert(1)) [d](data:text/html,x) [ok](https://ok.example/)"))
    assert "<script" not in html and "<b " not in html
    assert "javascript:" not in html.split("href")[-1] or 'href="https://ok.example/"' in html
    assert not re.search(r'href="(javascript|data):', html)
    assert '<a href="https://ok.example/">ok</a>' in html


def test_linkify_links_only_http_urls() -> None:
    out = str(linkify('see https://a.example/x?y=1&z=2. and javascript:alert(1) <b>'))
    assert '<a href="https://a.example/x?y=1&amp;z=2" rel="nofollow noopener">' in out
    assert out.endswith(". and javascript:alert(1) &lt;b&gt;")
    assert str(linkify("ftp://x.example/ file:///etc/passwd")) == "ftp://x.example/ file:///etc/passwd"


def test_mark_words_escapes_and_marks() -> None:
    marked = str(mark_words("<i>Crews</i> walk out", ["crews"]))
    assert marked == "&lt;i&gt;<mark>Crews</mark>&lt;/i&gt; walk out"


@given(st.text())
def test_safe_url_only_accepts_http(url: str) -> None:
    got = safe_url(url)
    if got is not None:
        assert re.match(r"^https?://[^\s]", got, re.I)
        assert not any(c in got for c in "<>\"' `")


@settings(max_examples=25, deadline=None)
@given(st.text(), st.text())
def test_feeds_stay_well_formed_for_any_text(tmp_path_factory: pytest.TempPathFactory,
                                             title: str, sentence: str) -> None:
    digest = make_digest()
    digest.stories[1].title = title
    digest.stories[1].summary[0].text = sentence
    digest.articles[0].title = title
    out = render(digest, config(tmp_path_factory.mktemp("f")))
    for name in ("feed.xml", "stories/2024-06-01-ferry-strike/feed.xml", "sitemap.xml"):
        ET.fromstring(out[name])
    entry = ET.fromstring(out["feed.xml"]).find("{http://www.w3.org/2005/Atom}entry")
    assert entry is not None
    want = xml_text(title).replace("\r\n", "\n").replace("\r", "\n")  # XML line ends
    assert entry.findtext("{http://www.w3.org/2005/Atom}title") == want
    json.loads(out["search/index.json"])


def test_site_feed_parses_and_dates_come_from_articles(files: dict[str, bytes]) -> None:
    feed = feedparser.parse(files["feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Test <Digest>"
    assert [e.link for e in feed.entries] == [
        "https://user.github.io/repo/stories/2024-06-01-ferry-strike/",
        "https://user.github.io/repo/stories/museum-wing/"]
    ferry = feed.entries[0]
    assert ferry.updated == "2024-06-02T07:30:00Z"  # the latest article, in UTC
    assert ferry.published == "2024-06-01T08:00:00Z"
    assert feed.feed.updated == "2024-06-02T07:30:00Z"
    assert "<script>" not in ferry.content[0].value.split("&lt;")[0]
    assert "Bay Times (1)" in ferry.content[0].value
    museum = feed.entries[1]
    assert museum.updated == "1970-01-01T00:00:00Z"  # no date anywhere: a fixed time


def test_story_feed_lists_its_sources(files: dict[str, bytes]) -> None:
    feed = feedparser.parse(files["stories/2024-06-01-ferry-strike/feed.xml"])
    assert not feed.bozo
    assert len(feed.entries) == 3
    assert feed.entries[0].link == "https://user.github.io/repo/articles/b-two/"
    assert {e.id for e in feed.entries} == {f"https://user.github.io/repo/articles/{i}/"
                                             for i in ("a-one", "b-two", "c-three")}


def test_feed_ids_without_a_host_are_stable_urns(tmp_path: Path) -> None:
    out = render(make_digest(), config(tmp_path, "/"))
    feed = feedparser.parse(out["feed.xml"])
    assert feed.entries[0].id == "urn:digest:story:ferry"
    assert feed.entries[0].link == "/stories/2024-06-01-ferry-strike/"
    assert b"Sitemap:" not in out["robots.txt"]


def test_sitemap_and_robots(files: dict[str, bytes]) -> None:
    root = ET.fromstring(files["sitemap.xml"])
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    html = sorted(k for k in files if k.endswith("index.html"))
    assert sorted(locs) == sorted("https://user.github.io/repo/" + k.removesuffix("index.html")
                                  for k in html)
    lastmods = [u.findtext("s:lastmod", namespaces=ns) for u in root.findall("s:url", ns)]
    assert "2024-06-02T07:30:00Z" in lastmods
    robots = files["robots.txt"].decode()
    assert "Sitemap: https://user.github.io/repo/sitemap.xml" in robots


def test_search_index_has_stories_and_sources(files: dict[str, bytes]) -> None:
    entries = json.loads(files["search/index.json"])["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds.count("story") == 2 and kinds.count("source") == 4
    assert all(e["url"].startswith("/repo/") for e in entries)
    ferry = next(e for e in entries if e["url"] == "/repo/stories/2024-06-01-ferry-strike/")
    assert "crossings" in ferry["k"].split() and "bay" in ferry["k"].split()


def test_archive_by_day(files: dict[str, bytes]) -> None:
    archive = files["archive/index.html"].decode()
    assert archive.index("2 June 2024") < archive.index("1 June 2024")
    assert "Undated stories" in archive and "Museum opens new wing" in archive
    day = files["archive/2024-06-02/index.html"].decode()
    assert "Ferry strike halts" in day and "Museum" not in day
    assert 'rel="prev" href="/repo/archive/2024-06-01/"' in day
    assert 'rel="next"' not in day


def test_render_is_deterministic(tmp_path: Path) -> None:
    assert render(make_digest(), config(tmp_path)) == render(make_digest(), config(tmp_path))


def test_user_template_and_static_override_the_theme(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "static").mkdir(parents=True)
    (templates / "index.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1>Mine: {{ stories|length }}</h1>'
        "{% endblock %}", encoding="utf-8")
    (templates / "static" / "style.css").write_text("body{color:red}", encoding="utf-8")
    (templates / "static" / "extra.css").write_text("p{}", encoding="utf-8")
    out = render(make_digest(), config(tmp_path))
    assert "<h1>Mine: 2</h1>" in out["index.html"].decode()
    assert out["static/style.css"] == b"body{color:red}"
    assert out["static/extra.css"] == b"p{}"
    assert "How the sources differ" in out["stories/2024-06-01-ferry-strike/index.html"].decode()


def test_times_are_shown_as_the_source_gave_them() -> None:
    assert human_time("2024-06-02") == "2 June 2024"
    assert human_time("2024-06-02T09:30:00+02:00") == "2 June 2024, 09:30 UTC+02:00"
    assert human_time("2024-06-02T09:30:00Z") == "2 June 2024, 09:30 UTC"
    assert human_time("yesterday") == "yesterday"
    assert parse_time("2024-13-45") is None


def test_story_times_compare_instants_not_strings() -> None:
    story = Story(id="s", slug="s", articles=[
        article("x", "t", None, "2024-06-02T09:00:00+05:00"),  # 04:00 UTC
        article("y", "t", None, "2024-06-02T06:00:00Z"),
        article("z", "t", None, None)])
    assert story_span(story) == ("2024-06-02T09:00:00+05:00", "2024-06-02T06:00:00Z")
    assert story_span(Story(id="e", slug="e", articles=[])) == (None, None)


def test_source_labels_are_unique() -> None:
    arts = [article("x", "t", "Same", None), article("y", "t", "Same", None),
            article("z", "t", None, None, "https://www.host.example/a"),
            article("w", "t", None, None)]
    assert source_labels(arts) == {"x": "Same (1)", "y": "Same (2)", "z": "host.example",
                                   "w": "Source 4"}


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.landmarks: set[str] = set()
        self.inputs: list[str] = []
        self.labels: set[str] = set()
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("header", "nav", "main", "footer"):
            self.landmarks.add(tag)
        if tag in ("input", "select", "textarea"):
            self.inputs.append(a.get("id") or "")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        if tag == "html":
            self.lang = a.get("lang")


def test_semantic_html_on_every_page(files: dict[str, bytes]) -> None:
    for name, html in html_pages(files).items():
        outline = _Outline()
        outline.feed(html)
        assert outline.lang == "en", name
        assert {"header", "nav", "main", "footer"} <= outline.landmarks, name
        assert outline.headings and outline.headings[0] == 1, name
        assert outline.headings.count(1) == 1, name
        for before, after in zip(outline.headings, outline.headings[1:], strict=False):
            assert after <= before + 1, f"{name}: h{before} then h{after}"
        for control in outline.inputs:
            assert control and control in outline.labels, f"{name}: unlabelled control"
        assert "https://" not in re.sub(r'href="https://[^"]*"', "", html.split("<body")[0]), name


def test_no_external_assets(files: dict[str, bytes]) -> None:
    css = files["static/style.css"].decode()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    for name, html in html_pages(files).items():
        for src in re.findall(r'<(?:script|link|img)\b[^>]*(?:src|href)="([^"]+)"', html):
            assert src.startswith("/repo/"), f"{name}: {src}"


_JSON_LEAVES = (st.none() | st.booleans() | st.integers() | st.text()
                | st.floats(allow_nan=True, allow_infinity=True))
_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(st.text(max_size=5), inner, max_size=4)
                   | st.dictionaries(st.integers(), inner, max_size=2)
                   | st.dictionaries(st.text(max_size=5), st.lists(st.text(max_size=3),
                                                                   max_size=3), max_size=3)
                   | st.dictionaries(st.text(max_size=5), st.dictionaries(
                       st.text(max_size=3) | st.integers(), st.text(max_size=3)
                       | st.integers() | st.booleans(), max_size=3), max_size=3)),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_indented_json_is_json_dumps_indent_2(value: object) -> None:
    # The fast writer of stories.json must give exactly the standard library's text,
    # including the values it hands back to json.dumps (NaN, int keys).
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_indented_json_leaves_unusual_values_to_json_dumps() -> None:
    class Count(int):
        pass

    for value in ({"n": Count(3)}, [float("nan")], {1: "a"}, {"x": [True, None, 1.5]}):
        assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)
    with pytest.raises(TypeError):
        indented_json({"x": object()})


_WORDS = st.lists(st.sampled_from(["Crews", "crews", "<b>", "Zoë", "zoe", "a&b", "’s", "x"]),
                  max_size=6)


@settings(max_examples=200, deadline=None)
@given(_WORDS, _WORDS)
def test_mark_words_marks_exactly_the_distinct_words(title_words: list[str],
                                                     distinct: list[str]) -> None:
    title = " ".join(title_words)
    marked = str(mark_words(title, distinct))
    # Unmarking and unescaping gives the title back; every marked word is a distinct one.
    plain = re.sub(r"</?mark>", "", marked)
    assert plain.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"') \
        .replace("&#39;", "'").replace("&amp;", "&") == title
    assert "<b>" not in plain
    folded = {fold(w) for w in distinct}
    for word in re.findall(r"<mark>(.*?)</mark>", marked):
        assert fold(word.replace("&amp;", "&")) in folded


def test_time_tag_and_numbered_filters() -> None:
    assert str(time_tag(None)) == "" and str(time_tag("")) == ""
    assert str(time_tag("2024-05-31T14:05:00Z")) == (
        '<time datetime="2024-05-31T14:05:00Z">31 May 2024, 14:05 UTC</time>')
    assert str(time_tag('2024"<x>')) == (
        '<time datetime="2024&#34;&lt;x&gt;">2024&#34;&lt;x&gt;</time>')
    # Sentence numbers run on across paragraphs (the #s<N> anchors summary chips link to).
    assert list(numbered([["a", "b"], [], ["c"]])) == [[(0, "a"), (1, "b")], [], [(2, "c")]]


def test_source_chips_and_the_chips_macro_give_the_same_list(tmp_path: Path) -> None:
    from generator.render import make_environment
    from generator.render.site import Site

    env = make_environment(Config(root=tmp_path))
    known = Article(id="a1", path="a1.txt", folder="x", title="T", paragraphs=["p"])
    site = Site("S", "", "", "/repo/")
    args = {"ids": ["a1", "gone<"], "labels": {"a1": 'Daily "<News>"'},
            "byid": {"a1": known}, "anchors": {"a1": 3}}
    direct = env.from_string(
        "{{ source_chips(ids, labels, byid, anchors) }}").render(site=site, **args)
    via_macro = env.from_string('{% import "_macros.html" as m with context %}'
                                "{{ m.chips(ids, labels, byid, anchors) }}")
    assert direct == via_macro.render(site=site, **args)
    assert direct == (
        '<ul class="chips" aria-label="Sources">\n'
        '<li><a class="chip" href="/repo/articles/a1/#s3">Daily &#34;&lt;News&gt;&#34;</a></li>\n'
        '<li><span class="chip">gone&lt;</span></li>\n</ul>\n')
    no_anchor = env.from_string("{{ source_chips(['a1'], {}, byid) }}").render(site=site, **args)
    assert '<a class="chip" href="/repo/articles/a1/">a1</a>' in no_anchor


_XML_TEXT = st.text(alphabet=st.sampled_from(list('ab &<>"\'\r\n\t é')), max_size=8)


def _xml_trees(depth: int) -> st.SearchStrategy[Node]:
    def make(tag: str, attrs: dict[str, str], text: str | None,
             children: list[Node]) -> Node:
        node = Node(tag, attrs, text)
        node.children = children
        return node

    kids = st.just([]) if depth == 0 else st.lists(_xml_trees(depth - 1), max_size=3)
    return st.builds(make, st.sampled_from(["feed", "entry", "x:y"]),
                     st.dictionaries(st.sampled_from(["href", "xml:lang", "rel"]), _XML_TEXT,
                                     max_size=2),
                     st.none() | _XML_TEXT, kids)


def _as_element(node: Node) -> ET.Element:
    el = ET.Element(node.tag, dict(node.attrs))
    el.text = node.text
    el.extend(_as_element(child) for child in node.children)
    return el


@settings(max_examples=300, deadline=None)
@given(_xml_trees(3))
def test_xml_string_is_elementtree_indent_and_tostring(tree: Node) -> None:
    # Feeds and the sitemap are written without ElementTree; the text must be what
    # ET.indent + ET.tostring give for the same tree (escaping, empty elements, indents).
    el = _as_element(tree)
    ET.indent(el, "  ")
    assert xml_string(tree) == ET.tostring(el, encoding="unicode")


@given(st.lists(st.sampled_from(["a1", "A1", "b", "B", "c"]), max_size=6))
def test_count_unique_is_jinjas_unique_list_length(ids: list[str]) -> None:
    from generator.render import count_unique

    env = jinja2.Environment()
    expected = env.from_string("{{ ids|unique|list|length }}").render(ids=ids)
    assert str(count_unique(ids)) == expected


_SENTENCE = st.lists(st.sampled_from(list("ab <>&\"' .é")) | st.sampled_from(
    ["https://x.example/a?b=1&c=2", "http://", "javascript:alert(1)", "HTTP://Y.example/"]),
    max_size=12).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_SENTENCE, max_size=4), max_size=4))
def test_sentence_spans_is_the_template_loop(paragraphs: list[list[str]]) -> None:
    # article.html writes each paragraph with one filter call instead of a Jinja2 loop
    # over its sentences: the same HTML.
    from generator.render import make_environment

    env = make_environment(Config())
    loop = env.from_string('{% for para in paras|numbered %}<p>{% for i, s in para %}'
                           '<span id="s{{ i }}">{{ s|linkify }}</span> {% endfor %}</p>'
                           '{% endfor %}')
    spans = env.from_string("{% for para in paras|numbered %}<p>{{ para|sentence_spans }}</p>"
                            "{% endfor %}")
    assert spans.render(paras=paragraphs) == loop.render(paras=paragraphs)


def test_story_meta_filter_is_the_old_macro() -> None:
    from generator.render import make_environment

    env = make_environment(Config())
    old = env.from_string(
        "{% macro story_meta(story) %}\n{{ story.articles|length|plural('source') }}"
        "{% if story.differences %} · {{ story.differences.independent_reports"
        "|plural('independent report') }}{% endif %}\n{% endmacro %}{{ story_meta(story) }}")
    new = env.from_string("{{ story|story_meta }}")
    macro = env.from_string('{% import "_macros.html" as m with context %}'
                            "{{ m.story_meta(story) }}")
    digest = make_digest()
    one = Story(id="one", slug="one", articles=digest.articles[:1], title="One")
    for story in [*digest.stories, one]:
        assert new.render(story=story) == old.render(story=story) == macro.render(story=story)


# The "Only here" section and coverage matrix as story.html wrote them before the
# story view looked up each source's URL and label once (per fact and per cell), and
# as it writes them now.
_FIXTURES = Path(__file__).parent / "fixtures" / "render_speed"
_OLD_ONLY_HERE = (_FIXTURES / "only_here_old.html").read_text("utf-8")

_NEW_ONLY_HERE = (_FIXTURES / "only_here_new.html").read_text("utf-8")


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a-one", "b-two", "c-three"]),
                          st.sampled_from(["F", "G <&>", EVIL]),
                          st.none() | st.integers(0, 30)), max_size=16),
       st.lists(st.lists(st.sampled_from(["a-one", "b-two", "c-three", "gone"]),
                         min_size=1, max_size=4), max_size=5))
def test_story_view_gives_the_old_only_here_and_matrix(
        unique: list[tuple[str, str, int | None]], shared: list[list[str]]) -> None:
    from generator.render import make_environment, story_view
    from generator.render.site import Site

    digest = make_digest()
    story = digest.stories[0]
    assert story.differences is not None
    by_source: dict[str, list[Fact]] = {}
    for aid, text, n in unique:
        by_source.setdefault(aid, []).append(
            Fact(text, [aid], {} if n is None else {aid: n}))
    story.differences.unique = by_source
    story.differences.facts = [Fact(f"shared {i}", ids) for i, ids in enumerate(shared)]
    site = Site("S", "", "", "/repo/")
    env = make_environment(Config())
    context = {"story": story, "view": story_view(story, site), "site": site,
               "articles_by_id": {a.id: a for a in digest.articles}}
    assert (env.from_string(_NEW_ONLY_HERE).render(context)
            == env.from_string(_OLD_ONLY_HERE).render(context))
    # What is tested is what story.html says.
    theme = (Path(__file__).parent.parent / "templates" / "story.html").read_text("utf-8")
    for line in _NEW_ONLY_HERE.splitlines()[1:]:
        assert line in theme, line


def test_pages_extend_a_users_base_template(tmp_path: Path) -> None:
    # The built-in pages extend the ``layout`` render hands them: base.html as the
    # theme resolves it, so a user's base.html still frames every page.
    (tmp_path / "templates").mkdir()
    base = (Path(__file__).parent.parent / "templates" / "base.html").read_text("utf-8")
    (tmp_path / "templates" / "base.html").write_text(
        base.replace("<body>", "<body><p>user layout</p>"), "utf-8")
    files = render(make_digest(), Config(root=tmp_path))
    pages = [p for p in files if p.endswith(".html")]
    assert any(p.startswith("stories/") for p in pages)
    assert any(p.startswith("articles/") for p in pages)
    assert any(p.startswith("archive/2") for p in pages)
    for p in pages:
        assert b"<body><p>user layout</p>" in files[p], p


class _Html:
    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(),
                 st.text().map(_Html), st.text().map(Markup)))
def test_escape_text_is_markupsafe_escape(value: object) -> None:
    import markupsafe

    from generator.render import escape_text

    assert escape_text(value) == str(markupsafe.escape(value))
    assert type(escape_text(value)) in (str, markupsafe.Markup)


_JINJA_CONSTRUCTS = """{% macro m(x) %}<b>{{ x }}</b>{% endmacro %}
{% macro c(x) %}<b>{{ x }}</b>{{ caller() }}{% endmacro %}
{{ v }}|{{ m(v) }}|{{ v ~ '<' }}|{{ v|e }}|{{ v|safe }}|{{ h }}|{{ n }}|{{ v|upper }}
{% set block %}<i>{{ v }}</i>{% endset %}{{ block }}|{{ block|length }}
{% filter upper %}{{ v }}<u>{% endfilter %}|{% call c(v) %}{{ v }}{% endcall %}
{% autoescape false %}{{ v }}{% endautoescape %}|{% for c in v %}{{ c }}{{ loop.index }}{% endfor %}
{{ m(v)|length }}|{{ [v, h]|join(', ') }}|{{ "%s"|format(v) }}|{{ v|replace('<', '&') }}
"""


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("a<>&\"'é ")), max_size=6))
def test_theme_environment_renders_as_plain_jinja(text: str) -> None:
    # The theme's environment escapes template output without making a Markup per
    # piece (_Template): every construct that collects output gives the same text.
    from generator.render import make_environment

    env = make_environment(Config())
    plain = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    args = {"v": text, "h": _Html("<em>" + text + "</em>"), "n": 7}
    assert env.template_class is not jinja2.Template
    assert (env.from_string(_JINJA_CONSTRUCTS).render(**args)
            == plain.from_string(_JINJA_CONSTRUCTS).render(**args))


_WORDY = st.lists(st.sampled_from(
    ["a", "B", "é", "É", "\u0301", "Σ", "σ", "ς", "İ", "ﬁ", "_", " ", "\n", "-", "'", "1",
     "ß", "Å", "\u00a0", "ǅ"]), max_size=10).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORDY, max_size=5))
def test_keywords_fold_texts_as_one_as_each_alone(texts: list[str]) -> None:
    from generator.render.machine import _TOKEN, keywords, search_fold

    each = chain.from_iterable(_TOKEN.findall(search_fold(t)) for t in texts)
    assert keywords(*texts) == " ".join(dict.fromkeys(each))  # each text folded alone


def test_a_changed_template_is_used_by_the_next_render(tmp_path: Path) -> None:
    # Templates are loaded once per render call (not per page), and the environment is
    # kept between builds: an edited template still shows in the next render.
    import os

    folder = tmp_path / "templates"
    folder.mkdir()
    theme = Path(__file__).parent.parent / "templates"
    config = Config(root=tmp_path)
    for text in ("first edit", "second edit"):
        for name in ("story.html", "article.html", "day.html"):
            source = (theme / name).read_text("utf-8").replace(
                "{% block main %}", "{% block main %}<p>" + text + "</p>", 1)
            path = folder / name
            path.write_text(source, "utf-8")
            stamp = path.stat().st_mtime + (2 if text == "second edit" else 0)
            os.utime(path, (stamp, stamp))
        files = render(make_digest(), config)
        for prefix in ("stories/", "articles/", "archive/2"):
            pages = [p for p in files if p.startswith(prefix) and p.endswith(".html")]
            assert pages and all(f"<p>{text}</p>".encode() in files[p] for p in pages)
