"""The reading state's file: its schema, its migrations, and how it is opened and checked.

Plain `sqlite3`; `StateStore` (reader.core.storage.state) is its one user.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.core.storage.ownership import STATE, check_own, create_new, stamp
from reader.core.storage.sqlite import connect, statements, write_transaction

# MIGRATIONS[v] takes a database from schema version v to v + 1 (PRAGMA user_version).
# Append new steps; never edit a released one, files in the wild were built by it.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE marks(
        article_id TEXT PRIMARY KEY,
        read INTEGER NOT NULL DEFAULT 0,
        starred INTEGER NOT NULL DEFAULT 0,
        read_at TEXT,
        starred_at TEXT
    );
    CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class NewerSchema(Exception):
    """The file was written by a newer reader; we must not touch it."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema version {version}")
        self.version = version


class NotOurs(Exception):
    """A database with tables but no schema version: some other program's file."""


def _user_version(conn: sqlite3.Connection) -> int:
    """The schema version stored in the file header."""
    version: int = conn.execute("PRAGMA user_version").fetchone()[0]
    return version


def _migrate(conn: sqlite3.Connection) -> None:
    """Bring the file to SCHEMA_VERSION, all steps in one transaction.

    Raises:
        NewerSchema: the file is newer than this code.
    """
    if _user_version(conn) == SCHEMA_VERSION:
        if conn.execute("PRAGMA application_id").fetchone()[0] != STATE.application_id:
            with write_transaction(conn):  # a file from before the mark: stamped once
                stamp(conn, STATE)
        return
    with write_transaction(conn):
        # Read again under the write lock: another reader may have migrated meanwhile.
        version = _user_version(conn)
        if version > SCHEMA_VERSION:
            raise NewerSchema(version)
        for step in MIGRATIONS[version:]:
            for statement in statements(step):
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        stamp(conn, STATE)


def _refuse_others(conn: sqlite3.Connection) -> None:
    """Refuse a newer reader's file or another program's, before anything in it changes.

    Raises:
        NewerSchema, NotOurs; sqlite3.Error for a file that is not a database.
    """
    # One statement, so one snapshot: another reader may be migrating this very file.
    # This first read is also where a file that is not a database fails.
    version, has_tables = conn.execute(
        "SELECT user_version, EXISTS (SELECT 1 FROM sqlite_master) FROM pragma_user_version"
    ).fetchone()
    if version > SCHEMA_VERSION:
        raise NewerSchema(version)  # before WAL: even the journal mode is not ours to change
    if version == 0 and has_tables:
        raise NotOurs()


def connect_state(path: Path, timeout: float, check: bool = True) -> sqlite3.Connection:
    """Open `path` under the shared policy (with a quick_check unless not `check`), check
    it and migrate it.

    Raises:
        sqlite3.Error, Damaged, NewerSchema, NotOurs, ForeignFile: the caller decides
        what each means.
    """
    if not check_own(path, STATE):
        create_new(path, STATE)
    return connect(path, timeout, inspect=_refuse_others, check=check, setup=_migrate)
