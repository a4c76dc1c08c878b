"""The sync log's format, its file access and the clock, at their edges.

Plain functions of reader.core.sync.clock and reader.core.sync.logfile, each at the edge
where a slip would go unseen by the merging tests (test_sync.py, test_sync_merge.py): a
stamp issued twice, a name taken for a log that is not one, a byte lost in a short read,
a line that is not a change read as one, a file of someone else written through a link.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.core.sync import FIELDS, MarkChange, Stamp
from reader.core.sync.clock import issue, physical_ms
from reader.core.sync.logfile import (
    FORMAT,
    MAX_HEADER_BYTES,
    MAX_ID_CHARS,
    Header,
    NotALog,
    append,
    change_line,
    header_line,
    machine_of,
    parse_changes,
    parse_header,
    read_at,
    rewrite,
)

# --- the clock ---------------------------------------------------------------------------


def test_the_system_clock_is_read_in_whole_milliseconds(monkeypatch: pytest.MonkeyPatch) -> None:
    # A fraction would be written into the log, where the other machines skip it.
    monkeypatch.setattr(time, "time_ns", lambda: 1_800_000_000_123_999_999)
    assert physical_ms() == 1_800_000_000_123
    assert isinstance(physical_ms(), int)


def test_a_stamp_in_a_new_millisecond_starts_its_counter_at_zero() -> None:
    # As the format's example line says ("clock": [ms, 0]): the counter only counts the
    # changes within one millisecond.
    assert issue((100, 7), 105, 3) == [(105, 0), (105, 1), (105, 2)]


def test_a_clock_standing_still_or_set_back_goes_on_counting() -> None:
    # The same millisecond again (a coarse system clock) must not issue a stamp twice.
    assert issue((100, 7), 100, 1) == [(100, 8)]
    assert issue((100, 7), 40, 2) == [(100, 8), (100, 9)]


# --- log names ---------------------------------------------------------------------------


def test_a_log_name_gives_its_machine() -> None:
    assert machine_of(Path("reader-3f9A_b-c.jsonl")) == "3f9A_b-c"


@pytest.mark.parametrize(
    "name",
    [
        "notes-2024.jsonl",  # a file of the user's: not named as a log
        "reader-abcdefghijk",  # no .jsonl
        "reader-.jsonl",  # no machine
        "reader-a.b.jsonl",  # not a machine id
        "reader-3f9a.sync-conflict-20261207-021100-ABCDEFG.jsonl",  # Syncthing's conflict copy
    ],
)
def test_any_other_name_gives_no_machine(name: str) -> None:
    assert machine_of(Path(name)) is None


# --- reading a file ----------------------------------------------------------------------


@pytest.fixture
def ten_bytes(tmp_path: Path) -> Path:
    path = tmp_path / "reader-m.jsonl"
    path.write_bytes(b"0123456789")
    return path


def test_a_read_at_or_past_the_end_gives_nothing(ten_bytes: Path) -> None:
    assert read_at(ten_bytes, 10, 5)[0] == b""
    assert read_at(ten_bytes, 25, 5)[0] == b""


def test_a_read_gives_what_is_there_up_to_its_limit(ten_bytes: Path) -> None:
    assert read_at(ten_bytes, 9, 5)[0] == b"9"  # the last byte alone
    assert read_at(ten_bytes, 2, 5)[0] == b"23456"
    assert read_at(ten_bytes, 0, 100)[0] == b"0123456789"


def test_short_reads_are_joined_whole(ten_bytes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_read = os.read

    def three_at_most(fd: int, size: int) -> bytes:
        return real_read(fd, min(size, 3))  # as a network file system may answer

    monkeypatch.setattr(os, "read", three_at_most)
    assert read_at(ten_bytes, 0, 100)[0] == b"0123456789"
    assert read_at(ten_bytes, 1, 7)[0] == b"1234567"


# --- the header --------------------------------------------------------------------------


def test_the_header_reads_back_what_is_written() -> None:
    line = header_line("m1", "e1")
    assert parse_header(line + b'{"id": "x"}\n') == Header("m1", "e1", FORMAT, len(line))


def test_a_first_line_still_being_copied_is_waited_for() -> None:
    assert parse_header(header_line("m1", "e1")[:-1]) is None
    assert parse_header(b"x" * (MAX_HEADER_BYTES - 1)) is None


NO_HEADER = "its first line is not a reader sync header"


@pytest.mark.parametrize(
    ("first_line", "reason"),
    [
        (b"", NO_HEADER),  # an empty first line: a file of someone else, not a torn one
        (b"my own notes", NO_HEADER),
        (b"[1, 2]", NO_HEADER),
        (b'"reader_sync"', NO_HEADER),
        (b'{"machine": "m1", "epoch": "e1"}', NO_HEADER),
        (b'{"reader_sync": "1", "machine": "m1", "epoch": "e1"}', NO_HEADER),
        (b'{"reader_sync": 1, "epoch": "e1"}', "its header names no machine"),
        (b'{"reader_sync": 1, "machine": 7, "epoch": "e1"}', "its header names no machine"),
        (b'{"reader_sync": 1, "machine": "../m1", "epoch": "e1"}', "its header names no machine"),
        (b'{"reader_sync": 1, "machine": "m1"}', "its header has no epoch"),
        (b'{"reader_sync": 1, "machine": "m1", "epoch": 7}', "its header has no epoch"),
        (b'{"reader_sync": 1, "machine": "m1", "epoch": "e 1"}', "its header has no epoch"),
    ],
)
def test_a_first_line_that_is_not_a_header_is_refused_with_the_reason(
    first_line: bytes, reason: str
) -> None:
    # The reason is what the user reads, after the file's name (SyncFolder.problems).
    with pytest.raises(NotALog) as refused:
        parse_header(first_line + b"\n" + header_line("m1", "e1"))
    assert str(refused.value) == reason


def test_a_first_line_too_long_for_a_header_is_refused_not_waited_for() -> None:
    with pytest.raises(NotALog) as refused:
        parse_header(b"x" * MAX_HEADER_BYTES)  # all a read of the header gives
    assert str(refused.value) == NO_HEADER


# --- change lines ------------------------------------------------------------------------


def line(**fields: object) -> bytes:
    record: dict[str, object] = {
        "id": "a1",
        "field": "read",
        "value": True,
        "clock": [1_800_000_000_000, 0],
        "machine": "m2",
    }
    return json.dumps(record | fields).encode() + b"\n"


@pytest.mark.parametrize(
    "fields",
    [
        {"id": ""},
        {"id": "x" * (MAX_ID_CHARS + 1)},
        {"machine": 7},
        {"machine": "m 2"},
        {"clock": 5},
        {"clock": {}},
        {"clock": [1]},
        {"clock": [1, 2, 3]},
        {"clock": ["1", 0]},
        {"clock": [1.5, 0]},
        {"clock": [True, 0]},
        {"clock": [-1, 0]},
        {"clock": [0, -1]},
        {"clock": [2**62, 0]},  # past what a clock may reach (it is counted on from there)
        {"clock": [0, 2**64]},
    ],
)
def test_a_change_line_not_understood_is_skipped_and_counted(fields: dict[str, object]) -> None:
    assert parse_changes(line(**fields) + line(id="a2"), FIELDS) == (
        [MarkChange("a2", "read", True, Stamp(1_800_000_000_000, 0, "m2"))],
        1,
    )


@pytest.mark.parametrize(
    ("article_id", "clock"),
    [
        ("x", [0, 0]),
        ("x" * MAX_ID_CHARS, [1, 2]),  # the longest id `reader mark` takes
        ("é\n", [2**62 - 1, 2**62 - 1]),
    ],
)
def test_a_change_line_at_the_edges_reads_back_as_written(
    article_id: str, clock: list[int]
) -> None:
    written = MarkChange(article_id, "starred", False, Stamp(clock[0], clock[1], "m2"))
    assert parse_changes(change_line(written), FIELDS) == ([written], 0)


# --- writing this machine's log ------------------------------------------------------------


NOT_FOLLOWED = re.escape(os.strerror(errno.ELOOP))  # what opening with O_NOFOLLOW says


@pytest.fixture
def someone_elses(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"mine\n")
    return path


def test_an_append_never_writes_through_a_link(tmp_path: Path, someone_elses: Path) -> None:
    log = tmp_path / "reader-m1.jsonl"
    log.symlink_to(someone_elses)
    with pytest.raises(OSError, match=NOT_FOLLOWED):
        append(log, b"line\n")
    assert someone_elses.read_bytes() == b"mine\n"


def test_a_rewrite_never_writes_through_a_link_at_its_temporary_name(
    tmp_path: Path, someone_elses: Path
) -> None:
    log = tmp_path / "reader-m1.jsonl"
    (tmp_path / f".{log.name}.tmp").symlink_to(someone_elses)
    with pytest.raises(OSError, match=NOT_FOLLOWED):
        rewrite(log, b"log\n")
    assert someone_elses.read_bytes() == b"mine\n"
    assert not log.exists()


def test_a_rewrite_leaves_nothing_of_a_temporary_file_a_crash_left(tmp_path: Path) -> None:
    log = tmp_path / "reader-m1.jsonl"
    (tmp_path / f".{log.name}.tmp").write_bytes(b"x" * 100)  # a rewrite cut short earlier
    rewrite(log, b"log\n")
    assert log.read_bytes() == b"log\n"


@pytest.fixture
def usual_umask() -> Iterator[None]:
    before = os.umask(0o022)
    yield
    os.umask(before)


@pytest.mark.usefixtures("usual_umask")
def test_a_rewritten_log_is_an_ordinary_file_readable_by_all(tmp_path: Path) -> None:
    # Sync tools carry the mode to the other machines: a log is data, never a program.
    log = tmp_path / "reader-m1.jsonl"
    rewrite(log, b"log\n")
    assert stat.S_IMODE(log.stat().st_mode) == 0o644


def test_an_append_cut_short_by_a_full_disk_leaves_no_half_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "reader-m1.jsonl"
    log.write_bytes(b'{"header": 1}\n')
    real_write = os.write
    calls = {"n": 0}

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError, match="No space left"):
        append(log, b'{"a": "one whole line"}\n')
    assert log.read_bytes() == b'{"header": 1}\n'
