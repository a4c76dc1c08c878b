"""Snapshots: every summary of a feed in one blob of pickled plain columns.

Reading 100,000 rows costs about twice as much as unpickling that one blob, so after each
sync the feed's summaries are stored this way too, valid while the feed's generation (bumped
by every write to its files) is the one they were made at. A small `head` blob holds the
first screen in the default order, and `sorted` the positions in that order, so a warm
start neither waits for the whole blob nor sorts.

The unpickler looks up no class at all: a damaged or foreign blob only costs the slower
path through the rows.
"""

from __future__ import annotations

import contextlib
import gc
import io
import pickle
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from typing import Any, cast

from reader.core.loader import merge_duplicates
from reader.core.model import Article, ArticleSummary, KeptFields, Problem, StoredSummary
from reader.core.ordering import DEFAULT_ORDER, SORT_KEYS
from reader.core.storage.cache.codec import SummaryBuilder, iso
from reader.core.storage.cache.schema import SUMMARY_SQL, restore_indexes
from reader.core.storage.cache.search_texts import CacheTexts

HEAD_SIZE = 200  # rows kept apart for the first screen: more than any terminal shows

# 3: no search texts (see search_texts.py); 4: no URLs in a merged one (read from the rows)
_SNAPSHOT_TAG = "reader-summaries-4"
CHUNK = 4096  # summaries per pickle of a snapshot
_CURRENT_SQL = (
    "SELECT f.generation, s.feed, s.sorted FROM feeds f LEFT JOIN snapshots s"
    " ON s.feed = f.id AND s.generation = f.generation WHERE f.id = ?"
)
_HEAD_SQL = (
    "SELECT h.head, h.total FROM feeds f JOIN heads h"
    " ON h.feed = f.id AND h.generation = f.generation WHERE f.id = ?"
)

SnapshotRow = tuple[bytes, bytes | None, bytes | None, int]  # data, sorted, head, total


@dataclass(slots=True)
class Memo:
    """What cached_summaries() read, kept until this reader writes, or a sync finds that
    another reader has (FeedCache._current)."""

    summaries: list[ArticleSummary]  # merged
    duplicates: list[Problem]  # the warnings merging gave
    generation: int  # of the feed, when read
    from_rows: list[ArticleSummary] | None  # unmerged, when read row by row (no snapshot)
    # Positions of `summaries` in DEFAULT_ORDER, stored with a merged snapshot: a warm
    # start takes them instead of sorting 100,000 articles.
    sorted_positions: array[int] | None = None


# --- writing ------------------------------------------------------------------------------


def snapshot_bytes(summaries: list[ArticleSummary], prefix: str, merged: bool) -> bytes:
    """Plain columns of the summaries, pickled: a header, then one pickle per CHUNK summaries.

    Chunks let a reader build the summaries of one while holding only that one's columns
    (see `summaries_from_snapshot`), instead of every column of the feed at once. Provider
    strings and topic tuples are shared objects (see SummaryBuilder): each chunk writes
    them once, and the reader shares them again across chunks. `merged` says the list
    needs no `merge_duplicates` (it had no duplicate URLs and is already in the merged order);
    its URLs are then left out (None for the column): its summaries read theirs from the rows
    (~19 MB at 100,000 with the lookup by URL, see `model.StoredSummary`). Merging needs them.
    """
    out = io.BytesIO()
    pickle.dump((_SNAPSHOT_TAG, merged, len(summaries)), out, protocol=pickle.HIGHEST_PROTOCOL)
    for start in range(0, len(summaries), CHUNK):
        pickle.dump(
            _columns(summaries[start : start + CHUNK], len(prefix), not merged),
            out,
            protocol=pickle.HIGHEST_PROTOCOL,
        )
    return out.getvalue()


def _columns(summaries: list[ArticleSummary], cut: int, urls: bool) -> tuple[Any, ...]:
    return (
        [s.path[cut:] for s in summaries], [s.id for s in summaries], [s.title for s in summaries],
        [s.url for s in summaries] if urls else None, [s.provider_name for s in summaries],
        [s.provider_domain for s in summaries], [iso(s.published) for s in summaries],
        [s.quality for s in summaries], [s.heat for s in summaries], [s.topics for s in summaries],
    )  # fmt: skip


def default_order_positions(summaries: list[ArticleSummary]) -> array[int]:
    """The positions of `summaries` in DEFAULT_ORDER."""
    key = SORT_KEYS[DEFAULT_ORDER]
    return array("i", sorted(range(len(summaries)), key=lambda i: key(summaries[i])))


def snapshot_row(memo: Memo, prefix: str) -> SnapshotRow:
    """The snapshot of summaries read row by row (`memo.from_rows` is set)."""
    assert memo.from_rows is not None
    # No duplicate dropped: the merged list is final, keep it and skip merging on load.
    merged = len(memo.summaries) == len(memo.from_rows)
    data = snapshot_bytes(memo.summaries if merged else memo.from_rows, prefix, merged)
    positions = head = None
    if merged:
        order = default_order_positions(memo.summaries)
        positions = order.tobytes()
        head = snapshot_bytes([memo.summaries[i] for i in order[:HEAD_SIZE]], prefix, True)
    return data, positions, head, len(memo.summaries)


def store_snapshot(conn: sqlite3.Connection, feed: int, generation: int, row: SnapshotRow) -> None:
    """Store the snapshot, unless the feed changed since it was read (inside a transaction);
    first the indexes a first build left (see `batch_rows.unsynced_writes`): the app, which
    stores the snapshot once the feed is shown, makes them then, not before."""
    restore_indexes(conn)
    current = conn.execute("SELECT generation FROM feeds WHERE id = ?", (feed,)).fetchone()
    if current[0] == generation:
        data, positions, head, total = row
        conn.execute(
            "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?)",
            (feed, generation, positions, data),
        )
        conn.execute(
            "INSERT OR REPLACE INTO heads VALUES (?, ?, ?, ?)", (feed, generation, head, total)
        )


# --- reading ------------------------------------------------------------------------------


class PlainUnpickler(pickle.Unpickler):
    """Loads lists, tuples, strings, numbers and None only: no class is ever looked up."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a snapshot")


class BlobReader(io.RawIOBase):
    """A SQLite blob as a raw stream: unpickling from it never holds the whole blob. With a
    lock, each read holds it (the connection is shared by threads)."""

    def __init__(self, blob: sqlite3.Blob, lock: threading.RLock | None = None) -> None:
        self.blob = blob
        self.lock = lock

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.lock is None:
            data = self.blob.read(len(buffer))
        else:
            with self.lock:
                data = self.blob.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def summaries_from_snapshot(
    stream: io.BufferedIOBase, prefix: str, texts: KeptFields
) -> tuple[list[ArticleSummary], bool] | None:
    """The summaries `snapshot_bytes` stored (and its `merged`), or None if unreadable;
    their search texts are read from `texts` when asked for.

    One chunk's columns at a time: they are dropped once its summaries are made, so the
    columns of the whole feed never sit beside its summaries.
    """
    try:
        tag, merged, total = PlainUnpickler(stream).load()
        if tag != _SNAPSHOT_TAG:
            return None
        summaries: list[ArticleSummary] = []
        # One object per provider string, topics tuple and heat: an int above 256 is an
        # object of its own per article (~0.7 MB at 100,000), and heats repeat.
        shared: dict[Any, Any] = {}
        while len(summaries) < total:
            summaries.extend(_chunk(PlainUnpickler(stream).load(), prefix, shared, texts))
    except Exception:  # noqa: BLE001 - a damaged blob only costs the slower path
        return None
    return summaries, bool(merged)


def paths_and_ids(stream: io.BufferedIOBase) -> tuple[list[str], list[str]] | None:
    """The relative paths and ids of a merged snapshot's summaries, in its order (None: not
    merged, or unreadable): what `reader list` needs of it (see `listing_order`)."""
    try:
        tag, merged, total = PlainUnpickler(stream).load()
        if tag != _SNAPSHOT_TAG or not merged:
            return None
        rels: list[str] = []
        ids: list[str] = []
        while len(ids) < total:
            columns = PlainUnpickler(stream).load()
            rels += columns[0]
            ids += columns[1]
    except Exception:  # noqa: BLE001 - a damaged blob only costs the slower path
        return None
    return rels, ids


def _chunk(
    columns: tuple[list[Any], ...], prefix: str, shared: dict[Any, Any], texts: KeptFields
) -> list[ArticleSummary]:
    rels, ids, titles, urls, names, domains, published, quality, heat, topics = columns
    del columns
    # No URLs: kept where the texts are (see `snapshot_bytes`).
    url_column: Iterable[Any] = repeat(texts, len(ids)) if urls is None else urls
    share = shared.setdefault
    from_iso = datetime.fromisoformat
    return list(map(
        StoredSummary, ids, [prefix + rel for rel in rels], titles, url_column,
        [share(name, name) for name in names], [share(domain, domain) for domain in domains],
        [from_iso(p) if p else None for p in published], quality, list(map(share, heat, heat)),
        [share(tags, tags) for tags in topics], repeat(texts, len(ids)),
    ))  # fmt: skip


def generation_of(conn: sqlite3.Connection, feed: int) -> int | None:
    """The feed's generation now (None: no such feed, the file was emptied under us)."""
    row = conn.execute("SELECT generation FROM feeds WHERE id = ?", (feed,)).fetchone()
    return None if row is None else int(row[0])


def read_head(
    conn: sqlite3.Connection, feed: int, prefix: str, texts: CacheTexts | None = None
) -> tuple[list[ArticleSummary], int]:
    """The head of the current snapshot and the feed's size; empty without one. `texts`:
    where the summaries' texts are read (one made over `conn` if None)."""
    row = conn.execute(_HEAD_SQL, (feed,)).fetchone()
    if row is None or row[0] is None:
        return [], 0
    texts = texts or CacheTexts(conn, feed, prefix)
    found = summaries_from_snapshot(io.BytesIO(row[0]), prefix, texts)
    return (found[0], row[1] or 0) if found else ([], 0)


def read_memo(
    conn: sqlite3.Connection,
    feed: int,
    prefix: str,
    article_at: Callable[[str], Article | None],
    texts: CacheTexts | None = None,
) -> Memo:
    """The feed's summaries from the snapshot if it is current, else row by row; in one read.
    `texts`: as for `read_head`."""
    conn.execute("BEGIN")
    try:
        generation, current, positions = conn.execute(_CURRENT_SQL, (feed,)).fetchone()
        found = None
        if current is not None:  # snapshots.feed is the row id
            with conn.blobopen("snapshots", "data", current, readonly=True) as blob:
                found = summaries_from_snapshot(
                    io.BufferedReader(BlobReader(blob), 1 << 16),
                    prefix,
                    texts or CacheTexts(conn, feed, prefix),
                )
        from_rows: list[ArticleSummary] | None = None
        if found is None:
            rows = conn.execute(SUMMARY_SQL, (feed,)).fetchall()
            from_rows = SummaryBuilder(prefix).build(rows, article_at)
            found = (from_rows, False)
    finally:
        conn.execute("COMMIT")
    return _memo(*found, generation, from_rows, positions)


class BuiltMemo:
    """A first build's summaries, made of its batches as they are written: the feed's whole
    when the build ends, unless another reader wrote the feed meanwhile (then, as after any
    other sync, they are read back row by row: ~0.7 s of this process at 100,000 files)."""

    def __init__(self, prefix: str, generation: int | None = None) -> None:
        self._builder = SummaryBuilder(prefix)
        self.summaries: list[ArticleSummary] = []
        self._expected = generation  # the feed's when the build began; each batch adds one

    def add(
        self, rows: list[tuple[Any, ...]], fetch: Callable[[str], Article | None]
    ) -> list[ArticleSummary]:
        """The summaries of one batch's rows (see `SummaryBuilder.build`), kept."""
        summaries = self._builder.build(rows, fetch)
        self.summaries += summaries
        if self._expected is not None:
            self._expected += 1
        return summaries

    def memo(self, generation: int | None) -> Memo | None:
        """The memo `read_memo` would read row by row at `generation`, if no other reader
        wrote the feed since the build began."""
        if generation is None or generation != self._expected:
            return None
        return _memo(self.summaries, False, generation, self.summaries, None)


def _memo(
    summaries: list[ArticleSummary], merged: bool, generation: int,
    from_rows: list[ArticleSummary] | None, positions: bytes | None,
) -> Memo:  # fmt: skip
    sorted_positions = None
    if from_rows is None and merged and positions is not None:
        sorted_positions = array("i")
        sorted_positions.frombytes(positions)
    duplicates: list[Problem] = []
    if not merged:
        # merge_duplicates reads only .url, .published and .path, which summaries share.
        summaries = cast(
            list[ArticleSummary], merge_duplicates(cast(list[Article], summaries), duplicates)
        )
    return Memo(summaries, duplicates, generation, from_rows, sorted_positions)


@contextlib.contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic collector while building 100,000 objects that hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
