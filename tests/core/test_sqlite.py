"""The one SQLite connection policy of the reading state and the index cache."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.core.storage import sqlite as policy
from reader.core.storage.sqlite import (
    Damaged,
    connect,
    enable_wal,
    file_id,
    is_busy,
    is_corrupt,
    move_aside,
    open_or_replace,
    statements,
    write_transaction,
)

ASIDE = re.compile(r"x\.db\.corrupt-\d{8}-\d{6}(-\d+)?")


def error_with_code(kind: type[sqlite3.Error], code: int) -> sqlite3.Error:
    err = kind(f"code {code}")
    err.sqlite_errorcode = code
    return err


def creating(table: str) -> Callable[[sqlite3.Connection], None]:
    """A `setup` that creates one table."""

    def setup(conn: sqlite3.Connection) -> None:
        conn.execute(f"CREATE TABLE {table}(x)")

    return setup


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "x.db"


def test_connect_sets_wal_the_busy_timeout_and_normal_sync(db: Path) -> None:
    conn = connect(db, 2.5)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("PRAGMA busy_timeout").fetchone() == (2500,)
        assert conn.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL
        assert conn.isolation_level is None  # the owners issue BEGIN/COMMIT themselves
    finally:
        conn.close()


def test_connect_runs_inspect_before_wal_and_setup_last(db: Path) -> None:
    seen: list[tuple[str, str]] = []

    def inspect(conn: sqlite3.Connection) -> None:
        seen.append(("inspect", conn.execute("PRAGMA journal_mode").fetchone()[0]))

    def setup(conn: sqlite3.Connection) -> None:
        seen.append(("setup", conn.execute("PRAGMA journal_mode").fetchone()[0]))

    connect(db, 1.0, inspect=inspect, setup=setup).close()
    assert seen == [("inspect", "delete"), ("setup", "wal")]


def test_a_failing_step_closes_the_connection(db: Path) -> None:
    opened: list[sqlite3.Connection] = []

    def setup(conn: sqlite3.Connection) -> None:
        opened.append(conn)
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        connect(db, 1.0, setup=setup)
    with pytest.raises(sqlite3.ProgrammingError):  # closed
        opened[0].execute("SELECT 1")


def test_what_counts_as_damaged_and_as_busy(db: Path) -> None:
    db.write_bytes(os.urandom(4096))
    with pytest.raises(sqlite3.DatabaseError) as found:
        connect(db, 1.0)
    assert is_corrupt(found.value) and not is_busy(found.value)  # not a database
    assert is_corrupt(Damaged("row 3 missing from index"))
    # SQLITE_CORRUPT_INDEX: extended codes count
    assert is_corrupt(error_with_code(sqlite3.DatabaseError, 779))
    assert not is_corrupt(error_with_code(sqlite3.OperationalError, sqlite3.SQLITE_BUSY))
    assert not is_corrupt(OSError("disk full")) and not is_corrupt(sqlite3.DatabaseError("no code"))
    assert is_busy(error_with_code(sqlite3.OperationalError, sqlite3.SQLITE_BUSY))
    assert is_busy(error_with_code(sqlite3.OperationalError, sqlite3.SQLITE_LOCKED))
    assert is_busy(error_with_code(sqlite3.OperationalError, 517))  # SQLITE_BUSY_SNAPSHOT


def test_quick_check_is_asked_for(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[bool] = []
    monkeypatch.setattr(policy, "quick_check", lambda conn: checked.append(True))
    connect(db, 1.0).close()
    connect(db, 1.0, check=True).close()
    assert checked == [True]


class _BusyThenFine:
    """A connection whose switch to WAL finds the file locked `times` times."""

    def __init__(self, times: int, code: int = sqlite3.SQLITE_BUSY) -> None:
        self.times, self.code, self.calls = times, code, 0

    def execute(self, sql: str) -> None:
        self.calls += 1
        if self.calls <= self.times:
            raise error_with_code(sqlite3.OperationalError, self.code)


@pytest.mark.parametrize("code", [sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED])
def test_the_switch_to_wal_is_retried_while_locked(code: int) -> None:
    conn = _BusyThenFine(3, code)
    enable_wal(conn, 60.0)  # type: ignore[arg-type]
    assert conn.calls == 4


def test_the_switch_to_wal_gives_up_at_the_deadline_and_on_other_errors() -> None:
    with pytest.raises(sqlite3.OperationalError):
        enable_wal(_BusyThenFine(10**9), 0.0)  # type: ignore[arg-type]
    other = _BusyThenFine(1, sqlite3.SQLITE_IOERR)
    with pytest.raises(sqlite3.OperationalError):
        enable_wal(other, 60.0)  # type: ignore[arg-type]
    assert other.calls == 1


def test_a_real_lock_is_busy(db: Path) -> None:
    connect(db, 1.0).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError) as found:
            other.execute("BEGIN IMMEDIATE")
        assert is_busy(found.value)
    finally:
        other.close()
        holder.close()


def test_move_aside_takes_the_wal_along_and_never_overwrites(db: Path) -> None:
    for round_ in range(2):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").write_text(f"{round_}{suffix}")
        aside = move_aside(db)
        assert ASIDE.fullmatch(aside.name)
        assert [Path(f"{aside}{s}").read_text() for s in ("", "-wal", "-shm")] == [
            f"{round_}",
            f"{round_}-wal",
            f"{round_}-shm",
        ]
        assert not any(Path(f"{db}{s}").exists() for s in ("", "-wal", "-shm"))
    assert len(list(db.parent.glob("x.db.corrupt-*"))) == 6  # two files, each with its WAL and shm


def test_a_damaged_file_is_moved_aside_and_opened_afresh(db: Path) -> None:
    db.write_bytes(os.urandom(4096))
    told: list[tuple[BaseException, Path]] = []
    conn = open_or_replace(
        db, lambda: connect(db, 1.0), lambda err, aside: told.append((err, aside))
    )
    conn.close()
    ((err, aside),) = told
    assert is_corrupt(err) and ASIDE.fullmatch(aside.name) and aside.stat().st_size == 4096


def test_a_file_that_is_only_unusable_is_not_moved(db: Path) -> None:
    db.mkdir()  # a folder where the file should be
    with pytest.raises(sqlite3.OperationalError):
        open_or_replace(db, lambda: connect(db, 1.0), lambda err, aside: pytest.fail("moved"))
    assert db.is_dir() and list(db.parent.iterdir()) == [db]


def test_a_file_another_reader_replaced_meanwhile_is_left_alone(db: Path) -> None:
    db.write_bytes(os.urandom(4096))
    attempts: list[int] = []

    def opener() -> sqlite3.Connection:
        attempts.append(1)
        if len(attempts) == 1:
            # Another reader moves the damaged file aside and starts a fresh one first.
            os.replace(db, db.with_name("theirs.corrupt"))
            connect(db, 1.0, setup=creating("theirs")).close()
            raise error_with_code(sqlite3.DatabaseError, sqlite3.SQLITE_NOTADB)
        return connect(db, 1.0)

    conn = open_or_replace(db, opener, lambda err, aside: pytest.fail("moved their fresh file"))
    try:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("theirs",)]
    finally:
        conn.close()
    assert len(attempts) == 2 and not list(db.parent.glob("x.db.corrupt-*"))


def test_a_file_damaged_again_is_not_moved_twice(db: Path) -> None:
    db.write_bytes(os.urandom(4096))

    def opener() -> sqlite3.Connection:
        if not db.exists():
            db.write_bytes(os.urandom(4096))  # the fresh file is damaged too
        return connect(db, 1.0)

    with pytest.raises(sqlite3.DatabaseError):
        open_or_replace(db, opener, lambda err, aside: None)
    assert len(list(db.parent.glob("x.db.corrupt-*"))) == 1


def test_file_id_names_the_file_not_the_path(db: Path) -> None:
    assert file_id(db) is None
    db.write_text("one")
    first = file_id(db)
    other = db.with_name("other")
    other.write_text("two")
    os.replace(other, db)
    assert first is not None and file_id(db) not in (None, first)


def _insert_then_fail(conn: sqlite3.Connection) -> None:
    with write_transaction(conn):
        conn.execute("INSERT INTO t VALUES (2)")
        raise ZeroDivisionError


def test_write_transaction_commits_or_rolls_back(db: Path) -> None:
    conn = connect(db, 1.0, setup=creating("t"))
    try:
        with write_transaction(conn):
            conn.execute("INSERT INTO t VALUES (1)")
        with pytest.raises(ZeroDivisionError):
            _insert_then_fail(conn)
        assert not conn.in_transaction
        assert conn.execute("SELECT x FROM t").fetchall() == [(1,)]
    finally:
        conn.close()


def test_statements_split_a_script_but_not_inside_strings_or_comments() -> None:
    script = "CREATE TABLE a(x TEXT DEFAULT ';');\n-- a comment; still one\nCREATE TABLE b(y);\n\n;"
    assert [s.strip() for s in statements(script)] == [
        "CREATE TABLE a(x TEXT DEFAULT ';');",
        "-- a comment; still one\nCREATE TABLE b(y);",
    ]
