"""Fetched full texts, kept offline: `texts.db` in the user data folder, keyed by URL.

Never in the feed folder: the article files are the user's and stay as they are. One row
per page URL (the article's `webUrl`, else its `originalUrl`) with the Markdown, the id of
the article it was fetched for, the URL it finally came from and when. Beside it an FTS5
table with the trigram tokenizer holds each text folded as the filter folds (see
`reader.core.model.fold`) with its whitespace runs made single spaces, so that a word or a
phrase of the query language (a substring test on folded text) is answered from the index
for needles of three characters or more, and by a scan of the folded texts below that.

The file follows the house policy (`reader.core.storage.sqlite`, `ownership`): marked
"RDTX", refused when it holds anything else, moved aside when damaged. Nothing is read at
start: the app and `reader list` ask for one text, or for the texts matching one term.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import platformdirs

from reader.core.fulltext.reading import LINK_TARGET, reading_minutes, word_count
from reader.core.fulltext.words import TextWords
from reader.core.model import Article, fold
from reader.core.storage.ownership import TEXTS, ForeignFile, check_own, create_new
from reader.core.storage.sqlite import connect, open_or_replace, statements, write_transaction

TEXTS_ENV = "READER_TEXTS"
DEFAULT_TIMEOUT = 5.0
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE texts(
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    article_id TEXT NOT NULL,
    markdown TEXT NOT NULL,
    final_url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    words INTEGER NOT NULL
);
CREATE INDEX texts_by_article ON texts(article_id);
CREATE VIRTUAL TABLE folded USING fts5(body, tokenize = 'trigram');
"""
_MARKUP = re.compile(r"[*`#>|\[\]\\]+")
MEMO_SIZE = 64  # terms whose answers are kept until the store changes


class TextStoreError(Exception):
    """The store's file cannot be used; the message names it and says why."""


def page_url(article: Article) -> str | None:
    """The page a text is fetched from and kept under: its `webUrl`, else its `originalUrl`."""
    return article.url or article.original_url


@dataclass(frozen=True, slots=True)
class StoredText:
    """One fetched text: the Markdown and where and when it came from."""

    url: str
    article_id: str
    markdown: str
    final_url: str
    fetched_at: str
    words: int

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.words)


def default_texts_path() -> Path:
    """`$READER_TEXTS` if set, else `texts.db` in the user data folder (beside the state)."""
    env = os.environ.get(TEXTS_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("reader")) / "texts.db"


def searchable(markdown: str) -> str:
    """The text the filter searches: folded, link targets and marks out, single spaces."""
    return " ".join(fold(_MARKUP.sub(" ", LINK_TARGET.sub("]", markdown))).split())


def _setup(conn: sqlite3.Connection) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise TextStoreError(f"it was written by a newer reader (schema {version})")
    if version == 0:
        with write_transaction(conn):
            for statement in statements(_SCHEMA):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


class TextStore:
    """The stored texts; every method may be called from any thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.notices: list[str] = []
        self._conn = conn
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[str, bool], frozenset[str]] = OrderedDict()
        self._memo_generation: int | None = None  # `_generation()` when `_memo` was filled
        self._writes = 0  # this connection's own writes (data_version does not count them)
        self._words: TextWords | None = None  # made by `build_words`, for one generation

    @classmethod
    def open(cls, path: Path | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> TextStore:
        """Open (creating if needed) the store at `path` (`default_texts_path()` if None).

        Raises:
            TextStoreError: the path holds someone else's file (which is left untouched), or
                cannot be opened.
        """
        path = default_texts_path() if path is None else path
        moved: list[str] = []

        def opener() -> sqlite3.Connection:
            if not check_own(path, TEXTS):
                path.parent.mkdir(parents=True, exist_ok=True)
                create_new(path, TEXTS)
            return connect(path, timeout, setup=_setup)

        def aside(err: BaseException, new: Path) -> None:
            moved.append(f"{path} was damaged ({err}); it was moved to {new}, a fresh one started")

        try:
            conn = open_or_replace(path, opener, aside)
        except ForeignFile as err:
            raise TextStoreError(str(err)) from None
        except TextStoreError as err:
            raise TextStoreError(f"{path}: {err}; it was left untouched") from None
        except (sqlite3.Error, OSError) as err:
            raise TextStoreError(f"{path} cannot be opened ({err})") from None
        store = cls(path, conn)
        store.notices.extend(moved)
        return store

    @classmethod
    def open_existing(cls, path: Path | None = None) -> TextStore | None:
        """The store if its file exists (None: nothing was ever fetched; none is made)."""
        path = default_texts_path() if path is None else path
        try:
            found = check_own(path, TEXTS)
        except ForeignFile as err:
            raise TextStoreError(str(err)) from None
        return cls.open(path) if found else None

    def get(self, url: str) -> StoredText | None:
        """The text stored for this page URL, or None."""
        return self._one("url = ?", url)

    def get_for(self, article_id: str, url: str | None) -> StoredText | None:
        """The text of an article: by its page URL when it has one, else by its id."""
        if url:
            return self.get(url)
        return self._one("article_id = ? ORDER BY fetched_at DESC", article_id)

    def _one(self, where: str, value: str) -> StoredText | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT url, article_id, markdown, final_url, fetched_at, words "
                f"FROM texts WHERE {where} LIMIT 1",
                (value,),
            ).fetchone()
        return StoredText(*row) if row else None

    def stored_urls(self, urls: Iterable[str]) -> set[str]:
        """Those of `urls` that have a stored text."""
        wanted = list(dict.fromkeys(urls))
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._conn.execute(f"SELECT url FROM texts WHERE url IN ({marks})", chunk)
                found.update(url for (url,) in rows)
        return found

    def urls(self) -> frozenset[str]:
        """Every page URL with a stored text (a set the app's list asks once per change)."""
        with self._lock:
            return frozenset(url for (url,) in self._conn.execute("SELECT url FROM texts"))

    def put(self, url: str, article_id: str, markdown: str, final_url: str) -> StoredText:
        """Store (or replace) the text of a page."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        text = StoredText(url, article_id, markdown, final_url, now, word_count(markdown))
        with self._lock, write_transaction(self._conn):
            self._delete(["url = ?"], [url])
            cursor = self._conn.execute(
                "INSERT INTO texts(url, article_id, markdown, final_url, fetched_at, words) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (url, article_id, markdown, final_url, now, text.words),
            )
            self._conn.execute(
                "INSERT INTO folded(rowid, body) VALUES (?, ?)",
                (cursor.lastrowid, searchable(markdown)),
            )
        return text

    def forget(self, urls: Iterable[str] | None = None) -> int:
        """Remove the texts of these URLs (None: every text); how many were removed."""
        with self._lock, write_transaction(self._conn):
            if urls is None:
                return self._delete([], [])
            return sum(self._delete(["url = ?"], [url]) for url in dict.fromkeys(urls))

    def _delete(self, where: list[str], values: list[str]) -> int:
        self._writes += 1  # data_version does not change for this connection's own writes
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        self._conn.execute(
            f"DELETE FROM folded WHERE rowid IN (SELECT id FROM texts{clause})", values
        )
        return self._conn.execute(f"DELETE FROM texts{clause}", values).rowcount

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT count(*) FROM texts").fetchone()[0])

    @property
    def generation(self) -> int:
        """Changes whenever a text is stored or forgotten, here or by another process."""
        with self._lock:
            return self._generation()

    def _generation(self) -> int:
        version = int(self._conn.execute("PRAGMA data_version").fetchone()[0])
        return version << 32 | self._writes

    def build_words(self, go_on: Callable[[], bool] = lambda: True) -> bool:
        """Make the word index of the texts (see `words`), for a thread; whether it is
        there now (False when `go_on` said stop, or a text changed meanwhile)."""
        with self._lock:
            generation = self._generation()
            if self._words is not None and self._words.generation == generation:
                return True
            rows = self._conn.execute(
                "SELECT texts.id, url, article_id FROM texts "
                "JOIN folded ON folded.rowid = texts.id ORDER BY texts.id"
            ).fetchall()
        words = TextWords.build(generation, rows, self._locked_bodies, go_on)
        with self._lock:
            if words is not None and self._generation() == generation:
                self._words = words
                return True
        return False

    def _locked_bodies(self, ids: Sequence[int]) -> dict[int, str]:
        """The bodies of these ascending row ids, read as the range they span (one read)."""
        if not ids:
            return {}
        with self._lock:
            rows = self._conn.execute(
                "SELECT rowid, body FROM folded WHERE rowid BETWEEN ? AND ?", (ids[0], ids[-1])
            ).fetchall()
        return dict(rows)

    def _bodies(self, ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT rowid, body FROM folded WHERE rowid IN ({marks})", chunk
            )
            found.update(rows)
        return found

    def matching(self, needle: str, spaced: bool = False) -> frozenset[str]:
        """The page URLs and article ids of the texts containing the folded `needle` (a
        phrase's words joined by single spaces, as the query has them); remembered until
        the store changes (in this process or another)."""
        key = (needle, spaced)
        with self._lock:
            generation = self._generation()
            if generation != self._memo_generation:  # a text stored or forgotten since
                self._memo.clear()
                self._memo_generation = generation
            found = self._memo.get(key)
            if found is None:
                words = self._words
                if words is not None and words.generation == self._generation():
                    found = words.answer(needle, spaced, self._bodies)
                if found is None:
                    found = self._search(needle)
                self._memo[key] = found
                if len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
            return found

    def _search(self, needle: str) -> frozenset[str]:
        if len(needle) >= 3:  # the trigram index answers; a phrase is a quoted string
            rows = self._conn.execute(
                "SELECT url, article_id FROM texts WHERE id IN "
                "(SELECT rowid FROM folded WHERE folded MATCH ?)",
                ('"' + needle.replace('"', '""') + '"',),
            )
        else:
            rows = self._conn.execute(
                "SELECT url, article_id FROM texts WHERE id IN "
                "(SELECT rowid FROM folded WHERE instr(body, ?) > 0)",
                (needle,),
            )
        return frozenset(value for row in rows for value in row)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> TextStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
