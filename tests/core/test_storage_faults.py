"""Faults while writing: a full disk and a folder turned read-only, for the state and the cache.

How the faults are made:

* a full disk, where this process may mount (root): a real 1 MiB tmpfs, filled up with
  a filler file (and emptied again for the repair), so SQLite itself meets ENOSPC;
* a full disk elsewhere, and a read-only folder always: SQLite's connections to files in
  the folder are wrapped, and every write statement fails with SQLite's own message.
  (A real read-only remount is refused while SQLite holds its files open for writing,
  and permissions do not stop writes through descriptors already open.)
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.core.storage.cache import FeedCache
from reader.core.storage.state import StateStore

FULL = "database or disk is full"
READ_ONLY = "attempt to write a readonly database"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "BEGIN IMMEDIATE")


class Fault:
    """A folder whose writes can be made to fail (`break_`) and work again (`repair`)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def break_(self) -> None:
        raise NotImplementedError

    def repair(self) -> None:
        raise NotImplementedError


class FullTmpfs(Fault):
    """A small tmpfs: filled up to break it, the filler deleted to repair it."""

    def break_(self) -> None:
        chunk = b"\0" * 4096
        with (
            (self.folder / "filler").open("wb", buffering=0) as filler,
            contextlib.suppress(OSError),
        ):
            while True:
                filler.write(chunk)
        assert os.statvfs(self.folder).f_bavail == 0

    def repair(self) -> None:
        (self.folder / "filler").unlink()


class FailingWrites(Fault):
    """SQLite connections to files in the folder, wrapped so that writes fail when broken."""

    def __init__(self, folder: Path, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
        super().__init__(folder)
        self.message = message
        self.broken = False
        real_connect = sqlite3.connect

        def connect(database: Any, *args: Any, **kwargs: Any) -> Any:
            conn = real_connect(database, *args, **kwargs)
            inside = str(database).removeprefix("file:").startswith(str(folder))
            return _Wrapped(conn, self) if inside else conn

        monkeypatch.setattr(sqlite3, "connect", connect)

    def break_(self) -> None:
        self.broken = True

    def repair(self) -> None:
        self.broken = False


class _Wrapped:
    """A connection whose write statements raise while its fault is broken."""

    def __init__(self, conn: sqlite3.Connection, fault: FailingWrites) -> None:
        self._conn = conn
        self._fault = fault

    def _check(self, sql: str) -> None:
        if self._fault.broken and sql.lstrip().upper().startswith(_WRITES):
            raise sqlite3.OperationalError(self._fault.message)

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._check(sql)
        return self._conn.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._check(sql)
        return self._conn.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def _mount_tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],  # room for 150 rows
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


@pytest.fixture(params=["disk full", "read-only"])
def fault(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Fault]:
    folder = tmp_path / "disk"
    folder.mkdir()
    if request.param == "disk full" and _mount_tmpfs(folder):
        try:
            yield FullTmpfs(folder)
        finally:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        return
    yield FailingWrites(folder, FULL if request.param == "disk full" else READ_ONLY, monkeypatch)


def test_the_state_keeps_every_mark_through_a_write_fault(fault: Fault) -> None:
    store = StateStore.open(fault.folder / "state.db")
    told: list[str] = []
    store.on_notice = told.append
    store.set_starred("before")
    fault.break_()
    many = [f"article-{n}" for n in range(2000)]  # far more than a full disk has room for
    store.set_read_many(many)
    store.set_starred("during")
    assert store.is_starred("during") and store.is_read("article-7") and store.is_starred("before")
    assert len(told) == 1, told  # said once, not once per change
    assert told[0].startswith(f"Could not save reading state to {store.path}")
    assert FULL in told[0] or READ_ONLY in told[0]

    fault.repair()
    store.set_starred("after")  # the next write saves what was kept too
    assert told[1:] == [f"Reading state is saved again to {store.path}."]
    store.close()
    with StateStore.open(fault.folder / "state.db") as again:
        assert again.starred_ids() == {"before", "during", "after"}
        assert again.read_ids() == set(many)
        assert again.notices == []


def test_the_state_retries_a_failed_write_without_a_new_change(fault: Fault) -> None:
    store = StateStore.open(fault.folder / "state.db")
    fault.break_()
    store.set_starred("kept")
    assert not store.retry_pending()  # the app tries every 30 s: still failing
    fault.repair()
    assert store.retry_pending()
    with StateStore.open(fault.folder / "state.db") as again:
        assert again.starred_ids() == {"kept"}
    store.close()


def _feed(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        (folder / f"a{n:03}.md").write_text(
            f"---\ntitle: Article {n}\nwebUrl: https://news.example/{n}\n---\n" + "Body. " * 200
        )
    return folder


def test_the_cache_falls_back_to_parsing_when_its_file_fails(fault: Fault, tmp_path: Path) -> None:
    feed = _feed(tmp_path / "feed", 150)  # its rows need more room than the disk has
    cache = FeedCache.open(fault.folder / "index.db", feed)
    assert cache.notices == []
    fault.break_()
    result = cache.sync(workers=1)
    assert sorted(s.title for s in result.summaries) == sorted(f"Article {n}" for n in range(150))
    [notice] = cache.notices
    assert "this session keeps it in memory" in notice
    assert cache.article(result.summaries[0].id) is not None  # the detail pane still works
    cache.close()

    fault.repair()
    with FeedCache.open(fault.folder / "index.db", feed) as again:  # not damaged: used again
        assert again.notices == [] and again.path is not None
        assert len(again.sync(workers=1).summaries) == 150
        assert again.notices == []


def test_a_full_tmpfs_really_refuses_writes(tmp_path: Path) -> None:
    """The tmpfs used above is truly full when broken (so the tests meet a real ENOSPC)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if not _mount_tmpfs(folder):
        pytest.skip("mounting a tmpfs needs root; the fault tests patch SQLite instead")
    try:
        disk = FullTmpfs(folder)
        disk.break_()
        with pytest.raises(OSError, match="No space left") as raised:
            (folder / "more").write_bytes(b"x" * 8192)
        assert raised.value.errno == errno.ENOSPC
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def test_the_app_is_told_when_the_cache_fails_during_the_load(fault: Fault, tmp_path: Path) -> None:
    """The load pipeline posts the notice met during the sync (not only those at opening)."""
    from reader.ui.loading import FeedLoader
    from reader.ui.messages import CacheOpened, FeedLoaded

    feed = _feed(tmp_path / "feed", 150)
    loader = FeedLoader(feed, fault.folder / "index.db", use_cache=True)
    loader.head_now(10)  # waits until the cache is open (and found empty)
    fault.break_()
    posted: list[object] = []
    loader.run(posted.append, lambda: False, rows_shown=False)
    told = [n for m in posted if isinstance(m, CacheOpened) for n in m.notices]
    assert len(told) == 1 and "this session keeps it in memory" in told[0], told
    [loaded] = [m for m in posted if isinstance(m, FeedLoaded)]
    assert len(loaded.summaries) == 150
    loader.close()


def test_a_state_file_that_cannot_be_opened_at_start_is_tried_again(fault: Fault) -> None:
    fault.break_()
    store = StateStore.open(fault.folder / "state.db")
    assert store.read_only
    assert [n.split(":")[0] for n in store.notices] == [
        "Reading state will not be saved until its file can be opened"
    ]
    store.set_starred("meanwhile")
    assert not store.retry_pending()  # still failing: the change stays in memory
    fault.repair()
    assert store.retry_pending() and not store.read_only
    assert store.notices[-1] == f"Reading state is saved again to {store.path}."
    store.close()
    with StateStore.open(fault.folder / "state.db") as again:
        assert again.starred_ids() == {"meanwhile"}
