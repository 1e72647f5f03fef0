"""Loading: formats, metadata sources, stable ids, and every kind of bad input.

Bad-input fixtures are built in ``tmp_path`` by each test. The build-level tests
run ``digest build`` on a folder holding one good article and one bad file and
check the printed summary, ``.digest-cache/build-report.json`` and ``--strict``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.load import (
    MAX_BYTES,
    article_id,
    decode,
    discover,
    load,
    read_paths,
    split_front_matter,
)

GOOD = ("The regional water authority said on Monday that the reservoir above the town "
        "had reached its lowest level in thirty years after the driest summer on record.\n\n"
        "Engineers will start pumping water from the river next week, and residents are "
        "asked to save water until the autumn rains arrive.\n")
OTHER = ("A new ferry line between the two islands will start in June, the operator said, "
         "cutting the crossing from three hours to ninety minutes for most travellers.\n\n"
         "Tickets go on sale next month, and local residents will pay half price on "
         "weekdays under an agreement with the island councils.\n")


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def loaded(folder: Path):  # type: ignore[no-untyped-def]
    return load([("content", folder)])


# --- formats and metadata -------------------------------------------------------------------


def test_discover_skips_hidden_underscored_and_sidecars(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md", "c.html", "d.htm", "e.jsonl", "f.json", "g.txt.json",
                 ".hidden.txt", "_draft.md", "_private/x.txt", "sub/h.txt", "notes.rtf"):
        write(tmp_path, name, "x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert found == ["a.txt", "b.md", "c.html", "d.htm", "e.jsonl", "sub/h.txt"]


def test_front_matter_fields_aliases_and_unknown_keys(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\ntitle: T\nsource: Example Times\ndate: 2024-05-31\n"
                            "link: https://example.com/a\nauthor: A. Writer\nlanguage: english\n"
                            "story: s1\nmood: grim\n---\n\n" + GOOD)
    result = loaded(tmp_path)
    doc = result.documents[0]
    assert doc.metadata == {"title": "T", "outlet": "Example Times", "published": "2024-05-31",
                            "url": "https://example.com/a", "author": "A. Writer",
                            "language": "english", "story": "s1"}
    assert set(doc.origin.values()) == {"front matter"}
    assert [p.reason for p in doc.problems] == ["unknown metadata key 'mood' (front matter); "
                                                 "ignored"]
    assert doc.problems[0].severity == "warning"
    assert doc.body.lstrip().startswith("The regional water authority")


def test_bad_published_value_is_reported_and_ignored(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "---\npublished: last Tuesday\n---\n" + GOOD)
    doc = loaded(tmp_path).documents[0]
    assert "published" not in doc.metadata
    assert "not an ISO 8601 date" in doc.problems[0].reason


@pytest.mark.parametrize(("text", "problem"), [
    ("---\ntitle: [unclosed\n---\nbody\n", "malformed front matter"),
    ("---\ntitle: T\nbody without a closing line\n", "no closing '---'"),
    ("---\n- a\n- b\n---\nbody\n", "must be a mapping"),
])
def test_malformed_front_matter(text: str, problem: str) -> None:
    front, body, reason = split_front_matter(text)
    assert front == {} and body == text
    assert reason is not None and problem in reason


def test_jsonl_lines_with_text_or_html_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "One", "source": "Wire", "published": "2024-05-31T08:00:00Z",
                    "text": GOOD}),
        "{not json",
        json.dumps(["a", "list"]),
        json.dumps({"title": "No body"}),
        "",
        json.dumps({"title": "Page", "url": "https://example.org/p",
                    "html": f"<html><body><article><p>{OTHER}</p></article></body></html>"}),
    ]
    write(tmp_path, "feed.jsonl", "\n".join(lines) + "\n")
    result = loaded(tmp_path)
    assert [d.id for d in result.documents] == ["feed-1", "feed-6"]
    assert [d.body_format for d in result.documents] == ["text", "html"]
    assert result.documents[0].metadata["outlet"] == "Wire"
    assert result.documents[0].metadata["published"] == "2024-05-31T08:00:00+00:00"
    assert result.documents[0].origin["outlet"] == "json line"
    reasons = {p.path: p.reason for p in result.problems}
    assert reasons["content/feed.jsonl:2"].startswith("invalid JSON")
    assert reasons["content/feed.jsonl:3"] == "line is not a JSON object"
    assert reasons["content/feed.jsonl:4"] == "no 'text' or 'html' field"


def test_sidecars_manifest_then_own_file_then_front_matter(tmp_path: Path) -> None:
    write(tmp_path, "manifest.json", json.dumps({"files": {
        "a.txt": {"outlet": "From Manifest", "published": "2024-01-01"},
        "b.md": {"outlet": "From Manifest", "author": "M"}}}))
    write(tmp_path, "a.txt", GOOD)
    write(tmp_path, "a.txt.json", json.dumps({"outlet": "From Sidecar"}))
    write(tmp_path, "b.md", "---\noutlet: From Front Matter\n---\n" + OTHER)
    docs = {d.path: d for d in loaded(tmp_path).documents}
    assert docs["a.txt"].metadata == {"outlet": "From Sidecar", "published": "2024-01-01"}
    assert docs["a.txt"].origin == {"outlet": "sidecar a.txt.json",
                                    "published": "sidecar manifest.json"}
    assert docs["b.md"].metadata == {"outlet": "From Front Matter", "author": "M"}
    assert docs["b.md"].origin["outlet"] == "front matter"


def test_bad_sidecar_and_manifest_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "manifest.json", "{broken")
    write(tmp_path, "a.txt", GOOD)
    write(tmp_path, "a.txt.json", "[1, 2]")
    result = loaded(tmp_path)
    assert len(result.documents) == 1
    reasons = [p.reason for p in result.problems] + [p.reason for p in
                                                     result.documents[0].problems]
    assert any("manifest is not valid JSON" in r for r in reasons)
    assert any("must be a JSON object" in r for r in reasons)


def test_ids_are_stable_and_derived_from_the_path(tmp_path: Path) -> None:
    assert article_id("seeds/000_4d8cf1533a51a95b.txt") == "seeds-000-4d8cf1533a51a95b"
    assert article_id("Politics/Übersicht Mai.md") == "politics-ubersicht-mai"
    write(tmp_path, "x/a.txt", GOOD)
    write(tmp_path, "x-a.txt", OTHER)
    first = [d.id for d in loaded(tmp_path).documents]
    assert first == [d.id for d in loaded(tmp_path).documents]
    assert len(set(first)) == 2


def test_read_paths_for_inspect(tmp_path: Path) -> None:
    write(tmp_path, "manifest.json", json.dumps({"files": {"a.txt": {"outlet": "O"}}}))
    a = write(tmp_path, "a.txt", GOOD)
    result = read_paths([a, tmp_path / "missing.txt", write(tmp_path, "n.rtf", "x")])
    assert [d.metadata for d in result.documents] == [{"outlet": "O"}]
    assert sorted(p.reason for p in result.problems) == [
        "no such file or folder", "not an article file (.txt, .md, .html, .htm, .jsonl)"]


# --- encodings ------------------------------------------------------------------------------


def test_decode_utf8_with_and_without_bom() -> None:
    assert decode("Zürich – “quoted”".encode()) == ("Zürich – “quoted”", None)
    assert decode(b"\xef\xbb\xbfplain") == ("plain", None)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1", "utf-16"])
def test_other_encodings_are_detected_not_mangled(encoding: str) -> None:
    text = ("Les élèves de l'école française ont visité le musée d'Orsay à Paris, "
            "où ils ont découvert les œuvres de Cézanne et de Gauguin. ") * 3
    if encoding == "latin-1":
        text = text.replace("œ", "oe")
    decoded, note = decode(text.encode(encoding))
    assert decoded is not None and decoded.replace("\ufeff", "") == text
    assert note is not None and note.startswith("not UTF-8; decoded as")


def test_broken_utf8_is_refused_rather_than_mangled() -> None:
    raw = "Müller said the café in Zürich would reopen. ".encode() * 5 + b"\xff\xfe bad" + \
        " Ünterschied.".encode()
    decoded, reason = decode(raw)
    assert decoded is None
    assert reason is not None and reason.startswith("invalid UTF-8")
    assert "offset" in reason


def test_binary_is_refused() -> None:
    assert decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")[0] is None
    decoded, reason = decode(bytes(range(1, 32)) * 50)
    assert decoded is None and reason is not None and "binary" in reason


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_decode_never_raises(raw: bytes) -> None:
    decoded, note = decode(raw)
    assert decoded is not None or note


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_front_matter_split_never_raises(text: str) -> None:
    front, body, problem = split_front_matter("---\n" + text)
    assert isinstance(front, dict) and isinstance(body, str)
    assert problem is None or problem


# --- bad input through a whole build --------------------------------------------------------


def huge(folder: Path) -> Path:
    path = folder / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES)  # sparse: nothing is written
    return path


BAD_INPUTS = {
    "empty": (lambda d: write(d, "empty.txt", "  \n\n"), "empty file"),
    "binary": (lambda d: write(d, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00IHDR" * 10),
               "binary file"),
    "broken utf-8": (lambda d: write(d, "broken.txt", GOOD.replace("reservoir", "réservoir")
                                     .encode() + b"\xc3\x28 end"), "invalid UTF-8"),
    "front matter": (lambda d: write(d, "bad.md", "---\ntitle: [oops\n---\n" + OTHER),
                     "malformed front matter"),
    "cleans to nothing": (lambda d: write(d, "nav.txt", "Home\nNews\nShare on Facebook\n"
                                                        "Subscribe to our newsletter\n"),
                          "no article text left after cleaning"),
    "duplicate": (lambda d: write(d, "zz-copy.txt", GOOD), "same article text as"),
    "huge": (huge, "file too large"),
}


@pytest.fixture
def content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "content"
    write(folder, "good.txt", GOOD)
    write(folder, "other.txt", OTHER)
    return folder


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_reported_and_the_build_goes_on(case: str, content: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    make, reason = BAD_INPUTS[case]
    bad = make(content)
    args = ["build", "--content", str(content), "--output", str(content.parent / "site"), "-q"]
    assert main(args) == 0
    err = capsys.readouterr().err
    shown = f"content/{bad.name}" if case != "duplicate" else "content/zz-copy.txt"
    assert shown.split("/")[-1] in err and reason in err
    report = json.loads((content.parent / ".digest-cache" / "build-report.json")
                        .read_text(encoding="utf-8"))
    problems = [p for p in report["problems"] if p["path"].endswith(bad.name)]
    assert problems and reason in problems[0]["reason"] and problems[0]["severity"] == "error"
    assert report["articles"] == 2  # the good ones were built
    assert (content.parent / "site" / "index.html").is_file()
    assert not list((content.parent / "site").rglob("build-report.json"))
    assert main([*args, "--strict"]) == 1


def test_clean_input_builds_strict(content: Path) -> None:
    args = ["build", "--content", str(content), "--output", str(content.parent / "site"), "-q",
            "--strict"]
    assert main(args) == 0


def test_discover_finds_what_rglob_finds(tmp_path: Path) -> None:
    """Nested, hidden and underscored folders, symlinks to files and folders, a folder
    named like an article: the same files, in the same order, as Path.rglob."""
    import os

    from generator.load import ARTICLE_SUFFIXES

    root = tmp_path / "content"
    for rel in ["a.md", "b.TXT", "x.json", "sub/c.html", "sub/.hidden/d.md", "_drafts/e.md",
                "sub/_f.md", "sub/deep/g.jsonl", "sub/a-b.md", "sub/a/b.md", "dir.md/in.txt"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "o.md").write_text("x")
    os.symlink(tmp_path / "elsewhere", root / "linked")
    os.symlink(root / "a.md", root / "link.md")
    os.symlink(root / "missing.md", root / "broken.md")
    (root / "folder.md").mkdir()

    expected = sorted(
        (p for p in root.rglob("*")
         if not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)
         and p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES),
        key=lambda p: p.relative_to(root).as_posix())
    assert discover(root) == expected
    assert [p.relative_to(root).as_posix() for p in discover(root)][:3] == [
        "a.md", "b.TXT", "dir.md/in.txt"]


_PIECES = st.sampled_from([
    "a", "Z", "0", "7", "-", ":", ": ", " #", "#", "'", '"', "\\", " ", "\t", "[", "]", "{",
    "}", ",", "?", "!", "&", "*", "|", ">", "%", "@", "`", "~", "yes", "No", "null", "true",
    "1.5", "0x1F", "2021-07-17", "2021-07-17T08:30:00-07:00", "http://x.org/a?b=c", "é",
    "\u00a0", "\u2028", "\ufeff", "\r", ".", "<<", "=", "1_000", "+", "e3", "Hello world",
])
_VALUES = st.one_of(
    st.lists(_PIECES, max_size=5).map("".join),
    st.lists(_PIECES, max_size=4).map(lambda p: "'" + "".join(p) + "'"),
    st.lists(_PIECES, max_size=4).map(lambda p: '"' + "".join(p) + '"'),
    st.text(max_size=12),
)
_KEYS = st.one_of(st.sampled_from(["title", "outlet", "published", "url", "on", "null", "y",
                                   "Tags", "a_b", "9x", "key-name"]),
                  st.text(max_size=6))


@settings(max_examples=600)
@given(st.lists(st.tuples(_KEYS, st.sampled_from([": ", ":  ", ":", ":\t"]), _VALUES,
                          st.sampled_from(["", " ", "  "])), min_size=1, max_size=4))
def test_simple_front_matter_reads_what_yaml_reads(lines: list[tuple[str, str, str, str]]) -> None:
    import yaml

    from generator.load import simple_front_matter

    block = "\n".join(key + sep + value + tail for key, sep, value, tail in lines)
    fast = simple_front_matter(block)
    if fast is None:
        return  # declined: YAML reads it
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert fast == yaml.load(block, Loader=loader)


def test_simple_front_matter_takes_common_lines_and_declines_the_rest() -> None:
    from generator.load import simple_front_matter

    block = ("outlet: Breitbart News\npublished: '2021-07-17T08:30:00-07:00'\n"
             'title: "Floods: death toll tops 150"\nurl: https://example.org/a?b=c#d')
    assert simple_front_matter(block) == {
        "outlet": "Breitbart News", "published": "2021-07-17T08:30:00-07:00",
        "title": "Floods: death toll tops 150", "url": "https://example.org/a?b=c#d"}
    for declined in ("published: 2021-07-17", "count: 5", "draft: yes", "tags: [a, b]",
                     "title: a: b", "# comment", "title: >\n  folded", "on: x"):
        assert simple_front_matter(declined) is None, declined


@settings(max_examples=400)
@given(st.sampled_from(["title", "url", "x", "on", "null"]), _VALUES, st.sampled_from(["", " "]))
def test_simple_front_matter_one_line_reads_what_yaml_reads(key: str, value: str,
                                                             tail: str) -> None:
    import yaml

    from generator.load import simple_front_matter

    block = f"{key}: {value}{tail}"
    fast = simple_front_matter(block)
    if fast is not None:
        assert fast == yaml.load(block, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
