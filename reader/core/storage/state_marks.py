"""Reading a state file's marks into memory: the read ids and the starred ids, as sets.

Plain `sqlite3`. `load_marks` is what `StateStore` uses; `load_marks_row_by_row` is the
plain answer it must always equal (a property test holds it to it). At 100,000 marked
articles the row-by-row loop took ~80 ms of the start, most of it building one tuple per
row: `load_marks` has SQLite join each column's ids into one string, in one scan of the
table, and splits it in C (~55 ms).
"""

from __future__ import annotations

import sqlite3

COLUMNS = ("read", "starred")
MarkSets = dict[str, set[str]]
FrozenMarks = dict[str, frozenset[str]]

# Column names come from COLUMNS only, never from callers, so formatting them in is safe.
# What the joined strings could tell wrongly sends the load to the row-by-row loop: an id
# that is not text (NULL, a blob), and a mark that is text or a blob (SQL and Python
# disagree on whether the text 'x' is set). SQLite sorts text and blobs after every
# number, so the largest value of a mark is text or a blob when any is. Only text ids are
# joined (a blob id would be joined as bytes that may not be UTF-8); one holding the
# separator is told by the count of the pieces.
_SEPARATOR = "\n"
_IDS_PER_QUERY = 500  # well under SQLite's limit on the parameters of one statement
_JOINED_SQL = (
    "SELECT "
    + ", ".join(f"max({col})" for col in COLUMNS)
    + ", count(*) FILTER (WHERE typeof(article_id) != 'text'), "
    + ", ".join(
        f"count(*) FILTER (WHERE {col}), "
        f"group_concat(article_id, char({ord(_SEPARATOR)})) "
        f"FILTER (WHERE {col} AND typeof(article_id) = 'text')"
        for col in COLUMNS
    )
    + " FROM marks"
)


def load_marks(conn: sqlite3.Connection) -> FrozenMarks:
    """The ids marked in each column of COLUMNS (one scan of the table), frozen: the store
    hands them out as they are until a change (a copy of 99,000 ids is ~3 ms and 4 MB).

    Raises:
        sqlite3.Error: the file cannot be read.
    """
    answer = conn.execute(_JOINED_SQL).fetchone()
    *largest, not_text = answer[: len(COLUMNS) + 1]
    joined = answer[len(COLUMNS) + 1 :]
    if not_text or any(isinstance(value, (str, bytes)) for value in largest):
        return _frozen(load_marks_row_by_row(conn))
    marks: FrozenMarks = {}
    for n, col in enumerate(COLUMNS):
        count, text = joined[2 * n], joined[2 * n + 1]
        ids = text.split(_SEPARATOR) if text is not None else []
        if len(ids) != count:  # an id holding the separator: its pieces are not ids
            return _frozen(load_marks_row_by_row(conn))
        marks[col] = frozenset(ids)
    return marks


def _frozen(marks: MarkSets) -> FrozenMarks:
    return {col: frozenset(ids) for col, ids in marks.items()}


def marked_among(conn: sqlite3.Connection, col: str, ids: list[str]) -> set[str]:
    """Which of `ids` the file marks in column `col` (of COLUMNS) now.

    Raises:
        sqlite3.Error: the file cannot be read.
    """
    if col not in COLUMNS:
        raise ValueError(f"not a mark column: {col!r}")
    marked: set[str] = set()
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        marks = ", ".join("?" * len(chunk))
        sql = f"SELECT article_id FROM marks WHERE {col} AND article_id IN ({marks})"
        marked.update(article_id for (article_id,) in conn.execute(sql, chunk))
    return marked


def load_marks_row_by_row(conn: sqlite3.Connection) -> MarkSets:
    """The plain answer: every row read, its id put in the set of each mark it has."""
    marks: MarkSets = {col: set() for col in COLUMNS}
    rows = conn.execute("SELECT article_id, read, starred FROM marks")
    for article_id, read, starred in rows:
        if read:
            marks["read"].add(article_id)
        if starred:
            marks["starred"].add(article_id)
    return marks
