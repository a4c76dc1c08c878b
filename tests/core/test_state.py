"""Tests for reader.core.storage.state.

Marks, settings, migrations, damaged files, several readers.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from lock_helpers import answers_while_held
from reader.core.resources import sample_feed_path
from reader.core.storage.cache import FeedCache
from reader.core.storage.ownership import STATE
from reader.core.storage.state import SCHEMA_VERSION, STATE_ENV, StateStore, default_state_path

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).resolve().parent / "state_child.py"

# Written out here rather than imported: the test pins what version 1 files look like.
V1_SQL = """
CREATE TABLE marks(
    article_id TEXT PRIMARY KEY,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    read_at TEXT,
    starred_at TEXT
);
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@pytest.fixture(autouse=True)
def _no_real_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point $READER_STATE into tmp_path so no test can touch the real user folder."""
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "env" / "state.db"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


def make_v1(path: Path, version: int = 1) -> None:
    """A file built by hand the way version 1 built it, with one row in each table."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL)
    conn.execute("INSERT INTO marks(article_id, read, starred) VALUES ('old', 1, 1)")
    conn.execute("INSERT INTO settings VALUES ('hide_read', '1')")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


def query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


def start_child(path: Path, prefix: str, count: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(path), prefix, str(count), *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=child_env(),
    )


# Marks, stars and settings


def test_marks_and_stars_set_toggle_list(db: Path) -> None:
    store = StateStore.open(db)
    assert not store.read_only and store.notices == []
    assert not store.is_read("a") and not store.is_starred("a")
    store.set_read("a")
    store.set_starred("b")
    assert store.is_read("a") and not store.is_starred("a")
    assert store.is_starred("b") and not store.is_read("b")
    assert store.toggle_read("b") is True
    assert store.toggle_read("a") is False
    assert store.toggle_starred("b") is False
    assert store.toggle_starred("c") is True
    assert store.read_ids() == frozenset({"b"})
    assert store.starred_ids() == frozenset({"c"})
    store.set_read("b", False)
    assert store.read_ids() == frozenset()
    store.close()


def test_marks_persist_across_close_and_reopen(db: Path) -> None:
    with StateStore.open(db) as store:
        store.set_read("a")
        store.set_read("gone")
        store.set_read("gone", False)
        store.set_starred("b")
        store.set_starred("a")
    store = StateStore.open(db)
    assert store.read_ids() == {"a"}
    assert store.starred_ids() == {"a", "b"}
    assert store.notices == []
    store.close()
    # Rows with neither mark are deleted; the first read time is kept.
    rows = query(db, "SELECT article_id, read, starred, read_at IS NOT NULL FROM marks ORDER BY 1")
    assert rows == [("a", 1, 1, 1), ("b", 0, 1, 0)]


def test_read_ids_is_cached_until_a_change(db: Path) -> None:
    with StateStore.open(db) as store:
        store.set_read("a")
        first = store.read_ids()
        assert store.read_ids() is first
        store.set_read("b")
        assert store.read_ids() == {"a", "b"} and first == {"a"}


def test_the_marks_drawn_are_read_while_a_sync_pull_holds_the_lock(db: Path) -> None:
    # A pull of the sync folder holds the store's lock for a second or more on a large
    # backlog; the app's redraws (which ask for the marks) must not wait for it.
    with StateStore.open(db) as store:
        store.set_read("a")
        store.set_starred("b")
        store.read_ids(), store.starred_ids()  # drawn once: cached
        answers = answers_while_held(store.lock, lambda: (store.read_ids(), store.starred_ids()))
        assert answers == [({"a"}, {"b"})]


def test_set_read_many_counts_changes_and_persists(db: Path) -> None:
    with StateStore.open(db) as store:
        store.set_read("a")
        assert store.set_read_many(["a", "b", "c", "b"]) == 2
        assert store.set_read_many(iter(["x", "y"])) == 2
        assert store.set_read_many([]) == 0
        assert store.set_read_many(["a", "z", "a"], read=False) == 1
    with StateStore.open(db) as store:
        assert store.read_ids() == {"b", "c", "x", "y"}


def test_settings_round_trip(db: Path) -> None:
    with StateStore.open(db) as store:
        assert store.get_setting("hide_read") is None
        assert store.get_setting("hide_read", "0") == "0"
        store.set_setting("hide_read", "1")
        store.set_setting("recent_queries", '["rust", "élan"]')
        store.set_setting("hide_read", "0")
        with pytest.raises(TypeError):
            store.set_setting("hide_read", 1)  # type: ignore[arg-type]
    with StateStore.open(db) as store:
        assert store.get_setting("hide_read") == "0"
        assert store.get_setting("recent_queries") == '["rust", "élan"]'


def test_plain_constructor_is_memory_only(tmp_path: Path) -> None:
    store = StateStore()
    store.set_read("a")
    store.set_setting("k", "v")
    assert store.read_only and store.is_read("a") and store.get_setting("k") == "v"
    store.refresh()
    assert store.is_read("a")
    assert list(tmp_path.iterdir()) == []


@settings(
    max_examples=examples(100),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["read", "star", "toggle_read", "toggle_star", "many"]),
            st.sampled_from(["a", "b", "c", "é", "x y", "'; DROP TABLE marks; --"]),
            st.booleans(),
        ),
        max_size=20,
    )
)
def test_any_sequence_survives_reopen(tmp_path: Path, ops: list[tuple[str, str, bool]]) -> None:
    path = tmp_path / f"prop-{os.urandom(6).hex()}.db"
    read: set[str] = set()
    starred: set[str] = set()
    with StateStore.open(path) as store:
        for op, article_id, flag in ops:
            if op == "read":
                store.set_read(article_id, flag)
                (read.add if flag else read.discard)(article_id)
            elif op == "star":
                store.set_starred(article_id, flag)
                (starred.add if flag else starred.discard)(article_id)
            elif op == "toggle_read":
                assert store.toggle_read(article_id) == (article_id not in read)
                read ^= {article_id}
            elif op == "toggle_star":
                assert store.toggle_starred(article_id) == (article_id not in starred)
                starred ^= {article_id}
            else:
                store.set_read_many([article_id, "m"], flag)
                (read.update if flag else read.difference_update)({article_id, "m"})
    with StateStore.open(path) as store:
        assert store.read_ids() == read and store.starred_ids() == starred


# Where the file lives


def test_default_state_path_honours_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "mine.db"))
    assert default_state_path() == tmp_path / "mine.db"
    with StateStore.open() as store:
        store.set_read("a")
    assert store.path == tmp_path / "mine.db"
    assert (tmp_path / "mine.db").is_file()


def test_default_state_path_without_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STATE_ENV, raising=False)
    path = default_state_path()
    assert path.name == "state.db"
    assert path.parent == Path(platformdirs.user_data_dir("reader"))
    monkeypatch.setenv(STATE_ENV, "")  # empty counts as unset
    assert default_state_path() == path


# Schema versions


def test_fresh_file_gets_current_version_and_wal(db: Path) -> None:
    StateStore.open(db).close()
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert query(db, "PRAGMA journal_mode") == [("wal",)]
    tables = query(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    assert tables == [("marks",), ("settings",)]


def test_v1_file_opens_and_keeps_its_data(db: Path) -> None:
    make_v1(db)
    with StateStore.open(db) as store:
        assert store.notices == [] and not store.read_only
        assert store.is_read("old") and store.is_starred("old")
        assert store.get_setting("hide_read") == "1"
        store.set_read("new")
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert sorted(query(db, "SELECT article_id FROM marks")) == [("new",), ("old",)]


def test_newer_file_is_not_destroyed(db: Path) -> None:
    make_v1(db, version=SCHEMA_VERSION + 5)
    before = db.read_bytes()
    store = StateStore.open(db)
    assert store.read_only
    assert any("newer version" in n and str(db) in n for n in store.notices)
    assert store.is_read("old")  # still shown, from a read-only look at the file
    store.set_read("new")  # works in memory
    assert store.is_read("new")
    store.close()
    assert db.read_bytes() == before
    assert query(db, "PRAGMA user_version") == [(SCHEMA_VERSION + 5,)]
    assert not list(db.parent.glob("*.corrupt-*"))


def test_foreign_database_is_not_destroyed(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE marks(x)")  # someone else's file, same table name
    conn.commit()
    conn.close()
    before = db.read_bytes()
    store = StateStore.open(db)
    assert store.read_only and "some other program" in store.notices[0]
    store.close()
    assert query(db, "SELECT sql FROM sqlite_master") == [("CREATE TABLE marks(x)",)]
    assert not list(db.parent.glob("*.corrupt-*")) and db.read_bytes() == before


# Damaged files and unusable paths


def _damaged_database(path: Path, name: str) -> bytes:
    """A real SQLite file (valid header) with the root page of table or index `name` wiped."""
    with StateStore.open(path) as store:
        store.set_read_many(f"article-{i:05d}-{'x' * 40}" for i in range(2000))
    ((root,),) = query(path, f"SELECT rootpage FROM sqlite_master WHERE name = '{name}'")
    ((page_size,),) = query(path, "PRAGMA page_size")
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xff" * page_size
    return bytes(data)


@pytest.mark.parametrize("kind", ["damaged table", "damaged index"])
def test_corrupt_file_is_moved_aside(db: Path, kind: str) -> None:
    if kind == "damaged table":
        content = _damaged_database(db, "marks")
    else:  # reading the table works; only PRAGMA quick_check finds this
        content = _damaged_database(db, "sqlite_autoindex_marks_1")
    db.write_bytes(content)
    store = StateStore.open(db)
    assert not store.read_only
    asides = list(db.parent.glob("state.db.corrupt-*"))
    aside = next(p for p in asides if re.fullmatch(r"state\.db\.corrupt-\d{8}-\d{6}", p.name))
    assert aside.read_bytes() == content
    assert len(store.notices) == 1
    assert str(db) in store.notices[0] and str(aside) in store.notices[0]
    store.set_read("a")
    store.close()
    with StateStore.open(db) as again:
        assert again.read_ids() == {"a"} and again.notices == []


def test_corrupt_file_never_overwrites_an_earlier_one(db: Path) -> None:
    content = _damaged_database(db, "marks")
    db.write_bytes(content)
    now = datetime.now()
    # The names this second and the next are taken, so the new one must pick another.
    earlier = [
        db.with_name(f"state.db.corrupt-{t:%Y%m%d-%H%M%S}")
        for t in (now, now + timedelta(seconds=1))
    ]
    for path in earlier:
        path.write_bytes(b"earlier")
    StateStore.open(db).close()
    assert [path.read_bytes() for path in earlier] == [b"earlier", b"earlier"]
    new = [p for p in db.parent.glob("state.db.corrupt-*") if p not in earlier]
    assert len(new) == 1 and new[0].name.endswith("-1")
    assert new[0].read_bytes() == content


# Files the reader did not create: refused, left exactly as they were


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places(url) VALUES ('https://example.org/')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "content",
    [os.urandom(8192), b"hide_read = yes\nthis is not a database\n", b""],
    ids=["random", "text", "empty"],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(db: Path, content: bytes) -> None:
    db.write_bytes(content)
    store = StateStore.open(db)
    assert store.read_only and str(db) in store.notices[0] and "untouched" in store.notices[0]
    store.set_read("a")  # works in memory
    store.close()
    assert db.read_bytes() == content
    assert sorted(p.name for p in db.parent.iterdir()) == ["state.db"]


def test_another_programs_database_is_refused_untouched(db: Path) -> None:
    _foreign_sqlite(db)
    before = db.read_bytes()
    store = StateStore.open(db)
    assert store.read_only and "some other program" in store.notices[0]
    store.close()
    assert db.read_bytes() == before and query(db, "SELECT url FROM moz_places")


def test_the_index_cache_given_as_the_state_is_refused(tmp_path: Path) -> None:
    cache_path = tmp_path / "index.db"
    FeedCache.open(cache_path, sample_feed_path()).close()
    before = cache_path.read_bytes()
    store = StateStore.open(cache_path)
    assert store.read_only and "the reader's index cache" in store.notices[0]
    assert cache_path.read_bytes() == before


def test_a_symlink_is_followed_only_to_a_reader_database(tmp_path: Path) -> None:
    empty, link = tmp_path / "empty", tmp_path / "state.db"
    empty.write_bytes(b"")
    link.symlink_to(empty)
    assert StateStore.open(link).read_only and empty.read_bytes() == b""
    link.unlink()
    link.symlink_to(tmp_path / "nothing-here.db")
    assert StateStore.open(link).read_only and not (tmp_path / "nothing-here.db").exists()
    real = tmp_path / "real.db"
    with StateStore.open(real) as store:
        store.set_read("a")
    link.unlink()
    link.symlink_to(real)
    with StateStore.open(link) as store:
        assert not store.read_only and store.is_read("a")


def test_new_files_carry_the_mark_and_old_ones_get_it(db: Path) -> None:
    StateStore.open(db).close()
    assert query(db, "PRAGMA application_id") == [(STATE.application_id,)]
    make_v1(db.with_name("old.db"))
    StateStore.open(db.with_name("old.db")).close()
    assert query(db.with_name("old.db"), "PRAGMA application_id") == [(STATE.application_id,)]


def test_unwritable_folder_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("a regular file where a folder should be")
    path = blocker / "state.db"
    store = StateStore.open(path)
    assert store.read_only
    assert len(store.notices) == 1
    assert "will not be saved" in store.notices[0] and str(blocker) in store.notices[0]
    store.set_read("a")
    assert store.toggle_starred("a") is True
    assert store.read_ids() == {"a"} and store.starred_ids() == {"a"}
    store.refresh()
    assert store.is_read("a")
    store.close()
    assert blocker.read_text() == "a regular file where a folder should be"


def test_path_that_is_a_folder_falls_back_to_memory(db: Path) -> None:
    db.mkdir()
    store = StateStore.open(db)
    assert store.read_only
    assert "will not be saved" in store.notices[0] and str(db) in store.notices[0]
    store.set_read("a")
    assert store.is_read("a")
    assert list(db.iterdir()) == []


def test_failed_write_keeps_change_and_retries(db: Path) -> None:
    store = StateStore.open(db, timeout=0.05)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another reader holds the write lock
    store.set_read("a")
    store.set_setting("hide_read", "1")
    assert store.is_read("a") and store.get_setting("hide_read") == "1"
    assert len(store.notices) == 1 and "locked" in store.notices[0]
    store.set_read("b")
    assert len(store.notices) == 1  # the same trouble is reported once
    # The other reader commits a star and locks again; refresh re-reads the file but the
    # changes not yet saved stay.
    blocker.execute("INSERT INTO marks(article_id, starred) VALUES ('other', 1)")
    blocker.execute("COMMIT")
    blocker.execute("BEGIN IMMEDIATE")
    store.refresh()
    assert store.read_ids() == {"a", "b"} and store.starred_ids() == {"other"}
    assert store.get_setting("hide_read") == "1"
    blocker.execute("ROLLBACK")
    blocker.close()
    store.set_starred("c")  # the next write that succeeds saves the pending ones too
    store.close()
    with StateStore.open(db) as again:
        assert again.read_ids() == {"a", "b"} and again.starred_ids() == {"c", "other"}
        assert again.get_setting("hide_read") == "1"


# Several readers


def test_two_stores_in_one_process_see_each_other_after_refresh(db: Path) -> None:
    one, two = StateStore.open(db), StateStore.open(db)
    one.set_read("x")
    one.set_setting("hide_read", "1")
    assert not two.is_read("x")
    two.refresh()
    assert two.is_read("x") and two.get_setting("hide_read") == "1"
    two.set_starred("x")  # a write touches only its own column: x stays read
    one.set_read("x", False)
    one.refresh()
    assert one.starred_ids() == {"x"} and one.read_ids() == frozenset()
    two.refresh()
    assert two.read_ids() == frozenset() and two.starred_ids() == {"x"}
    one.close()
    two.close()


def test_a_stale_store_does_not_undo_the_other_column(db: Path) -> None:
    one, two = StateStore.open(db), StateStore.open(db)
    one.set_starred("x")
    two.set_read("x")  # two has not refreshed: it does not know x is starred
    one.close()
    two.close()
    with StateStore.open(db) as again:
        assert again.is_read("x") and again.is_starred("x")


def test_store_can_be_used_from_another_thread(db: Path) -> None:
    # Textual runs thread workers; the store must save from them, not just note an error.
    with StateStore.open(db) as store:
        worker = threading.Thread(target=store.set_read_many, args=(["t1", "t2"],))
        worker.start()
        worker.join()
        assert store.notices == []
    with StateStore.open(db) as again:
        assert again.read_ids() == {"t1", "t2"}


def test_two_processes_write_at_once(db: Path) -> None:
    # A new file, so both children also race to create, switch to WAL and migrate it.
    prefixes = ("a", "b")
    children = [start_child(db, prefix, 200, "--wait") for prefix in prefixes]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=30) for child in children]
    finally:
        for child in children:
            child.kill()
    for prefix, child, (out, err) in zip(prefixes, children, results, strict=True):
        assert child.returncode == 0, err
        assert out.split() == [f"{prefix}-{i}" for i in range(200)]
    with StateStore.open(db) as store:
        expected = {f"{p}-{i}" for p in "ab" for i in range(200)}
        assert store.read_ids() == expected


OPEN_RACE_CHILD = r"""
import sys
from reader.core.storage.state import StateStore
print("ready", flush=True)
for line in sys.stdin:
    with StateStore.open(line.strip()) as store:
        store.set_read(sys.argv[1])
    if store.notices or store.read_only:
        sys.exit("\n".join(store.notices))
    print("done", flush=True)
"""


def test_readers_starting_together_on_a_new_file(tmp_path: Path) -> None:
    # Creating the file, switching it to WAL and migrating it all race; none may fail.
    names = ["a", "b", "c", "d"]
    children = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_RACE_CHILD, name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            env=child_env(),
        )
        for name in names
    ]
    paths = [tmp_path / f"race{n}" / "state.db" for n in range(20)]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for path in paths:
            for child in children:  # all children get the path before any reply is read
                assert child.stdin is not None
                child.stdin.write(f"{path}\n")
                child.stdin.flush()
            replies = [child.stdout.readline() for child in children]  # type: ignore[union-attr]
            if replies != ["done\n"] * len(names):
                break  # a child failed; its stderr says why
        results = [child.communicate(input="", timeout=30) for child in children]
    finally:
        for child in children:
            child.kill()
    assert [child.returncode for child in children] == [0] * len(names), results
    for path in paths:
        assert query(path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
        with StateStore.open(path) as store:
            assert store.read_ids() == set(names)


@pytest.mark.slow  # a child process killed
def test_kill_9_loses_nothing_that_returned(db: Path) -> None:
    StateStore.open(db).close()
    child = start_child(db, "k", 1_000_000)
    watchdog = threading.Timer(20, child.kill)  # a hung child must not hang the suite
    watchdog.start()
    try:
        assert child.stdout is not None
        seen = [child.stdout.readline() for _ in range(50)]
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        seen += child.stdout.readlines()  # lines already in the pipe were printed too
    finally:
        watchdog.cancel()
        child.kill()
    assert child.returncode == -signal.SIGKILL
    printed = [line.strip() for line in seen if line.endswith("\n")]
    assert len(printed) >= 50 and printed[:2] == ["k-0", "k-1"]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    with StateStore.open(db) as store:
        assert store.notices == []
        assert set(printed) <= store.read_ids()
