"""Fetched full texts, kept offline: `texts.db` in the user data folder, keyed by URL.

Never in the feed folder: the article files are the user's and stay as they are. One row
per page URL (the article's `webUrl`, else its `originalUrl`) with the Markdown, the id of
the article it was fetched for, the URL it finally came from and when. Beside it an FTS5
table with the trigram tokenizer holds each text folded as the filter folds (see
`reader.core.model.fold`) with its whitespace runs made single spaces, so that a word or a
phrase of the query language (a substring test on folded text) is answered from the index
for needles of three characters or more, and by a scan of the folded texts below that.

The filter's word index over the texts (`words.TextWords`, made in a thread: 2-3 s at
10,000 texts) is kept in the file too once made, so that the next start reads it back
(~50 ms) instead of making it, and never scans the texts for a one- or two-letter needle
meanwhile: the same bytes and checks as the index cache's (`reader.core.storage.kept_words`,
`WordIndex.to_bytes`), named by the generation of the texts it was read at and a digest of
their rows. Every change of a text, by this reader or another process, bumps that
generation (triggers on `texts`), so a kept index of other texts is never used: it is made
again and kept in its place.

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
from reader.core.query.words import words_from_bytes
from reader.core.storage.kept_words import sequence_digest, write_kept
from reader.core.storage.ownership import TEXTS, ForeignFile, check_own, create_new
from reader.core.storage.sqlite import (
    connect,
    file_id,
    open_or_replace,
    statements,
    write_transaction,
)

TEXTS_ENV = "READER_TEXTS"
DEFAULT_TIMEOUT = 5.0
SCHEMA_VERSION = 2  # 2: the word index kept (changes, word_index)
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
# Schema 2: the texts' word index kept for the next start (see `build_words`). Every change
# of a text, by any writer, bumps `changes.generation` (the triggers); a kept index is of
# one generation and one sequence of rows, and used only while both are still the store's.
_KEPT_WORDS_SCHEMA = """
CREATE TABLE changes(generation INTEGER NOT NULL);
INSERT INTO changes VALUES (0);
CREATE TRIGGER texts_added AFTER INSERT ON texts
BEGIN UPDATE changes SET generation = generation + 1; END;
CREATE TRIGGER texts_changed AFTER UPDATE ON texts
BEGIN UPDATE changes SET generation = generation + 1; END;
CREATE TRIGGER texts_removed AFTER DELETE ON texts
BEGIN UPDATE changes SET generation = generation + 1; END;
CREATE TABLE word_index(generation INTEGER NOT NULL, sequence TEXT NOT NULL, data BLOB NOT NULL);
"""
_MARKUP = re.compile(r"[*`#>|\[\]\\]+")
TRIGRAM = 3  # needles this long or longer are found through the trigram index
WRITE_TIMEOUT = 2.0  # seconds the kept word index's write waits for another writer
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
    if _schema_version(conn) == SCHEMA_VERSION:
        return
    with write_transaction(conn):  # asked again inside: another process may have just done it
        version = _schema_version(conn)
        if version == 0:
            for statement in statements(_SCHEMA):
                conn.execute(statement)
        if version < SCHEMA_VERSION:  # 1: its texts are kept, the word index added beside
            for statement in statements(_KEPT_WORDS_SCHEMA):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _schema_version(conn: sqlite3.Connection) -> int:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise TextStoreError(f"it was written by a newer reader (schema {version})")
    return version


def _rows_digest(rows: Sequence[tuple[int, str, str]]) -> str:
    """Which texts, in which order, a word index is of (see `_indexed_rows`)."""
    return sequence_digest([f"{row_id} {url} {article_id}" for row_id, url, article_id in rows])


def _keys(rows: Sequence[tuple[int, str, str]]) -> list[tuple[str, str]]:
    return [(url, article_id) for _, url, article_id in rows]


class TextStore:
    """The stored texts; every method may be called from any thread."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.notices: list[str] = []
        self._conn = conn
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple[str, bool], frozenset[str]] = OrderedDict()
        self._memo_generation: int | None = None  # `_generation()` when `_memo` was filled
        self._words: TextWords | None = None  # made or read back, for one generation
        self._looked_for: int | None = None  # the generation the kept index was read at
        self._source = file_id(path)  # the file opened: a kept index is written to it only

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
        row = self._conn.execute("SELECT generation FROM changes").fetchone()
        return -1 if row is None else int(row[0])  # -1: no kept index is ever of it

    def build_words(self, go_on: Callable[[], bool] = lambda: True) -> bool:
        """Make the word index of the texts (see `words`), for a thread; whether it is
        there now (False when `go_on` said stop, or a text changed meanwhile). The one
        kept in the file for these very texts is read instead; one made is kept there."""
        with self._lock:
            generation = self._generation()
            if self._words is not None and self._words.generation == generation:
                return True
            rows = self._indexed_rows()
            if self._read_kept(generation, rows):
                return True
        words = TextWords.build(generation, rows, self._locked_bodies, go_on)
        with self._lock:
            if words is None or self._generation() != generation:
                return False
            self._words = words
        self._keep(words, rows)
        return True

    def _indexed_rows(self) -> list[tuple[int, str, str]]:
        """(row id, URL, article id) of every text, in the order the word index has them.
        Not joined with `folded` (5x slower through its rowids): a text without a folded
        body reads as empty (`FoldedTexts`), so it has no word, as SQLite finds none."""
        return self._conn.execute("SELECT id, url, article_id FROM texts ORDER BY id").fetchall()

    def _read_kept(self, generation: int, rows: Sequence[tuple[int, str, str]]) -> bool:
        """Take the word index kept in the file if it is of these rows at this generation
        and reads back whole (see `words_from_bytes`); whether it did. Under the lock."""
        self._looked_for = generation
        kept = self._conn.execute(
            "SELECT CAST(data AS BLOB) FROM word_index WHERE generation = ? AND sequence = ?",
            (generation, _rows_digest(rows)),
        ).fetchone()
        index = words_from_bytes(bytes(kept[0]), len(rows)) if kept is not None else None
        if index is None:
            return False
        self._words = TextWords(generation, [row[0] for row in rows], _keys(rows), index)
        return True

    def _keep(self, words: TextWords, rows: Sequence[tuple[int, str, str]]) -> bool:
        """Keep the word index made for the next start, unless a text changed since it was
        read (a write, through a connection of its own: the texts stay readable)."""
        digest, data, generation = _rows_digest(rows), words.to_bytes(), words.generation

        def write(conn: sqlite3.Connection) -> bool:
            now = conn.execute("SELECT generation FROM changes").fetchone()
            if now is None or now[0] != generation:
                return False
            conn.execute("DELETE FROM word_index")  # another generation's, or a damaged one
            conn.execute("INSERT INTO word_index VALUES (?, ?, ?)", (generation, digest, data))
            return True

        return write_kept(str(self.path), self._source, write, WRITE_TIMEOUT)

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
                words = self._words_at(generation, read_kept=len(needle) < TRIGRAM)
                if words is not None:
                    found = words.answer(needle, spaced, self._bodies)
                if found is None:
                    found = self._search(needle)
                self._memo[key] = found
                if len(self._memo) > MEMO_SIZE:
                    self._memo.popitem(last=False)
            return found

    def _words_at(self, generation: int, read_kept: bool) -> TextWords | None:
        """The word index of the texts at this generation: the one made or read back, else
        with `read_kept` the one kept in the file (looked for once a generation): asked for
        a needle SQLite would scan every text for, before `build_words` has read it back
        (~50 ms at 10,000 texts, a scan ~100 ms; the trigram index answers a longer one in
        ~10 ms: no need to read it back for that, as `reader list` does once)."""
        words = self._words
        if words is not None and words.generation == generation:
            return words
        if not read_kept or self._looked_for == generation:
            return None
        return self._words if self._read_kept(generation, self._indexed_rows()) else None

    def _search(self, needle: str) -> frozenset[str]:
        if len(needle) >= TRIGRAM:  # the trigram index answers; a phrase is a quoted string
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
