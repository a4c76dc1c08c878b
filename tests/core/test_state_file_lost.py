"""The state file truncated, deleted or replaced under a running reader: no mark is lost.

The store notices at its next write, or at the timer's `retry_pending` with nothing to
write (the inode changed, or the header is gone), says so once, and writes every mark it
holds to a fresh file, or into a reader file that was put in its place; a file of someone
else put there is left as it is.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.core.storage.state import StateStore


def _marked(path: Path, *read: str) -> StateStore:
    store = StateStore.open(path)
    for article_id in read:
        store.set_read(article_id)
    store.set_starred("kept")
    store.set_setting("theme", "nord")
    return store


def _reopened(path: Path) -> tuple[frozenset[str], frozenset[str], str | None, list[str]]:
    with StateStore.open(path) as store:
        return store.read_ids(), store.starred_ids(), store.get_setting("theme"), store.notices


def _truncate(path: Path) -> None:
    path.write_bytes(b"")


def _delete(path: Path) -> None:
    for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
        (path.parent / name).unlink(missing_ok=True)


@pytest.mark.parametrize("fault", [_truncate, _delete], ids=["truncated", "deleted"])
def test_marks_made_before_and_after_are_all_kept(tmp_path: Path, fault: object) -> None:
    path = tmp_path / "state.db"
    store = _marked(path, "a", "b")
    assert callable(fault)
    fault(path)
    store.set_read("c")
    store.set_read("d")
    assert len([n for n in store.notices if "while the reader ran" in n]) == 1
    store.close()
    read, starred, theme, notices = _reopened(path)
    assert read == {"a", "b", "c", "d"} and starred == {"kept"} and theme == "nord"
    assert notices == []  # the next start finds a sound file, nothing to move aside


def test_the_timer_notices_a_deleted_file_with_nothing_to_write(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = _marked(path, "a")
    _delete(path)
    assert store.retry_pending()
    assert path.exists() and any("deleted" in n for n in store.notices)
    store.close()
    assert _reopened(path)[0] == {"a"}


def test_a_reader_file_put_in_its_place_gets_both_sides(tmp_path: Path) -> None:
    path, other = tmp_path / "state.db", tmp_path / "other.db"
    store = _marked(path, "a")
    with StateStore.open(other) as elsewhere:
        elsewhere.set_read("from-elsewhere")
    other.rename(path)  # a sync tool replacing the file
    store.set_read("b")
    assert any("replaced" in n for n in store.notices)
    store.close()
    assert _reopened(path)[0] == {"a", "b", "from-elsewhere"}


def test_a_foreign_file_put_in_its_place_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = _marked(path, "a")
    _delete(path)
    path.write_text("someone's notes\n")
    store.set_read("b")
    assert store.is_read("a") and store.is_read("b") and store.read_only
    assert any("kept for this session" in n for n in store.notices)
    store.close()
    assert path.read_text() == "someone's notes\n"


def test_an_untouched_file_is_not_started_afresh(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = _marked(path, "a")
    for article_id in "bcdefg":
        store.set_read(article_id)
    store.refresh()
    assert store.notices == [] and not list(tmp_path.glob("*.corrupt-*"))
    store.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM marks").fetchone() == (8,)
    conn.close()
