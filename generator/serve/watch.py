"""Watching the inputs: which file events mean "rebuild", with watchdog.

The native observer (inotify on Linux) is used unless polling is asked for.
Editors' temporary and swap files are ignored, and so are files the build
itself skips (names starting with ``.`` or ``_``). On inotify a file counts as
changed when it is closed after writing, created, deleted or moved, never on
each partial write; reading files (the build does) raises no event we act on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

TEMP_SUFFIXES = (".swp", ".swx", ".swo", ".swn", ".tmp", ".temp", "~", ".bak", ".part",
                 ".crdownload", ".kate-swp")
TEMP_NAMES = {"4913"}  # vim's "can I write here" probe


def is_temporary(name: str) -> bool:
    """Editors' swap, backup and probe files, and atomic-save temporaries."""
    lowered = name.lower()
    return (name in TEMP_NAMES or lowered.endswith(TEMP_SUFFIXES)
            or name.startswith((".#", "#")) or name.endswith("#")
            or lowered.startswith((".goutputstream-", ".~lock.")))


@dataclass(frozen=True)
class Watch:
    """One watched folder, or one file watched through its folder."""

    folder: Path
    recursive: bool
    file: Path | None = None

    def relevant(self, path: Path) -> bool:
        if self.file is not None:  # the file, or a folder on the way to a missing one
            return path == self.file or path in self.file.parents
        try:
            rel = path.relative_to(self.folder)
        except ValueError:
            return False
        if not rel.parts:
            return False
        if any(part.startswith((".", "_")) for part in rel.parts):
            return False
        return not is_temporary(rel.parts[-1])


def watches(config_file: Path | None, folders: Iterable[Path]) -> list[Watch]:
    """Watches for the config file and each input folder.

    A folder that does not exist yet is watched for through its nearest existing
    parent, so creating it triggers a rebuild (which then watches it).
    """
    found: list[Watch] = []
    if config_file is not None:
        found.append(Watch(config_file.parent, False, config_file))
    for folder in folders:
        folder = folder.resolve()
        if folder.is_dir():
            watch = Watch(folder, True)
        else:
            parent = next((p for p in folder.parents if p.is_dir()), None)
            if parent is None:
                continue
            watch = Watch(parent, False, folder)
        if watch not in found:
            found.append(watch)
    return found


class ChangeHandler(FileSystemEventHandler):
    """Calls ``notify(path)`` for each event that should trigger a rebuild."""

    def __init__(self, watch: Watch, notify: Callable[[Path], None], inotify: bool) -> None:
        super().__init__()
        self.watch = watch
        self.notify = notify
        self.inotify = inotify

    def on_any_event(self, event: FileSystemEvent) -> None:
        paths: list[str] = []
        if isinstance(event, FileMovedEvent | DirMovedEvent):
            paths = [os.fsdecode(event.src_path), os.fsdecode(event.dest_path)]
        elif isinstance(event, FileCreatedEvent | FileDeletedEvent | FileClosedEvent
                        | DirCreatedEvent | DirDeletedEvent):
            paths = [os.fsdecode(event.src_path)]
        elif isinstance(event, FileModifiedEvent) and not self.inotify:
            # Without inotify there is no "closed after writing" event.
            paths = [os.fsdecode(event.src_path)]
        for raw in paths:
            path = Path(raw)
            if self.watch.relevant(path):
                self.notify(path)


def make_observer(poll: float | None) -> BaseObserver:
    """The native observer, or a polling one checking every ``poll`` seconds."""
    if poll is not None:
        return PollingObserver(timeout=poll)
    return Observer(timeout=0.2)


def is_inotify(observer: BaseObserver) -> bool:
    return type(observer).__name__ == "InotifyObserver"
