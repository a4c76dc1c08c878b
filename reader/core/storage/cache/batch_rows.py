"""What a sync writes for one batch of parsed files, and for the files it found deleted or
moved: the SQL of each, run inside the caller's write transaction (see `FeedCache._write`);
and the writes' mode while a sync parses.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator, Sequence

from reader.core.storage.cache.codec import DetailRow, FileRow
from reader.core.storage.cache.listing_rows import store_listings
from reader.core.storage.cache.schema import (
    INSERT_DETAIL,
    INSERT_FILE,
    drop_deferred_indexes,
)
from reader.core.storage.cache.stories import WordCounts, store_keys
from reader.core.storage.sqlite import SYNCHRONOUS, write_transaction


def store_batch(
    conn: sqlite3.Connection, feed: int, files: Sequence[FileRow], details: Sequence[DetailRow],
    words: WordCounts,
) -> None:  # fmt: skip
    """The batch's rows: a file that gave no article now drops its older article's rows."""
    failed = [(feed, row[1]) for row in files if row[7] is None]
    conn.executemany(INSERT_FILE, files)
    conn.executemany(INSERT_DETAIL, [detail[:3] for detail in details])
    conn.executemany("DELETE FROM details WHERE feed = ? AND rel = ?", failed)
    # A first build (every file new: `words.whole`) has no older listing to drop.
    store_listings(conn, feed, details, [rel for _, rel in failed], fresh=words.whole)
    keys = [detail[4] for detail in details if detail[4] is not None]
    store_keys(conn, feed, keys, [rel for _, rel in failed], words)


def forget_files(
    conn: sqlite3.Connection, feed: int, gone: Sequence[str],
    moved: Sequence[tuple[int, int, str]], words: WordCounts,
) -> None:  # fmt: skip
    """Drop the rows of deleted files (`gone` rels) and renumber the files whose place
    changed (`moved`: new seq, feed, rel each)."""
    keyed = [(feed, rel) for rel in gone]
    conn.executemany("DELETE FROM files WHERE feed = ? AND rel = ?", keyed)
    conn.executemany("DELETE FROM details WHERE feed = ? AND rel = ?", keyed)
    conn.executemany("DELETE FROM listings WHERE feed = ? AND rel = ?", keyed)
    conn.executemany("UPDATE files SET seq = ? WHERE feed = ? AND rel = ?", moved)
    store_keys(conn, feed, [], gone, words)


@contextlib.contextmanager
def unsynced_writes(
    conn: sqlite3.Connection, lock: threading.RLock, build: bool = False
) -> Iterator[None]:
    """No fsync while the parsed batches are written (a cold build writes hundreds of MB).

    A killed process loses nothing the OS was handed, so every committed batch
    survives `kill -9` just the same; only a power cut mid-build can damage the file,
    which is then moved aside and rebuilt (it is only a copy of the feed).

    A first `build` writes without the `schema.DEFERRED_INDEXES` (if the file holds no
    other feed's rows): the snapshot stored after it makes them (`snapshot.store_snapshot`;
    the app stores it once the feed is shown, see `FeedCache.sync`'s `snapshot`). A build
    stopped midway leaves them to the next snapshot stored, or to the next open of the file.
    """
    with lock:
        conn.execute("PRAGMA synchronous = OFF")
        if build:
            with write_transaction(conn):
                drop_deferred_indexes(conn)
    try:
        yield
    finally:
        with lock, contextlib.suppress(sqlite3.Error):
            conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
