"""The index cache: parsed articles kept in SQLite, so a large feed opens at once.

Plain `sqlite3`, `platformdirs` and `concurrent.futures`, no Textual. The app shows
`cached_summaries()` first (no file is read or even stat'ed), then runs `sync()` in a
worker: it stats every file, re-parses only the new and changed ones (in several
processes when there are many) and drops the deleted ones.

A file is fresh when its size, mtime and ctime (a chmod changes only the ctime) match
its row. Each row holds the summary columns, the file's problems and, in `details`, the
whole article as JSON (not compressed) for the detail pane (in `listings`, `reader
list`'s JSON of it, see `listing`). After each sync the feed's summaries are also stored
as one pickled snapshot of plain columns: reading 100,000 rows costs about twice as much
as unpickling that one blob.

One cache file serves several feeds: rows are keyed by the feed root's resolved path
and each file's path relative to it. Full paths are rebuilt from the root as given, so
results equal `loader.load_feed(root)` whatever spelling of the root was used before.

Nothing here raises because of the cache file: a damaged file is moved aside, a file
of another schema or reader version is emptied, an unusable location leaves the cache
in memory; each adds a sentence to `FeedCache.notices`.

This module is the public face; the parts live beside it: `schema` (the tables, opening
the file), `codec` (files and articles as rows), `snapshot` (the pickled summaries),
`scan` (what changed since the last sync), `pool` (parsing in several processes) and
`batch_rows` (what a sync writes).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from reader.core.loader import missing_feed
from reader.core.model import Article, ArticleSummary, Problem
from reader.core.storage.cache.batch_rows import forget_files, store_batch, unsynced_writes
from reader.core.storage.cache.codec import (
    DetailRow,
    FileRow,
    article_from_detail,
    from_db,
    path_prefix,
    problems_from_json,
    root_key,
    to_db,
)
from reader.core.storage.cache.listing_order import StoredList, stored_list
from reader.core.storage.cache.listing_rows import listings_by_path
from reader.core.storage.cache.location import default_cache_path
from reader.core.storage.cache.scan import Changes, compare, holds_files, unstamped
from reader.core.storage.cache.schema import DEFAULT_TIMEOUT, open_file, open_memory, set_aside
from reader.core.storage.cache.search_texts import (
    ARTICLES_SQL,
    DETAIL_SQL,
    CacheTexts,
    kept_article,
    kept_articles,
)
from reader.core.storage.cache.snapshot import (
    BuiltMemo,
    Memo,
    generation_of,
    no_gc,
    read_head,
    read_memo,
    snapshot_row,
    store_snapshot,
)
from reader.core.storage.cache.stories import (
    WordCounts,
    in_step,
    mark_in_step,
    read_groups,
    regroup,
    stale,
)
from reader.core.storage.cache.sync_result import SyncResult, count_parsed
from reader.core.storage.cache.walk import Pause
from reader.core.storage.sqlite import file_id, is_corrupt, write_transaction

if TYPE_CHECKING:
    from reader.core.storage.cache import pool

# Parsed files written per transaction (and per on_batch call): fewer, larger commits cost
# the app's process less (the screen redraws a streamed load once a second anyway).
BATCH_SIZE = 2000
FIRST_BATCH = 25  # files of a first build parsed at once for a first screen

OnProgress = Callable[[int, int], None]
T = TypeVar("T")
OnBatch = Callable[[list[ArticleSummary]], None]


class FeedCache:
    """The cached index of one feed, in a SQLite file shared by every feed and reader.

    Attributes:
        path: The SQLite file, or None when the cache lives in memory only.
        feed_root: The feed folder (or file) as given.
        notices: Human sentences about anything that went wrong with the cache file.
    """

    def __init__(
        self, conn: sqlite3.Connection, path: Path | None, feed_root: Path, notices: list[str]
    ) -> None:
        """Use `FeedCache.open`; this takes a ready connection."""
        self.path = path
        self.feed_root = feed_root
        self.notices = notices
        self._conn = conn
        self._file = file_id(path) if path is not None else None  # the file `conn` opened
        self._lock = threading.RLock()
        self._closed = False  # set by `close`, which may come from another thread mid-sync
        self._key = to_db(root_key(feed_root))
        # What the feed was when opened (None: not there yet): the cached paths hold only
        # while it stays so.
        self._folder = feed_root.is_dir() if feed_root.exists() else None
        self._prefix = path_prefix(feed_root)
        self._feed = self._feed_id()
        self._memo: Memo | None = None  # None once anything is written
        self._texts: CacheTexts | None = None  # where the read summaries' texts are kept
        # Story keys kept and grouped (see `stories`); the sync's changes, grouped at its end.
        self.stories, self._words = True, WordCounts()
        # Listings made as files are parsed (false: by the first list wanting them, see
        # `listing_rows.fill_listings`; the app, which reads none, parses faster without).
        self.make_listings = True
        self.pause: Pause = lambda: None  # the check that nothing changed waits here (walk)
        self._scanned: Changes | None = None  # `stored_list`'s scan, for the sync after it

    # --- opening --------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path | None, feed_root: Path, *, timeout: float = DEFAULT_TIMEOUT
    ) -> FeedCache:
        """Open (creating if needed) the cache for `feed_root`; never raises for a bad file.

        Args:
            path: The SQLite file; None for `default_cache_path()`.
            feed_root: The feed folder (or single file), as the loader is given it.
            timeout: Seconds to wait for another reader holding the write lock.
        """
        path = default_cache_path() if path is None else path
        notices: list[str] = []
        conn = open_file(path, timeout, notices)
        if conn is not None:
            try:
                return cls(conn, path, feed_root, notices)
            except sqlite3.Error as err:
                conn.close()
                notices.append(
                    f"The index cache {path} cannot be used ({err}); "
                    "this session keeps it in memory."
                )
        return cls(open_memory(), None, feed_root, notices)

    def _feed_id(self) -> int:
        """The feed's number, made on its first open only: an open of a known feed writes
        nothing, so it never waits for another reader's write (a sync under way)."""
        with self._lock:
            for _ in range(2):
                row = self._conn.execute("SELECT id FROM feeds WHERE root = ?", (self._key,))
                found = row.fetchone()
                if found is not None:
                    return int(found[0])
                self._conn.execute("INSERT OR IGNORE INTO feeds(root) VALUES (?)", (self._key,))
            raise sqlite3.DatabaseError("the feed's row cannot be made")

    def _recover(self, err: sqlite3.Error) -> None:
        """The file failed while in use: move it aside if damaged, else go on in memory."""
        with self._lock:
            if self._closed:
                return  # closed under a sync (the app quit): nothing is to be kept
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._memo = self._scanned = None
            conn = None
            if self.path is not None and is_corrupt(err):
                # As at opening: a file another reader has already replaced is theirs.
                replaced = file_id(self.path) != self._file
                if replaced or set_aside(self.path, self.notices, err):
                    conn = open_file(self.path, DEFAULT_TIMEOUT, self.notices)
            if conn is None:
                self.notices.append(
                    f"The index cache could not be used ({err}); this session keeps it in memory."
                )
                self.path = None
            self._conn = conn or open_memory()
            self._file = file_id(self.path) if self.path is not None else None
            self._feed = self._feed_id()

    def close(self) -> None:
        """Close the file; the cache must not be used afterwards (a sync still running stops
        at its next batch, keeping what it committed). A summary read from it can still be
        searched (its texts' connection opens again)."""
        self._closed = True
        with self._lock:
            self._conn.close()
            if self._texts is not None:
                self._texts.close()

    def kept_words(self, generation: int) -> tuple[CacheTexts, int] | None:
        """Where the word index of a sync's summaries (read at `generation`) may be kept for
        the next start (see `SearchIndex`); None for a cache in memory."""
        with self._lock:
            return None if self.path is None else (self._kept_texts(), generation)

    def _kept_texts(self) -> CacheTexts:
        """The one place this cache's summaries read their texts from (see search_texts)."""
        texts = self._texts
        if texts is None or texts.source != self._source():
            texts = self._texts = CacheTexts(self._conn, self._feed, self._prefix, self)
        return texts

    def _source(self) -> object:
        return self._file if self.path is not None else self._conn

    def read_own(self, source: object, read: Callable[[sqlite3.Connection], T]) -> T | None:
        """`read` through this cache's connection for summaries read from `source` (see
        `search_texts.Owner`): None once closed, or moved on to another file."""
        with self._lock:
            if self._closed or source is None or source != self._source():
                return None
            try:
                return read(self._conn)
            except sqlite3.Error:
                return None

    def __enter__(self) -> FeedCache:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- the fast path ----------------------------------------------------------------

    def cached_summaries(self) -> list[ArticleSummary]:
        """Every cached article of this feed, duplicates merged, without touching the files."""
        return list(self._cached().summaries)

    def cached_head(self) -> tuple[list[ArticleSummary], int]:
        """The first HEAD_SIZE articles in DEFAULT_ORDER and the feed's size, from a small blob.

        Enough to draw a first screen while the whole snapshot is still being read; empty
        when there is no current snapshot.
        """
        try:
            with self._lock:
                return read_head(self._conn, self._feed, self._prefix, self._kept_texts())
        except sqlite3.Error:
            return [], 0

    def cached_sorted(self) -> list[ArticleSummary] | None:
        """`cached_summaries()` in DEFAULT_ORDER when the snapshot knows it, else None."""
        memo = self._cached()
        if memo.sorted_positions is None or len(memo.sorted_positions) != len(memo.summaries):
            return None
        summaries = memo.summaries
        return [summaries[i] for i in memo.sorted_positions]

    def cached_generation(self) -> int:
        """The generation `cached_summaries()` was read at: a `SyncResult` of another holds
        another feed (any reader's write bumps it), even if that sync parsed nothing."""
        return self._cached().generation

    def cached_problems(self, *, duplicates: bool = True) -> list[Problem]:
        """Every problem the last sync met, per file in feed order, then (unless not
        `duplicates`: a merged snapshot has none) duplicate warnings."""
        merged = self._cached().duplicates if duplicates else []
        try:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT rel, problems FROM files"
                    " WHERE feed = ? AND problems IS NOT NULL ORDER BY seq",
                    (self._feed,),
                ).fetchall()
        except sqlite3.Error as err:
            self._recover(err)
            return []
        return [
            p for rel, text in rows for p in problems_from_json(text, self._prefix + from_db(rel))
        ] + merged

    def _cached(self) -> Memo:
        memo = self._memo
        if memo is None:
            try:
                with self._lock, no_gc():
                    memo = self._memo = read_memo(
                        self._conn, self._feed, self._prefix, self._article_at, self._kept_texts()
                    )
            except sqlite3.Error as err:
                self._recover(err)
                return Memo([], [], -1, None)
        return memo

    def _save_snapshot(self) -> None:
        """Store the summaries read row by row as a snapshot, unless the feed changed since."""
        memo = self._memo
        if memo is None or memo.from_rows is None:
            return
        row = snapshot_row(memo, self._prefix)
        self._write(
            lambda conn: store_snapshot(conn, self._feed, memo.generation, row), changes_files=False
        )
        memo.from_rows = None

    # --- details ----------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """The full article with this id (the kept copy when several share a URL). Read on
        the texts' own connection when it can (see search_texts): it never waits for the
        lock, which a sync holds while it writes a batch (the detail a cold load shows did)."""
        texts = self._texts  # made under the lock; one of another file answers None
        rows = None if texts is None or self.path is None else texts.detail_rows(article_id)
        try:
            if rows is None:
                with self._lock:
                    if self.path is not None:
                        self._kept_texts()  # for the next read
                    rows = self._conn.execute(DETAIL_SQL, (self._feed, article_id)).fetchall()
        except sqlite3.Error as err:
            self._recover(err)
            return None
        return kept_article(rows, self._prefix)

    def articles(self, article_ids: Iterable[str]) -> dict[str, Article]:
        """`article(id)` for many ids at once: one query, for `reader list`."""
        try:
            with self._lock:
                rows = self._conn.execute(ARTICLES_SQL, (self._feed,)).fetchall()
        except sqlite3.Error as err:
            self._recover(err)
            return {}
        return kept_articles(rows, set(article_ids), self._prefix)

    def listings(self, paths: Sequence[str]) -> dict[str, bytes]:
        """The stored JSON fields (see `listing`) of the articles at these paths, by path.

        A path whose article has none (or is not in the cache) is left out: encode it whole.
        """
        try:
            with self._lock:
                return listings_by_path(self._conn, self._feed, self._prefix, paths, fill=True)
        except sqlite3.Error as err:
            self._recover(err)
            return {}

    def stored_list(self) -> StoredList | None:
        """`reader list`'s articles from their stored listings when no file changed since the
        last sync (see `listing_order`); else None, and a `sync` goes on from this scan."""
        try:
            if missing_feed(self.feed_root, self._folder) is None and not self._holds_no_files():
                changes = self._compare()
                with self._lock:
                    found = stored_list(self._conn, self._feed, self._prefix, changes, True)
                self._scanned = changes if found is None else None
                return found
        except sqlite3.Error as err:
            self._recover(err)
        return None

    def _compare(self) -> Changes:
        return compare(self._conn, self._lock, self._feed, self.feed_root, self._prefix, self.pause)

    def _article_at(self, rel: str) -> Article | None:
        row = self._conn.execute(
            "SELECT data FROM details WHERE feed = ? AND rel = ?", (self._feed, rel)
        ).fetchone()
        return article_from_detail(row[0], self._prefix + from_db(rel)) if row else None

    # --- sync -------------------------------------------------------------------------

    def sync(
        self,
        *,
        workers: int | None = None,
        on_progress: OnProgress | None = None,
        on_batch: OnBatch | None = None,
        is_cancelled: Callable[[], bool] = lambda: False,
        snapshot: bool = True,
    ) -> SyncResult:
        """Bring the cache up to date with the files and return the whole feed.

        Args:
            workers: Processes for parsing; default (and at most) the usable cores.
            on_progress: Called with (files parsed, files to parse) after each batch; in
                a first build, which parses while it scans, the second is the files found
                so far.
            on_batch: Called with each batch's new summaries (not yet de-duplicated:
                a copy that loses to an older one may appear until the result). A first
                build hands on FIRST_BATCH files at once, for a first screen.
            is_cancelled: Polled between batches; when true the sync stops early.
            snapshot: Store the feed's snapshot before returning (False: the caller calls
                `store_snapshot` once it has shown the feed; ~1.4 s at 100,000).
        """
        cancelled = partial(self._cancelled, is_cancelled)

        def attempt() -> SyncResult:
            result = self._sync(workers, on_progress, on_batch, cancelled)
            if snapshot and not (result.cancelled or result.feed_missing):
                self._save_snapshot()
            return result

        try:
            return attempt()
        except sqlite3.Error as err:
            if self._closed:
                # Quitting mid-sync: without this the sync would start again in memory and
                # parse the whole feed before the app could exit.
                return SyncResult(cancelled=True)
            self._recover(err)
        return attempt()

    def _cancelled(self, asked: Callable[[], bool]) -> bool:
        return self._closed or asked()

    def store_snapshot(self) -> None:
        """Store the last sync's feed as its snapshot (see `sync`'s `snapshot`), unless it
        came from the snapshot or the feed changed since; a failing file is recovered from
        as in `sync`."""
        try:
            self._save_snapshot()
        except sqlite3.Error as err:
            self._recover(err)

    def _sync(
        self, workers: int | None, on_progress: OnProgress | None, on_batch: OnBatch | None,
        is_cancelled: Callable[[], bool],
    ) -> SyncResult:  # fmt: skip
        missing = missing_feed(self.feed_root, self._folder)
        if missing is None and self._holds_no_files():
            result = self._build(workers, on_progress, on_batch, is_cancelled)
            missing = missing_feed(self.feed_root, self._folder)
            return self._gone(missing) if missing is not None else self._finish(result)
        if missing is None:
            changes, self._scanned = self._scanned or self._compare(), None
            # Checked again: a folder deleted during the scan looks like every file deleted.
            missing = missing_feed(self.feed_root, self._folder)
        if missing is not None:
            return self._gone(missing)
        if changes.gone or changes.moved:
            self._forget(changes)
        result = SyncResult(removed=len(changes.gone))
        self._parse([item[:4] for item in changes.stale], result, workers, on_progress,
                    on_batch, is_cancelled)  # fmt: skip
        count_parsed(changes.stale, result)
        return self._finish(result)

    def _gone(self, missing: Problem) -> SyncResult:
        # Every row stays: the folder may be back (a remount, a rename) at the next sync.
        memo = self._current()
        return SyncResult(
            list(memo.summaries), [missing], feed_missing=True, generation=memo.generation
        )

    def _finish(self, result: SyncResult) -> SyncResult:
        """The whole feed into `result`."""
        memo = self._current()
        result.summaries, result.generation = list(memo.summaries), memo.generation
        result.problems = self.cached_problems()
        return result

    def story_groups(self, *, up_to_date: bool = True) -> list[tuple[str, ...]]:
        """The feed's stories (sorted tuples of ids), regrouped first (unless not `up_to_date`)."""
        words, self._words = (self._words, WordCounts()) if up_to_date else (None, self._words)
        with self._lock:
            if not self.stories:
                return []
            if words is not None and stale(self._conn, self._feed, words):  # else no write at all
                self._write(lambda conn: regroup(conn, self._feed, words), changes_files=False)
            elif words is not None and not in_step(self._conn, self._feed):
                with contextlib.suppress(sqlite3.Error):  # counted, found in step: not again
                    self._write(lambda conn: mark_in_step(conn, self._feed), changes_files=False)
            return read_groups(self._conn, self._feed)

    def _current(self) -> Memo:
        """The memo, read again if another reader (one building this cache) wrote the feed
        since: its writes only bump the generation, and a sync that found every file parsed
        by it would else give the rows read before (its first batch) as the whole feed."""
        with self._lock:
            memo, now = self._memo, generation_of(self._conn, self._feed)
            # None: the feed's row is gone (another build emptied the file): keep what was read.
            if memo is not None and now not in (None, memo.generation):
                self._memo = None
        return self._cached()

    def _holds_no_files(self) -> bool:
        with self._lock:
            return not holds_files(self._conn, self._feed)

    def _build(
        self, workers: int | None, on_progress: OnProgress | None, on_batch: OnBatch | None,
        is_cancelled: Callable[[], bool],
    ) -> SyncResult:  # fmt: skip
        """A first sync (no file of the feed cached): every file is new, parsed while the scan
        goes on (progress counts the files found so far until it ends), with no comparison.
        With `on_batch`, a small first batch is parsed here and handed on, for a first screen.
        """
        from reader.core.storage.cache import pool  # multiprocessing: only when parsing

        result = SyncResult()
        found = unstamped(self.feed_root, self._prefix)  # the parsers take the stamps
        items = ((seq, rel, path, None) for seq, (rel, path) in enumerate(found))
        first = FIRST_BATCH if on_batch else 0
        self._words.whole = True  # every file is new: the feed is grouped whole afterwards
        made = self.stories, self.make_listings
        stream = pool.Stream(self._feed, self.feed_root, items, workers, first, *made)
        built = BuiltMemo(self._prefix, self._generation())
        with stream, unsynced_writes(self._conn, self._lock, build=True):
            for files, details, total in pool.batches(
                stream, BATCH_SIZE, None, is_cancelled, first > 0
            ):
                self._store(files, details, on_batch, built)
                result.parsed += len(files)
                if on_progress:
                    on_progress(result.parsed, total)
                if is_cancelled():
                    result.cancelled = True
                    break
        result.workers = stream.workers
        result.added = result.parsed
        if not result.cancelled:
            self._memo = built.memo(self._generation())
        return result

    def _generation(self) -> int | None:
        with self._lock:
            return generation_of(self._conn, self._feed)

    def _forget(self, changes: Changes) -> None:
        """Drop the rows of deleted files and renumber the files whose place changed."""
        gone, moved = changes.gone, changes.moved
        self._write(lambda conn: forget_files(conn, self._feed, gone, moved, self._words))

    def _write(
        self, work: Callable[[sqlite3.Connection], None], changes_files: bool = True
    ) -> None:
        """Run `work` in one write transaction; a change to files outdates the snapshot."""
        with self._lock, write_transaction(self._conn) as conn:
            work(conn)
            if changes_files:
                self._memo = None
                conn.execute(
                    "UPDATE feeds SET generation = generation + 1 WHERE id = ?", (self._feed,)
                )

    def _parse(
        self, stale: list[pool.Item], result: SyncResult, workers: int | None,
        on_progress: OnProgress | None, on_batch: OnBatch | None, is_cancelled: Callable[[], bool],
    ) -> None:  # fmt: skip
        """Parse and store the stale files in batches, counting them in `result`."""
        if not stale:
            return
        # Imported here: multiprocessing is for parsing, which a warm start rarely needs.
        from reader.core.storage.cache import pool

        total = len(stale)
        tasks = pool.tasks_for(self._feed, self.feed_root, stale, self.stories, self.make_listings)
        result.workers = pool.worker_count(total, len(tasks), workers)
        if on_progress:
            on_progress(0, total)
        with (
            pool.results(tasks, result.workers) as results,
            unsynced_writes(self._conn, self._lock),
        ):
            counted = ((rows, total) for rows in results)
            for files, details, _ in pool.batches(counted, BATCH_SIZE, total, is_cancelled):
                self._store(files, details, on_batch)
                result.parsed += len(files)
                if on_progress:
                    on_progress(result.parsed, total)
                if result.parsed < total and is_cancelled():
                    result.cancelled = True
                    return

    def _store(
        self, files: list[FileRow], details: list[DetailRow], on_batch: OnBatch | None,
        built: BuiltMemo | None = None,
    ) -> None:  # fmt: skip
        """Write one batch in one transaction and hand its summaries on (and to `built`)."""
        self._write(lambda conn: store_batch(conn, self._feed, files, details, self._words))
        if on_batch or built:
            rows = [(row[1], *row[7:]) for row in files if row[7] is not None]
            with self._lock:
                summaries = (built or BuiltMemo(self._prefix)).add(rows, self._article_at)
            if on_batch:
                on_batch(summaries)
