"""This machine's own log: appended to with every local change, checked and rewritten.

Only the file named after this machine is ever written, and only once its header names
this machine (or it is empty: a log truncated to nothing holds nothing to lose). A log
that was deleted, truncated, or brought back older by a sync tool is rewritten with every
change this machine made that the state still holds; a log grown long with changes since
superseded is compacted the same way. Both rewrite by renaming a temporary file over it.
Called inside a write transaction on the state database, which keeps two processes of
this machine (the app and `reader mark`) from writing the log at once.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from reader.core.model import plural
from reader.core.sync import table
from reader.core.sync.logfile import (
    MAX_HEADER_BYTES,
    MarkChange,
    NotALog,
    append,
    change_line,
    header_line,
    new_id,
    parse_header,
    read_at,
    rewrite,
)

COMPACT_AFTER_LINES = 1000  # and twice the changes kept: a log is compacted past both


class ForeignLog(Exception):
    """A file under this machine's log name that is not this machine's log; says why."""


class OwnLog:
    """This machine's log file and what the state remembers of it (`sync_meta`)."""

    def __init__(self, path: Path, machine: str) -> None:
        self.path = path
        self.machine = machine

    def append(self, conn: sqlite3.Connection, changes: list[MarkChange]) -> str | None:
        """Write `changes` at the end of the log (checked first, see `check`, whose news
        it returns) and remember its size."""
        news = self.check(conn)
        size = append(self.path, b"".join(change_line(change) for change in changes))
        lines = int(table.meta(conn, "own_lines") or 0) + len(changes)
        table.set_meta(conn, own_size=size, own_lines=lines)
        return news

    def check(self, conn: sqlite3.Connection) -> str | None:
        """Rewrite the log if it is missing, truncated, older than ours or long; returns
        what happened to it when that is news for the user, else None.

        Raises:
            ForeignLog: the file there is not this machine's log (it is left alone).
            OSError: it cannot be read or written.
        """
        epoch = table.meta(conn, "own_epoch")
        size = int(table.meta(conn, "own_size") or 0)
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            return self._rewrite(conn, "was missing" if epoch else None)
        if epoch is not None and info.st_size == size:
            return self._compact_if_long(conn)
        head, info = read_at(self.path, 0, MAX_HEADER_BYTES)
        try:
            header = parse_header(head)
        except NotALog as error:
            raise ForeignLog(f"{self.path} is not this machine's sync log ({error})") from None
        if header is not None and header.machine != self.machine:
            raise ForeignLog(f"{self.path} is the sync log of another machine ({header.machine})")
        if header is None:  # torn to nothing
            return self._rewrite(conn, None if epoch is None else "was truncated")
        if epoch is None:  # this state's first look at its log (its file started afresh)
            table.set_meta(conn, own_epoch=header.epoch, own_size=info.st_size)
            return None
        if header.epoch != epoch:
            return self._rewrite(conn, "was replaced by an older copy")
        if info.st_size < size:
            return self._rewrite(conn, "was truncated")
        table.set_meta(conn, own_size=info.st_size)  # grown by another process of ours
        return None

    def _compact_if_long(self, conn: sqlite3.Connection) -> str | None:
        lines = int(table.meta(conn, "own_lines") or 0)
        kept = int(table.meta(conn, "own_kept") or 0)
        if lines > COMPACT_AFTER_LINES and lines > 2 * kept:
            self._rewrite(conn, None)
        return None

    def _rewrite(self, conn: sqlite3.Connection, what: str | None) -> str | None:
        """The log afresh (a new epoch: readers start again): header and own changes held."""
        epoch = new_id()
        changes = table.own(conn, self.machine)
        content = header_line(self.machine, epoch) + b"".join(map(change_line, changes))
        rewrite(self.path, content)
        table.set_meta(
            conn,
            own_epoch=epoch,
            own_size=len(content),
            own_lines=len(changes),
            own_kept=len(changes),
        )
        if what is None:
            return None
        return (
            f"This machine's sync log {self.path} {what}; it was written again with the "
            f"{plural(len(changes), 'mark change')} this machine made that still hold."
        )
