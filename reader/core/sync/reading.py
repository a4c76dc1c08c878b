"""Reading another machine's log from where the last read stopped.

A log unchanged since it was read to its end (same size and time) is not opened again. A
log rewritten by its machine (a new epoch in its header) or shorter than the place read
up to is read again from its start: merging a change twice changes nothing. At most
`MAX_CHUNK_BYTES` are read per log per pull; `Batch.more` says that more is waiting.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from reader.core.sync.logfile import (
    MAX_CHUNK_BYTES,
    MAX_HEADER_BYTES,
    MarkChange,
    parse_changes,
    parse_header,
    read_at,
    whole_lines,
)
from reader.core.sync.table import LogSeen

TAIL_BYTES = 64  # enough to tell one change line from another
RACY_NS = 2_000_000_000  # a log changed this close to its last read is looked at again
_WHAT = {("read", True): "read", ("read", False): "unread", ("starred", True): "starred"}


@dataclass(frozen=True, slots=True)
class Batch:
    """The changes of one read of a log, and where the next read starts."""

    changes: list[MarkChange]
    seen: LogSeen
    more: bool  # the read stopped at its size cap: read again at once


def describe(change: MarkChange) -> str:
    """`read ID`, `unread ID`, `starred ID`, `unstarred ID`, for `reader sync`."""
    what = _WHAT.get((change.field, change.value), f"un{change.field}")
    return f"{what} {change.article_id}"


class LogReader:
    """Reads the logs of other machines, whole lines only, bounded."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = tuple(fields)

    def read(self, path: Path, machine: str, seen: LogSeen | None) -> Batch | None:
        """What the log at `path` gained since `seen`; None when nothing is new (or its
        header is still being copied).

        Raises:
            OSError: the log cannot be read; NotALog: it is not a log this reader reads.
        """
        checked = time.time_ns()
        info = os.stat(path)
        if seen is not None and _unchanged(seen, info):
            return None
        head, _ = read_at(path, 0, MAX_HEADER_BYTES)
        header = parse_header(head)
        if header is None:
            return None
        same_log = seen if seen is not None and seen.epoch == header.epoch else None
        resumed, start, tail, data, info = _read_on(path, header.size, same_log)
        lines = whole_lines(data)
        if not lines and len(data) >= MAX_CHUNK_BYTES:
            lines = data  # one line longer than a whole read: skipped as not understood
        changes, skipped = parse_changes(lines, self.fields)
        at_end = start + len(data) >= info.st_size  # all read, but for a torn last line
        counted = same_log if resumed and same_log is not None else None
        new_seen = LogSeen(
            machine=machine,
            epoch=header.epoch,
            read_to=start + len(lines),
            tail=(tail + lines)[-TAIL_BYTES:],
            size=info.st_size if at_end else -1,
            mtime_ns=info.st_mtime_ns if at_end else -1,
            checked_ns=checked,
            changes=(counted.changes if counted else 0) + len(changes),
            skipped=(counted.skipped if counted else 0) + skipped,
            last_wall=seen.last_wall if seen else None,
            last_change=seen.last_change if seen else None,
        )
        return Batch(changes, _with_latest(new_seen, changes), more=not at_end)


def _read_on(
    path: Path, first: int, seen: LogSeen | None
) -> tuple[bool, int, bytes, bytes, os.stat_result]:
    """Read on from where `seen` stopped, if the bytes read last are found there again;
    else (the log changed otherwise than by lines added) afresh from `first`, its first
    line after the header. Whether it read on, where, the bytes read last, the new bytes,
    and the file's status."""
    if seen is not None and first <= seen.read_to:
        tail = seen.tail
        data, info = read_at(path, seen.read_to - len(tail), MAX_CHUNK_BYTES + len(tail))
        if seen.read_to <= info.st_size and data.startswith(tail):
            return True, seen.read_to, tail, data[len(tail) :], info
    data, info = read_at(path, first, MAX_CHUNK_BYTES)
    return False, first, b"", data, info


def _unchanged(seen: LogSeen, info: os.stat_result) -> bool:
    """Whether the log is as it was when read to its end. Size and time say so only for a
    file last changed well before that read: file times are coarse (a few milliseconds), so
    a copy made just after the read could show the same ones (git's "racy clean" rule)."""
    same = (seen.size, seen.mtime_ns) == (info.st_size, info.st_mtime_ns)
    return same and info.st_mtime_ns < seen.checked_ns - RACY_NS


def _with_latest(seen: LogSeen, changes: list[MarkChange]) -> LogSeen:
    """`seen` naming the latest of `changes` if it is later than the one it names."""
    if not changes:
        return seen
    top = max(changes, key=lambda change: change.order)
    if seen.last_wall is not None and top.stamp.wall < seen.last_wall:
        return seen
    return replace(seen, last_wall=top.stamp.wall, last_change=describe(top))
