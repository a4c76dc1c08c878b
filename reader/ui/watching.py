"""Watching the feed folder with the OS's file notifications (`watchfiles`).

`follow_feed` blocks in its own thread until `stop` is set: it calls `on_change` once per
batch of changes to article files. `watchfiles` gathers a burst (a `git pull` writing
thousands of files) for at most `WATCH_DEBOUNCE_MS` into one batch, and keeps collecting
while `on_change` runs, so that a slow sync is followed by one more, not by thousands.
A file still being written is changed again when its writer goes on, and read again then.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.loader import ARTICLE_SUFFIXES

if TYPE_CHECKING:
    from watchfiles import Change

WATCH_DEBOUNCE_MS = 1600  # the longest a batch gathers changes before it is folded in
WATCH_STEP_MS = 50  # a batch ends after this long without a change
READY_MS = 1000  # the first quiet spell that tells the watch is in place
# Setting the OS watch up holds the interpreter lock (watchfiles walks the folder: ~0.3 s at
# 100,000 files), so it starts this long after the load, at a pause in typing: the first
# keys come right after the load. What changes meanwhile the catch-up after `ready` finds.
START_MS = 1500


@dataclass(frozen=True, slots=True)
class WatchTimes:
    debounce_ms: int = WATCH_DEBOUNCE_MS
    step_ms: int = WATCH_STEP_MS
    ready_ms: int = READY_MS
    start_ms: int = START_MS


class FeedChangeFilter:
    """Changes the feed can see: article files (and folders) outside hidden folders.

    A deleted path passes whatever its name: a folder moved away takes its articles with it.
    """

    def __init__(self, root: Path, only: Path | None = None) -> None:
        self.root = str(root)
        self.only = str(only) if only is not None else None  # a feed of one file: that one

    def __call__(self, change: Change, path: str) -> bool:
        if self.only is not None:
            return path == self.only
        relative = os.path.relpath(path, self.root) if path != self.root else ""
        if any(part.startswith(".") for part in relative.split(os.sep) if part not in ("", "..")):
            return False  # the loader skips hidden files and folders (the import's temporaries)
        return path.lower().endswith(ARTICLE_SUFFIXES) or not os.path.isfile(path)


def follow_feed(
    root: Path,
    on_change: Callable[[], None],
    stop: threading.Event,
    ready: threading.Event,
    times: WatchTimes = WatchTimes(),
) -> None:
    """Call `on_change` for each batch of changes under `root` until `stop` is set.

    `ready` is set once the OS watch is in place; `on_change` then runs once, for what
    changed between the load's scan of the folder and that moment.
    """
    from watchfiles import watch  # imported here: the warm start never pays for it

    # A feed of one file: its folder is watched, since an editor's save replaces the file
    # (a new inode, which a watch on the file itself would not follow).
    root = root.absolute()
    folder, only = (root.parent, root) if root.is_file() else (root, None)
    for changes in watch(
        folder,
        watch_filter=FeedChangeFilter(folder, only),
        debounce=times.debounce_ms,
        step=times.step_ms,
        stop_event=stop,
        rust_timeout=times.ready_ms,
        yield_on_timeout=True,
        raise_interrupt=False,
    ):
        if stop.is_set():
            return
        if not ready.is_set():
            ready.set()
            on_change()
        elif changes:
            on_change()
