from __future__ import annotations

from pathlib import Path

import pytest

from generator.write import OutputError, check_output, safe_relpath, write_site


def test_writes_exactly_the_given_files(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old")
    count = write_site({"index.html": b"<p>new</p>", "a/b/c.txt": b"x"}, out)
    assert count == 2
    found = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert found == ["a/b/c.txt", "index.html"]
    assert not [p for p in tmp_path.iterdir() if p.name != "site"]


@pytest.mark.parametrize("bad", ["../evil", "/etc/passwd", "a/../../x", "", "a\\..\\b"])
def test_refuses_paths_outside_the_output(tmp_path: Path, bad: str) -> None:
    with pytest.raises(OutputError):
        safe_relpath(bad)
    out = tmp_path / "site"
    with pytest.raises(OutputError):
        write_site({"ok.html": b"", bad: b"x"}, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site({"index.html": b"v1"}, out)
    with pytest.raises(OutputError):
        write_site({"index.html": b"v2", "../x": b""}, out)
    assert (out / "index.html").read_bytes() == b"v1"


def test_protects_input_folders(tmp_path: Path) -> None:
    content = tmp_path / "content" / "articles"
    content.mkdir(parents=True)
    with pytest.raises(OutputError):
        check_output(tmp_path / "content", [content])
    with pytest.raises(OutputError):
        check_output(content, [content])
    check_output(tmp_path / "site", [content])


def test_unchanged_files_are_kept_not_rewritten(tmp_path: Path) -> None:
    from generator.write import publish

    out = tmp_path / "site"
    first = publish({"a.html": b"same", "b.html": b"old"}, out)
    assert (first.written, first.unchanged) == (2, 0)
    inode = (out / "a.html").stat().st_ino
    second = publish({"a.html": b"same", "b.html": b"new", "c.html": b"added"}, out)
    assert (second.written, second.unchanged) == (2, 1)
    assert (out / "a.html").stat().st_ino == inode
    assert (out / "b.html").read_bytes() == b"new"


def test_a_failed_update_leaves_the_previous_site_whole(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import write as write_module
    from generator.write import update

    out = tmp_path / "site"
    write_site({"a.html": b"a1", "b.html": b"b1", "c.html": b"c1"}, out)
    real_write = Path.write_bytes
    calls = {"n": 0}

    def failing_write(self: Path, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        return real_write(self, data)

    monkeypatch.setattr(write_module.Path, "write_bytes", failing_write)
    with pytest.raises(OutputError, match="No space left"):
        update({"a.html": b"a2", "b.html": b"b2"}, [], out, ["a.html", "b.html", "c.html"])
    monkeypatch.undo()
    found = {p.name: p.read_bytes() for p in out.iterdir()}
    assert found == {"a.html": b"a1", "b.html": b"b1", "c.html": b"c1"}


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_threads_write_the_same_site_as_one(tmp_path: Path) -> None:
    from generator.write import publish

    files = {f"{top}/{n}/index.html": f"{top} {n}".encode()
             for top in ("articles", "stories") for n in range(40)}
    files |= {"index.html": b"home", "a/b/c/d.txt": b"deep", "a/b.txt": b"shallow"}
    one = publish(files, tmp_path / "one", threads=1)
    many = publish(files, tmp_path / "many", threads=4)
    assert (one.written, one.unchanged) == (many.written, many.unchanged) == (len(files), 0)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "many") == files
    # over the previous site, unchanged files are linked whichever thread takes them
    changed = dict(files, **{"stories/7/index.html": b"new"})
    again = publish(changed, tmp_path / "many", threads=4)
    assert (again.written, again.unchanged) == (1, len(files) - 1)
    assert _tree(tmp_path / "many") == changed


@pytest.mark.parametrize("threads", [1, 3])
def test_a_failed_folder_stops_the_write_and_keeps_the_previous_site(
        tmp_path: Path, threads: int) -> None:
    from generator.write import publish

    out = tmp_path / "site"
    publish({"index.html": b"v1"}, out)
    # "x" is asked for both as a file and as a folder: one of them cannot be made
    files = {f"p{n}/index.html": b"page" for n in range(30)} | {"x": b"file",
                                                               "x/index.html": b"page"}
    with pytest.raises(OutputError, match="cannot write the site"):
        publish(files, out, threads=threads)
    assert _tree(out) == {"index.html": b"v1"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_files_known_to_be_the_same_are_taken_from_the_old_site(tmp_path: Path) -> None:
    """``publish(same=...)``: files the caller found identical in the old site are
    linked from it (kept as they are), not given as bytes."""
    from generator.write import publish

    out = tmp_path / "site"
    publish({"a/page.html": b"same", "b.html": b"old", "gone.html": b"x"}, out)
    inode = (out / "a" / "page.html").stat().st_ino
    stats = publish({"b.html": b"new"}, out, same=["a/page.html"])
    assert (stats.written, stats.unchanged) == (1, 1)
    assert (out / "a" / "page.html").read_bytes() == b"same"
    assert (out / "a" / "page.html").stat().st_ino == inode
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) \
        == ["a/page.html", "b.html"]


def test_publish_lists_the_files_it_writes_as_a_scan_of_the_folder_would(
        tmp_path: Path) -> None:
    """``publish`` returns every file's size and modification time as written (new,
    kept from the old site, or taken as the same), equal to listing the folder; new
    files get the mode ``open`` would give them."""
    import os

    from generator.build import _listing
    from generator.write import publish

    out = tmp_path / "site"
    first = publish({"a/x.html": b"same", "b.html": b"old" * 70_000}, out)
    assert first.listing == _listing(out)
    second = publish({"a/x.html": b"same", "c/d/e.txt": b"new"}, out, same=["b.html"])
    assert second.listing == _listing(out)
    assert (out / "b.html").read_bytes() == b"old" * 70_000
    assert sorted(second.listing or {}) == ["a/x.html", "b.html", "c/d/e.txt"]
    umask = os.umask(0)
    os.umask(umask)
    assert (out / "c" / "d" / "e.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_same_bytes_reads_only_regular_files_holding_exactly_the_bytes(tmp_path: Path) -> None:
    from generator.write import same_bytes

    page = tmp_path / "page.html"
    page.write_bytes(b"<p>same</p>")
    assert same_bytes(page, b"<p>same</p>")
    assert not same_bytes(page, b"<p>same</p>!")  # file shorter
    assert not same_bytes(page, b"<p>same</p"[:-1])  # file longer
    assert not same_bytes(page, b"<p>diff</p>")  # same length, other bytes
    assert not same_bytes(tmp_path / "missing.html", b"")
    link = tmp_path / "link.html"
    link.symlink_to(page)
    assert not same_bytes(link, b"<p>same</p>")
    assert not same_bytes(tmp_path, b"")  # a folder
    empty = tmp_path / ".nojekyll"
    empty.write_bytes(b"")
    assert same_bytes(empty, b"")
