"""The sync folder: this machine's log written, every other machine's merged in.

`SyncFolder.open(store, folder)` ties a `StateStore` to the folder: every mark change
made through the store (the app's, `reader mark`'s) is appended to this machine's log,
and `pull()` merges the lines other machines' logs gained since the last pull. Per
article and field the later change wins (stamp order: the hybrid clock, then the machine
id), so every machine reaches the same marks whatever order the files arrive in.

Marks merged in are set on the store with the log switched off for the calling thread, so
they are never logged again as this machine's. What the state holds of the sync (the
winning change per mark, where each log was read up to) lives in the state database
(`reader.core.sync.table`); a merge records its winners before it applies them, and
`open` finishes one a crash interrupted, and logs any mark the state holds that was never
logged (made before sync was on, or while the log could not be written).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from reader.core.notices import Notices
from reader.core.storage.sqlite import connect, file_id, write_transaction
from reader.core.storage.state import DEFAULT_TIMEOUT, StateStore
from reader.core.storage.state_marks import marked_among
from reader.core.sync import table
from reader.core.sync.clock import Stamp, issue, later, physical_ms
from reader.core.sync.logfile import (
    MarkChange,
    NotALog,
    log_name,
    machine_of,
    new_id,
)
from reader.core.sync.ownlog import ForeignLog, OwnLog
from reader.core.sync.reading import LogReader

FIELDS = ("read", "starred")  # the marks shared; a newer reader's other fields are skipped
MAX_LOGS = 1000  # logs merged per pull: a folder of more is not a sync folder of machines
Local = tuple[str, str, bool]  # article id, field, value


class SyncUnavailable(Exception):
    """The folder cannot be used now; the message says why (the marks stay local)."""


class SyncFolder(Notices):
    """One state's side of a sync folder. Thread-safe: every call holds the store's lock."""

    def __init__(
        self,
        store: StateStore,
        folder: Path,
        conn: sqlite3.Connection,
        clock: Callable[[], int] = physical_ms,
    ) -> None:
        super().__init__()
        self.store = store
        self.clock = clock  # the system clock in ms (a test gives each machine its own)
        self.folder = folder
        self.problems: dict[str, str] = {}  # log name -> why it could not be read now
        self.more = False  # the last pull left lines to read (a log longer than one read)
        self._conn = conn
        self._db = file_id(store.path) if store.path else None
        self._merging = threading.local()  # set while merged marks go onto the store
        self._unlogged = False  # a local change could not be logged: `pull` tries again
        self._clock_before: tuple[int, int] | None = None  # as a local change was saved
        self._closed = False
        self.machine = _machine_id(conn)
        self.log_path = folder / log_name(self.machine)
        self._own = OwnLog(self.log_path, self.machine)
        self._reader = LogReader(FIELDS)

    @classmethod
    def open(
        cls,
        store: StateStore,
        folder: Path,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], int] = physical_ms,
    ) -> SyncFolder:
        """Tie `store` to `folder`: its changes logged, the state made whole (see above).

        Raises:
            SyncUnavailable: the folder is missing, or the state is not saved this session.
        """
        if store.read_only or store.path is None:
            raise SyncUnavailable("the reading state is not saved this session")
        if not folder.is_dir():
            raise SyncUnavailable(f"the sync folder {folder} does not exist or is not a folder")
        try:
            sync = cls(store, folder, _connect(store.path, timeout), clock)
        except sqlite3.Error as error:
            raise SyncUnavailable(f"the reading state cannot be opened ({error})") from None
        with store.lock:
            sync._make_whole()
            store.on_marks_changing = sync._before_local_change
            store.on_marks_changed = sync._local_change
        return sync

    # --- this machine's changes ---------------------------------------------------------

    def _before_local_change(self) -> None:
        """The store's observer before it saves a change: the clock then (see `_log`).

        Only read from the connection open now: `_connection` may refresh the store,
        which must not happen halfway through its change.
        """
        self._clock_before = None
        path = self.store.path
        if self._closed or getattr(self._merging, "on", False) or path is None:
            return
        if file_id(path) == self._db:
            with contextlib.suppress(sqlite3.Error):
                self._clock_before = table.clock(self._conn)

    def _local_change(self, field: str, article_ids: list[str], value: bool) -> None:
        """The store's observer: log a change the user (or a script) made here."""
        since, self._clock_before = self._clock_before, None
        if getattr(self._merging, "on", False) or self._closed or field not in FIELDS:
            return
        if not article_ids:  # nothing to log: no transaction either
            return
        changes = [(article_id, field, value) for article_id in article_ids]

        def still_to_log(conn: sqlite3.Connection) -> list[Local]:
            still = _still_to_log(conn, self.machine, changes, since)
            # One not on the file may be a save that failed (kept in memory, saved later):
            # the next pull compares the marks with the log again.
            self._unlogged |= len(still) < len(changes)
            return still

        with self.store.lock:
            self._log(still_to_log)

    def _log(self, pick: Callable[[sqlite3.Connection], list[Local]]) -> int | None:
        """Stamp the changes `pick` gives and append them to this machine's log; how many
        were, None when that failed (said once).

        `pick` reads the state inside the write transaction that logs its answer: another
        process of this machine (the app, `reader mark`) cannot log the same changes
        between the look and the log, which would put them in the log twice.
        """
        try:
            conn = self._connection()
            with write_transaction(conn):
                changes = pick(conn)
                news = self._append(conn, changes) if changes else None
        except (OSError, sqlite3.Error, ForeignLog) as error:
            self._unlogged = True
            self._notice(
                f"Marks are not shared for now: {error}. They are kept here and "
                "logged once the sync log can be written."
            )
            return None
        if news is not None:
            self._say(news)
        return len(changes)

    def _append(self, conn: sqlite3.Connection, changes: list[Local]) -> str | None:
        """Stamp and log `changes` (in the caller's transaction); the own log's news."""
        pairs = issue(table.clock(conn), self.clock(), len(changes))
        stamped = [
            MarkChange(article_id, field, value, Stamp(wall, counter, self.machine))
            for (article_id, field, value), (wall, counter) in zip(changes, pairs, strict=True)
        ]
        news = self._own.append(conn, stamped)
        table.record_local(conn, stamped)
        table.set_clock(conn, pairs[-1])
        return news

    def _make_whole(self) -> None:
        """Finish a merge a crash interrupted, and log every mark never logged."""
        self._unlogged = False  # set again if the log cannot be written
        self.store.refresh()  # another process of this machine may have marked meanwhile
        conn = self._connection()
        self._apply(table.unapplied(conn))
        marked = {field: _marked_ids(self.store, field) for field in FIELDS}

        def unlogged(conn: sqlite3.Connection) -> list[Local]:
            # The store was read before this transaction: another process of this machine
            # may have changed (and logged) marks since, so only what the file holds now.
            differing = _unlogged(conn, marked)
            still = _on_file(conn, differing)
            self._unlogged |= len(still) < len(differing)  # looked at again next pull
            return still

        if self._log(unlogged) == 0:
            self._check_own_log()

    def _check_own_log(self) -> None:
        try:
            conn = self._connection()
            with write_transaction(conn):
                news = self._own.check(conn)
        except (OSError, sqlite3.Error, ForeignLog) as error:
            self._unlogged = True
            self._notice(f"Marks are not shared for now: {error}.")
            return
        if news is not None:
            self._say(news)

    # --- other machines' changes --------------------------------------------------------

    def pull(self) -> list[MarkChange]:
        """Merge what other machines' logs gained since the last pull; the changes that
        changed a mark here. Cheap when nothing changed (a stat per log)."""
        with self.store.lock:
            if self._closed:
                return []
            if self._unlogged:
                self._make_whole()
            else:
                self._check_own_log()
            changed: list[MarkChange] = []
            self.more = False
            seen = table.logs_seen(self._connection())  # read once: each pull saves its own
            for path, machine in self._other_logs():
                changed += self._pull_log(path, machine, seen.get(machine))
            return changed

    def _other_logs(self) -> list[tuple[Path, str]]:
        try:
            with os.scandir(self.folder) as entries:
                names = [
                    entry.name for _, entry in zip(range(100 * MAX_LOGS), entries, strict=False)
                ]
        except OSError as error:
            self._notice(f"The sync folder {self.folder} cannot be read ({error}).")
            return []
        logs = [(self.folder / name, machine_of(Path(name))) for name in sorted(names)]
        return [(path, m) for path, m in logs if m is not None and m != self.machine][:MAX_LOGS]

    def _pull_log(self, path: Path, machine: str, seen: table.LogSeen | None) -> list[MarkChange]:
        """Merge the new whole lines of one log (`seen`: how far it was read); a log that
        cannot be read is a problem."""
        try:
            batch = self._reader.read(path, machine, seen)
        except OSError as error:
            self.problems[path.name] = f"{path}: cannot be read ({error.strerror or error})"
            return []
        except NotALog as error:
            self.problems[path.name] = f"{path}: not read: {error}"
            return []
        self.problems.pop(path.name, None)
        if batch is None:
            return []
        self.more |= batch.more
        return self._apply(self._record(batch.changes, batch.seen))

    def _record(self, changes: list[MarkChange], seen: table.LogSeen) -> list[MarkChange]:
        """Record the changes later than those held, and how far the log was read."""
        latest: dict[tuple[str, str], MarkChange] = {}
        for change in changes:
            key = (change.article_id, change.field)
            if key not in latest or change.order > latest[key].order:
                latest[key] = change
        conn = self._connection()
        with write_transaction(conn):
            won = table.record_if_later(conn, latest.values())
            if changes:
                top = max((c.stamp.wall, c.stamp.counter) for c in changes)
                table.set_clock(conn, later(table.clock(conn), top))
            table.save_log_seen(conn, seen)
        return won

    def _apply(self, changes: list[MarkChange]) -> list[MarkChange]:
        """Set merged changes on the store (not logged again); those that changed a mark."""
        changed = [c for c in changes if _is_marked(self.store, c.field, c.article_id) != c.value]
        groups: dict[tuple[str, bool], list[str]] = defaultdict(list)
        for change in changed:
            groups[(change.field, change.value)].append(change.article_id)
        self._merging.on = True
        try:
            for (field, value), article_ids in groups.items():
                self.store.set_marks(field, article_ids, value)
        finally:
            self._merging.on = False
        conn = self._connection()
        with write_transaction(conn):
            table.mark_applied(conn, changes)
        return changed

    # --- the rest -----------------------------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        """The state database; opened again once the store started a fresh file (after
        `state.db` was deleted or replaced), keeping this machine's id. Never creates the
        file itself: that is the store's, with the reader's mark.

        Raises:
            sqlite3.Error: the store has no file now (it works in memory).
        """
        path = self.store.path
        if path is None or file_id(path) == self._db:
            return self._conn
        self.store.refresh()  # the store notices the loss and starts its fresh file first
        if self.store.read_only or file_id(path) is None:
            raise sqlite3.OperationalError(f"the reading-state file {path} is gone")
        self._conn.close()
        self._conn, self._db = _connect(path, DEFAULT_TIMEOUT), file_id(path)
        with write_transaction(self._conn):
            table.set_meta(self._conn, machine=self.machine)
        self._unlogged = True  # the fresh file knows no log: the next pull makes it whole
        return self._conn

    def close(self) -> None:
        """Stop logging the store's changes and close the database connection."""
        with self.store.lock:
            self._closed = True
            if self.store.on_marks_changed == self._local_change:
                self.store.on_marks_changed = None
            self._conn.close()


def _connect(path: Path, timeout: float) -> sqlite3.Connection:
    def setup(conn: sqlite3.Connection) -> None:
        with write_transaction(conn):
            table.create(conn)

    return connect(path, timeout, setup=setup)


def _machine_id(conn: sqlite3.Connection) -> str:
    """This state's machine id, made once (in one transaction: two processes agree)."""
    with write_transaction(conn):
        machine = table.meta(conn, "machine")
        if machine is None:
            machine = new_id()
            table.set_meta(conn, machine=machine)
    return machine


def _unlogged(conn: sqlite3.Connection, marked: dict[str, frozenset[str]]) -> list[Local]:
    """The changes that bring the log to the `marked` ids: marks the state holds that were
    never logged (made before sync was on, or while the log could not be written)."""
    # Sets of ids, not a change object per held row: this runs at every start, and at
    # 100,000 articles shared by three machines the state holds ~100,000 changes.
    unlogged: list[Local] = []
    for field, ids in marked.items():
        logged_on = table.held_on(conn, field)
        unlogged += [(a, field, True) for a in sorted(ids - logged_on)]
        unlogged += [(a, field, False) for a in sorted(logged_on - ids)]
    return unlogged


def _still_to_log(
    conn: sqlite3.Connection, machine: str, changes: list[Local], since: tuple[int, int] | None
) -> list[Local]:
    """`changes`, saved just now, less those another process of this machine (the app,
    `reader mark`) took care of since `since`, the clock before they were saved: those
    it logged itself (it found them saved and unlogged when it opened its sync folder),
    and those it changed again on the file (its change is the later one, which it logs)."""
    if since is None:
        return changes
    logged = {(c.article_id, c.field, c.value) for c in table.own_since(conn, machine, since)}
    if not logged:  # no other process of ours logged since: any later change comes after
        return changes
    return _on_file(conn, [change for change in changes if change not in logged])


def _on_file(conn: sqlite3.Connection, changes: list[Local]) -> list[Local]:
    """Those of `changes` that the state file holds now (read in the caller's transaction)."""
    on_file: set[Local] = set()
    for field, value in {(field, value) for _, field, value in changes}:
        ids = [a for a, f, v in changes if (f, v) == (field, value)]
        marked = marked_among(conn, field, ids)
        on_file.update((a, field, value) for a in (marked if value else set(ids) - marked))
    return [change for change in changes if change in on_file]


def _marked_ids(store: StateStore, field: str) -> frozenset[str]:
    return store.read_ids() if field == "read" else store.starred_ids()


def _is_marked(store: StateStore, field: str, article_id: str) -> bool:
    return store.is_read(article_id) if field == "read" else store.is_starred(article_id)
