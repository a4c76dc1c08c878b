"""The sync folder: marks shared between machines through their own logs (reader.core.sync).

Each "machine" here is a state file of its own, tied to one sync folder, with a clock the
test sets: nothing waits, and no two machines ever share a state.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.core.config import SYNC_ENV, Settings, resolve
from reader.core.marks import Marks
from reader.core.storage.state import StateStore
from reader.core.sync import MarkChange, SyncFolder, SyncUnavailable, ownlog
from reader.core.sync import logfile as logfile_module
from reader.core.sync.logfile import MAX_HEADER_BYTES, header_line
from reader.core.sync.status import machines_seen, status_lines

HOUR_MS = 3_600_000
START_MS = 1_800_000_000_000


class Clock:
    """A machine's system clock, moved by the test."""

    def __init__(self, now: int = START_MS) -> None:
        self.now = now

    def __call__(self) -> int:
        self.now += 1  # every reading a little later, as a real clock
        return self.now


class Machines:
    """Machines sharing one sync folder, each with its own state file and clock."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / "sync"
        self.folder.mkdir()
        self.opened: list[tuple[StateStore, SyncFolder]] = []

    def new(self, name: str, clock: Clock | None = None) -> SyncFolder:
        store = StateStore.open(self.root / f"{name}.db")
        sync = SyncFolder.open(store, self.folder, clock=clock or Clock())
        self.opened.append((store, sync))
        return sync

    def reopen(self, sync: SyncFolder, clock: Clock | None = None) -> SyncFolder:
        """The same machine started again (its store closed and opened anew)."""
        path = sync.store.path
        assert path is not None
        sync.close()
        sync.store.close()
        store = StateStore.open(path)
        again = SyncFolder.open(store, self.folder, clock=clock or Clock())
        self.opened.append((store, again))
        return again

    def close(self) -> None:
        for store, sync in self.opened:
            sync.close()
            store.close()


@pytest.fixture
def machines(tmp_path: Path) -> Iterator[Machines]:
    group = Machines(tmp_path)
    yield group
    group.close()


def log_lines(sync: SyncFolder) -> list[dict[str, Any]]:
    """The change lines of a machine's own log (not its header)."""
    lines = sync.log_path.read_bytes().splitlines()
    return [json.loads(line) for line in lines[1:]]


def marks_of(sync: SyncFolder) -> tuple[frozenset[str], frozenset[str]]:
    return sync.store.read_ids(), sync.store.starred_ids()


# --- merging -----------------------------------------------------------------------------


def test_a_mark_made_on_one_machine_is_merged_by_the_other(machines: Machines) -> None:
    a, b = machines.new("a"), machines.new("b")
    Marks(a.store).toggle_read("x")
    a.store.set_starred("y")
    changed = b.pull()
    assert [(c.article_id, c.field, c.value) for c in changed] == [
        ("x", "read", True),
        ("y", "starred", True),
    ]
    assert marks_of(b) == (frozenset({"x"}), frozenset({"y"}))
    assert b.pull() == []  # incremental: nothing new, nothing merged again


def test_every_way_of_marking_through_the_store_is_logged(machines: Machines) -> None:
    a = machines.new("a")
    store, marks = a.store, Marks(a.store)
    store.set_read("r1")
    store.set_read_many(["r2", "r3"])
    store.set_starred("s1")
    store.toggle_read("r1")
    store.toggle_starred("s1")
    store.set_marks("starred", ["s2"], True)
    marks.toggle_star("s3")
    marks.mark_all_read(["r4", "r5"])
    marks.undo()
    logged = [(line["id"], line["field"], line["value"]) for line in log_lines(a)]
    assert logged == [
        ("r1", "read", True),
        ("r2", "read", True),
        ("r3", "read", True),
        ("s1", "starred", True),
        ("r1", "read", False),
        ("s1", "starred", False),
        ("s2", "starred", True),
        ("s3", "starred", True),
        ("r4", "read", True),
        ("r5", "read", True),
        ("r4", "read", False),
        ("r5", "read", False),
    ]


def test_merged_marks_are_not_logged_again_by_the_machine_that_merged_them(
    machines: Machines,
) -> None:
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read_many(["x", "y"])
    b.pull()
    assert log_lines(b) == []  # no echo: b's log holds only what b did
    b.store.set_read("x", False)
    assert [(line["id"], line["value"]) for line in log_lines(b)] == [("x", False)]
    a.pull()
    assert marks_of(a) == (frozenset({"y"}), frozenset())


def test_the_later_change_wins_whichever_log_is_read_first(machines: Machines) -> None:
    clock_a, clock_b = Clock(START_MS), Clock(START_MS + 1000)
    a, b = machines.new("a", clock_a), machines.new("b", clock_b)
    b.store.set_read("x", True)  # stamped a second later
    a.store.set_read("x", False)
    a.store.set_read("x", True)
    a.store.set_read("x", False)
    a.pull()
    b.pull()
    assert marks_of(a) == marks_of(b) == (frozenset({"x"}), frozenset())


def test_changes_in_the_same_millisecond_are_decided_alike_on_every_machine(
    machines: Machines,
) -> None:
    a, b = machines.new("a", Clock(START_MS)), machines.new("b", Clock(START_MS))
    a.store.set_read("x", True)  # both stamped (START_MS + 1, 0): the machine id decides
    b.store.set_read("x", False)
    a.pull()
    b.pull()
    winner = max((a, True), (b, False), key=lambda pair: pair[0].machine)[1]
    assert a.store.is_read("x") is b.store.is_read("x") is winner


def test_a_machine_hours_behind_still_wins_with_a_change_made_after_it_saw_the_other(
    machines: Machines,
) -> None:
    a = machines.new("a", Clock(START_MS))
    b = machines.new("b", Clock(START_MS - 3 * HOUR_MS))  # its clock three hours behind
    a.store.set_starred("x")
    b.pull()
    b.store.set_starred("x", False)  # after it saw a's star: must win, clock or not
    a.pull()
    assert marks_of(a) == marks_of(b) == (frozenset(), frozenset())


def test_a_clock_that_jumps_backwards_cannot_make_an_older_change_win(
    machines: Machines,
) -> None:
    clock = Clock(START_MS)
    a, b = machines.new("a", clock), machines.new("b")
    a.store.set_read("x")
    clock.now -= 2 * HOUR_MS  # the system clock set back
    a.store.set_read("x", False)
    a = machines.reopen(a, Clock(START_MS - 5 * HOUR_MS))  # and the reader restarted
    a.store.set_read("y")
    b.pull()
    assert marks_of(b) == (frozenset({"y"}), frozenset())
    stamps = [tuple(line["clock"]) for line in log_lines(a)]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3


def test_marks_made_before_the_folder_was_set_are_shared_when_it_is(
    machines: Machines, tmp_path: Path
) -> None:
    store = StateStore.open(tmp_path / "old.db")
    store.set_read_many(["x", "y"])
    store.set_starred("z")
    store.close()
    store = StateStore.open(tmp_path / "old.db")
    a = SyncFolder.open(store, machines.folder, clock=Clock())
    machines.opened.append((store, a))
    b = machines.new("b")
    b.store.set_read("w")  # b's own mark stays: sharing is a union, not a copy of one side
    b.pull()
    a.pull()
    assert marks_of(a) == marks_of(b) == (frozenset({"w", "x", "y"}), frozenset({"z"}))


def test_an_unread_mark_made_while_the_log_could_not_be_written_is_logged_later(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read("x")
    b.pull()

    def full_disk(path: Path, lines: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ownlog, "append", full_disk)
    a.store.set_read("x", False)
    assert any("not shared for now" in notice for notice in a.notices)
    monkeypatch.undo()
    a.pull()  # writing works again: the change kept is logged now
    b.pull()
    assert marks_of(b) == (frozenset(), frozenset())


def test_a_merge_cut_short_after_recording_its_winners_is_finished_at_the_next_start(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read_many(["x", "y"])

    def killed(field: str, ids: object, on: bool) -> int:
        raise KeyboardInterrupt  # the process ends between recording and applying

    monkeypatch.setattr(b.store, "set_marks", killed)
    with pytest.raises(KeyboardInterrupt):
        b.pull()
    monkeypatch.undo()
    b = machines.reopen(b)
    assert marks_of(b) == (frozenset({"x", "y"}), frozenset())
    assert log_lines(b) == []  # finished as a merge, not mistaken for b's own change


def test_a_start_checks_what_was_logged_without_a_change_object_per_held_mark(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every start makes the state whole; shared by three machines at 100,000 articles the
    state holds ~100,000 changes, and building each as an object cost ~80 MB and 0.7 s."""
    from reader.core.sync import table

    a, b = machines.new("a"), machines.new("b")
    a.store.set_read_many([f"r{n}" for n in range(40)])
    a.store.set_marks("starred", ["s1", "s2"], True)
    a.store.set_marks("starred", ["s1"], False)
    b.store.set_read("own")
    b.pull()
    before = (marks_of(b), log_lines(b))
    made: list[MarkChange] = []

    class Counted(MarkChange):
        def __init__(self, *args: object) -> None:
            made.append(self)
            super().__init__(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(table, "MarkChange", Counted)
    b = machines.reopen(b)
    assert made == []  # nothing unapplied: no change object made
    assert (marks_of(b), log_lines(b)) == before
    elsewhere = StateStore.open(b.store.path or Path())  # marked with the folder unfollowed:
    elsewhere.set_read("later")  # logged at the next start
    elsewhere.close()
    b = machines.reopen(b)
    assert [(line["id"], line["value"]) for line in log_lines(b)][-1] == ("later", True)


class StillClock(Clock):
    """A coarse system clock: every reading the same millisecond."""

    def __call__(self) -> int:
        return self.now


def test_marks_stamped_by_the_system_clock_are_merged_by_the_others(
    machines: Machines, tmp_path: Path
) -> None:
    store = StateStore.open(tmp_path / "real-clock.db")
    a = SyncFolder.open(store, machines.folder)  # the clock the app and `reader mark` use
    machines.opened.append((store, a))
    b = machines.new("b")
    a.store.set_read("x")
    b.pull()
    assert marks_of(b)[0] == {"x"}
    assert b.problems == {}


def test_changes_made_in_one_millisecond_keep_the_order_they_were_made_in(
    machines: Machines,
) -> None:
    a, b = machines.new("a", StillClock()), machines.new("b")
    a.store.set_read("x", True)
    a.store.set_read("x", False)  # the same millisecond: the counter orders the two
    b.pull()
    assert marks_of(a) == marks_of(b) == (frozenset(), frozenset())


# --- the own log -----------------------------------------------------------------------


def test_a_deleted_log_is_written_again_with_what_its_machine_still_holds(
    machines: Machines,
) -> None:
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read_many(["x", "y"])
    a.store.set_starred("z")
    a.log_path.unlink()
    a.pull()
    assert {(line["id"], line["field"]) for line in log_lines(a)} == {
        ("x", "read"),
        ("y", "read"),
        ("z", "starred"),
    }
    assert any("was missing" in notice for notice in a.notices)
    c = machines.new("c")  # a machine that never saw the old log
    c.pull()
    assert marks_of(c) == (frozenset({"x", "y"}), frozenset({"z"}))
    b.pull()
    assert marks_of(b) == marks_of(c)


def test_a_truncated_log_is_written_again_and_read_again_by_the_others(
    machines: Machines,
) -> None:
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read_many(["x", "y"])
    b.pull()
    size = a.log_path.stat().st_size
    os.truncate(a.log_path, size - 10)  # the last line cut by a sync tool
    a.store.set_starred("z")  # the next write notices first
    assert any("was truncated" in notice for notice in a.notices)
    assert {line["id"] for line in log_lines(a)} == {"x", "y", "z"}
    b.pull()
    assert marks_of(b) == (frozenset({"x", "y"}), frozenset({"z"}))


def test_a_file_of_someone_else_under_the_log_name_is_left_alone(
    machines: Machines,
) -> None:
    a = machines.new("a")
    a.log_path.write_text("my own notes\n")
    a.store.set_read("x")
    assert a.log_path.read_text() == "my own notes\n"
    assert any("not this machine's sync log" in notice for notice in a.notices)


@pytest.mark.parametrize(
    "content",
    [b"\nmy notes after a blank line\n", b"x" * (2 * MAX_HEADER_BYTES)],
    ids=["blank first line", "first line longer than a header"],
)
def test_a_file_under_the_log_name_that_only_looks_torn_is_left_alone(
    machines: Machines, content: bytes
) -> None:
    a = machines.new("a")
    a.log_path.write_bytes(content)
    a.store.set_read("x")
    assert a.log_path.read_bytes() == content
    assert any("not this machine's sync log" in notice for notice in a.notices)


def test_a_long_log_is_compacted_and_the_others_still_agree(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ownlog, "COMPACT_AFTER_LINES", 10)
    a, b = machines.new("a"), machines.new("b")
    marks = Marks(a.store)
    for _ in range(11):
        marks.toggle_read("x")  # 11 lines, one change that holds
    b.pull()
    a.store.set_starred("y")  # the write after the log grew long compacts it first
    assert [(line["id"], line["field"]) for line in log_lines(a)] == [
        ("x", "read"),
        ("y", "starred"),
    ]
    b.pull()
    assert marks_of(a) == marks_of(b) == (frozenset({"x"}), frozenset({"y"}))


def test_other_files_in_the_folder_are_never_changed(machines: Machines) -> None:
    others = {
        "notes.txt": b"mine",
        "reader-abc.jsonl.sync-conflict": b"a sync tool's copy",
        ".stfolder": b"",
    }
    for name, content in others.items():
        (machines.folder / name).write_bytes(content)
    before = {name: (machines.folder / name).stat().st_mtime_ns for name in others}
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read("x")
    a.log_path.unlink()
    a.pull()
    b.pull()
    for name, content in others.items():
        assert (machines.folder / name).read_bytes() == content
        assert (machines.folder / name).stat().st_mtime_ns == before[name]
    assert sorted(p.name for p in machines.folder.iterdir()) == sorted(
        [*others, a.log_path.name, b.log_path.name]
    )


def test_a_state_file_deleted_while_running_keeps_the_machine_and_its_marks_shared(
    machines: Machines,
) -> None:
    a, b = machines.new("a"), machines.new("b")
    a.store.set_read("x")
    machine = a.machine
    path = a.store.path
    assert path is not None
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    a.store.set_starred("y")  # the store starts a fresh file; the log goes on
    a.pull()
    b.pull()
    assert marks_of(b) == (frozenset({"x"}), frozenset({"y"}))
    a = machines.reopen(a)
    assert a.machine == machine
    assert not a.store.read_only  # the fresh file is the reader's own


# --- reading other logs ------------------------------------------------------------------


def write_log(
    folder: Path, machine: str, lines: list[dict[str, object]], tail: bytes = b""
) -> Path:
    """A log as another machine (or a sync tool's copy of it) left it."""
    path = folder / f"reader-{machine}.jsonl"
    body = b"".join(json.dumps(line).encode() + b"\n" for line in lines)
    path.write_bytes(header_line(machine, "e1") + body + tail)
    return path


def change(
    article_id: str, value: bool = True, wall: int = START_MS, **extra: object
) -> dict[str, object]:
    line = {"id": article_id, "field": "read", "value": value, "clock": [wall, 0], "machine": "m2"}
    return line | extra


def test_a_torn_last_line_is_read_once_it_is_whole(machines: Machines) -> None:
    a = machines.new("a")
    whole = json.dumps(change("y")).encode() + b"\n"
    path = write_log(machines.folder, "m2", [change("x")], tail=whole[:20])
    a.pull()
    assert marks_of(a)[0] == {"x"}
    with path.open("ab") as file:
        file.write(whole[20:])
    a.pull()
    assert marks_of(a)[0] == {"x", "y"}
    assert a.problems == {}


def test_a_line_repeated_or_a_log_delivered_twice_changes_nothing(machines: Machines) -> None:
    a = machines.new("a")
    lines = [change("x"), change("x", False, START_MS + 5), change("x")]  # the first again
    path = write_log(machines.folder, "m2", lines)
    a.pull()
    assert marks_of(a)[0] == set()
    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)  # the same log again, as a new file
    a.pull()
    os.truncate(path, len(header_line("m2", "e1")))  # and an older copy of it
    a.pull()
    path.write_bytes(content)
    a.pull()
    assert marks_of(a)[0] == set()


def test_unknown_keys_fields_and_formats_from_a_newer_reader_are_kept_and_ignored(
    machines: Machines,
) -> None:
    a = machines.new("a")
    lines: list[dict[str, object]] = [
        change("x", note="a key this reader does not know"),
        change("y", field="tags"),  # a field this reader does not know
        {"something": "else"},
    ]
    path = write_log(machines.folder, "m2", lines)
    newer = machines.folder / "reader-m3.jsonl"
    newer.write_bytes(b'{"reader_sync": 2, "machine": "m3", "epoch": "e"}\n' + path.read_bytes())
    before = path.read_bytes(), newer.read_bytes()
    a.pull()
    assert marks_of(a) == (frozenset({"x"}), frozenset())
    assert (path.read_bytes(), newer.read_bytes()) == before
    assert "newer reader (format 2" in a.problems["reader-m3.jsonl"]
    [seen] = machines_seen(a)
    assert (seen.machine, seen.changes, seen.skipped) == ("m2", 1, 2)


def test_files_not_named_as_a_machine_s_log_are_not_read(machines: Machines) -> None:
    a = machines.new("a")
    (machines.folder / "notes-2024.jsonl").write_text("the user's own notes\n")
    conflict = write_log(machines.folder, "m2", [change("y")])  # a sync tool's copy...
    conflict.rename(machines.folder / "reader-m2.sync-conflict-20261207-021100-ABCDEFG.jsonl")
    write_log(machines.folder, "m2", [change("x")])  # ...beside the log itself
    a.pull()
    assert marks_of(a)[0] == {"x"}
    assert a.problems == {}
    assert [seen.machine for seen in machines_seen(a)] == ["m2"]


def test_a_clock_beyond_what_a_clock_may_reach_is_skipped_and_marking_goes_on(
    machines: Machines,
) -> None:
    a = machines.new("a")
    write_log(machines.folder, "m2", [change("x", clock=[2**63 - 1, 2**63 - 1])])
    a.pull()  # taken, it would leave no room for a later stamp in the state (64 bits)
    a.store.set_read("y")
    assert marks_of(a)[0] == {"y"}
    assert [line["id"] for line in log_lines(a)] == ["y"]


def test_a_log_that_is_not_a_regular_file_is_a_problem_not_a_wait(machines: Machines) -> None:
    a = machines.new("a")
    os.mkfifo(machines.folder / "reader-m4.jsonl")  # would block an ordinary open
    write_log(machines.folder, "m2", [change("x")])
    a.pull()
    assert marks_of(a)[0] == {"x"}
    assert "not a regular file" in a.problems["reader-m4.jsonl"]


def test_a_log_longer_than_one_read_is_read_in_pieces(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.core.sync import reading

    monkeypatch.setattr(reading, "MAX_CHUNK_BYTES", 300)
    a = machines.new("a")
    write_log(machines.folder, "m2", [change(f"article-{n}") for n in range(20)])
    a.pull()
    assert a.more and 0 < len(a.store.read_ids()) < 20
    while a.more:
        a.pull()
    assert len(a.store.read_ids()) == 20


def test_a_pull_when_nothing_changed_opens_no_log(
    machines: Machines, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.core.sync import reading

    a, b = machines.new("a"), machines.new("b")
    b.store.set_read("x")
    old = b.log_path.stat().st_mtime - 10  # changed well before the pull: not "racy"
    os.utime(b.log_path, (old, old))
    a.pull()
    opened: list[Path] = []
    real = logfile_module.read_at

    def counting(path: Path, offset: int, limit: int) -> tuple[bytes, os.stat_result]:
        opened.append(path)
        return real(path, offset, limit)

    monkeypatch.setattr(reading, "read_at", counting)
    a.pull()
    assert opened == []


# --- status, configuration, refusals ---------------------------------------------------


def test_status_names_the_folder_the_machines_and_their_last_change(machines: Machines) -> None:
    a, b = machines.new("a", Clock(START_MS)), machines.new("b")
    a.store.set_starred("x")
    b.pull()
    lines = status_lines(b)
    assert lines[0] == f"sync folder: {machines.folder}"
    assert lines[1].startswith(f"this machine: {b.machine}")
    assert lines[2] == (
        f"machine {a.machine}: 1 changes; last change starred x at 2027-01-15T08:00:00+00:00"
    )


def test_a_missing_folder_or_an_unsaved_state_is_refused_with_the_reason(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path / "s.db")
    with pytest.raises(SyncUnavailable, match="does not exist"):
        SyncFolder.open(store, tmp_path / "missing")
    store.close()
    with pytest.raises(SyncUnavailable, match="not saved"):
        SyncFolder.open(StateStore(), tmp_path)


def test_the_folder_comes_from_the_config_or_the_environment() -> None:
    assert resolve(Settings(), environ={}).sync_folder is None
    from_env = resolve(Settings(), environ={SYNC_ENV: "~/Sync"})
    assert from_env.sync_folder == Path("~/Sync").expanduser()
    assert from_env.source("sync_folder") == f"${SYNC_ENV}"


def test_the_log_format_reads_back_what_it_writes() -> None:
    from reader.core.sync import Stamp

    written = MarkChange("é id\n", "starred", False, Stamp(START_MS, 3, "m1"))
    changes, skipped = logfile_module.parse_changes(
        logfile_module.change_line(written), ("read", "starred")
    )
    assert (changes, skipped) == ([written], 0)
