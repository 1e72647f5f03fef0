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
