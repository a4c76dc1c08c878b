"""The reading state's check after the open (`StateStore.open(check_later=True)`, then
`start_check`): a damaged file found then is moved aside and replaced as the open would have
done, said, and nothing is lost: the file's marks stay in the moved file, the marks made
since the open are in the fresh one."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.core.storage.state import StateStore
from reader.core.storage.state_check import LaterCheck
from state_helpers import damage, read_in_file

CHECK_WAIT = 30.0  # seconds: a bound for a wait that ends in milliseconds


def test_damage_found_after_the_open_is_said_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old = [f"article-{n:05d}-{'x' * 40}" for n in range(2000)]
    damage(path, old)
    store = StateStore.open(path, check_later=True)
    told: list[str] = []
    replaced: list[bool] = []
    store.on_notice, store.on_replaced = told.append, lambda: replaced.append(True)
    # Opened unchecked: the marks read from the file are there, nothing is said yet.
    assert store.read_ids() == set(old) and store.notices == [] and not store.read_only
    store.set_setting("theme", "nord")  # its table is sound: written to the file as it is
    store.start_check()
    assert store.check_done(CHECK_WAIT)
    [aside] = tmp_path.glob("state.db.corrupt-*[0-9]")
    assert len(told) == 1 and told == store.notices and replaced == [True]
    assert str(path) in told[0] and str(aside) in told[0]
    # As the open would have done: a fresh file, with what was changed since the open.
    assert store.read_ids() == set() and store.get_setting("sort") is None
    store.set_starred("after")
    store.close()
    with StateStore.open(path) as again:
        assert again.notices == [] and again.starred_ids() == {"after"}
        assert again.get_setting("theme") == "nord"  # made since the open: kept
    assert read_in_file(aside) >= set(old)  # the file's own marks, kept aside


def test_a_sound_file_checked_after_the_open_is_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    with StateStore.open(path) as store:
        store.set_read_many(["a", "b"])
    store = StateStore.open(path, check_later=True)
    replaced: list[bool] = []
    store.on_replaced = lambda: replaced.append(True)
    store.set_read("c")
    store.start_check()
    assert store.check_done(CHECK_WAIT)
    assert store.notices == [] and replaced == [] and store.read_ids() == {"a", "b", "c"}
    store.close()
    assert list(tmp_path.glob("*.corrupt-*")) == []
    assert read_in_file(path) == {"a", "b", "c"}


def test_a_store_closed_before_its_check_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    damage(path, [f"article-{n:05d}-{'x' * 40}" for n in range(2000)])
    before = path.read_bytes()
    store = StateStore.open(path, check_later=True)
    store.close()
    store.start_check()  # the app quit with the first frame: nothing runs any more
    assert store.check_done(CHECK_WAIT)
    assert list(tmp_path.glob("*.corrupt-*")) == [] and path.read_bytes() == before


@pytest.mark.parametrize("check_later", [False, True])
def test_a_table_that_cannot_be_read_is_replaced_at_the_open_either_way(
    tmp_path: Path, check_later: bool
) -> None:
    path = tmp_path / "state.db"
    damage(path, [f"article-{n:05d}-{'x' * 40}" for n in range(2000)], "marks")
    store = StateStore.open(path, check_later=check_later)
    assert len(store.notices) == 1 and str(path) in store.notices[0]
    assert len(list(tmp_path.glob("state.db.corrupt-*[0-9]"))) == 1
    store.start_check()
    assert store.check_done(CHECK_WAIT) and len(store.notices) == 1
    store.close()


def test_a_write_that_meets_the_damage_before_the_check_replaces_the_file(
    tmp_path: Path,
) -> None:
    """Writing touches the damaged index: the file is replaced then, with that change."""
    path = tmp_path / "state.db"
    old = [f"article-{n:05d}-{'x' * 40}" for n in range(2000)]
    damage(path, old)
    store = StateStore.open(path, check_later=True)
    replaced: list[bool] = []
    store.on_replaced = lambda: replaced.append(True)
    store.set_read("made-since")
    assert replaced == [True] and len(store.notices) == 1 and "moved to" in store.notices[0]
    store.start_check()
    assert store.check_done(CHECK_WAIT) and replaced == [True]
    store.close()
    with StateStore.open(path) as again:
        assert again.notices == [] and again.read_ids() == {"made-since"}


def test_damage_found_in_a_file_replaced_since_leaves_the_new_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's answer is about the file opened: one put in its place meanwhile (seen at
    the next write, which starts afresh) is not moved aside for it."""
    path = tmp_path / "state.db"
    with StateStore.open(path) as store:
        store.set_read("old")
    monkeypatch.setattr(LaterCheck, "_check", lambda self: "a damaged page")
    store = StateStore.open(path, check_later=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store.set_read("new")  # the file is gone: every mark held goes to a fresh one
    assert len(store.notices) == 1 and "deleted" in store.notices[0]
    store.start_check()
    assert store.check_done(CHECK_WAIT)
    assert len(store.notices) == 1 and list(tmp_path.glob("*.corrupt-*")) == []
    store.close()
    assert read_in_file(path) == {"old", "new"}
