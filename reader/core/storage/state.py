"""Reading state: which articles are read or starred, plus a few small settings.

Plain `sqlite3` and `platformdirs`, no Textual, so the app, the CLI and the tests share it.
The marks live in memory (loaded at open) so a list of thousands of rows can ask "is it
read?" for free; every change is also committed before its method returns, so a crash
or `kill -9` right after a call loses nothing.

Nothing here raises because of the file: a damaged file is moved aside and a fresh one
started (the policy of `reader.core.storage.sqlite`, shared with the index cache), an
unusable path leaves the store working in memory only (tried again while changes wait,
when the cause may pass: a full disk), and a failed write keeps the change in memory and
retries it on the next write. Each of these adds a sentence to
`StateStore.notices` for the app to show.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import platformdirs

from reader.core.notices import Notices
from reader.core.resources import STATE_ENV as STATE_ENV  # named here too, as it always was
from reader.core.storage.ownership import ForeignFile, how_lost
from reader.core.storage.sqlite import (
    Damaged,
    FileId,
    file_id,
    is_corrupt,
    let_go,
    move_aside,
    open_or_replace,
    write_transaction,
)
from reader.core.storage.state_check import LaterCheck
from reader.core.storage.state_marks import COLUMNS, load_marks
from reader.core.storage.state_schema import MIGRATIONS as MIGRATIONS  # named here too
from reader.core.storage.state_schema import SCHEMA_VERSION as SCHEMA_VERSION
from reader.core.storage.state_schema import NewerSchema, NotOurs, connect_state

DEFAULT_TIMEOUT = 5.0  # seconds to wait for another reader's write lock

_COLUMNS = COLUMNS

# Column names come from _COLUMNS only, never from callers, so formatting them in is safe.
# Setting keeps the first time (COALESCE); a row neither read nor starred is deleted.
_SET_SQL = {
    col: f"INSERT INTO marks(article_id, {col}, {col}_at) VALUES (?, 1, ?) "
    f"ON CONFLICT(article_id) DO UPDATE SET {col} = 1, "
    f"{col}_at = COALESCE(marks.{col}_at, excluded.{col}_at)"
    for col in _COLUMNS
}
_UNSET_SQL = {
    col: f"UPDATE marks SET {col} = 0, {col}_at = NULL WHERE article_id = ?" for col in _COLUMNS
}
_PRUNE_SQL = "DELETE FROM marks WHERE article_id = ? AND read = 0 AND starred = 0"
_SETTING_SQL = (
    "INSERT INTO settings(key, value) VALUES (?, ?) "
    "ON CONFLICT(key) DO UPDATE SET value = excluded.value"
)


def default_state_path() -> Path:
    """Where the reading state lives.

    Returns:
        `$READER_STATE` if set and not empty, else `state.db` in platformdirs'
        user data folder for "reader".
    """
    env = os.environ.get(STATE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("reader")) / "state.db"


def _now() -> str:
    """The current UTC time, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class StateStore(Notices):
    """Read and starred marks plus small settings, keyed by article id.

    Attributes:
        path: The SQLite file, or None for a store that was never meant to be saved.
        read_only: True when changes live in memory only (see `notices` for why).
        notices: Human sentences about anything that went wrong with the file.
    """

    def __init__(self, path: Path | None = None) -> None:
        """Create an empty store kept in memory only; use `StateStore.open` to save to disk.

        Args:
            path: Only recorded; nothing is read or written.
        """
        super().__init__()  # notices, and on_notice: told each one added after opening
        self.path = path
        self.read_only = True
        self._conn: sqlite3.Connection | None = None
        self.lock = self._lock = threading.RLock()  # the sync log takes it too: one order
        # Frozen as loaded (handed out by read_ids()/starred_ids() as they are), a set from
        # the first change on.
        self._marks: dict[str, set[str] | frozenset[str]] = {col: set() for col in _COLUMNS}
        self._frozen: dict[str, frozenset[str]] = {}  # cached read_ids()/starred_ids()
        self._settings: dict[str, str] = {}
        # Changes whose write failed, retried with the next write (and kept over refresh).
        self._pending: dict[tuple[str, str], bool] = {}
        self._pending_settings: dict[str, str] = {}
        self._data_version: int | None = None  # other connections' commits change it
        self._failing = False  # the last write failed: said once, until one succeeds
        # The file could not be opened for a reason that may pass (a full disk): changes
        # are kept in `_pending` and `retry_pending` tries to open it again.
        self._reopen_timeout: float | None = None
        self._timeout = DEFAULT_TIMEOUT
        self._file: FileId | None = None  # the file `_conn` opened: a new one is noticed
        # Told every mark change made through this store (reader.core.sync logs them), and
        # just before its save (the log tells what another process logged meanwhile).
        self.on_marks_changed: Callable[[str, list[str], bool], object] | None = None
        self.on_marks_changing: Callable[[], object] | None = None
        # The file's check, when it comes after the open (`start_check`), and what changed
        # meanwhile: the marks and settings a damaged file's replacement is given.
        self._later_check: LaterCheck | None = None
        self._since_open: tuple[dict[tuple[str, str], bool], dict[str, str]] | None = None
        # Connections made so far, and which of them was opened unchecked: a file put in the
        # place of that one (even under its inode number) was not the file checked.
        self._connections = 0
        self._unchecked: int | None = None
        # Told (in the check's thread) once a file found damaged after the open is replaced.
        self.on_replaced: Callable[[], object] | None = None

    @classmethod
    def open(
        cls,
        path: Path | str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        check_later: bool = False,
    ) -> StateStore:
        """Open (creating if needed) the state file; never raises for a bad file or folder.

        Args:
            path: The SQLite file; `default_state_path()` if None.
            timeout: Seconds to wait for another reader's lock before giving up on a write.
            check_later: Leave the file's `quick_check` to `start_check` (the app's start:
                `reader.core.storage.state_check`).

        Returns:
            A store saving to `path`, or one working in memory only (`read_only`) with a
            notice saying why.
        """
        store = cls(Path(path) if path is not None else default_state_path())
        store._attach(timeout, check=not check_later)
        return store

    # Opening

    def _attach(self, timeout: float, check: bool = True) -> None:
        """Connect to `self.path`, or fall back to memory with a notice; `check` false: the
        file's check is left for `start_check`."""
        assert self.path is not None
        self._timeout = timeout
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            reason = f"the folder {self.path.parent} cannot be created ({err})"
            self._fallback(reason, load=False, reopen=timeout)
            return
        try:
            self._conn = self._connect_or_replace(timeout, check)
        except NewerSchema as err:
            self._fallback(
                f"{self.path} was written by a newer version of reader (schema {err.version}; "
                f"this one knows {SCHEMA_VERSION}), so it is left untouched"
            )
        except NotOurs:
            self._fallback(
                f"{self.path} is a database of some other program (tables but no schema "
                "version), so it is left untouched",
                load=False,
            )
        except ForeignFile as err:
            self._fallback(str(err), load=False)
        except (sqlite3.Error, Damaged, OSError) as err:
            self._fallback(f"{self.path} cannot be opened for writing ({err})", reopen=timeout)
        else:
            self.read_only = False
            if not check:
                self._later_check = LaterCheck(self.path, timeout, self._checked_after_open)
                self._since_open, self._unchecked = ({}, {}), self._connections

    def _reopen(self) -> bool:
        """Try again to open a file that could not be opened; True once it is (quietly)."""
        assert self.path is not None and self._reopen_timeout is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = self._connect_or_replace(self._reopen_timeout)
        except (sqlite3.Error, Damaged, OSError, NewerSchema, NotOurs, ForeignFile):
            return False
        # `_failing`: the write of the kept changes that follows says it works again.
        self.read_only, self._reopen_timeout, self._failing = False, None, True
        return True

    def _connect_or_replace(self, timeout: float, check: bool = True) -> sqlite3.Connection:
        """Connect and load; a damaged file is moved aside once and a fresh one started."""
        assert self.path is not None
        return open_or_replace(
            self.path, lambda: self._connect_and_load(timeout, check), self._moved_aside
        )

    def _connect_and_load(self, timeout: float, check: bool = True) -> sqlite3.Connection:
        """Connect to the file and load its marks and settings into memory."""
        assert self.path is not None
        conn = connect_state(self.path, timeout, check)
        try:
            self._reload(conn)
        except BaseException:
            conn.close()
            raise
        self._file = file_id(self.path)
        self._connections += 1
        return conn

    def _moved_aside(self, err: BaseException, aside: Path) -> None:
        """Say that the damaged file (and its WAL files) now is `aside`."""
        self.notices.append(
            f"The reading-state file {self.path} was damaged or not a database ({err}); "
            f"it was moved to {aside} and a fresh one was started."
        )

    def _fallback(self, reason: str, load: bool = True, reopen: float | None = None) -> None:
        """Work in memory only, with a notice; show what can still be read from the file.

        `reopen`: the cause may pass (a full disk, a folder that becomes writable); the
        changes are kept and the file is tried again with this timeout.
        """
        self.read_only = True
        self._reopen_timeout = reopen
        if load:
            self._load_read_only()
        if reopen is None:
            self.notices.append(f"Reading state will not be saved this session: {reason}.")
        else:
            self.notices.append(
                f"Reading state will not be saved until its file can be opened: {reason}. "
                "Changes are kept meanwhile."
            )

    def _load_read_only(self) -> None:
        """Best effort: load marks from a file we may not write (old marks are a bonus)."""
        assert self.path is not None
        try:
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        except (sqlite3.Error, OSError, ValueError):
            return
        try:
            self._load(conn)
        except sqlite3.Error:
            pass
        finally:
            conn.close()

    def _reload(self, conn: sqlite3.Connection) -> None:
        """Load from our connection, remembering the data version the load saw (or a later one)."""
        # Read before loading: a commit in between makes the next refresh load again, harmless.
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        self._load(conn)
        self._data_version = version

    def _load(self, conn: sqlite3.Connection) -> None:
        """Replace the in-memory sets and settings with the file's, keeping pending changes."""
        loaded = load_marks(conn)
        settings = dict(conn.execute("SELECT key, value FROM settings"))
        with self._lock:
            marks: dict[str, set[str] | frozenset[str]] = dict(loaded)
            for (article_id, col), on in self._pending.items():
                held = marks[col]
                if isinstance(held, frozenset):  # a change kept: this column is a set now
                    held = marks[col] = set(held)
                (held.add if on else held.discard)(article_id)
            self._marks = marks
            self._settings = settings | self._pending_settings
            self._frozen.clear()

    def start_check(self) -> None:
        """Begin the file's check left by `open(check_later=True)`, in a thread of its own."""
        if self._later_check is not None:
            self._later_check.start()

    def check_done(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds for the check `start_check` began; True once none
        is under way."""
        return self._later_check is None or self._later_check.join(timeout)

    def _checked_after_open(self, damage: str | None) -> None:
        """The check's answer (in its thread): a damaged file is moved aside and a fresh one
        started, as the open would have done; what changed since the open is kept in it."""
        with self._lock:
            since, self._since_open = self._since_open, None
            if damage is None or since is None or self._conn is None or self.path is None:
                return
            if self._connections != self._unchecked or file_id(self.path) != self._file:
                return  # replaced meanwhile (`_check_file` deals with it): not the file checked
            conn, self._conn = self._conn, None
            conn.close()
            told = len(self.notices)
            self._moved_aside(Damaged(damage), move_aside(self.path))
            self._pending = since[0] | self._pending
            self._pending_settings = since[1] | self._pending_settings
            self._replace_damaged()
            new = self.notices[told:]
        tell, replaced = self.on_notice, self.on_replaced
        if tell is not None:
            for notice in new:
                tell(notice)
        if replaced is not None:
            replaced()

    def _replace_damaged(self) -> None:
        """Open a fresh file in the damaged one's place and write the kept changes to it; if
        it cannot be opened, hold them in memory (and try again, as at a full disk)."""
        try:
            self._conn = self._connect_or_replace(self._timeout)
        except (sqlite3.Error, Damaged, OSError, ForeignFile, NewerSchema, NotOurs) as err:
            marks = {col: set[str]() for col in _COLUMNS}
            for (article_id, col), on in self._pending.items():
                (marks[col].add if on else marks[col].discard)(article_id)
            self._marks, self._settings = dict(marks), dict(self._pending_settings)
            self._frozen.clear()
            reason = f"{self.path} cannot be opened for writing ({err})"
            self._fallback(reason, load=False, reopen=self._timeout)
            return
        self._save({}, {})

    # Reading

    def is_read(self, article_id: str) -> bool:
        """Whether the article is marked read."""
        return article_id in self._marks["read"]

    def is_starred(self, article_id: str) -> bool:
        """Whether the article is starred."""
        return article_id in self._marks["starred"]

    def read_ids(self) -> frozenset[str]:
        """All read ids (from memory; cached until the next change)."""
        return self._ids("read")

    def starred_ids(self) -> frozenset[str]:
        """All starred ids (from memory; cached until the next change)."""
        return self._ids("starred")

    def _ids(self, col: str) -> frozenset[str]:
        """The frozen set for `col`, rebuilt only after a change."""
        # Cached: read without the lock (a sync pull may hold it for seconds; redraws ask).
        frozen = self._frozen.get(col)
        if frozen is not None:
            return frozen
        with self._lock:
            frozen = self._frozen.get(col)
            if frozen is None:
                marks = self._marks[col]
                frozen = marks if isinstance(marks, frozenset) else frozenset(marks)
                self._frozen[col] = frozen
            return frozen

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        """The value stored for `key`, or `default`."""
        return self._settings.get(key, default)

    # Changing

    def set_read(self, article_id: str, read: bool = True) -> None:
        """Mark one article read (or unread) and save it."""
        self._change("read", (article_id,), read)

    def set_read_many(self, article_ids: Iterable[str], read: bool = True) -> int:
        """Mark many articles read (or unread) in one transaction.

        Returns:
            How many of them changed state.
        """
        return self._change("read", article_ids, read)

    def set_starred(self, article_id: str, starred: bool = True) -> None:
        """Star (or unstar) one article and save it."""
        self._change("starred", (article_id,), starred)

    def set_marks(self, field: str, article_ids: Iterable[str], on: bool) -> int:
        """Set the `field` mark ("read", "starred") of many articles in one transaction;
        returns how many changed."""
        return self._change(field, article_ids, on)

    def toggle_read(self, article_id: str) -> bool:
        """Flip the read mark; returns the new state."""
        with self._lock:
            new = not self.is_read(article_id)
            self.set_read(article_id, new)
            return new

    def toggle_starred(self, article_id: str) -> bool:
        """Flip the star; returns the new state."""
        with self._lock:
            new = not self.is_starred(article_id)
            self.set_starred(article_id, new)
            return new

    def set_setting(self, key: str, value: str) -> None:
        """Store a small string setting (e.g. "hide_read" -> "1", or some JSON).

        Raises:
            TypeError: `value` is not a string (it would come back as something else).
        """
        if not isinstance(value, str):
            raise TypeError(f"setting {key!r} must be a str, not {type(value).__name__}")
        with self._lock:
            self._settings[key] = value
            if self._since_open is not None:
                self._since_open[1][key] = value
            self._save({}, {key: value})

    def _change(self, col: str, article_ids: Iterable[str], on: bool) -> int:
        """Set `col` for the ids in memory, then save them; returns how many changed."""
        ids = list(dict.fromkeys(article_ids))  # without duplicates, so the count is right
        with self._lock:
            marked = self._marks[col]
            if isinstance(marked, frozenset):  # as loaded: read_ids() keeps that one
                marked = self._marks[col] = set(marked)
            changed = sum((article_id in marked) != on for article_id in ids)
            (marked.update if on else marked.difference_update)(ids)
            self._frozen.pop(col, None)
            if self._since_open is not None:
                self._since_open[0].update({(article_id, col): on for article_id in ids})
            if self.on_marks_changing is not None:
                self.on_marks_changing()
            # Written even when memory says unchanged: another reader may have changed the file.
            self._save({(article_id, col): on for article_id in ids}, {})
            if self.on_marks_changed is not None:
                self.on_marks_changed(col, ids, on)
            return changed

    def _save(self, marks: dict[tuple[str, str], bool], settings: dict[str, str]) -> None:
        """Write these changes and any pending ones; on failure keep them pending, add a notice."""
        with self._lock:
            self._check_file()
            marks = self._pending | marks
            settings = self._pending_settings | settings
            if self._conn is None:
                if self._reopen_timeout is not None:  # kept for when the file opens
                    self._pending, self._pending_settings = marks, settings
                return
            try:
                self._write(self._conn, marks, settings)
            except sqlite3.Error as err:
                if is_corrupt(err) and self._since_open is not None:
                    # Damage met before the check after the open: the file is replaced now,
                    # with this change, as the check would have.
                    self._checked_after_open(str(err))
                    return
                # A full disk or a folder turned read-only: every change stays in memory
                # and in `_pending`, and is written again with the next write or refresh.
                self._pending, self._pending_settings = marks, settings
                if not self._failing:
                    self._failing = True
                    self._say(
                        f"Could not save reading state to {self.path} ({err}); changes are "
                        "kept for this session and saved as soon as writing works again."
                    )
            else:
                self._pending, self._pending_settings = {}, {}
                if self._failing:
                    self._failing = False
                    self._say(f"Reading state is saved again to {self.path}.")

    @staticmethod
    def _write(
        conn: sqlite3.Connection, marks: dict[tuple[str, str], bool], settings: dict[str, str]
    ) -> None:
        """One short transaction with every given change, committed before returning."""
        with write_transaction(conn):
            now = _now()
            for col in _COLUMNS:
                ids = [(a, on) for (a, c), on in marks.items() if c == col]
                conn.executemany(_SET_SQL[col], [(a, now) for a, on in ids if on])
                conn.executemany(_UNSET_SQL[col], [(a,) for a, on in ids if not on])
            conn.executemany(_PRUNE_SQL, [(a,) for (a, _), on in marks.items() if not on])
            conn.executemany(_SETTING_SQL, settings.items())

    def _check_file(self) -> None:
        """Start afresh if the file under the connection was deleted, replaced or truncated."""
        if self._conn is not None and self.path is not None:
            what = how_lost(self.path, self._file)
            if what is not None:
                self._start_afresh(what)

    def _start_afresh(self, what: str) -> None:
        """Write every mark held to a fresh file (or into a reader file put in its place).

        The old connection is closed first: its WAL would otherwise be written back into
        a truncated file, which the next start would find damaged.
        """
        assert self._conn is not None and self.path is not None
        conn, self._conn = self._conn, None
        let_go(conn)
        held = {(a, col): True for col in _COLUMNS for a in self._marks[col]}
        self._pending = held | self._pending
        self._pending_settings = self._settings | self._pending_settings
        try:
            if what == "truncated":  # what is left of the reader's own file, kept aside
                move_aside(self.path)
            self._conn = self._connect_or_replace(self._timeout)
        except (sqlite3.Error, Damaged, OSError, ForeignFile, NewerSchema, NotOurs) as err:
            self.read_only, self._reopen_timeout = True, None
            self._say(
                f"The reading-state file {self.path} was {what} while the reader ran, and "
                f"cannot be written now ({err}); marks are kept for this session only."
            )
            return
        into = "into the reading-state file now there" if what == "replaced" else "to a fresh file"
        self._say(
            f"The reading-state file {self.path} was {what} while the reader ran; every "
            f"mark held was written {into}."
        )

    # Life cycle

    def retry_pending(self) -> bool:
        """Write the changes a failed write kept; True when none remain.

        A file that could not even be opened (a full disk at start) is tried again first.
        """
        with self._lock:
            self._check_file()  # called on a timer: a deleted file is noticed unprompted
            if not (self._pending or self._pending_settings):
                return True
            if self._conn is None and (self._reopen_timeout is None or not self._reopen()):
                return False
            self._save({}, {})
            return not (self._pending or self._pending_settings)

    def refresh(self) -> None:
        """Retry pending writes, then re-read marks and settings from the file.

        Another reader may have written; changes that could not be saved yet stay.
        """
        with self._lock:
            self._check_file()
            if self._conn is None:
                return
            if self._pending or self._pending_settings:
                self._save({}, {})
            try:
                # Nobody else committed since the last load: memory is already the file.
                if self._conn.execute("PRAGMA data_version").fetchone()[0] != self._data_version:
                    self._reload(self._conn)
            except sqlite3.Error as err:
                self._notice(f"Could not re-read reading state from {self.path} ({err}).")

    def close(self) -> None:
        """Retry pending writes and close the file; the store keeps answering from memory."""
        if self._later_check is not None:
            self._later_check.stop()  # a check under way ends at once
        with self._lock:
            self.retry_pending()
            if self._conn is None:
                return
            conn, self._conn = self._conn, None
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def __enter__(self) -> StateStore:
        """Use as a context manager that closes on exit."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the store."""
        self.close()
