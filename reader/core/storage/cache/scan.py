"""What changed in the feed's folder since the last sync: new, changed, moved and gone files.

A file is fresh when its size, mtime and ctime (a chmod changes only the ctime) match its
row. First the files and their rows are compared in feed order as they come, a chunk at a
time: when nothing changed (the common case) that is all. From the first chunk that
differs, the scan streams into a temporary table and SQLite joins it with the cached
rows: holding 100,000 stamps in Python dicts cost ~40 MB at the peak of a warm start. The
lock is taken per chunk, so the detail pane's lookups never wait for the scan.
"""

from __future__ import annotations

import itertools
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from reader.core.loader import OnFolder, discover_paths
from reader.core.storage.cache import walk
from reader.core.storage.cache.codec import NO_STAT, Stamp, from_db, stamp_of, to_db

_SCAN_CHUNK = 2000  # rows per insert transaction into the scan table
_SAME = "f.size IS s.size AND f.mtime_ns IS s.mtime AND f.ctime_ns IS s.ctime"

Stale = tuple[int, str, str, Stamp, bool]  # seq, rel, path, stamp, whether the file is new
Moved = tuple[int, int, str]  # new seq, feed, rel (as stored)


@dataclass(slots=True)
class Changes:
    """The files to parse, in feed order; those only renumbered; the rows of files gone."""

    stale: list[Stale]
    moved: list[Moved]
    gone: list[str]  # rel as stored


def scan(
    root: Path, prefix: str, recorder: walk.WalkRecorder | None = None
) -> Iterator[tuple[str, str, Stamp]]:
    """(relative path, path, stamp) of every file, in `discover_files` order (the folders
    and stamps told to `recorder` too).

    A generator: a list of 100,000 of them would be tens of MB held for nothing.
    """
    on_file = recorder.on_file if recorder is not None else None
    on_folder = recorder.on_folder if recorder is not None else None
    for rel, text in unstamped(root, prefix, on_folder):
        try:
            stamp = stamp_of(os.stat(text))
        except OSError:
            stamp = NO_STAT
        if on_file is not None:
            on_file(text, stamp)
        yield rel, text, stamp
    if recorder is not None:
        recorder.done = True


def unstamped(
    root: Path, prefix: str, on_folder: OnFolder | None = None
) -> Iterator[tuple[str, str]]:
    """(relative path, path) of every file, as `scan` finds them, without their stamps.

    A first build has no rows to compare with: each file's parser takes its stamp (see
    `pool.parse_task`), in the worker processes, instead of this process making 100,000
    `stat` calls, each of which lets go of the GIL and waits to take it back from the app.
    """
    size = len(prefix)
    for text in discover_paths(root, on_folder):
        yield (text[size:] if text.startswith(prefix) else os.path.basename(text)), text


def compare(
    conn: sqlite3.Connection, lock: threading.RLock, feed: int, root: Path, prefix: str,
    pause: walk.Pause = lambda: None,
) -> Changes:  # fmt: skip
    """Scan the feed and compare it with its cached rows (the recorded walk first, if any;
    `pause` between its folders, see `walk.streamed_unchanged`)."""
    generation, record = walk.read(conn, lock, feed)
    if record is not None and walk.unchanged(conn, lock, record, root, prefix, pause):
        return Changes([], [], [])
    recorder = walk.WalkRecorder(root, prefix)
    found = scan(root, prefix, recorder)
    same, pending = _unchanged(conn, lock, feed, found)
    if pending is None:
        walk.store(conn, lock, feed, generation, recorder)
        return Changes([], [], [])
    _fill_scan_table(conn, lock, feed, same, itertools.chain(pending, found))
    with lock:
        changes = Changes(_stale(conn, feed), _moved(conn, feed), _gone(conn, feed))
        conn.execute("DELETE FROM temp.scan")
    return changes


def _unchanged(
    conn: sqlite3.Connection,
    lock: threading.RLock,
    feed: int,
    found: Iterator[tuple[str, str, Stamp]],
) -> tuple[int, list[tuple[str, str, Stamp]] | None]:
    """How many files, from the first, are as their rows have them (same path, stamp, place).

    The common case, nothing changed, then needs neither the scan table nor its joins: the
    files and their rows (in feed order, a chunk at a time) are compared as they come.
    Returns the count and the scanned files of the first chunk that differs (None: no file
    differs and no row is left over); `found` is consumed up to that chunk.
    """
    same = 0
    while chunk := list(itertools.islice(found, _SCAN_CHUNK)):
        with lock:
            rows = conn.execute(
                "SELECT rel, size, mtime_ns, ctime_ns FROM files"
                " WHERE feed = ? AND seq >= ? AND seq < ? ORDER BY seq",
                (feed, same, same + len(chunk)),
            ).fetchall()
        if len(rows) != len(chunk) or any(
            row != (to_db(rel), *stamp) for row, (rel, _, stamp) in zip(rows, chunk, strict=True)
        ):
            return same, chunk
        same += len(chunk)
    with lock:
        more = conn.execute(
            "SELECT 1 FROM files WHERE feed = ? AND seq >= ? LIMIT 1", (feed, same)
        ).fetchone()
    return (same, []) if more else (same, None)


def _fill_scan_table(
    conn: sqlite3.Connection,
    lock: threading.RLock,
    feed: int,
    same: int,
    found: Iterable[tuple[str, str, Stamp]],
) -> None:
    """The scan table: the first `same` files copied from their rows, then `found`."""
    with lock:
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS scan(rel TEXT PRIMARY KEY, path TEXT NOT NULL,"
            " seq INTEGER NOT NULL, size INTEGER, mtime INTEGER, ctime INTEGER)"
        )
        conn.execute("DELETE FROM temp.scan")
        # Their path is never read: only a stale file's is, and these match their rows.
        conn.execute(
            "INSERT INTO temp.scan SELECT rel, rel, seq, size, mtime_ns, ctime_ns FROM files"
            " WHERE feed = ? AND seq < ?",
            (feed, same),
        )
    rows = (
        (to_db(rel), to_db(path), seq, *stamp)
        for seq, (rel, path, stamp) in enumerate(found, start=same)
    )
    while chunk := list(itertools.islice(rows, _SCAN_CHUNK)):
        with lock:
            conn.execute("BEGIN")
            conn.executemany("INSERT OR REPLACE INTO temp.scan VALUES (?, ?, ?, ?, ?, ?)", chunk)
            conn.execute("COMMIT")


def _stale(conn: sqlite3.Connection, feed: int) -> list[Stale]:
    """The files new or changed since their row was written, in feed order."""
    rows = conn.execute(
        "SELECT s.rel, s.path, s.seq, s.size, s.mtime, s.ctime, f.rel IS NULL FROM temp.scan s"
        f" LEFT JOIN files f ON f.feed = ? AND f.rel = s.rel WHERE f.rel IS NULL OR NOT ({_SAME})"
        " ORDER BY s.seq",
        (feed,),
    )
    return [
        (seq, from_db(rel), from_db(path), (size, mtime, ctime), bool(new))
        for rel, path, seq, size, mtime, ctime, new in rows
    ]


def _moved(conn: sqlite3.Connection, feed: int) -> list[Moved]:
    """The unchanged files whose place in the feed order changed."""
    rows = conn.execute(
        f"SELECT s.seq, s.rel FROM temp.scan s JOIN files f ON f.feed = ? AND f.rel = s.rel"
        f" WHERE {_SAME} AND f.seq IS NOT s.seq",
        (feed,),
    )
    return [(seq, feed, rel) for seq, rel in rows]


def _gone(conn: sqlite3.Connection, feed: int) -> list[str]:
    """The rows of files no longer in the feed."""
    rows = conn.execute(
        "SELECT f.rel FROM files f WHERE f.feed = ?"
        " AND NOT EXISTS (SELECT 1 FROM temp.scan s WHERE s.rel = f.rel)",
        (feed,),
    )
    return [rel for (rel,) in rows]


def holds_files(conn: sqlite3.Connection, feed: int) -> bool:
    """Whether the cache holds a row of any file of this feed."""
    row = conn.execute("SELECT 1 FROM files WHERE feed = ? LIMIT 1", (feed,)).fetchone()
    return row is not None
