"""Stage 7, write: publish the rendered files, all or nothing.

The site is written into a fresh temporary folder beside the output folder and
swapped in only when complete, so a failed build never leaves a half-written
site and files from earlier builds never survive. A file whose bytes did not
change is hard-linked from the previous site instead of rewritten, so it keeps
its modification time (hosts and rsync see only real changes). Every path is
checked to stay inside the output folder.

A rebuild over the site the previous build wrote (known from the build state)
uses :func:`update` instead: only changed files are replaced, each atomically,
and stale ones removed - a few files touched instead of the whole tree copied.
So does a build over an existing folder of plain files without that state
(:func:`in_place` checks it: no links or special files, nothing where the site
needs the other kind), which then also removes folders left without files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath


class OutputError(Exception):
    """The output folder cannot be used (unsafe, unwritable)."""


def check_output(output: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder whose replacement would delete the user's own files."""
    out = output.resolve()
    for path in protected:
        p = path.resolve()
        if out == p or out in p.parents:
            raise OutputError(f"{output}: the output folder would contain {path}; "
                              "choose a folder of its own (it is replaced on every build)")
    if out == Path(out.anchor) or out == Path.home().resolve():
        raise OutputError(f"{output}: refusing to replace this folder")


def safe_relpath(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in rel:
        raise OutputError(f"refusing to write outside the output folder: {rel!r}")
    return path


@dataclass
class WriteStats:
    """How many files a publish wrote anew and how many it kept unchanged."""

    written: int = 0
    unchanged: int = 0
    touched: list[str] = field(default_factory=list)
    """Paths :func:`update` wrote or removed (every other file is as it was)."""

    @property
    def files(self) -> int:
        return self.written + self.unchanged


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def write_site(files: Mapping[str, bytes], output: Path) -> int:
    """Write ``files`` as the complete content of ``output``; return the file count."""
    return publish(files, output).files


def publish(files: Mapping[str, bytes], output: Path) -> WriteStats:
    """Replace ``output`` with exactly ``files``, reusing unchanged files of the old site."""
    output = output.absolute()
    parent = output.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=parent))
    except OSError as exc:
        raise OutputError(f"{output}: cannot write here ({exc.strerror})") from None
    stats = WriteStats()
    folders: set[Path] = {staging}
    try:
        for rel in sorted(files):
            parts = safe_relpath(rel).parts
            target = staging.joinpath(*parts)
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            previous = output.joinpath(*parts)
            if _same_bytes(previous, files[rel]):
                try:
                    os.link(previous, target)
                    stats.unchanged += 1
                    continue
                except OSError:
                    pass  # no hard links here: write the bytes
            target.write_bytes(files[rel])
            stats.written += 1
        _swap(staging, output)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{output}: cannot write the site ({exc.strerror})") from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return stats


def in_place(files: Mapping[str, bytes], output: Path) -> list[str] | None:
    """The files below ``output`` when it can be brought to ``files`` by :func:`update`
    without a saved listing: an existing folder holding only regular files and folders
    (no links, nothing special), none of them where the site needs the other kind.
    None otherwise (:func:`publish` then builds the site afresh)."""
    if output.is_symlink() or not output.is_dir():
        return None
    found: list[str] = []
    folders: set[str] = set()
    pending = [("", os.fspath(output))]
    try:
        while pending:
            prefix, folder = pending.pop()
            for entry in os.scandir(folder):
                rel = prefix + entry.name
                if entry.is_symlink():
                    return None
                if entry.is_dir():
                    folders.add(rel)
                    pending.append((rel + "/", entry.path))
                elif entry.is_file():
                    found.append(rel)
                else:
                    return None
    except OSError:
        return None
    present = set(found)
    for rel in files:
        parts = safe_relpath(rel).parts
        if rel in folders or any("/".join(parts[:i]) in present for i in range(1, len(parts))):
            return None
    return sorted(found)


def update(files: Mapping[str, bytes], kept: Iterable[str], output: Path,
           present: Iterable[str], *, prune: bool = False) -> WriteStats:
    """Bring an existing ``output`` folder, holding the files ``present``, up to date.

    For a rebuild over the site the last build wrote (the caller checks this):
    ``files`` are written where their bytes changed, ``kept`` are files known to
    be up to date and left as they are, every other file is removed, then empty
    folders. All changed files are first written to temporary files beside their
    targets; only when every one is written are they renamed into place, so a
    failure (a full disk, a permission error) leaves the previous site as it was,
    and a reader never sees half a file. Unchanged files keep their modification
    time, as with :func:`publish`. Paths are all checked before anything is
    touched. With ``prune``, every folder left without files is removed too (so
    the folder ends as :func:`publish` would leave it).
    """
    output = output.absolute()
    keep = set(kept)
    for rel in [*files, *keep]:
        safe_relpath(rel)
    stats = WriteStats(unchanged=len(keep - set(files)))
    folders: set[Path] = set()
    staged: list[tuple[Path, Path]] = []
    try:
        # First every changed file is written beside its target; nothing of the
        # site has changed yet, so a failure here leaves the previous site whole.
        for rel in sorted(files):
            target = output.joinpath(*PurePosixPath(rel).parts)
            if _same_bytes(target, files[rel]):
                stats.unchanged += 1
                continue
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(files[rel])  # the user's umask applies, as in publish()
            staged.append((tmp, target))
        # Then they are renamed into place one after another (renames within a
        # folder tree do not fail for lack of space), and stale files go.
        for tmp, target in staged:
            os.replace(tmp, target)
            stats.written += 1
            stats.touched.append(target.relative_to(output).as_posix())
        staged = []
        stale = sorted(set(present) - set(files) - keep)
        for rel in stale:
            output.joinpath(*safe_relpath(rel).parts).unlink(missing_ok=True)
            stats.touched.append(rel)
        for rel in stale:  # then the folders they leave empty, deepest first
            parent = output.joinpath(*PurePosixPath(rel).parts).parent
            while parent != output and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent
        if prune:
            for folder, _, names in sorted(os.walk(output), key=lambda w: -len(w[0])):
                if folder != os.fspath(output) and not names and not os.listdir(folder):
                    os.rmdir(folder)
    except OSError as exc:
        raise OutputError(f"{output}: cannot write the site ({exc.strerror})") from None
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return stats


def _swap(staging: Path, output: Path) -> None:
    os.chmod(staging, 0o755)
    if output.exists() and not output.is_dir():
        raise OutputError(f"{output}: exists and is not a folder")
    if not output.exists():
        staging.rename(output)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
    old.rmdir()
    output.rename(old)
    try:
        staging.rename(output)
    except OSError:
        old.rename(output)
        raise
    shutil.rmtree(old, ignore_errors=True)
