"""The articles' search texts, read from the index cache's rows when asked for.

The summaries of a snapshot (see snapshot.py) do not hold their folded search text: it is
in `files.search_text` already, and reading it back only for the articles a phrase is
tested on, or a block at a time while the word index is made, keeps ~47 MB at 100,000
articles out of the app's memory. A row is found by its path (the summary's), so a row
rewritten since (its file changed) gives the new text: the answer of the next sync.

A cache in a file is read through a connection of its own, read-only, opened on first use
and kept: it outlives the cache's own connection (a summary may be searched after its cache
is closed) and never waits for the cache's lock. A cache in memory (a session whose file
could not be used) has nothing another connection could open: its connection is shared.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from urllib.parse import quote

from reader.core.model import search_text_of
from reader.core.storage.cache.codec import article_from_detail, from_db, to_db

BATCH = 500  # paths per query (SQLite allows 32,766 parameters; a batch is ~1 ms)


class CacheTexts:
    """The search texts of one feed's rows (see the module): a `model.SearchTexts`."""

    def __init__(self, conn: sqlite3.Connection, feed: int, prefix: str) -> None:
        self.feed, self.prefix = feed, prefix
        files = [row[2] for row in conn.execute("PRAGMA database_list") if row[1] == "main"]
        self.file = files[0] if files and files[0] else None
        self._conn = None if self.file is not None else conn
        self._lock = threading.Lock()

    def _connection(self) -> sqlite3.Connection:
        conn = self._conn
        if conn is None:
            assert self.file is not None
            uri = f"file:{quote(self.file)}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
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
