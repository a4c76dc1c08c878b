"""The tables of the index cache, and opening its file.

The file is opened under the policy every SQLite file of the reader shares
(`reader.core.storage.sqlite`); what is particular to the cache is here: a file of another
schema, reader version or table layout is emptied and rebuilt (it is only a copy of the
feed), and one that cannot be used at all leaves the cache in memory. Each case adds a
sentence to the notices.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

from reader import __version__
from reader.core.storage.cache.stories import TABLES as STORY_TABLES
from reader.core.storage.ownership import CACHE, ForeignFile, check_own, create_new, stamp
from reader.core.storage.sqlite import (
    connect,
    move_aside,
    open_or_replace,
    statements,
    write_transaction,
)

SCHEMA_VERSION = 6  # 6: word_indexes
DEFAULT_TIMEOUT = 10.0  # seconds to wait for another reader's write lock
# A new cache file's pages: a cold build writes ~600 MB at 100,000 articles, and SQLite
# writes (and checkpoints) the WAL a page per call. 16 KiB pages instead of 4 KiB: a
# third less of the build's CPU in this process, and a file a seventh smaller.
PAGE_SIZE = 16384

# This text is hashed into _LAYOUT, so even a comment changed in it rebuilds every cache
# once; `_to_db` in it is now `codec.to_db`, `_snapshot_bytes` is `snapshot.snapshot_bytes`.
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
CREATE INDEX files_url ON files(feed, url);  -- summaries keep no URL: found by it here
CREATE INDEX files_inexact ON files(feed, article_id) WHERE exact = 0;  -- URLs in details
CREATE INDEX files_stamps ON files(feed, rel, size, mtime_ns, ctime_ns, seq);  -- sync reads only this
CREATE INDEX files_problems ON files(feed, seq) WHERE problems IS NOT NULL;
CREATE TABLE details(
    feed INTEGER NOT NULL,
    rel TEXT NOT NULL,
    data BLOB NOT NULL,         -- JSON of the whole article (ASCII), not compressed
    PRIMARY KEY(feed, rel)
);
-- What `reader list --format json` prints bar id, path and state (see listing.py), in a
-- table of its own: reading every one then walks no page of the articles' data.
CREATE TABLE listings(
    feed INTEGER NOT NULL,
    rel TEXT NOT NULL,
    listing BLOB NOT NULL,      -- UTF-8; no row: encode the article whole
    PRIMARY KEY(feed, rel)
);
-- Every summary of a feed in one pickled blob of plain columns (see _snapshot_bytes):
-- one read instead of 100,000 rows. Valid while its generation is the feed's.
-- `sorted` before `data`: reading it then walks none of the blob's overflow pages.
CREATE TABLE snapshots(feed INTEGER PRIMARY KEY, generation INTEGER NOT NULL, sorted BLOB, data BLOB NOT NULL);
-- The snapshot's first screen and the feed's size, apart from its (large) blob: read from
-- the same row, SQLite would walk every overflow page of the blob to reach them.
CREATE TABLE heads(feed INTEGER PRIMARY KEY, generation INTEGER NOT NULL, head BLOB, total INTEGER);
-- The folders and file stamps of the last full scan that found no change (see walk.py):
-- a sync at the same generation checks them without listing a folder or reading a row.
CREATE TABLE walks(feed INTEGER PRIMARY KEY, generation INTEGER NOT NULL, data BLOB NOT NULL);
-- The filter's word index over one sequence of a snapshot's summaries (see search_texts.py),
-- named by a digest of its paths in order: a warm start reads it instead of building it.
-- Valid while its generation is the feed's.
CREATE TABLE word_indexes(feed INTEGER NOT NULL, sequence TEXT NOT NULL, generation INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY(feed, sequence));
"""  # noqa: E501 - hashed into _LAYOUT: rewrapping these lines would rebuild every user's cache
# Stored beside the versions: a development change to the tables without a new
# SCHEMA_VERSION must not leave old files that fail on every query.
_SCHEMA += STORY_TABLES  # the stories' tables (see stories.py), hashed with the rest
_LAYOUT = hashlib.sha1(_SCHEMA.encode("utf-8")).hexdigest()[:16]
SUMMARY_SQL = (
    "SELECT rel, article_id, title, url, provider_name, provider_domain, published, quality,"
    " heat, topics, search_text, exact FROM files"
    " WHERE feed = ? AND article_id IS NOT NULL ORDER BY seq"
)
# The indexes a first build makes once its rows are written, not row by row (see
# `batch_rows.unsynced_writes`): no query of the build itself, nor of the screen while it
# runs (a detail is found through files_article, kept), needs them. Kept up row by row, the
# URLs' (in random order) and the stamps' cost a build of 100,000 files ~1.5-2 s of the app's
# process, competing with the parsers for the cores; made at once, ~0.35 s, and in the app
# after the feed is shown (with its snapshot, `snapshot.store_snapshot`).
DEFERRED_INDEXES = (
    "files_url",
    "files_inexact",
    "files_stamps",
    "files_problems",
    "story_keys_day",
)
_INDEX_SQL = {
    found.group(1): statement
    for statement in statements(_SCHEMA)
    if (found := re.search(r"CREATE INDEX (\w+) ", statement)) is not None
}
INSERT_DETAIL = "INSERT OR REPLACE INTO details(feed, rel, data) VALUES (?, ?, ?)"
INSERT_FILE = "INSERT OR REPLACE INTO files VALUES (" + ", ".join("?" * 18) + ")"


def open_memory() -> sqlite3.Connection:
    """A cache that lives in memory only, for a session whose file cannot be used."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.executescript(_SCHEMA)
    _stamp_versions(conn)
    return conn


def open_file(path: Path, timeout: float, notices: list[str]) -> sqlite3.Connection | None:
    """The cache file, set up; a damaged one is moved aside first. None if unusable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return open_or_replace(
            path,
            lambda: _connect(path, timeout, notices),
            lambda err, aside: notices.append(_moved(path, err, aside)),
        )
    except ForeignFile as error:
        notices.append(f"{error}; this session keeps the index cache in memory.")
        return None
    except (sqlite3.Error, OSError) as error:
        notices.append(
            f"The index cache {path} cannot be used ({error}); this session keeps it in memory."
        )
        return None


def set_aside(path: Path, notices: list[str], err: BaseException) -> bool:
    """Move a file found damaged while in use aside; False (and silence) if it cannot be."""
    try:
        aside = move_aside(path)
    except OSError:
        return False
    notices.append(_moved(path, err, aside))
    return True


def _moved(path: Path, err: BaseException, aside: Path) -> str:
    return (
        f"The index cache {path} was damaged ({err}); it was moved to {aside} and is being rebuilt."
    )


def _connect(path: Path, timeout: float, notices: list[str]) -> sqlite3.Connection:
    """Open the file under the shared policy and make sure it holds this schema and version."""

    def setup(conn: sqlite3.Connection) -> None:
        if _is_current(conn):
            return  # read only: a start does not wait for another reader's write
        with write_transaction(conn):
            _ensure_schema(conn, path, notices)

    # Only a file marked as a cache (or none yet) is ever emptied and rebuilt below.
    if not check_own(path, CACHE):
        create_new(path, CACHE, PAGE_SIZE)
    # No quick_check: it would read the whole (large) file at every start, and damage
    # met while reading moves the file aside just the same (FeedCache._recover).
    return connect(path, timeout, setup=setup)


def _is_current(conn: sqlite3.Connection) -> bool:
    """Whether the file holds this schema, layout and reader version, marked as a cache
    (what `_ensure_schema` would leave as it is), asked in one read."""
    conn.execute("BEGIN")
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            return False
        if conn.execute("PRAGMA application_id").fetchone()[0] != CACHE.application_id:
            return False
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
        if "meta" not in tables:
            return False
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        current = meta.get("reader_version") == __version__ and meta.get("layout") == _LAYOUT
        # A first build stopped midway (a quit, a kill) left its indexes unmade.
        return current and tables.issuperset(DEFERRED_INDEXES)
    finally:
        conn.execute("COMMIT")


def _ensure_schema(conn: sqlite3.Connection, path: Path, notices: list[str]) -> None:
    """Create the tables, or empty a cache of another schema, layout or reader version."""
    tables = [
        name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    ]
    if not tables:
        _create(conn)
        return
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    meta: dict[str, str] = {}
    if version == SCHEMA_VERSION and "meta" in tables:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
    written_by = meta.get("reader_version")
    if version == SCHEMA_VERSION and written_by == __version__ and meta.get("layout") == _LAYOUT:
        stamp(conn, CACHE)  # a cache from before the mark
        restore_indexes(conn)
        return
    for name in tables:
        if not name.startswith("sqlite_"):
            conn.execute('DROP TABLE IF EXISTS "{}"'.format(name.replace('"', '""')))
    _create(conn)
    notices.append(
        f"The index cache {path} was written by {_writer(version, written_by)}; "
        "it is being rebuilt."
    )


def drop_deferred_indexes(conn: sqlite3.Connection) -> None:
    """Drop the DEFERRED_INDEXES for a first build, if the file holds no file of any feed
    (another feed's queries would go without them)."""
    if conn.execute("SELECT 1 FROM files LIMIT 1").fetchone() is None:
        for name in DEFERRED_INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")


def missing_indexes(conn: sqlite3.Connection) -> list[str]:
    """Those of the DEFERRED_INDEXES the file lacks."""
    names = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    return [name for name in DEFERRED_INDEXES if name not in names]


def restore_indexes(conn: sqlite3.Connection) -> None:
    """Make those of the DEFERRED_INDEXES that are missing, as the schema has them."""
    for name in missing_indexes(conn):
        conn.execute(_INDEX_SQL[name])


def _writer(version: int, written_by: str | None) -> str:
    """Who wrote a cache of another schema or build, as the notice says it."""
    if version != SCHEMA_VERSION:
        return f"schema version {version}"
    return f"reader {written_by}" if written_by != __version__ else "another build of this reader"


def _create(conn: sqlite3.Connection) -> None:
    # One statement at a time: executescript would COMMIT the caller's transaction.
    for statement in statements(_SCHEMA):
        conn.execute(statement)
    _stamp_versions(conn)


def _stamp_versions(conn: sqlite3.Connection) -> None:
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('reader_version', ?)", (__version__,))
    conn.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (_LAYOUT,))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    stamp(conn, CACHE)
