"""The articles' search texts, read from the index cache's rows when asked for.

The summaries of a snapshot (see snapshot.py) do not hold their folded search text: it is
in `files.search_text` already, and reading it back only for the articles a phrase is
tested on, or a block at a time while the word index is made, keeps ~47 MB at 100,000
articles out of the app's memory. A row is found by its path (the summary's), so a row
rewritten since (its file changed) gives the new text: the answer of the next sync.

A cache in a file is read through a connection of its own, query-only, opened on first use
and kept: it outlives the cache's own connection (a summary may be searched after its cache
is closed) and never waits for the cache's lock. A cache in memory (a session whose file
could not be used) has nothing another connection could open: its connection is shared.

The filter's word index over these texts (~2 s of work at 100,000 articles) is kept here
too, once made (`store_words`), so that the next start reads it (`stored_words`, ~1 ms)
instead: named by the feed, a digest of the articles' paths in the order indexed, and the
generation the summaries were read at, which must still be the feed's (any write to the
feed's rows bumps it). It is written through a connection of its own, opened for that write
and closed, waiting for another writer at most WRITE_TIMEOUT: the thread that made the index
writes it, the texts stay readable meanwhile. A cache in memory keeps none.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence

from reader.core.model import search_text_of
from reader.core.storage.cache.codec import article_from_detail, from_db, to_db
from reader.core.storage.sqlite import SYNCHRONOUS, write_transaction

BATCH = 500  # paths per query (SQLite allows 32,766 parameters; a batch is ~1 ms)
WRITE_TIMEOUT = 2.0  # seconds a word index's write waits for another writer, then gives up
_STORED_WORDS_SQL = (
    "SELECT w.data FROM word_indexes w JOIN feeds f ON f.id = w.feed"
    " AND f.generation = w.generation WHERE w.feed = ? AND w.sequence = ? AND w.generation = ?"
)


class CacheTexts:
    """The search texts of one feed's rows (see the module): a `model.SearchTexts`."""

    def __init__(
        self, conn: sqlite3.Connection, feed: int, prefix: str, generation: int | None = None
    ) -> None:
        self.feed, self.prefix = feed, prefix
        # The feed's generation the summaries were read at; None: keep no word index.
        self.generation = generation
        files = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
        self.file = files[0] if files and files[0] else None
        self._conn = None if self.file is not None else conn
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is None:
            assert self.file is not None
            # Not `mode=ro`: a reader of a WAL file may have to make its -shm file.
            conn = sqlite3.connect(self.file, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            self._conn = conn
        return conn

    def _rel(self, path: str) -> str:
        cut = len(self.prefix)
        return to_db(path[cut:] if path.startswith(self.prefix) else os.path.basename(path))

    def texts_of(self, paths: Sequence[str]) -> list[str]:
        """The search texts of the articles at these paths, in their order ("" for a path
        whose row is gone, or when the cache cannot be read any more)."""
        rels = [self._rel(path) for path in paths]
        found: dict[str, str] = {}
        with contextlib.suppress(sqlite3.Error), self._lock:
            conn = self._connection()
            for start in range(0, len(rels), BATCH):
                batch = rels[start : start + BATCH]
                marks = ",".join("?" * len(batch))
                rows = conn.execute(
                    "SELECT rel, search_text, exact FROM files"
                    f" WHERE feed = ? AND rel IN ({marks})",
                    (self.feed, *batch),
                ).fetchall()
                for rel, text, exact in rows:
                    found[rel] = text if exact else self._from_detail(conn, rel)
        return [found.get(rel) or "" for rel in rels]

    def _from_detail(self, conn: sqlite3.Connection, rel: str) -> str:
        """The text of a row with a value SQLite could not hold: from the whole article."""
        row = conn.execute(
            "SELECT data FROM details WHERE feed = ? AND rel = ?", (self.feed, rel)
        ).fetchone()
        if row is None:
            return ""
        return search_text_of(article_from_detail(row[0], self.prefix + from_db(rel)))

    def paths_containing(self, needle: str) -> set[str] | None:
        """The paths of the articles whose search text contains `needle`, found by SQLite
        (the bytes of the UTF-8 text: a substring exactly when the string is); None when it
        cannot answer. Before the word index is made a new word is looked for in every
        article: this is ~10x faster than reading their texts back to test them."""
        try:
            wanted = needle.encode("utf-8")
        except UnicodeEncodeError:
            return None
        matched: set[str] = set()
        unsure: list[str] = []  # rows without a text (see `_from_detail`)
        prefix = self.prefix
        try:
            with self._lock:
                # `+feed`: a scan of the table, in its order (through an index: 3x slower).
                rows = self._connection().execute(
                    "SELECT rel, exact FROM files WHERE +feed = ? AND article_id IS NOT NULL"
                    " AND (exact = 0 OR instr(CAST(search_text AS BLOB), ?) > 0)",
                    (self.feed, wanted),
                )
                for rel, exact in rows:
                    (matched.add if exact else unsure.append)(prefix + from_db(rel))
        except sqlite3.Error:
            return None
        if unsure:
            texts = self.texts_of(unsure)
            matched.update(p for p, text in zip(unsure, texts, strict=True) if needle in text)
        return matched

    def stored_words(self, paths: Sequence[str]) -> bytes | None:
        """The word index `store_words` kept for the articles at these paths in this order,
        if the feed is still at the generation they were read at; else None."""
        if self.file is None or self.generation is None:
            return None
        wanted = (self.feed, sequence_digest(paths), self.generation)
        with contextlib.suppress(sqlite3.Error), self._lock:
            row = self._connection().execute(_STORED_WORDS_SQL, wanted).fetchone()
            return None if row is None else bytes(row[0])
        return None

    def store_words(self, paths: Sequence[str], data: bytes) -> bool:
        """Keep `data` as the word index of the articles at these paths in this order, unless
        the feed changed since they were read (the index may hold newer texts then), in
        place of any other generation's; whether it was written (not when another writer
        holds the file past WRITE_TIMEOUT). Slow (a write): for a thread."""
        if self.file is None or self.generation is None:
            return False
        digest = sequence_digest(paths)
        try:
            conn = sqlite3.connect(self.file, timeout=WRITE_TIMEOUT, isolation_level=None)
        except sqlite3.Error:
            return False
        try:
            conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
            with write_transaction(conn):
                now = conn.execute("SELECT generation FROM feeds WHERE id = ?", (self.feed,))
                if now.fetchone() != (self.generation,):
                    return False
                conn.execute(
                    "DELETE FROM word_indexes WHERE feed = ? AND generation != ?",
                    (self.feed, self.generation),
                )
                conn.execute(
                    "INSERT OR REPLACE INTO word_indexes VALUES (?, ?, ?, ?)",
                    (self.feed, digest, self.generation, data),
                )
            return True
        except sqlite3.Error:
            return False
        finally:
            conn.close()


def sequence_digest(paths: Sequence[str]) -> str:
    """A digest of the paths in their order (and their count): which sequence was indexed."""
    digest = hashlib.blake2b(str(len(paths)).encode("ascii"), digest_size=20)
    for start in range(0, len(paths), 4096):
        digest.update(
            "\0".join(["", *paths[start : start + 4096]]).encode("utf-8", "surrogateescape")
        )
    return digest.hexdigest()
