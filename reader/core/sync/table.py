"""What the reading state knows of the sync: three tables in the state database.

* `sync_marks`: per article and field, the change the state holds (its value and stamp),
  and whether it is applied to the marks yet (a merge records the winner first and
  applies it after, so a crash in between is finished at the next start, not mistaken
  for a local change);
* `sync_logs`: per other machine, where its log was read up to (epoch and offset), and
  its last change, for `reader sync`;
* `sync_meta`: this machine's id, its clock, and its own log's epoch, size and lines.

Created here with `IF NOT EXISTS`, beside the state's own schema, which they do not
change: an older reader opening the file leaves them alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reader.core.storage.sqlite import statements
from reader.core.sync.clock import Stamp
from reader.core.sync.logfile import MarkChange

SCHEMA = """
CREATE TABLE IF NOT EXISTS sync_marks(
    article_id TEXT NOT NULL,
    field TEXT NOT NULL,
    value INTEGER NOT NULL,
    wall INTEGER NOT NULL,
    counter INTEGER NOT NULL,
    machine TEXT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 1,
    PRIMARY KEY (article_id, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sync_logs(
    machine TEXT PRIMARY KEY,
    epoch TEXT NOT NULL,
    read_to INTEGER NOT NULL,
    tail BLOB NOT NULL DEFAULT x'',
    size INTEGER NOT NULL DEFAULT 0,
    mtime_ns INTEGER NOT NULL DEFAULT 0,
    checked_ns INTEGER NOT NULL DEFAULT 0,
    changes INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    last_wall INTEGER,
    last_change TEXT
);
CREATE TABLE IF NOT EXISTS sync_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# The later change wins: compared as the tuple (wall, counter, machine, value), as in Python.
_UPSERT_LATER = """
INSERT INTO sync_marks(article_id, field, value, wall, counter, machine, applied)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(article_id, field) DO UPDATE SET
    value = excluded.value, wall = excluded.wall, counter = excluded.counter,
    machine = excluded.machine, applied = excluded.applied
WHERE (excluded.wall, excluded.counter, excluded.machine, excluded.value)
    > (sync_marks.wall, sync_marks.counter, sync_marks.machine, sync_marks.value)
RETURNING article_id
"""
_MARK_APPLIED = """
UPDATE sync_marks SET applied = 1
WHERE article_id = ? AND field = ? AND wall = ? AND counter = ? AND machine = ?
"""


@dataclass(frozen=True, slots=True)
class LogSeen:
    """Where another machine's log was read up to, and what it said last."""

    machine: str
    epoch: str
    read_to: int
    tail: bytes  # the last bytes read: the next read goes on only where they are found again
    size: int
    mtime_ns: int
    checked_ns: int  # when size and mtime were taken (see reading._unchanged)
    changes: int
    skipped: int
    last_wall: int | None
    last_change: str | None


def create(conn: sqlite3.Connection) -> None:
    for statement in statements(SCHEMA):
        conn.execute(statement)


def meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_meta(conn: sqlite3.Connection, **values: object) -> None:
    conn.executemany(
        "INSERT INTO sync_meta(key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(key, str(value)) for key, value in values.items()],
    )


def clock(conn: sqlite3.Connection) -> tuple[int, int]:
    """The last (wall, counter) this machine issued or saw."""
    return (int(meta(conn, "clock_wall") or 0), int(meta(conn, "clock_counter") or 0))


def set_clock(conn: sqlite3.Connection, value: tuple[int, int]) -> None:
    set_meta(conn, clock_wall=value[0], clock_counter=value[1])


def record_local(conn: sqlite3.Connection, changes: Iterable[MarkChange]) -> None:
    """This machine's own changes: later than anything held (the clock saw it all)."""
    conn.executemany(
        "INSERT OR REPLACE INTO sync_marks VALUES (?, ?, ?, ?, ?, ?, 1)",
        [_row(change) for change in changes],
    )


def record_if_later(conn: sqlite3.Connection, changes: Iterable[MarkChange]) -> list[MarkChange]:
    """Record each change that is later than the one held (not applied yet); the winners."""
    won = []
    for change in changes:
        if conn.execute(_UPSERT_LATER, (*_row(change), 0)).fetchone() is not None:
            won.append(change)
    return won


def mark_applied(conn: sqlite3.Connection, changes: Iterable[MarkChange]) -> None:
    """The winners are in the marks now (unless a later change took their place meanwhile)."""
    conn.executemany(_MARK_APPLIED, [_row(change)[:2] + _row(change)[3:] for change in changes])


def held(conn: sqlite3.Connection, where: str = "", *values: object) -> Iterator[MarkChange]:
    """The changes the state holds (`where`: an SQL condition on sync_marks' columns)."""
    clause = f" WHERE {where}" if where else ""
    rows = conn.execute(
        f"SELECT article_id, field, value, wall, counter, machine FROM sync_marks{clause}", values
    )
    for article_id, field, value, wall, counter, machine in rows:
        yield MarkChange(article_id, field, bool(value), Stamp(wall, counter, machine))


def unapplied(conn: sqlite3.Connection) -> list[MarkChange]:
    """The changes held but not yet set on the marks (a merge a crash interrupted)."""
    return list(held(conn, "applied = 0"))


def own_since(conn: sqlite3.Connection, machine: str, since: tuple[int, int]) -> list[MarkChange]:
    """This machine's changes held that are stamped later than `since` (a clock reading)."""
    wall, counter = since
    later_than = "machine = ? AND (wall > ? OR (wall = ? AND counter > ?))"
    return list(held(conn, later_than, machine, wall, wall, counter))


def held_on(conn: sqlite3.Connection, field: str) -> set[str]:
    """The articles whose latest change held sets `field` (read, starred) on."""
    rows = conn.execute("SELECT article_id FROM sync_marks WHERE field = ? AND value = 1", (field,))
    return {article_id for (article_id,) in rows}


def own(conn: sqlite3.Connection, machine: str) -> list[MarkChange]:
    """The changes held that this machine made: what its log must hold."""
    return list(held(conn, "machine = ?", machine))


def logs_seen(conn: sqlite3.Connection) -> dict[str, LogSeen]:
    rows = conn.execute("SELECT * FROM sync_logs ORDER BY machine")
    return {row[0]: LogSeen(*row) for row in rows}


def save_log_seen(conn: sqlite3.Connection, seen: LogSeen) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO sync_logs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            seen.machine,
            seen.epoch,
            seen.read_to,
            seen.tail,
            seen.size,
            seen.mtime_ns,
            seen.checked_ns,
            seen.changes,
            seen.skipped,
            seen.last_wall,
            seen.last_change,
        ),
    )


def _row(change: MarkChange) -> tuple[str, str, int, int, int, str]:
    stamp = change.stamp
    return (
        change.article_id,
        change.field,
        int(change.value),
        stamp.wall,
        stamp.counter,
        stamp.machine,
    )
