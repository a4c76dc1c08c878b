"""The feed's folders as the last full scan found them, to tell that nothing changed without
listing a folder or reading a row.

A folder's mtime and ctime change when an entry is added, removed or renamed, not when a
file in it is rewritten in place: so a folder whose stat is as recorded still lists the
same names, while every file is still stat'ed to catch an edit. The record is kept only
when it is sound to trust:

- a full scan found every file as its row has it, and no reader wrote the feed meanwhile
  (its generation, bumped by every write to the files, is stored with the record);
- no folder holds a symbolic link (its target may change kind, file or folder, unseen);
- every folder's mtime and ctime are SETTLED_NS older than the scan: an entry added
  within the same tick of a coarse filesystem clock leaves the mtime as it was, and so is
  seen only by a folder listed after that tick;
- every folder could be listed and every file stat'ed.

Anything else, or any difference met when checking, and the scan runs as before.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import sqlite3
import threading
import time
from array import array
from collections.abc import Callable
from pathlib import Path

from reader.core.storage.cache.codec import Stamp, stamp_of
from reader.core.storage.cache.snapshot import BlobReader, PlainUnpickler
from reader.core.storage.sqlite import write_transaction

SETTLED_NS = 2_000_000_000  # FAT keeps mtimes to 2 s; ext4 and others to a clock tick
_TAG = "reader-walk-2"  # 2: a pickle per folder
_OPEN_FOLDER = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_BY_FOLDER = os.stat in os.supports_dir_fd  # stat a name in an open folder: no path walk
Pause = Callable[[], None]  # called between folders: may wait (see `streamed_unchanged`)
_CURRENT_SQL = (
    "SELECT f.generation, w.feed FROM feeds f LEFT JOIN walks w"
    " ON w.feed = f.id AND w.generation = f.generation WHERE f.id = ?"
)

# A folder: its path from the feed's prefix (None: the root), dev, ino, mtime_ns, ctime_ns,
# then its files' names joined by NUL and their stamps (None: not listed, already seen).
Folder = tuple[str | None, int, int, int, int, str | None, bytes | None]


class WalkRecorder:
    """Records one full scan's walk (see `loader.discover_paths`'s `on_folder`).

    The record is a header pickle, then one pickle per folder, made as soon as the scan
    leaves the folder: the names of 100,000 files are never all held as separate strings,
    and `unchanged` reads the record back one folder at a time.
    """

    def __init__(self, root: Path, prefix: str) -> None:
        self.root, self.prefix = str(root), prefix
        self.settled_before = time.time_ns() - SETTLED_NS
        self.pieces: list[bytes] = []  # the pickled folders the scan has left
        # The folder being scanned: its stat fields, and its names and stamps if listed.
        self._folder: tuple[str | None, int, int, int, int] | None = None
        self._names: list[str] | None = None
        self._stamps: array[int] | None = None
        self.trusted = True  # false: the record must not be kept (see the module)
        self.done = False  # set by the scan when every file was seen

    def on_folder(
        self, folder: str, info: os.stat_result | None, listed: bool, has_links: bool
    ) -> None:
        if info is None or has_links or not self._settled(info):
            self.trusted = False
        if not self.trusted or info is None:
            return
        if folder == self.root:
            rel = None
        elif folder.startswith(self.prefix):
            rel = folder[len(self.prefix) :]
        else:
            self.trusted = False
            return
        self._close_folder()
        self._folder = (rel, info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns)
        self._names = [] if listed else None
        self._stamps = array("q") if listed else None

    def _settled(self, info: os.stat_result) -> bool:
        return max(info.st_mtime_ns, info.st_ctime_ns) < self.settled_before

    def _close_folder(self) -> None:
        """Pickle the folder being scanned (its files are all seen) and let its lists go."""
        if self._folder is None:
            return
        names, stamps = self._names, self._stamps
        folder: Folder = (
            *self._folder,
            None if names is None else "\x00".join(names),
            None if stamps is None else stamps.tobytes(),
        )
        self.pieces.append(pickle.dumps(folder, protocol=pickle.HIGHEST_PROTOCOL))
        self._folder = self._names = self._stamps = None

    def on_file(self, path: str, stamp: Stamp) -> None:
        if not self.trusted:
            return
        names, stamps = self._names, self._stamps
        if names is None or stamps is None or stamp[0] < 0:  # a lone file, or not stat'ed
            self.trusted = False
            return
        names.append(os.path.basename(path))
        stamps.extend(stamp)

    def record(self) -> bytes:
        self._close_folder()
        header = pickle.dumps((_TAG, len(self.pieces)), protocol=pickle.HIGHEST_PROTOCOL)
        return b"".join((header, *self.pieces))


def streamed_unchanged(
    record: io.BufferedIOBase, root: Path, prefix: str, pause: Pause = lambda: None
) -> bool:
    """Whether every folder and file is as the record (read from the stream one folder at a
    time) has them; False on any doubt. `pause` is called before each folder: the app's
    sync waits there while keys are typed (its stat loop holds the interpreter lock)."""
    try:
        tag, count = PlainUnpickler(record).load()
        if tag != _TAG:
            return False
        for _ in range(count):
            pause()
            if not _folder_unchanged(PlainUnpickler(record).load(), root, prefix):
                return False
    except Exception:  # noqa: BLE001 - a damaged record only costs the full scan
        return False
    return True


def _folder_unchanged(folder: Folder, root: Path, prefix: str) -> bool:
    rel, dev, ino, mtime, ctime, names, stamps = folder
    path = str(root) if rel is None else prefix + rel
    try:
        info = os.stat(path)
        if (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_ctime_ns) != (
            dev, ino, mtime, ctime,
        ):  # fmt: skip
            return False
        return names is None or _files_unchanged(path, names, stamps or b"")
    except OSError:
        return False


def read(
    conn: sqlite3.Connection, lock: threading.RLock, feed: int
) -> tuple[int | None, int | None]:
    """The feed's generation now, and the row of the walk recorded at that generation (None:
    none), for `unchanged`."""
    with lock:
        row = conn.execute(_CURRENT_SQL, (feed,)).fetchone()
    return (None, None) if row is None else (row[0], row[1])


def unchanged(
    conn: sqlite3.Connection, lock: threading.RLock, walk_row: int, root: Path, prefix: str,
    pause: Pause = lambda: None,
) -> bool:  # fmt: skip
    """Whether every folder and file is as the recorded walk has them (False on any doubt).

    The record is streamed from its blob, a folder at a time, the lock taken per read: the
    ~10 MB of it at 100,000 files is never held at once, and lookups never wait long.
    """
    try:
        with lock:
            blob = conn.blobopen("walks", "data", walk_row, readonly=True)
        with blob:
            stream = io.BufferedReader(BlobReader(blob, lock), 1 << 16)
            return streamed_unchanged(stream, root, prefix, pause)
    except sqlite3.Error:  # the row went (another reader's write): the full scan then
        return False


def _files_unchanged(folder: str, joined: str, stamps: bytes) -> bool:
    """Whether the folder's files (names joined by NUL) have these stamps (size, mtime, ctime)."""
    names = joined.split("\x00") if joined else []
    values = iter(array("q", stamps))
    if not _BY_FOLDER:
        return all(
            stamp_of(os.stat(os.path.join(folder, name))) == (size, mtime, ctime)
            for name, size, mtime, ctime in zip(names, values, values, values, strict=True)
        )
    fd = os.open(folder, _OPEN_FOLDER)
    try:
        stat = os.stat
        for name, size, mtime, ctime in zip(names, values, values, values, strict=True):
            info = stat(name, dir_fd=fd)
            if info.st_mtime_ns != mtime or info.st_size != size or info.st_ctime_ns != ctime:
                return False
    finally:
        os.close(fd)
    return True


def store(
    conn: sqlite3.Connection,
    lock: threading.RLock,
    feed: int,
    generation: int | None,
    walk: WalkRecorder,
) -> None:
    """Keep the walk if it can be trusted and the feed is still at `generation` (read before
    the scan began: no reader wrote its files since, so its rows are what the scan saw)."""
    if generation is None or not (walk.trusted and walk.done):
        return
    data = walk.record()
    with lock:
        # Not waiting for another reader's write lock (a build holds it for long): without
        # the record the next scan is only a full one.
        (wait,) = conn.execute("PRAGMA busy_timeout").fetchone()
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            with contextlib.suppress(sqlite3.OperationalError), write_transaction(conn):
                now = conn.execute("SELECT generation FROM feeds WHERE id = ?", (feed,)).fetchone()
                if now is not None and now[0] == generation:
                    conn.execute(
                        "INSERT OR REPLACE INTO walks VALUES (?, ?, ?)", (feed, generation, data)
                    )
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(wait)}")
