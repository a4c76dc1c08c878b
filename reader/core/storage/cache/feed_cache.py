"""The index cache: parsed articles kept in SQLite, so a large feed opens at once.

Plain `sqlite3`, `platformdirs` and `concurrent.futures`, no Textual. The app shows
`cached_summaries()` first (no file is read or even stat'ed), then runs `sync()` in a
worker: it stats every file, re-parses only the new and changed ones (in several
processes when there are many) and drops the deleted ones.

A file is fresh when its size, mtime and ctime (a chmod changes only the ctime) match
its row. Each row holds the summary columns, the file's problems and, in `details`, the
whole article as compressed JSON for the detail pane. After each sync the feed's
summaries are also stored as one pickled snapshot of plain columns: reading 100,000
rows costs about twice as much as unpickling that one blob.

One cache file serves several feeds: rows are keyed by the feed root's resolved path
and each file's path relative to it. Full paths are rebuilt from the root as given, so
results equal `loader.load_feed(root)` whatever spelling of the root was used before.

Nothing here raises because of the cache file: a damaged file is moved aside, a file
of another schema or reader version is emptied, an unusable location leaves the cache
in memory; each adds a sentence to `FeedCache.notices`.
"""

from __future__ import annotations

import contextlib
from array import array
import gc
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import pickle
import sqlite3
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast

import platformdirs

from reader import __version__
from reader.core.loader import discover_paths, merge_duplicates, missing_feed, parse_file
from reader.core.ordering import DEFAULT_ORDER, SORT_KEYS
from reader.core.model import (
    Article,
    ArticleSummary,
    Image,
    Problem,
    ProblemsMixin,
    Provider,
    RelatedLink,
    Severity,
    search_text_of,
    summarize,
)

CACHE_ENV = "READER_CACHE"
SCHEMA_VERSION = 1
DEFAULT_TIMEOUT = 10.0  # seconds to wait for another reader's write lock
BATCH_SIZE = 500  # parsed files written per transaction (and per on_batch call)
CHUNK_SIZE = 100  # files handed to a worker process at a time
IN_PROCESS_BELOW = 200  # fewer files to parse than this: starting processes costs more

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE feeds(
    id INTEGER PRIMARY KEY,
    root TEXT NOT NULL UNIQUE,
    generation INTEGER NOT NULL DEFAULT 0  -- bumped by every write to the feed's files
);
CREATE TABLE files(
    feed INTEGER NOT NULL,
    rel TEXT NOT NULL,          -- path relative to the feed root (see _to_db)
    seq INTEGER NOT NULL,       -- position in discover_files order
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,  -- a chmod that makes a file readable changes only this
    problems TEXT,              -- JSON [[severity, reason, line], ...], NULL if none
    article_id TEXT,            -- NULL when the file gave no article
    title TEXT, url TEXT, provider_name TEXT, provider_domain TEXT,
    published TEXT,             -- ISO 8601, offset kept
    quality INTEGER, heat INTEGER,
    topics TEXT,                -- joined by the unit separator (no topic holds one)
    search_text TEXT,
    exact INTEGER NOT NULL,     -- 0: a value did not fit a column, read details instead
    PRIMARY KEY(feed, rel)
);
CREATE INDEX files_order ON files(feed, seq);
CREATE INDEX files_article ON files(feed, article_id);
CREATE INDEX files_stamps ON files(feed, rel, size, mtime_ns, ctime_ns, seq);  -- sync reads only this
CREATE INDEX files_problems ON files(feed, seq) WHERE problems IS NOT NULL;
CREATE TABLE details(
    feed INTEGER NOT NULL,
    rel TEXT NOT NULL,
    data BLOB NOT NULL,         -- zlib-compressed JSON of the whole article
    PRIMARY KEY(feed, rel)
);
-- Every summary of a feed in one pickled blob of plain columns (see _snapshot_bytes):
-- one read instead of 100,000 rows. Valid while its generation is the feed's.
CREATE TABLE snapshots(feed INTEGER PRIMARY KEY, generation INTEGER NOT NULL, data BLOB NOT NULL, sorted BLOB,
                       head BLOB, total INTEGER);
"""
# Stored beside the versions: a development change to the tables without a new
# SCHEMA_VERSION must not leave old files that fail on every query.
_LAYOUT = hashlib.sha1(_SCHEMA.encode("utf-8")).hexdigest()[:16]
_SUMMARY_SQL = (
    "SELECT rel, article_id, title, url, provider_name, provider_domain, published, quality,"
    " heat, topics, search_text, exact FROM files"
    " WHERE feed = ? AND article_id IS NOT NULL ORDER BY seq"
)
_INSERT_FILE = "INSERT OR REPLACE INTO files VALUES (" + ", ".join("?" * 18) + ")"
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_SEVERITY = {s.value: s for s in Severity}
_INT64 = range(-(2**63), 2**63)
_NO_STAT = (-1, -1, -1)

Stamp = tuple[int, int, int]  # size, mtime_ns, ctime_ns
FileRow = tuple[Any, ...]  # one row of `files`, in column order
DetailRow = tuple[int, str, bytes]


def default_cache_path() -> Path:
    """Where the index cache lives.

    Returns:
        `$READER_CACHE` if set and not empty, else `index.db` in platformdirs' user
        cache folder for "reader".
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("reader")) / "index.db"


@dataclass(slots=True)
class SyncResult(ProblemsMixin):
    """What a sync gave: like `FeedLoad`, with summaries instead of full articles."""

    summaries: list[ArticleSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parsed: int = 0  # files parsed this time (new or changed): added + changed
    removed: int = 0  # files gone since the last sync
    cancelled: bool = False  # stopped early: the cache holds what was done so far
    workers: int = 0  # processes that parsed (1: this one; 0: nothing to parse)
    added: int = 0  # of the files parsed, those not in the cache before
    changed: int = 0  # of the files parsed, those whose size, mtime or ctime changed
    # The feed folder (or file) is gone: nothing was dropped from the cache, `summaries`
    # are the cached ones and `problems` is one error naming the feed.
    feed_missing: bool = False

    def change_summary(self) -> str:
        """`2 new, 1 changed, 1 removed` (only the counts that are not 0), or `no changes`."""
        counts = ((self.added, "new"), (self.changed, "changed"), (self.removed, "removed"))
        return ", ".join(f"{count:,} {word}" for count, word in counts if count) or "no changes"


# --- paths in the database ---------------------------------------------------------------


def _to_db(text: str) -> str:
    """A path as TEXT: file names that are not UTF-8 travel as latin-1 behind a NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "\x00" + os.fsencode(text).decode("latin-1")
    return text


def _from_db(text: str) -> str:
    return os.fsdecode(text[1:].encode("latin-1")) if text.startswith("\x00") else text


def _path_prefix(root: Path) -> str:
    """What `str(path)` of every file `discover_files(root)` yields starts with."""
    base = root if root.is_dir() else root.parent
    return str(base / "x")[:-1]  # Path("."): "", Path("/f"): "/f/"


def _root_key(root: Path) -> str:
    """The feed's key in the cache: its resolved path."""
    try:
        return str(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return str(root.absolute())


def _is_corrupt(err: BaseException) -> bool:
    code = getattr(err, "sqlite_errorcode", None)
    return isinstance(err, sqlite3.DatabaseError) and code is not None and (code & 0xFF) in _CORRUPT_CODES


# --- articles as JSON --------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _provider_json(provider: Provider | None) -> list[str] | None:
    return [provider.name, provider.domain] if provider else None


def _provider(value: list[str] | None) -> Provider | None:
    return Provider(value[0], value[1]) if value else None


def article_to_json(article: Article) -> str:
    """The article (bar its path, which depends on how the root is spelled) as JSON."""
    return json.dumps(
        [
            article.id, article.title, article.excerpt, article.body, _iso(article.published),
            article.url, article.original_url, article.amp_url, article.cdn_amp_url,
            article.type, article.category, article.quality, article.heat,
            _provider_json(article.provider), list(article.topics),
            [[i.url, i.width, i.height] for i in article.images],
            [
                [r.title, r.url, r.excerpt, _iso(r.published), _provider_json(r.provider), r.quality, r.type]
                for r in article.related
            ],
        ],
        separators=(",", ":"),
    )


def article_from_json(text: str, path: str) -> Article:
    """The article `article_to_json` wrote, found at `path`."""
    (aid, title, excerpt, body, published, url, original, amp, cdn, kind, category, quality,
     heat, provider, topics, images, related) = json.loads(text)  # fmt: skip
    return Article(
        id=aid, path=path, title=title, excerpt=excerpt, body=body, published=_date(published),
        url=url, original_url=original, amp_url=amp, cdn_amp_url=cdn, type=kind,
        category=category, quality=quality, heat=heat, provider=_provider(provider),
        topics=tuple(topics),
        images=tuple(Image(*image) for image in images),
        related=tuple(
            RelatedLink(title=t, url=u, excerpt=e, published=_date(p), provider=_provider(pr), quality=q, type=k)
            for t, u, e, p, pr, q, k in related
        ),
    )  # fmt: skip


# --- parsing (runs in worker processes) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Task:
    """Files for one worker call: (seq, rel, path, stamp) each."""

    feed: int
    root: str
    items: list[tuple[int, str, str, Stamp]]


def _problems_json(problems: list[Problem], path: str) -> str | None:
    if not problems:
        return None
    return json.dumps(
        [[p.severity.value, p.reason, p.line] + ([] if p.path == path else [p.path]) for p in problems]
    )


def _summary_columns(article: Article) -> tuple[Any, ...]:
    """article_id .. exact of the `files` row; exact=0 when a value does not fit SQLite."""
    columns = (
        article.id, article.title, article.url, article.provider_name, article.provider_domain,
        _iso(article.published), article.quality, article.heat, "\x1f".join(article.topics),
        search_text_of(article),
    )  # fmt: skip
    fits = all(n is None or n in _INT64 for n in (article.quality, article.heat))
    try:
        for text in columns:
            if type(text) is str and not text.isascii():
                text.encode("utf-8")  # a lone surrogate cannot go into a TEXT column
    except UnicodeEncodeError:
        fits = False
    if not fits:
        return (article.id,) + (None,) * 9 + (0,)
    return columns + (1,)


def parse_task(task: _Task) -> tuple[list[FileRow], list[DetailRow]]:
    """Parse the task's files into `files` and `details` rows (module level: picklable)."""
    root = Path(task.root)
    files: list[FileRow] = []
    details: list[DetailRow] = []
    for seq, rel, path, stamp in task.items:
        article, problems = parse_file(Path(path), root)
        head = (task.feed, _to_db(rel), seq, *stamp, _problems_json(problems, path))
        if article is None:
            files.append(head + (None,) * 10 + (1,))
            continue
        files.append(head + _summary_columns(article))
        details.append((task.feed, head[1], zlib.compress(article_to_json(article).encode("ascii"), 1)))
    return files, details


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one: forking a process that runs threads (Textual) is unsafe."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["reader.core.storage.cache.feed_cache"])
        return context
    return multiprocessing.get_context("spawn")


def usable_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# --- building summaries from rows -------------------------------------------------------


class _SummaryBuilder:
    """Turns `files` rows into summaries, sharing repeated strings and topic tuples."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.strings: dict[str, str] = {}
        self.topics: dict[str, tuple[str, ...]] = {"": ()}

    def topic_tuple(self, joined: str) -> tuple[str, ...]:
        found = self.topics.get(joined)
        if found is None:
            found = self.topics[joined] = tuple(self.strings.setdefault(t, t) for t in joined.split("\x1f"))
        return found

    def build(self, rows: list[tuple[Any, ...]], fetch: Callable[[str], Article | None]) -> list[ArticleSummary]:
        """Summaries of rows (rel, article_id, title, ..., exact) in order."""
        prefix, share, topic_tuple, from_iso = self.prefix, self.strings.setdefault, self.topic_tuple, datetime.fromisoformat
        out: list[ArticleSummary] = []
        append = out.append
        for rel, aid, title, url, pname, pdomain, published, quality, heat, topics, text, exact in rows:
            if not exact:
                article = fetch(rel)
                if article is not None:
                    append(summarize(article))
                continue
            if rel[0] == "\x00":
                rel = _from_db(rel)
            append(ArticleSummary(
                aid, prefix + rel, title, url, share(pname, pname), share(pdomain, pdomain),
                from_iso(published) if published else None, quality, heat, topic_tuple(topics), text,
            ))  # fmt: skip
        return out


def _later(published: str | None, path: str) -> tuple[float, str]:
    """The loader's order for duplicates: publication time, then path."""
    when = _date(published)
    return (when.timestamp() if when else float("-inf"), path)


# --- snapshots: every summary of a feed in one blob ----------------------------------------

_SNAPSHOT_TAG = "reader-summaries-1"


class _PlainUnpickler(pickle.Unpickler):
    """Loads lists, tuples, strings, numbers and None only: no class is ever looked up."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a snapshot")


def _snapshot_bytes(summaries: list[ArticleSummary], prefix: str, merged: bool) -> bytes:
    """Plain columns of the summaries, pickled.

    Provider strings and topic tuples are shared objects (see _SummaryBuilder), so pickle
    writes each once and loading gives them back shared. `merged` says the list needs no
    `merge_duplicates` (it had no duplicate URLs and is already in the merged order).
    """
    cut = len(prefix)
    columns = (
        [s.path[cut:] for s in summaries], [s.id for s in summaries], [s.title for s in summaries],
        [s.url for s in summaries], [s.provider_name for s in summaries],
        [s.provider_domain for s in summaries], [_iso(s.published) for s in summaries],
        [s.quality for s in summaries], [s.heat for s in summaries], [s.topics for s in summaries],
        [s.search_text for s in summaries],
    )  # fmt: skip
    return pickle.dumps((_SNAPSHOT_TAG, merged, columns), protocol=pickle.HIGHEST_PROTOCOL)


class _BlobReader(io.RawIOBase):
    """A SQLite blob as a raw stream: unpickling from it never holds the whole blob."""

    def __init__(self, blob: sqlite3.Blob) -> None:
        self.blob = blob

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.blob.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _summaries_from_snapshot(stream: io.BufferedIOBase, prefix: str) -> tuple[list[ArticleSummary], bool] | None:
    """The summaries `_snapshot_bytes` stored (and its `merged`), or None if unreadable."""
    try:
        tag, merged, columns = _PlainUnpickler(stream).load()
        if tag != _SNAPSHOT_TAG:
            return None
        rels, ids, titles, urls, names, domains, published, quality, heat, topics, texts = columns
        paths = [prefix + rel for rel in rels]
        from_iso = datetime.fromisoformat
        dates = [from_iso(p) if p else None for p in published]
        summaries = list(map(ArticleSummary, ids, paths, titles, urls, names, domains, dates, quality, heat, topics, texts))
    except Exception:  # noqa: BLE001 - a damaged blob only costs the slower path
        return None
    return summaries, bool(merged)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic collector while building 100,000 objects that hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(slots=True)
class _Memo:
    """What cached_summaries() read, kept until the next write."""

    summaries: list[ArticleSummary]  # merged
    duplicates: list[Problem]  # the warnings merging gave
    generation: int  # of the feed, when read
    from_rows: list[ArticleSummary] | None  # unmerged, when read row by row (no snapshot)
    # Positions of `summaries` in DEFAULT_ORDER, stored with a merged snapshot: a warm
    # start takes them instead of sorting 100,000 articles.
    sorted_positions: array | None = None


HEAD_SIZE = 200  # rows kept apart for the first screen: more than any terminal shows


def _default_order_positions(summaries: list[ArticleSummary]) -> array:
    """The positions of `summaries` in DEFAULT_ORDER."""
    key = SORT_KEYS[DEFAULT_ORDER]
    return array("i", sorted(range(len(summaries)), key=lambda i: key(summaries[i])))


# --- the cache ------------------------------------------------------------------------------


class FeedCache:
    """The cached index of one feed, in a SQLite file shared by every feed and reader.

    Attributes:
        path: The SQLite file, or None when the cache lives in memory only.
        feed_root: The feed folder (or file) as given.
        notices: Human sentences about anything that went wrong with the cache file.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None, feed_root: Path, notices: list[str]) -> None:
        """Use `FeedCache.open`; this takes a ready connection."""
        self.path = path
        self.feed_root = feed_root
        self.notices = notices
        self._conn = conn
        self._lock = threading.RLock()
        self._key = _to_db(_root_key(feed_root))
        # What the feed was when opened (None: not there yet): the cached paths hold only
        # while it stays so.
        self._folder = feed_root.is_dir() if feed_root.exists() else None
        self._prefix = _path_prefix(feed_root)
        self._feed = self._feed_id()
        self._memo: _Memo | None = None  # None once anything is written

    # --- opening --------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None, feed_root: Path, *, timeout: float = DEFAULT_TIMEOUT) -> FeedCache:
        """Open (creating if needed) the cache for `feed_root`; never raises for a bad file.

        Args:
            path: The SQLite file; None for `default_cache_path()`.
            feed_root: The feed folder (or single file), as the loader is given it.
            timeout: Seconds to wait for another reader holding the write lock.
        """
        path = default_cache_path() if path is None else path
        notices: list[str] = []
        conn = _open_file(path, timeout, notices)
        if conn is not None:
            try:
                return cls(conn, path, feed_root, notices)
            except sqlite3.Error as err:
                conn.close()
                notices.append(f"The index cache {path} cannot be used ({err}); this session keeps it in memory.")
        return cls(_open_memory(), None, feed_root, notices)

    def _feed_id(self) -> int:
        with self._lock:
            self._conn.execute("INSERT OR IGNORE INTO feeds(root) VALUES (?)", (self._key,))
            return self._conn.execute("SELECT id FROM feeds WHERE root = ?", (self._key,)).fetchone()[0]

    def _recover(self, err: sqlite3.Error) -> None:
        """The file failed while in use: move it aside if damaged, else go on in memory."""
        with self._lock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._memo = None
            conn = None
            if self.path is not None and _is_corrupt(err):
                _move_aside(self.path, self.notices, err)
                conn = _open_file(self.path, DEFAULT_TIMEOUT, self.notices)
            if conn is None:
                self.notices.append(f"The index cache could not be used ({err}); this session keeps it in memory.")
                self.path = None
            self._conn = conn or _open_memory()
            self._feed = self._feed_id()

    def close(self) -> None:
        """Close the file; the cache must not be used afterwards."""
        with self._lock:
            self._conn.close()

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
                row = self._conn.execute(
                    "SELECT s.head, s.total FROM feeds f JOIN snapshots s"
                    " ON s.feed = f.id AND s.generation = f.generation WHERE f.id = ?",
                    (self._feed,),
                ).fetchone()
        except sqlite3.Error:
            return [], 0
        if row is None or row[0] is None:
            return [], 0
        found = _summaries_from_snapshot(io.BytesIO(row[0]), self._prefix)
        return (found[0], row[1] or 0) if found else ([], 0)

    def cached_sorted(self) -> list[ArticleSummary] | None:
        """`cached_summaries()` in DEFAULT_ORDER when the snapshot knows it, else None."""
        memo = self._cached()
        if memo.sorted_positions is None or len(memo.sorted_positions) != len(memo.summaries):
            return None
        summaries = memo.summaries
        return [summaries[i] for i in memo.sorted_positions]

    def cached_problems(self) -> list[Problem]:
        """Every problem the last sync met, per file in feed order, then duplicate warnings."""
        duplicates = self._cached().duplicates
        try:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT rel, problems FROM files WHERE feed = ? AND problems IS NOT NULL ORDER BY seq",
                    (self._feed,),
                ).fetchall()
        except sqlite3.Error as err:
            self._recover(err)
            return []
        return [p for rel, text in rows for p in self._problems(rel, text)] + duplicates

    def _problems(self, rel: str, text: str) -> Iterator[Problem]:
        path = self._prefix + _from_db(rel)
        for severity, reason, line, *other in json.loads(text):
            yield Problem(other[0] if other else path, _SEVERITY[severity], reason, line)

    def _cached(self) -> _Memo:
        memo = self._memo
        if memo is None:
            try:
                with self._lock, _no_gc():
                    memo = self._memo = self._read_summaries()
            except sqlite3.Error as err:
                self._recover(err)
                return _Memo([], [], -1, None)
        return memo

    def _read_summaries(self) -> _Memo:
        """From the snapshot if it is current, else row by row; in one read transaction."""
        conn = self._conn
        conn.execute("BEGIN")
        try:
            generation, current, positions = conn.execute(
                "SELECT f.generation, s.feed, s.sorted FROM feeds f LEFT JOIN snapshots s"
                " ON s.feed = f.id AND s.generation = f.generation WHERE f.id = ?",
                (self._feed,),
            ).fetchone()
            found = None
            if current is not None:  # snapshots.feed is the row id
                with conn.blobopen("snapshots", "data", current, readonly=True) as blob:
                    found = _summaries_from_snapshot(io.BufferedReader(_BlobReader(blob), 1 << 16), self._prefix)
            if found is None:
                rows = conn.execute(_SUMMARY_SQL, (self._feed,)).fetchall()
                found = (_SummaryBuilder(self._prefix).build(rows, self._article_at), False)
                from_rows: list[ArticleSummary] | None = found[0]
            else:
                from_rows = None
        finally:
            conn.execute("COMMIT")
        summaries, merged = found
        sorted_positions = None
        if from_rows is None and merged and positions is not None:
            sorted_positions = array("i")
            sorted_positions.frombytes(positions)
        duplicates: list[Problem] = []
        if not merged:
            # merge_duplicates reads only .url, .published and .path, which summaries share.
            summaries = cast(list[ArticleSummary], merge_duplicates(cast(list[Article], summaries), duplicates))
        return _Memo(summaries, duplicates, generation, from_rows, sorted_positions)

    def _save_snapshot(self) -> None:
        """Store the summaries read row by row as a snapshot, unless the feed changed since."""
        memo = self._memo
        if memo is None or memo.from_rows is None:
            return
        # No duplicate dropped: the merged list is final, keep it and skip merging on load.
        merged = len(memo.summaries) == len(memo.from_rows)
        data = _snapshot_bytes(memo.summaries if merged else memo.from_rows, self._prefix, merged)
        positions = head = None
        if merged:
            order = _default_order_positions(memo.summaries)
            positions = order.tobytes()
            head = _snapshot_bytes([memo.summaries[i] for i in order[:HEAD_SIZE]], self._prefix, True)
        total = len(memo.summaries)

        def work(conn: sqlite3.Connection) -> None:
            row = conn.execute("SELECT generation FROM feeds WHERE id = ?", (self._feed,)).fetchone()
            if row[0] == memo.generation:
                conn.execute(
                    "INSERT OR REPLACE INTO snapshots VALUES (?, ?, ?, ?, ?, ?)",
                    (self._feed, memo.generation, data, positions, head, total),
                )

        self._write(work, changes_files=False)
        memo.from_rows = None

    # --- details ----------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        """The full article with this id (the kept copy when several share a URL)."""
        try:
            with self._lock:
                rows = self._conn.execute(
                    "SELECT f.rel, f.published, d.data FROM files f JOIN details d"
                    " ON d.feed = f.feed AND d.rel = f.rel WHERE f.feed = ? AND f.article_id = ?",
                    (self._feed, article_id),
                ).fetchall()
        except sqlite3.Error as err:
            self._recover(err)
            return None
        if not rows:
            return None
        paths = [(self._prefix + _from_db(rel), published, data) for rel, published, data in rows]
        path, _, data = max(paths, key=lambda row: _later(row[1], row[0]))
        return article_from_json(zlib.decompress(data).decode("ascii"), path)

    def _article_at(self, rel: str) -> Article | None:
        row = self._conn.execute(
            "SELECT data FROM details WHERE feed = ? AND rel = ?", (self._feed, rel)
        ).fetchone()
        path = self._prefix + _from_db(rel)
        return article_from_json(zlib.decompress(row[0]).decode("ascii"), path) if row else None

    # --- sync -------------------------------------------------------------------------

    def sync(
        self,
        *,
        workers: int | None = None,
        on_progress: Callable[[int, int], None] | None = None,
        on_batch: Callable[[list[ArticleSummary]], None] | None = None,
        is_cancelled: Callable[[], bool] = lambda: False,
    ) -> SyncResult:
        """Bring the cache up to date with the files and return the whole feed.

        Args:
            workers: Processes for parsing; default (and at most) the usable cores.
            on_progress: Called with (files parsed, files to parse) after each batch.
            on_batch: Called with each batch's new summaries (not yet de-duplicated:
                a copy that loses to an older one may appear until the result).
            is_cancelled: Polled between batches; when true the sync stops early.
        """
        try:
            return self._sync(workers, on_progress, on_batch, is_cancelled)
        except sqlite3.Error as err:
            self._recover(err)
        return self._sync(workers, on_progress, on_batch, is_cancelled)

    def _sync(
        self,
        workers: int | None,
        on_progress: Callable[[int, int], None] | None,
        on_batch: Callable[[list[ArticleSummary]], None] | None,
        is_cancelled: Callable[[], bool],
    ) -> SyncResult:
        missing = missing_feed(self.feed_root, self._folder)
        if missing is None:
            stale, moved, gone = self._compare()
            # Checked again: a folder deleted during the scan looks like every file deleted.
            missing = missing_feed(self.feed_root, self._folder)
        if missing is not None:
            # Every row stays: the folder may be back (a remount, a rename) at the next sync.
            return SyncResult(summaries=self.cached_summaries(), problems=[missing], feed_missing=True)
        if gone or moved:
            self._forget(gone, moved)
        result = SyncResult(removed=len(gone))
        self._parse([item[:4] for item in stale], result, workers, on_progress, on_batch, is_cancelled)
        _count_parsed(stale, result)
        result.summaries = self.cached_summaries()
        result.problems = self.cached_problems()
        if not result.cancelled:
            self._save_snapshot()
        return result

    def _compare(self) -> tuple[list[tuple[int, str, str, Stamp, bool]], list[tuple[int, int, str]], list[str]]:
        """The files to parse (each with whether it is new), the files whose place changed,
        and the rows of files gone.

        The scan streams into a temporary table and SQLite joins it with the cached rows:
        holding 100,000 stamps in Python dicts cost ~40 MB at the peak of a warm start.
        The lock is taken per chunk, so the detail pane's lookups never wait for the scan.
        """
        feed = self._feed
        with self._lock:
            self._conn.execute(
                "CREATE TEMP TABLE IF NOT EXISTS scan(rel TEXT PRIMARY KEY, path TEXT NOT NULL, seq INTEGER NOT NULL,"
                " size INTEGER, mtime INTEGER, ctime INTEGER)"
            )
            self._conn.execute("DELETE FROM temp.scan")
        rows = ((_to_db(rel), _to_db(path), seq, *stamp) for seq, (rel, path, stamp) in enumerate(self._scan()))
        while chunk := list(itertools.islice(rows, 2000)):
            with self._lock:
                self._conn.execute("BEGIN")
                self._conn.executemany("INSERT OR REPLACE INTO temp.scan VALUES (?, ?, ?, ?, ?, ?)", chunk)
                self._conn.execute("COMMIT")
        same = "f.size IS s.size AND f.mtime_ns IS s.mtime AND f.ctime_ns IS s.ctime"
        with self._lock:
            conn = self._conn
            stale = [
                (seq, _from_db(rel), _from_db(path), (size, mtime, ctime), bool(new))
                for rel, path, seq, size, mtime, ctime, new in conn.execute(
                    "SELECT s.rel, s.path, s.seq, s.size, s.mtime, s.ctime, f.rel IS NULL FROM temp.scan s"
                    f" LEFT JOIN files f ON f.feed = ? AND f.rel = s.rel WHERE f.rel IS NULL OR NOT ({same})"
                    " ORDER BY s.seq",
                    (feed,),
                )
            ]
            moved = [
                (seq, feed, rel)
                for seq, rel in conn.execute(
                    f"SELECT s.seq, s.rel FROM temp.scan s JOIN files f ON f.feed = ? AND f.rel = s.rel"
                    f" WHERE {same} AND f.seq IS NOT s.seq",
                    (feed,),
                )
            ]
            gone = [
                rel
                for (rel,) in conn.execute(
                    "SELECT f.rel FROM files f WHERE f.feed = ?"
                    " AND NOT EXISTS (SELECT 1 FROM temp.scan s WHERE s.rel = f.rel)",
                    (feed,),
                )
            ]
            conn.execute("DELETE FROM temp.scan")
        return stale, moved, gone

    def _scan(self) -> Iterator[tuple[str, str, Stamp]]:
        """(relative path, path, stamp) of every file, in `discover_files` order.

        A generator: a list of 100,000 of them would be tens of MB held for nothing.
        """
        prefix, size = self._prefix, len(self._prefix)
        for text in discover_paths(self.feed_root):
            rel = text[size:] if text.startswith(prefix) else os.path.basename(text)
            try:
                info = os.stat(text)
                stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns)
            except OSError:
                stamp = _NO_STAT
            yield rel, text, stamp

    def _forget(self, gone: list[str], moved: list[tuple[int, int, str]]) -> None:
        """Drop the rows of deleted files and renumber the files whose place changed."""

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany("DELETE FROM files WHERE feed = ? AND rel = ?", [(self._feed, r) for r in gone])
            conn.executemany("DELETE FROM details WHERE feed = ? AND rel = ?", [(self._feed, r) for r in gone])
            conn.executemany("UPDATE files SET seq = ? WHERE feed = ? AND rel = ?", moved)

        self._write(work)

    def _write(self, work: Callable[[sqlite3.Connection], None], changes_files: bool = True) -> None:
        """Run `work` in one write transaction; a change to files outdates the snapshot."""
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                work(conn)
                if changes_files:
                    self._memo = None
                    conn.execute("UPDATE feeds SET generation = generation + 1 WHERE id = ?", (self._feed,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

    def _parse(
        self,
        stale: list[tuple[int, str, str, Stamp]],
        result: SyncResult,
        workers: int | None,
        on_progress: Callable[[int, int], None] | None,
        on_batch: Callable[[list[ArticleSummary]], None] | None,
        is_cancelled: Callable[[], bool],
    ) -> None:
        """Parse and store the stale files, counting them in `result`."""
        if not stale:
            return
        root, total = str(self.feed_root), len(stale)
        tasks = [_Task(self._feed, root, stale[i : i + CHUNK_SIZE]) for i in range(0, total, CHUNK_SIZE)]
        cores = usable_cores()
        result.workers = 1 if total < IN_PROCESS_BELOW else max(1, min(workers or cores, cores, len(tasks)))
        if on_progress:
            on_progress(0, total)
        files: list[FileRow] = []
        details: list[DetailRow] = []
        with _results(tasks, result.workers) as results:
            for batch_files, batch_details in results:
                files += batch_files
                details += batch_details
                if len(files) < BATCH_SIZE and len(files) + result.parsed < total:
                    continue
                self._store(files, details, on_batch)
                result.parsed += len(files)
                files, details = [], []
                if on_progress:
                    on_progress(result.parsed, total)
                if result.parsed < total and is_cancelled():
                    result.cancelled = True
                    return

    def _store(
        self, files: list[FileRow], details: list[DetailRow], on_batch: Callable[[list[ArticleSummary]], None] | None
    ) -> None:
        """Write one batch in one transaction and hand its summaries on."""
        failed = [(self._feed, row[1]) for row in files if row[7] is None]

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(_INSERT_FILE, files)
            conn.executemany("INSERT OR REPLACE INTO details VALUES (?, ?, ?)", details)
            conn.executemany("DELETE FROM details WHERE feed = ? AND rel = ?", failed)

        self._write(work)
        if on_batch:
            rows = [(row[1], *row[7:]) for row in files if row[7] is not None]
            with self._lock:
                summaries = _SummaryBuilder(self._prefix).build(rows, self._article_at)
            on_batch(summaries)


def _count_parsed(stale: list[tuple[int, str, str, Stamp, bool]], result: SyncResult) -> None:
    """Split `result.parsed` into added and changed files (a cancelled sync parsed a prefix)."""
    new = sum(1 for item in stale[: result.parsed] if item[4])
    result.added, result.changed = new, result.parsed - new


def _new_pool(workers: int) -> ProcessPoolExecutor:
    prepare_process_pool()
    return ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())


@contextlib.contextmanager
def _results(tasks: list[_Task], workers: int) -> Iterator[Iterator[tuple[list[FileRow], list[DetailRow]]]]:
    """The tasks' results in order, from `workers` processes (or this one for 1).

    A pool that breaks (a worker killed, say by the OOM killer) leaves the rest of the
    tasks to this process. Leaving the block early cancels the tasks not yet started.
    """
    if workers <= 1:
        yield map(parse_task, tasks)
        return
    pool = _new_pool(workers)
    try:
        yield _pooled(pool, tasks)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pooled(pool: ProcessPoolExecutor, tasks: list[_Task]) -> Iterator[tuple[list[FileRow], list[DetailRow]]]:
    done = 0
    try:
        for result in pool.map(parse_task, tasks):
            yield result
            done += 1
    except BrokenProcessPool:
        yield from map(parse_task, tasks[done:])


# --- opening the file -------------------------------------------------------------------------


def _open_memory() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(_SCHEMA)
    _stamp_versions(conn)
    return conn


def _open_file(path: Path, timeout: float, notices: list[str]) -> sqlite3.Connection | None:
    """The cache file, set up; a damaged one is moved aside first. None if unusable."""
    for attempt in range(2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return _connect(path, timeout, notices)
        except sqlite3.DatabaseError as err:
            if attempt == 0 and _is_corrupt(err):
                _move_aside(path, notices, err)
                continue
            error: Exception = err
        except OSError as err:
            error = err
        notices.append(f"The index cache {path} cannot be used ({error}); this session keeps it in memory.")
        return None
    return None


def _connect(path: Path, timeout: float, notices: list[str]) -> sqlite3.Connection:
    """Open the file in WAL mode and make sure it holds this schema and reader version."""
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        _enable_wal(conn, timeout)
        conn.execute("PRAGMA synchronous = NORMAL")  # a cache: a power cut may lose the last batch
        conn.execute("BEGIN IMMEDIATE")
        try:
            _ensure_schema(conn, path, notices)
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
    except BaseException:
        conn.close()
        raise
    return conn


def _enable_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL; SQLite answers BUSY at once here, so retry while another reader sets up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            busy = (getattr(err, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _ensure_schema(conn: sqlite3.Connection, path: Path, notices: list[str]) -> None:
    """Create the tables, or empty a cache of another schema, layout or reader version."""
    tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    if not tables:
        _create(conn)
        return
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    meta: dict[str, str] = {}
    if version == SCHEMA_VERSION and "meta" in tables:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    written_by = meta.get("reader_version")
    if version == SCHEMA_VERSION and written_by == __version__ and meta.get("layout") == _LAYOUT:
        return
    for name in tables:
        if not name.startswith("sqlite_"):
            conn.execute('DROP TABLE IF EXISTS "{}"'.format(name.replace('"', '""')))
    _create(conn)
    if version != SCHEMA_VERSION:
        what = f"schema version {version}"
    else:
        what = f"reader {written_by}" if written_by != __version__ else "another build of this reader"
    notices.append(f"The index cache {path} was written by {what}; it is being rebuilt.")


def _create(conn: sqlite3.Connection) -> None:
    # One statement at a time: executescript would COMMIT the caller's transaction.
    statement = ""
    for piece in _SCHEMA.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):  # a ";" in a comment is not an end
            if statement.strip(" \n;"):
                conn.execute(statement)
            statement = ""
    _stamp_versions(conn)


def _stamp_versions(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('reader_version', ?)", (__version__,))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (_LAYOUT,))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _move_aside(path: Path, notices: list[str], err: BaseException) -> None:
    """Rename a damaged file to `name.corrupt` (deleting it if that fails), with its WAL."""
    aside = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, aside)
        where = f"moved to {aside}"
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()
        where = "deleted"
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(OSError):
            path.with_name(path.name + suffix).unlink()
    notices.append(f"The index cache {path} was damaged ({err}); it was {where} and is being rebuilt.")


def prepare_process_pool() -> None:
    """Start multiprocessing's helper processes (resource tracker, fork server) if needed.

    They hand `sys.stderr`'s descriptor to their children; inside a Textual app that is a
    capture object whose `fileno()` is -1, and spawning fails. So they are started with the
    real stderr in place for that moment (Textual itself draws on its own file handle).
    """
    from multiprocessing import resource_tracker

    context = _pool_context()
    with _real_stderr():
        with contextlib.suppress(Exception):
            resource_tracker.ensure_running()
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            with contextlib.suppress(Exception):
                forkserver.ensure_running()


@contextlib.contextmanager
def _real_stderr() -> Iterator[None]:
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except Exception:  # noqa: BLE001 - no descriptor at all
        usable = False
    if usable or sys.__stderr__ is None:
        yield
        return
    with contextlib.redirect_stderr(sys.__stderr__):
        yield
