"""Two processes of one machine (the app and `reader mark`: one state file) at once.

Each marks through its own `StateStore` and `SyncFolder` on the same state file. The
interleavings are made by hand: a process's change is caught between its save and its
log (the store's `on_marks_changed` deferred), and the other process runs in that gap.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.core.storage.state import StateStore
from reader.core.storage.state_marks import load_marks_row_by_row, marked_among
from reader.core.sync import SyncFolder

IDS = [f"article-{n}" for n in range(5)]


class Machine:
    """Processes of one machine, each a store and a sync folder on the same state file."""

    def __init__(self, root: Path) -> None:
        self.folder = root / "sync"
        self.folder.mkdir()
        self.state = root / "state.db"
        self.opened: list[tuple[StateStore, SyncFolder]] = []

    def process(self) -> SyncFolder:
        store = StateStore.open(self.state)
        sync = SyncFolder.open(store, self.folder)
        self.opened.append((store, sync))
        return sync

    def log(self) -> list[dict[str, object]]:
        """The lines of the only log in the folder, its header first."""
        (path,) = self.folder.iterdir()
        return [json.loads(line) for line in path.read_bytes().splitlines()]

    def close(self) -> None:
        for store, sync in self.opened:
            sync.close()
            store.close()


@pytest.fixture
def machine(tmp_path: Path) -> Iterator[Machine]:
    one = Machine(tmp_path)
    yield one
    one.close()


def saved_not_logged(
    sync: SyncFolder, field: str, ids: list[str], on: bool
) -> Callable[[], object]:
    """Make a change through `sync`'s store, stopped after its save; the log that follows."""
    observer = sync.store.on_marks_changed
    assert observer is not None
    caught: list[tuple[str, list[str], bool]] = []
    sync.store.on_marks_changed = lambda *change: caught.append(change)
    sync.store.set_marks(field, ids, on)
    sync.store.on_marks_changed = observer
    assert len(caught) == 1
    return lambda: observer(*caught[0])


def changes(log: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(line["id"], line["field"], line["value"]) for line in log[1:]]


def test_a_process_opening_between_anothers_save_and_log_logs_each_change_once(
    machine: Machine,
) -> None:
    marking = machine.process()
    log_the_change = saved_not_logged(marking, "starred", IDS, True)
    opening = machine.process()  # finds the stars saved and not logged: logs them
    log_the_change()
    assert sorted(changes(machine.log())) == [(a, "starred", True) for a in IDS]
    assert opening.store.starred_ids() == marking.store.starred_ids() == frozenset(IDS)


def test_a_change_another_process_changed_again_meanwhile_is_left_to_its_log(
    machine: Machine,
) -> None:
    marking = machine.process()
    log_the_stars = saved_not_logged(marking, "starred", IDS, True)
    other = machine.process()  # logs the stars, then takes one back: the later change
    other.store.set_marks("starred", IDS[:1], False)
    log_the_stars()
    assert changes(machine.log()) == [
        *((a, "starred", True) for a in IDS),
        (IDS[0], "starred", False),
    ]
    marking.store.refresh()
    assert marking.store.starred_ids() == other.store.starred_ids() == frozenset(IDS[1:])


def test_a_change_saved_while_another_process_logs_other_changes_is_logged(
    machine: Machine,
) -> None:
    marking, other = machine.process(), machine.process()
    log_the_stars = saved_not_logged(marking, "starred", IDS[:2], True)
    other.store.set_marks("read", IDS, True)  # logged since the stars were saved
    log_the_stars()
    assert sorted(changes(machine.log())) == sorted(
        [*((a, "starred", True) for a in IDS[:2]), *((a, "read", True) for a in IDS)]
    )


def test_a_mark_set_again_later_is_logged_again(machine: Machine) -> None:
    sync = machine.process()
    sync.store.set_marks("read", IDS[:1], True)
    sync.store.set_marks("read", IDS[:1], True)  # may outdo another machine's unread
    assert changes(machine.log()) == [(IDS[0], "read", True)] * 2


def test_the_marks_read_back_for_many_ids_are_those_of_the_plain_load(tmp_path: Path) -> None:
    with StateStore.open(tmp_path / "state.db") as store:
        many = [f"a{n}" for n in range(1234)]  # more than one query's worth
        store.set_marks("read", many[::3], True)
        store.set_marks("starred", many[::7], True)
    conn = sqlite3.connect(tmp_path / "state.db")
    try:
        plain = load_marks_row_by_row(conn)
        for field in ("read", "starred"):
            assert marked_among(conn, field, many) == plain[field]
            assert marked_among(conn, field, many[:10]) == plain[field] & set(many[:10])
        with pytest.raises(ValueError, match="not a mark column"):
            marked_among(conn, "read_at", many)
    finally:
        conn.close()


def test_a_change_made_while_another_process_looks_for_unlogged_marks_is_not_undone(
    machine: Machine, monkeypatch: pytest.MonkeyPatch
) -> None:
    marking = machine.process()
    opening = StateStore.open(machine.state)
    real_refresh, marked = opening.refresh, list[int]()

    def refresh_then_mark() -> None:  # the opening process has read the file: now a mark
        real_refresh()
        if not marked:
            marked.append(marking.store.set_marks("starred", IDS, True))

    monkeypatch.setattr(opening, "refresh", refresh_then_mark)
    sync = SyncFolder.open(opening, machine.folder)
    machine.opened.append((opening, sync))
    assert changes(machine.log()) == [(a, "starred", True) for a in IDS]
    monkeypatch.undo()
    opening.refresh()
    assert opening.starred_ids() == marking.store.starred_ids() == frozenset(IDS)
