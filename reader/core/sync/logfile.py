"""One machine's log in the sync folder: `reader-<machine>.jsonl`, JSON Lines.

The first line is a header naming the machine, the format and the log's epoch (a new one
each time the machine rewrites its log, so that readers know to read it again from the
start); every other line is one mark change:

    {"reader_sync": 1, "machine": "3f…", "epoch": "9a…"}
    {"id": "ed5a…", "field": "read", "value": true, "clock": [1733534400000, 0], "machine": "3f…"}

Lines are only ever appended, whole, in one write; the machine rewrites its own log by
writing a temporary file and renaming it over. Reading takes whole lines only: a last
line caught mid-copy by a sync tool is read once it is whole. Unknown keys in a line are
ignored, a line not understood is skipped (counted), and every read is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reader.core.sync.clock import Stamp

FORMAT = 1  # a log whose header names a later format is left unread (and untouched)
PREFIX, SUFFIX = "reader-", ".jsonl"
MAX_HEADER_BYTES = 4096
# Read per log per pull; the rest comes with the next, at once. ~10,000 changes: what a
# pull holds while it merges (a first merge of 225,000 changes at 4 MiB: VmHWM +13 MB).
MAX_CHUNK_BYTES = 1024 * 1024
MAX_ID_CHARS = 1024
MACHINE_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC


@dataclass(frozen=True, slots=True)
class MarkChange:
    """One mark change: article `article_id`'s `field` ("read", "starred") set to `value`."""

    article_id: str
    field: str
    value: bool
    stamp: Stamp

    @property
    def order(self) -> tuple[Stamp, bool]:
        """What decides between two changes of one mark: the later stamp (then the value,
        so that even a stamp issued twice decides the same way everywhere)."""
        return (self.stamp, self.value)


@dataclass(frozen=True, slots=True)
class Header:
    machine: str
    epoch: str
    format: int
    size: int  # bytes of the header line, newline included


class NotALog(Exception):
    """The file is not a reader sync log (or not one this reader can read); says why."""


def log_name(machine: str) -> str:
    return f"{PREFIX}{machine}{SUFFIX}"


def machine_of(path: Path) -> str | None:
    """The machine id a log's name gives, None for any other file."""
    name = path.name
    if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
        return None
    machine = name[len(PREFIX) : -len(SUFFIX)]
    return machine if MACHINE_ID.fullmatch(machine) else None


def new_id() -> str:
    """A fresh random machine id or epoch."""
    return secrets.token_hex(8)


def header_line(machine: str, epoch: str) -> bytes:
    record = {"reader_sync": FORMAT, "machine": machine, "epoch": epoch}
    return json.dumps(record, separators=(",", ":")).encode() + b"\n"


def change_line(change: MarkChange) -> bytes:
    stamp = change.stamp
    record = {
        "id": change.article_id,
        "field": change.field,
        "value": change.value,
        "clock": [stamp.wall, stamp.counter],
        "machine": stamp.machine,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def read_at(path: Path, offset: int, limit: int) -> tuple[bytes, os.stat_result]:
    """At most `limit` bytes of a regular file from `offset` (never a pipe or a device).

    Raises:
        OSError: it cannot be read, or it is not a regular file (said in the message).
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if offset >= info.st_size:
            return b"", info
        os.lseek(fd, offset, os.SEEK_SET)
        chunks, left = [], min(limit, info.st_size - offset)
        while left > 0 and (chunk := os.read(fd, left)):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks), info
    finally:
        os.close(fd)


def parse_header(data: bytes) -> Header | None:
    """The header from a log's first bytes; None while its first line is not whole yet.

    Raises:
        NotALog: the first line is not a reader sync log's header, or of a later format.
    """
    end = data.find(b"\n")
    if end < 0:
        if len(data) >= MAX_HEADER_BYTES:
            raise NotALog("its first line is not a reader sync header")
        return None
    try:
        record = json.loads(data[:end])
    except ValueError:
        raise NotALog("its first line is not a reader sync header") from None
    if not isinstance(record, dict) or not isinstance(record.get("reader_sync"), int):
        raise NotALog("its first line is not a reader sync header")
    machine, epoch = record.get("machine"), record.get("epoch")
    if not (isinstance(machine, str) and MACHINE_ID.fullmatch(machine)):
        raise NotALog("its header names no machine")
    if not (isinstance(epoch, str) and MACHINE_ID.fullmatch(epoch)):
        raise NotALog("its header has no epoch")
    if record["reader_sync"] > FORMAT:
        raise NotALog(
            f"it was written by a newer reader (format {record['reader_sync']}; this one "
            f"reads {FORMAT}), so it is left unread"
        )
    return Header(machine, epoch, record["reader_sync"], end + 1)


def whole_lines(data: bytes) -> bytes:
    """`data` up to its last newline: a torn last line waits for the next read."""
    return data[: data.rfind(b"\n") + 1]


def parse_changes(data: bytes, fields: Iterable[str]) -> tuple[list[MarkChange], int]:
    """The changes in whole lines of a log, and how many lines were not understood.

    A line with a field this reader does not know (a newer reader's) is skipped, as is
    one with keys missing or of the wrong type; unknown extra keys are ignored.
    """
    known = frozenset(fields)
    changes: list[MarkChange] = []
    skipped = 0
    for line in data.splitlines():
        change = _change(line, known)
        if change is None:
            skipped += bool(line.strip())
        else:
            changes.append(change)
    return changes, skipped


def _change(line: bytes, known: frozenset[str]) -> MarkChange | None:
    try:
        record = json.loads(line)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    article_id, field, value = record.get("id"), record.get("field"), record.get("value")
    clock, machine = record.get("clock"), record.get("machine")
    if not (isinstance(article_id, str) and 0 < len(article_id) <= MAX_ID_CHARS):
        return None
    if field not in known or not isinstance(value, bool):
        return None
    if not (isinstance(machine, str) and MACHINE_ID.fullmatch(machine)):
        return None
    if not (isinstance(clock, list) and len(clock) == 2 and all(_count(n) for n in clock)):
        return None
    return MarkChange(article_id, str(field), value, Stamp(clock[0], clock[1], machine))


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62


def append(path: Path, lines: bytes) -> int:
    """Append whole lines in one write to this machine's own log; returns its new size.

    Raises:
        OSError: the folder or the file cannot be written (a full disk, a folder gone).
    """
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    fd = os.open(path, flags)
    try:
        start = os.fstat(fd).st_size
        try:
            _write_all(fd, lines)
        except OSError:
            # Half a line left would be taken for the log grown by another process of ours,
            # and the next line would be glued to it: whole lines, or nothing.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
            raise
        return os.fstat(fd).st_size
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def rewrite(path: Path, content: bytes) -> None:
    """Replace this machine's own log at once: a temporary file of its own, renamed over.

    Raises:
        OSError: as for `append`.
    """
    temporary = path.with_name(f".{path.name}.tmp")  # named after the log: only ours
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
    fd = os.open(temporary, flags, 0o644)
    try:
        _write_all(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
