"""Whose file is it: the mark the reader puts on its SQLite files, checked before one is opened.

A path the reader is given for its state or its cache (`--state`, `--cache`, their
environment variables, a symbolic link at the default place) may name a file of someone
else: a browser's `places.sqlite`, notes in a text file, the reader's own state given as
its cache. Only a file that carries the reader's mark for that role is ever migrated,
rebuilt, moved aside or written; anything else is refused with `ForeignFile`, untouched.

The mark is SQLite's `application_id` in the file header, one value per role. Files
written before the mark existed are recognised by their tables (read through a read-only
connection) and stamped when they are next opened for writing. A new file is made under
a temporary name, stamped, and linked into place, so the path never holds an empty or
half-made file: an empty file there was not made by the reader.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_HEADER_SIZE = 100
_NO_ID = 0


class ForeignFile(Exception):
    """The path holds something the reader did not create; nothing in it was changed."""

    def __init__(self, path: Path, role: str, reason: str) -> None:
        super().__init__(
            f"{path} {reason}, so it cannot be the reader's {role}; it was left untouched "
            "(give another path, or move that file away)"
        )
        self.path = path


@dataclass(frozen=True, slots=True)
class DatabaseKind:
    """One role of the reader's files: its mark and how an unmarked older file looks.

    Attributes:
        role: How messages name it ("reading state", "index cache").
        application_id: The value stamped into the header.
        is_legacy: Given the table names and user_version of an unmarked file, whether
            it is one of this role written before files were marked.
    """

    role: str
    application_id: int
    is_legacy: Callable[[frozenset[str], int], bool]


def _legacy_state(tables: frozenset[str], version: int) -> bool:
    return version >= 1 and tables == {"marks", "settings"}


def _legacy_cache(tables: frozenset[str], version: int) -> bool:
    return "meta" in tables and tables <= {"meta", "feeds", "files", "details", "snapshots"}


STATE = DatabaseKind("reading state", 0x52445354, _legacy_state)  # "RDST"
CACHE = DatabaseKind("index cache", 0x52444358, _legacy_cache)  # "RDCX"
# Fetched full texts: there was never an unmarked version of this file.
TEXTS = DatabaseKind("full-text store", 0x52445458, lambda tables, version: False)  # "RDTX"
KINDS = (STATE, CACHE, TEXTS)


def check_own(path: Path, kind: DatabaseKind) -> bool:
    """Whether `path` holds a file of this kind (True) or nothing yet (False).

    Raises:
        ForeignFile: it holds anything else, or is a link to nothing.
    """
    if path.is_symlink() and not path.exists():
        raise ForeignFile(path, kind.role, "is a symbolic link to nothing")
    try:
        info = path.stat()
    except OSError:
        # Nothing there, or a path that cannot be used at all: opening it fails and says
        # why, as for an unwritable folder; no file of anyone is at stake.
        return False
    if not stat.S_ISREG(info.st_mode):
        raise ForeignFile(path, kind.role, "is not a regular file")
    if info.st_size == 0:
        raise ForeignFile(path, kind.role, "is empty")
    found = _application_id(path, kind)
    if found == kind.application_id or (found == _NO_ID and _looks_legacy(path, kind)):
        return True
    other = next((k for k in KINDS if k.application_id == found), None)
    reason = f"is the reader's {other.role}" if other else "is a database of some other program"
    raise ForeignFile(path, kind.role, reason)


def _read(path: Path, ask: Callable[[sqlite3.Connection], T]) -> T:
    """`ask` a connection that reads the file and changes nothing in it.

    First `immutable`: the file as it lies on disk, with no lock, no journal and no -shm
    made beside someone else's file. While a WAL holds pages the file alone may read as
    malformed; then a read-only connection, which reads the WAL. Always through SQLite,
    never by opening the file here: closing any descriptor of a file drops every POSIX
    lock this process holds on it, those of its other connections included.

    Raises:
        sqlite3.Error or ValueError: neither way could read it.
    """
    error: Exception | None = None
    for mode in ("immutable=1", "mode=ro"):
        try:
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=5.0)
            try:
                return ask(conn)
            finally:
                conn.close()
        except (sqlite3.Error, ValueError) as err:
            error = err
    assert error is not None
    raise error


def _application_id(path: Path, kind: DatabaseKind) -> int:
    try:
        found: int = _read(path, lambda c: c.execute("PRAGMA application_id").fetchone()[0])
    except (sqlite3.Error, ValueError) as err:
        raise ForeignFile(path, kind.role, f"is not an SQLite database ({err})") from None
    return found


def _looks_legacy(path: Path, kind: DatabaseKind) -> bool:
    """An unmarked file of this role written before files were marked (its tables tell)."""

    def ask(conn: sqlite3.Connection) -> bool:
        (version,) = conn.execute("PRAGMA user_version").fetchone()
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return kind.is_legacy(frozenset(name for (name,) in rows), version)

    try:
        return _read(path, ask)
    except (sqlite3.Error, ValueError):
        return False


def stamp(conn: sqlite3.Connection, kind: DatabaseKind) -> None:
    """Mark an open file as this kind's (a file written before marks existed gets it here)."""
    if conn.execute("PRAGMA application_id").fetchone()[0] != kind.application_id:
        conn.execute(f"PRAGMA application_id = {kind.application_id}")


def create_new(path: Path, kind: DatabaseKind, page_size: int | None = None) -> None:
    """Make an empty, marked database at `path`, unless another reader made one first.

    Made under a temporary name and hard-linked into place, which fails rather than
    replace what another process put there meanwhile. `page_size`: bytes a page, fixed
    for the file's life here (SQLite's default if None).
    """
    temporary = path.with_name(f".{path.name}.new-{os.getpid()}-{os.urandom(4).hex()}")
    try:
        conn = sqlite3.connect(temporary)
        try:
            if page_size is not None:  # only before the first write
                conn.execute(f"PRAGMA page_size = {int(page_size)}")
            conn.execute(f"PRAGMA application_id = {kind.application_id}")
            conn.commit()
        finally:
            conn.close()
        _link_into_place(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _link_into_place(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        return  # another reader started together with this one: its file is as good
    except OSError:
        # A file system without hard links: a rename, after one more look.
        if not path.exists():
            temporary.rename(path)


def how_lost(path: Path, opened: tuple[int, int] | None) -> str | None:
    """What became of the file opened as `opened` (device, inode): None if it is still there.

    By `stat` alone (see `_look` for why the file is not opened here).

    Returns:
        "deleted", "replaced" (another file is at the path) or "truncated" (the same file,
        shorter than an SQLite header).
    """
    try:
        info = path.stat()
    except OSError:
        return "deleted"
    if (info.st_dev, info.st_ino) != opened:
        return "replaced"
    return "truncated" if info.st_size < _HEADER_SIZE else None
