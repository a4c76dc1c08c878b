"""The one way the reader opens its SQLite files (the reading state and the index cache).

Plain `sqlite3`. Every file is opened by `connect` and, through `open_or_replace`, with
the same rules:

* WAL journal, where readers never block the writer nor it them, with synchronous=NORMAL
  (in WAL only a power cut can lose a commit, never the file);
* a busy timeout: a write waits that long for another reader's lock, and the switch to
  WAL (where SQLite answers "database is locked" at once instead of waiting) is retried
  until the same deadline;
* a damaged file (SQLite says corrupt or not a database, or `quick_check` finds damage) is
  moved aside as `NAME.corrupt-<time>`, its -wal and -shm with it, and opened afresh, once;
  a file another reader has already replaced is left alone.

The state and the cache each had their own copy of these rules, which differed; where they
did, the rule kept is said where it is applied. What a file holds (schema, migrations,
what to do with a file of another version) stays with its owner.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
Setup = Callable[[sqlite3.Connection], None]
FileId = tuple[int, int]  # device and inode

_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# The cache's rule: LOCKED too (a lock held by another connection of this process), where
# the state's copy retried on BUSY only.
_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# The state's pause (the cache's was 0.01 s): two readers starting together wait less.
_RETRY_PAUSE = 0.005
_DB_SUFFIXES = ("", "-wal", "-shm")
SYNCHRONOUS = "NORMAL"  # in WAL: a power cut may lose the last commits, never the file


class Damaged(Exception):
    """`PRAGMA quick_check` found damage that reading alone did not trip over."""


def _primary_code(err: BaseException) -> int | None:
    """The SQLite result code without its extended bits (SQLITE_CORRUPT_INDEX is CORRUPT)."""
    code = getattr(err, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(err, sqlite3.Error) and code is not None else None


def is_corrupt(err: BaseException) -> bool:
    """Whether `err` means the file itself is damaged (as opposed to locked or unwritable)."""
    return isinstance(err, Damaged) or (
        isinstance(err, sqlite3.DatabaseError) and _primary_code(err) in _CORRUPT_CODES
    )


def is_busy(err: BaseException) -> bool:
    """Whether `err` is "database is locked": another connection holds the lock."""
    return isinstance(err, sqlite3.OperationalError) and _primary_code(err) in _BUSY_CODES


def connect(
    path: Path,
    timeout: float,
    *,
    inspect: Setup | None = None,
    check: bool = False,
    setup: Setup | None = None,
) -> sqlite3.Connection:
    """Open `path` under the policy; closed again if any step fails.

    Args:
        timeout: Seconds to wait for another reader's lock.
        inspect: Runs before the switch to WAL: a file that must not be touched (say, of a
            newer version) is refused there, before even its journal mode changes.
        check: Run `PRAGMA quick_check` and raise `Damaged` if it finds anything. The
            state's rule; the cache skips it (its file is large and only a copy: damage
            met while reading moves it aside just the same).
        setup: Runs last (the schema, migrations).

    Raises:
        sqlite3.Error, Damaged, or whatever `inspect` and `setup` raise.
    """
    # isolation_level=None: the owners issue BEGIN/COMMIT themselves; check_same_thread=False:
    # workers call from threads (every use is under the owner's lock).
    conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        if inspect is not None:
            inspect(conn)
        enable_wal(conn, timeout)
        conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        if check:
            quick_check(conn)
        if setup is not None:
            setup(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def enable_wal(conn: sqlite3.Connection, timeout: float) -> None:
    """Switch to WAL, retrying while another reader holds the lock, up to `timeout`.

    The switch needs an exclusive lock and SQLite answers BUSY at once instead of calling
    the busy handler, so two readers starting together on a new file must retry here.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if not is_busy(err) or time.monotonic() > deadline:
                raise
            time.sleep(_RETRY_PAUSE)


def let_go(conn: sqlite3.Connection) -> None:
    """Close a connection whose file went away, leaving no WAL for the file now there.

    A WAL left under the path (closing does not always remove it) would be replayed into
    whatever file takes the name: its pages would overwrite that file's.
    """
    with contextlib.suppress(sqlite3.Error):
        conn.execute("PRAGMA journal_mode = DELETE")
    with contextlib.suppress(sqlite3.Error):
        conn.close()


def quick_check(conn: sqlite3.Connection) -> None:
    """Raise `Damaged` unless `PRAGMA quick_check` says ok."""
    answer = conn.execute("PRAGMA quick_check").fetchone()[0]
    if answer != "ok":
        raise Damaged(answer)


def open_or_replace(
    path: Path, opener: Callable[[], T], moved: Callable[[BaseException, Path], None]
) -> T:
    """`opener()`; if the file is damaged, move it aside, tell `moved`, and open once more.

    Raises:
        What `opener` raises when the file is not damaged, or damaged again; OSError when
        the damaged file cannot be moved (it is never deleted: the state is the user's).
    """
    before = file_id(path)
    try:
        return opener()
    except (sqlite3.Error, Damaged) as err:
        if not is_corrupt(err):
            raise
        # The state's rule: another reader may have replaced it already; its fresh file stays.
        if file_id(path) == before:
            moved(err, move_aside(path))
    return opener()


def move_aside(path: Path) -> Path:
    """Rename a damaged file to a free `NAME.corrupt-<time>`, its -wal and -shm with it.

    The state's rule (the cache overwrote one `NAME.corrupt` and deleted the WAL): an
    earlier damaged file is never overwritten, and the WAL goes along rather than being
    lost, since replayed into the fresh database it would damage it again.

    Returns:
        The new name of the file.
    """
    aside = _aside_path(path)
    for suffix in _DB_SUFFIXES:
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.rename(f"{aside}{suffix}")
    return aside


def _aside_path(path: Path) -> Path:
    """A free `name.corrupt-YYYYmmdd-HHMMSS` next to `path`."""
    base = f"{path.name}.corrupt-{datetime.now():%Y%m%d-%H%M%S}"
    aside, n = path.with_name(base), 1
    while aside.exists():  # two damaged files within one second
        aside, n = path.with_name(f"{base}-{n}"), n + 1
    return aside


def file_id(path: Path) -> FileId | None:
    """Device and inode of `path`, or None if it does not exist."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back if the block fails.

    IMMEDIATE takes the write lock up front, where busy_timeout waits for it; a deferred
    transaction could fail on the upgrade from reading without waiting.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is open; a failing rollback must not hide the first error."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")


def statements(script: str) -> Iterator[str]:
    """Split an SQL script into statements (executescript would COMMIT our transaction)."""
    buf = ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(
            buf
        ):  # a ";" inside a string, comment or trigger is not an end
            if buf.strip(" \t\r\n;"):
                yield buf
            buf = ""
