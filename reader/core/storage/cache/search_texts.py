"""The articles' search texts, read from the index cache's rows when asked for.

The summaries of a snapshot (see snapshot.py) do not hold their folded search text: it is
in `files.search_text` already, and reading it back only for the articles a phrase is
tested on, or a block at a time while the word index is made, keeps ~47 MB at 100,000
articles out of the app's memory. A row is found by its path (the summary's), so a row
rewritten since (its file changed) gives the new text: the answer of the next sync. The
URLs of a merged snapshot's summaries are read back the same way (`urls_of`), and found by
URL through the index on them (`rows_at_urls`): ~19 MB at 100,000 with the lookup by URL.

A cache in a file is read through a connection of its own, query-only, opened on first use
and kept: it never waits for the cache's lock (a sync may hold it). That connection only
opens the very file the summaries were read from: never one it would create (the file was
deleted) or another one at the same path (moved aside and rebuilt, whose feed numbers mean
other feeds). When it cannot, or a read fails, the texts are read through the cache's own
connection (`Owner`: it still holds the file the summaries came from, deleted or not),
and when that cannot either, from the articles' files themselves: slower, never a wrong
answer. A cache in memory (a session whose file could not be used) has nothing another
connection could open: it is read through the cache's own connection, under its lock.

The filter's word index over these texts (~2 s of work at 100,000 articles) is kept here
too once made (`store_words`), so that the next start reads it back (`stored_words`)
instead: named by the feed, a digest of the articles' paths in the order indexed, and the
feed's generation its texts were read at, which must still be the feed's (every write to
the feed's rows bumps it). It is written through a connection of its own, to the very file
the texts were read from, opened for that write and closed, waiting for another writer at
most WRITE_TIMEOUT: the thread that made the index writes it, the texts stay readable
meanwhile. A cache in memory keeps none.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar
from urllib.parse import quote

from reader.core.model import Article, search_text_of
from reader.core.storage.cache.codec import article_from_detail, from_db, later, to_db
from reader.core.storage.kept_words import sequence_digest, write_kept
from reader.core.storage.sqlite import file_id

BATCH = 500  # paths per query (SQLite allows 32,766 parameters; a batch is ~1 ms)
# A query-only reader of a WAL file waits for no writer; this bounds the rare wait on a
# checkpoint or a recovery (every wait has a deadline).
BUSY_TIMEOUT = 2.0
WRITE_TIMEOUT = 2.0  # seconds a word index's write waits for another writer, then gives up
T = TypeVar("T")
# The feed's generation now and the word index kept for a sequence at that generation.
_STORED_WORDS_SQL = (
    "SELECT f.generation, CAST(w.data AS BLOB) FROM feeds f"
    " LEFT JOIN word_indexes w ON w.feed = f.id AND w.generation = f.generation"
    " AND w.sequence = ? WHERE f.id = ?"
)

# The URLs at some paths, the rows at some URLs (through files_url), and those whose values
# did not fit SQLite's columns, whose URL is in their detail (through files_inexact, which
# holds only them). `article_id IS NOT NULL` is tested in Python: beside `IN (…)` of a few
# hundred values SQLite would walk every row of the feed through files_article for it.
_URLS_OF_SQL = "SELECT rel, url, exact, article_id FROM files WHERE feed = ? AND rel IN ({marks})"
_AT_URLS_SQL = "SELECT rel, article_id FROM files WHERE feed = ? AND url IN ({marks})"
# `+feed`: a walk of the table in its order (through an index it is slower).
_ALL_URLS_SQL = "SELECT rel, url, exact, article_id FROM files WHERE +feed = ?"
_UNSURE_SQL = (
    "SELECT rel, article_id FROM files WHERE feed = ? AND exact = 0 AND article_id IS NOT NULL"
)

# The rows of an article's detail, one per file of that id (`FeedCache.article` picks one).
DETAIL_SQL = (
    "SELECT f.rel, f.published, d.data FROM files f JOIN details d"
    " ON d.feed = f.feed AND d.rel = f.rel WHERE f.feed = ? AND f.article_id = ?"
)


def kept_article(rows: list[tuple[str, str | None, bytes]], prefix: str) -> Article | None:
    """The article of DETAIL_SQL's rows: the kept copy (the latest) when several share a URL."""
    if not rows:
        return None
    paths = [(prefix + from_db(rel), published, data) for rel, published, data in rows]
    path, _, data = max(paths, key=lambda row: later(row[1], row[0]))
    return article_from_detail(data, path)


# Every article of a feed with its details: for `kept_articles`.
ARTICLES_SQL = (
    "SELECT f.article_id, f.rel, f.published, d.data FROM files f JOIN details d"
    " ON d.feed = f.feed AND d.rel = f.rel WHERE f.feed = ?"
)


def kept_articles(
    rows: Iterable[tuple[str, str, str | None, bytes]], wanted: set[str], prefix: str
) -> dict[str, Article]:
    """The articles of ARTICLES_SQL's rows whose ids are `wanted`, by id: for each the kept
    copy (the latest, as `kept_article`) when several share a URL."""
    kept: dict[str, tuple[str, str | None, bytes]] = {}
    for article_id, rel, published, data in rows:
        if article_id not in wanted:
            continue
        path = prefix + from_db(rel)
        other = kept.get(article_id)
        if other is None or later(published, path) > later(other[1], other[0]):
            kept[article_id] = (path, published, data)
    return {aid: article_from_detail(data, path) for aid, (path, _, data) in kept.items()}


class Owner(Protocol):
    """The cache the summaries were read from (`FeedCache`), which reads for them when their
    own connection cannot."""

    def read_own(self, source: object, read: Callable[[sqlite3.Connection], T]) -> T | None:
        """`read(connection)` through its own connection, under its lock, if that connection
        is still `source` (the file's identity, or the connection of a cache in memory); else,
        or if the read fails, None."""
        ...


class CacheTexts:
    """The search texts of one feed's rows (see the module): a `model.SearchTexts`."""

    def __init__(
        self, conn: sqlite3.Connection, feed: int, prefix: str, owner: Owner | None = None
    ) -> None:
        self.feed, self.prefix = feed, prefix
        files = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
        self.file = files[0] if files and files[0] else None
        # The file `conn` has open (a cache in memory: `conn` itself), which the texts are of.
        self.source: object = file_id(Path(self.file)) if self.file is not None else conn
        self._owner = owner
        # The feed's root (its key) as `conn` has it: another reader that empties and
        # rebuilds the file in place numbers its feeds anew, and a number may then mean
        # another feed: every read checks that the number is still this feed's.
        self._root = conn.execute("SELECT root FROM feeds WHERE id = ?", (feed,)).fetchone()
        self._memory = None if self.file is not None else conn  # used only without an owner
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        """The texts' own connection, opened on the file they were read from, else raises."""
        conn = self._conn
        if conn is None:
            assert self.file is not None
            # `mode=rw`, not `ro`: a reader of a WAL file may have to make its -shm file;
            # and not the default `rwc`, which would make an empty file of a deleted one.
            conn = sqlite3.connect(
                f"file:{quote(self.file)}?mode=rw", uri=True, timeout=BUSY_TIMEOUT,
                isolation_level=None, check_same_thread=False,
            )  # fmt: skip
            if file_id(Path(self.file)) != self.source:
                conn.close()
                raise sqlite3.OperationalError(f"{self.file} is not the file read from any more")
            conn.execute("PRAGMA query_only = ON")
            self._conn = conn
        return conn

    def close(self) -> None:
        """Close the own connection (the next read opens it again): at the cache's close."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _read(self, read_rows: Callable[[sqlite3.Connection], T]) -> T | None:
        """`read_rows` on the own connection, else on the owner's (see the module); None if
        neither can answer (the feed's number is another feed's there too)."""

        def read(conn: sqlite3.Connection) -> T:
            root = conn.execute("SELECT root FROM feeds WHERE id = ?", (self.feed,)).fetchone()
            if root is None or root != self._root:
                raise sqlite3.DatabaseError("the feed's rows are not in this file any more")
            return read_rows(conn)

        if self.file is not None:
            try:
                with self._lock:
                    return read(self._connection())
            except sqlite3.Error:
                self.close()  # opened again next time: the fault may have passed
        if self._owner is not None:
            return self._owner.read_own(self.source, read)
        if self._memory is not None:
            with self._lock:
                try:
                    return read(self._memory)
                except sqlite3.Error:
                    return None
        return None

    def _rel(self, path: str) -> str:
        cut = len(self.prefix)
        return to_db(path[cut:] if path.startswith(self.prefix) else os.path.basename(path))

    def detail_rows(self, article_id: str) -> list[tuple[str, str | None, bytes]] | None:
        """The detail rows of an article (see DETAIL_SQL), read as the texts are; None when
        neither connection can answer."""
        return self._read(lambda conn: conn.execute(DETAIL_SQL, (self.feed, article_id)).fetchall())

    def texts_of(self, paths: Sequence[str]) -> list[str]:
        """The search texts of the articles at these paths, in their order ("" for a path
        whose row is gone); from the articles' files when the cache cannot be read."""
        rels = [self._rel(path) for path in paths]
        found = self._read(lambda conn: self._rows(conn, rels))
        if found is None:
            return [_text_from_file(path) for path in paths]
        return [found.get(rel) or "" for rel in rels]

    def _rows(self, conn: sqlite3.Connection, rels: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(rels), BATCH):
            batch = rels[start : start + BATCH]
            marks = ",".join("?" * len(batch))
            rows = conn.execute(
                f"SELECT rel, search_text, exact FROM files WHERE feed = ? AND rel IN ({marks})",
                (self.feed, *batch),
            ).fetchall()
            for rel, text, exact in rows:
                found[rel] = text if exact else self._from_detail(conn, rel)
        return found

    def _from_detail(self, conn: sqlite3.Connection, rel: str) -> str:
        """The text of a row with a value SQLite could not hold: from the whole article."""
        row = conn.execute(
            "SELECT data FROM details WHERE feed = ? AND rel = ?", (self.feed, rel)
        ).fetchone()
        if row is None:
            return ""
        return search_text_of(article_from_detail(row[0], self.prefix + from_db(rel)))

    def urls_of(self, paths: Sequence[str]) -> list[str | None]:
        """The URLs of the articles at these paths, in their order (None for a path whose
        row is gone); from the articles' files when the cache cannot be read."""
        rels = [self._rel(path) for path in paths]
        found = self._read(lambda conn: self._url_rows(conn, rels))
        if found is None:
            return [_url_from_file(path) for path in paths]
        return [found.get(rel) for rel in rels]

    def _url_rows(self, conn: sqlite3.Connection, rels: list[str]) -> dict[str, str | None]:
        found: dict[str, str | None] = {}
        batches = [rels[start : start + BATCH] for start in range(0, len(rels), BATCH)]
        walk = len(batches) > 4 and 4 * len(rels) > self._size(conn)
        wanted = set(rels) if walk else set()
        for batch in [[]] if walk else batches:  # a good share of the feed: one walk of it
            if batch:
                marks = ",".join("?" * len(batch))
                rows = conn.execute(_URLS_OF_SQL.format(marks=marks), (self.feed, *batch))
            else:
                rows = conn.execute(_ALL_URLS_SQL, (self.feed,))
            for rel, url, exact, article_id in rows.fetchall():
                if walk and rel not in wanted:
                    continue
                if article_id is not None:  # a row of a file that gave no article has none
                    found[rel] = url if exact else self._detail_url(conn, rel)
        return found

    def _size(self, conn: sqlite3.Connection) -> int:
        return int(
            conn.execute("SELECT COUNT(*) FROM files WHERE feed = ?", (self.feed,)).fetchone()[0]
        )

    def _detail_url(self, conn: sqlite3.Connection, rel: str) -> str | None:
        """The URL of a row with a value SQLite could not hold: from the whole article."""
        row = conn.execute(
            "SELECT data FROM details WHERE feed = ? AND rel = ?", (self.feed, rel)
        ).fetchone()
        return None if row is None else article_from_detail(row[0], self.prefix + from_db(rel)).url

    def rows_at_urls(self, urls: Iterable[str]) -> set[tuple[str, str]]:
        """The path and id of each of this feed's rows whose URL is one of `urls` (through
        the index on the URLs: a few reads each); none when the cache cannot be read."""
        wanted = list(urls)
        found = self._read(lambda conn: self._at_urls(conn, wanted)) if wanted else None
        return {(self.prefix + from_db(rel), article_id) for rel, article_id in found or ()}

    def _at_urls(self, conn: sqlite3.Connection, wanted: list[str]) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            marks = ",".join("?" * len(batch))
            found = conn.execute(_AT_URLS_SQL.format(marks=marks), (self.feed, *batch))
            rows += [(rel, article_id) for rel, article_id in found if article_id is not None]
        unsure = dict(conn.execute(_UNSURE_SQL, (self.feed,)).fetchall())
        if unsure:
            asked = set(wanted)
            urls = self._url_rows(conn, list(unsure))
            rows += [(rel, unsure[rel]) for rel, url in urls.items() if url in asked]
        return rows

    def paths_containing(self, needle: str) -> set[str] | None:
        """The paths of the articles whose search text contains `needle`, found by SQLite
        (the bytes of the UTF-8 text: a substring exactly when the string is); None when it
        cannot answer. Before the word index is made a new word is looked for in every
        article: this is ~10x faster than reading their texts back to test them."""
        try:
            wanted = needle.encode("utf-8")
        except UnicodeEncodeError:
            return None
        prefix = self.prefix

        def search(conn: sqlite3.Connection) -> tuple[set[str], list[str]]:
            matched: set[str] = set()
            unsure: list[str] = []  # rows without a text (see `_from_detail`)
            # `+feed`: a scan of the table, in its order (through an index: 3x slower).
            rows = conn.execute(
                "SELECT rel, exact FROM files WHERE +feed = ? AND article_id IS NOT NULL"
                " AND (exact = 0 OR instr(CAST(search_text AS BLOB), ?) > 0)",
                (self.feed, wanted),
            )
            for rel, exact in rows:
                (matched.add if exact else unsure.append)(prefix + from_db(rel))
            return matched, unsure

        answer = self._read(search)
        if answer is None:
            return None
        matched, unsure = answer
        if unsure:
            texts = self.texts_of(unsure)
            matched.update(p for p, text in zip(unsure, texts, strict=True) if needle in text)
        return matched

    def stored_words(self, paths: Sequence[str]) -> tuple[bytes | None, int | None]:
        """The word index `store_words` kept for the articles at these paths in this order
        at the feed's generation now (None: none); and that generation, to give
        `store_words` (None: no word index can be kept)."""
        if self.file is None:
            return None, None
        wanted = (sequence_digest(paths), self.feed)
        row = self._read(lambda conn: conn.execute(_STORED_WORDS_SQL, wanted).fetchone())
        if row is None:
            return None, None
        return (None if row[1] is None else bytes(row[1])), int(row[0])

    def store_words(self, paths: Sequence[str], data: bytes, generation: int) -> bool:
        """Keep `data`, made from the texts read at `generation` (see `stored_words`), as the
        word index of the articles at these paths in this order, in place of any other
        generation's, unless the feed changed since (some texts read may be older or newer
        than others then); whether it was written. Slow (a write): for a thread."""
        if self.file is None:
            return False
        digest = sequence_digest(paths)

        def write(conn: sqlite3.Connection) -> bool:
            # This feed (not another one a rebuilt file numbers so), still at `generation`.
            now = conn.execute("SELECT root, generation FROM feeds WHERE id = ?", (self.feed,))
            if self._root is None or now.fetchone() != (self._root[0], generation):
                return False
            conn.execute(
                "DELETE FROM word_indexes WHERE feed = ? AND generation != ?",
                (self.feed, generation),
            )
            conn.execute(
                "INSERT OR REPLACE INTO word_indexes VALUES (?, ?, ?, ?)",
                (self.feed, digest, generation, data),
            )
            return True

        return write_kept(self.file, self.source, write, WRITE_TIMEOUT)


def _url_from_file(path: str) -> str | None:
    """The URL of the article file at `path` (None when it cannot be read)."""
    from reader.core.loader import parse_file

    file = Path(path)
    article, _ = parse_file(file, file.parent)
    return article.url if article is not None else None


def _text_from_file(path: str) -> str:
    """The search text of the article file at `path` ("" when it cannot be read): what the
    texts are when the cache cannot give them (see the module)."""
    from reader.core.loader import parse_file  # the loader is needed here only

    file = Path(path)
    article, _ = parse_file(file, file.parent)  # never raises for the file's content
    return search_text_of(article) if article is not None else ""
