"""Property: machines that share marks through a sync tool all end in the same state.

Two or three simulated machines, each with its own state file and its own copy of the
sync folder; a simulated sync tool carries each machine's log to the others' folders in
a random order: whole, torn mid-line, late (an older copy after a newer one), or twice.
Machines mark at random, with clocks hours apart and jumping backwards; a copy repeats a
line; a machine's own log is deleted or truncated. Once every log has been carried
everywhere, every machine holds the same marks, and they are what one machine applying
every change ever logged in clock order would hold.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from reader.core.storage.state import StateStore
from reader.core.sync import FIELDS, MarkChange, SyncFolder, ownlog
from reader.core.sync.logfile import parse_changes, whole_lines

HOUR_MS = 3_600_000
START_MS = 1_800_000_000_000
ARTICLES = ("a", "b", "c")


class Clock:
    def __init__(self, now: int) -> None:
        self.now = now

    def __call__(self) -> int:
        return self.now  # still until a "tick" or a "jump": machines stamp the same ms


class World:
    """The machines, their folders, and every change any of them ever logged."""

    def __init__(self, root: Path, offsets: list[int], empty_state: Path) -> None:
        self.clocks = [Clock(START_MS + offset) for offset in offsets]
        self.syncs: list[SyncFolder] = []
        for n, clock in enumerate(self.clocks):
            folder = root / f"folder-{n}"
            folder.mkdir()
            shutil.copyfile(empty_state, root / f"state-{n}.db")  # a new state, made faster
            store = StateStore.open(root / f"state-{n}.db")
            self.syncs.append(SyncFolder.open(store, folder, clock=clock))
        self.ever: set[MarkChange] = set()

    def own_log(self, n: int) -> Path:
        return self.syncs[n].log_path

    def copy(self, source: int, target: int, fraction: float, repeat: bool = False) -> None:
        """The sync tool: machine `source`'s log into `target`'s folder (a prefix of it)."""
        into = self.syncs[target].folder / self.own_log(source).name
        try:
            content = self.own_log(source).read_bytes()
        except FileNotFoundError:
            into.unlink(missing_ok=True)  # a deletion is carried too
            return
        if source == target:
            return
        content = content[: int(len(content) * fraction)]
        if repeat:
            content += b"".join(whole_lines(content).splitlines(keepends=True)[-1:])
        temporary = into.with_name(".carrying")
        temporary.write_bytes(content)
        os.replace(temporary, into)

    def step(self, action: tuple[Any, ...]) -> None:
        kind, n = action[0], action[1] % len(self.syncs)
        sync = self.syncs[n]
        if kind == "mark":
            sync.store.set_marks(action[3], [action[2]], action[4])
        elif kind == "copy":  # and the target's watch sees it
            target = action[2] % len(self.syncs)
            self.copy(n, target, action[3])
            self.syncs[target].pull()
        elif kind == "pull":
            sync.pull()
        elif kind == "repeat":  # a copy with its last whole line twice
            self.copy(n, action[2] % len(self.syncs), 1.0, repeat=True)
        elif kind == "lose":  # the user (or a tool) deleted or cut this machine's log
            size = self.own_log(n).stat().st_size
            os.truncate(self.own_log(n), int(size * action[2]))
        elif kind == "jump":  # a tick of the clock, or a jump: back hours, ahead one
            self.clocks[n].now += action[2]
        self.remember()

    def remember(self) -> None:
        for n in range(len(self.syncs)):
            if self.own_log(n).exists():
                data = whole_lines(self.own_log(n).read_bytes())
                self.ever.update(parse_changes(data, FIELDS)[0])

    def deliver_everything(self) -> None:
        for _ in range(2):  # twice: a pull may rewrite a lost log, carried again then
            for sync in self.syncs:
                sync.pull()
            self.remember()
            for source in range(len(self.syncs)):
                for target in range(len(self.syncs)):
                    if source != target:
                        self.copy(source, target, 1.0)
            for sync in self.syncs:
                sync.pull()
                while sync.more:
                    sync.pull()

    def expected(self) -> dict[str, frozenset[str]]:
        """One machine applying every change in clock order."""
        held: dict[tuple[str, str], bool] = {}
        for change in sorted(self.ever, key=lambda change: change.order):
            held[(change.article_id, change.field)] = change.value
        return {f: frozenset(a for (a, g), on in held.items() if g == f and on) for f in FIELDS}

    def close(self) -> None:
        for sync in self.syncs:
            sync.close()
            sync.store.close()


@pytest.fixture(scope="module")
def empty_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A reading-state file as a first start makes it (made once: making one is slow)."""
    path = tmp_path_factory.mktemp("empty") / "state.db"
    StateStore.open(path).close()
    return path


machine = st.integers(0, 2)
marks = st.tuples(
    st.just("mark"),
    machine,
    st.sampled_from(ARTICLES),
    st.sampled_from(FIELDS),
    st.booleans(),
)
copies = st.tuples(st.just("copy"), machine, machine, st.sampled_from([1.0, 0.3, 0.6, 0.9, 0.97]))
actions = st.one_of(  # marks and copies most often: they make the conflicts
    marks,
    marks,
    marks,
    copies,
    copies,
    copies,
    st.tuples(st.just("pull"), machine),
    st.tuples(st.just("repeat"), machine, machine),
    st.tuples(st.just("lose"), machine, st.sampled_from([0.0, 0.5, 0.95])),
    st.tuples(st.just("jump"), machine, st.sampled_from([-3 * HOUR_MS, 1, HOUR_MS])),
)
# Each machine's clock: on time (most: many changes in one millisecond), or hours behind.
offsets = st.lists(st.sampled_from([0, 0, 0, -3 * HOUR_MS]), min_size=2, max_size=3)


@settings(
    max_examples=examples(40),
    deadline=None,  # files and SQLite on a shared machine
    suppress_health_check=[HealthCheck.too_slow],
)
@given(offsets, st.lists(actions, min_size=15, max_size=40))
def test_every_machine_ends_with_what_the_changes_in_clock_order_give(
    empty_state: Path, clock_offsets: list[int], steps: list[tuple[Any, ...]]
) -> None:
    with (
        tempfile.TemporaryDirectory() as root,
        mock.patch.object(ownlog, "COMPACT_AFTER_LINES", 4),  # compacted, read afresh, often
        mock.patch("os.fsync"),  # what is on the disk after a power cut is not the question
    ):
        world = World(Path(root), clock_offsets, empty_state)
        try:
            for action in steps:
                world.step(action)
            world.deliver_everything()
            expected = world.expected()
            for sync in world.syncs:
                assert sync.store.read_ids() == expected["read"]
                assert sync.store.starred_ids() == expected["starred"]
                assert sync.problems == {}
        finally:
            world.close()
