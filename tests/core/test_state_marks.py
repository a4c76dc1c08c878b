"""The state's fast load of its marks gives what reading it row by row gives: on generated
tables full of what the joined strings could get wrong (ids holding the separator, empty,
NUL, not text at all; marks that are not 0 or 1, or not integers)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from examples import examples
from reader.core.storage.state import MIGRATIONS, StateStore
from reader.core.storage.state_marks import load_marks, load_marks_row_by_row

ID_CHARS = "ab\n\r,é\x00 "
ARTICLE_ID = (
    st.text(alphabet=ID_CHARS, max_size=6)
    | st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
    | st.none()
    | st.integers(-3, 3)
    | st.binary(max_size=3)
)
MARK = st.sampled_from([0, 1]) | st.integers(-2, 3) | st.sampled_from(["0", "1", "x", "", 0.5])
ROW = st.tuples(ARTICLE_ID, MARK, MARK)


def table(rows: list[tuple[object, object, object]]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.executescript(MIGRATIONS[0])
    conn.executemany(
        "INSERT OR IGNORE INTO marks(article_id, read, starred) VALUES (?, ?, ?)", rows
    )
    return conn


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(ROW, max_size=12))
def test_the_fast_load_gives_what_reading_every_row_gives(
    rows: list[tuple[object, object, object]],
) -> None:
    conn = table(rows)
    assert load_marks(conn) == load_marks_row_by_row(conn)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(st.tuples(st.text(alphabet=ID_CHARS, max_size=6), st.booleans()), max_size=20))
def test_marks_set_through_the_store_come_back_after_a_reopen(
    marks: list[tuple[str, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state.db"
        with StateStore.open(path) as store:
            for article_id, starred in marks:
                (store.set_starred if starred else store.set_read)(article_id)
            read, starred_ids = store.read_ids(), store.starred_ids()
        with StateStore.open(path) as again:
            assert again.read_ids() == read and again.starred_ids() == starred_ids


def test_a_large_table_is_read_whole() -> None:
    rows: list[tuple[object, object, object]] = [
        (f"{n:016x}", int(n % 100 != 0), int(n % 100 < 54)) for n in range(5000)
    ]
    marks = load_marks(table(rows))
    assert len(marks["read"]) == 4950 and len(marks["starred"]) == 2700
    assert marks == load_marks_row_by_row(table(rows))


def test_the_marks_handed_out_after_the_open_stay_as_they_were_after_a_change(
    tmp_path: Path,
) -> None:
    """The loaded marks are handed out as they are (no copy at the start): a change makes
    new ones, and those handed out before do not change under their holder."""
    path = tmp_path / "state.db"
    with StateStore.open(path) as store:
        store.set_read_many(["a", "b"])
        store.set_starred("s")
    with StateStore.open(path) as store:
        read, starred = store.read_ids(), store.starred_ids()
        assert store.read_ids() is read and read == {"a", "b"} and starred == {"s"}
        store.set_read("c")
        store.set_read("a", False)
        assert read == {"a", "b"} and store.read_ids() == {"b", "c"}
        assert store.is_read("c") and not store.is_read("a")
        assert store.starred_ids() is starred  # the other column is untouched
    with StateStore.open(path) as again:
        assert again.read_ids() == {"b", "c"} and again.starred_ids() == {"s"}
