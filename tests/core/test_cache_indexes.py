"""A first build writes its rows without the indexes it does not read (schema.DEFERRED_INDEXES);
the snapshot stored after it makes them (the app's once the feed is shown); a build stopped
midway leaves them to the next snapshot or the next open. In every case the file ends with
the very indexes of a new cache, and what is read meanwhile is the same.
"""

from __future__ import annotations

import contextlib
import signal
import sqlite3
from pathlib import Path

import pytest
from test_cache_kill import make_feed, run_child

from reader.core.storage.cache import FeedCache
from reader.core.storage.cache.feed_cache import BATCH_SIZE
from reader.core.storage.cache.schema import DEFERRED_INDEXES
from reader.core.storage.cache.stories import TABLES

FILES = 350


def indexes(db: Path) -> set[tuple[str, str, str]]:
    """Every index the file holds: name, table and the statement that made it."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        rows = conn.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index'")
        return {(name, table, sql or "") for name, table, sql in rows}


def schema_indexes(tmp_path: Path) -> set[tuple[str, str, str]]:
    """The indexes of a new cache file, before any build."""
    FeedCache.open(tmp_path / "new.db", tmp_path).close()
    return indexes(tmp_path / "new.db")


def test_the_deferred_indexes_are_the_schemas_own() -> None:
    assert "story_keys_day" in DEFERRED_INDEXES and "CREATE INDEX story_keys_day" in TABLES
    assert "files_article" not in DEFERRED_INDEXES  # the detail shown during a build needs it


def test_a_first_build_writes_without_the_deferred_indexes_and_ends_with_them(
    tmp_path: Path,
) -> None:
    feed, db = make_feed(tmp_path / "feed", FILES), tmp_path / "index.db"
    during: list[set[str]] = []
    with FeedCache.open(db, feed) as cache:
        result = cache.sync(
            workers=1, on_batch=lambda _: during.append({name for name, _, _ in indexes(db)})
        )
    assert result.parsed == FILES and during
    assert all(not names & set(DEFERRED_INDEXES) for names in during)
    assert all("files_article" in names for names in during)
    assert indexes(db) == schema_indexes(tmp_path)


def test_a_build_on_a_file_holding_another_feed_keeps_every_index(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    with FeedCache.open(db, make_feed(tmp_path / "one", 10)) as cache:
        cache.sync()
    during: list[set[str]] = []
    with FeedCache.open(db, make_feed(tmp_path / "two", FILES)) as cache:
        cache.sync(workers=1, on_batch=lambda _: during.append({n for n, _, _ in indexes(db)}))
    assert during and all(names.issuperset(DEFERRED_INDEXES) for names in during)
    assert indexes(db) == schema_indexes(tmp_path)


def test_a_cancelled_build_leaves_its_indexes_to_the_next_sync(tmp_path: Path) -> None:
    """A reload cancels the load and goes on with the same file."""
    feed, db = make_feed(tmp_path / "feed", BATCH_SIZE + 200), tmp_path / "index.db"
    with FeedCache.open(db, feed) as cache:
        assert cache.sync(workers=1, is_cancelled=lambda: True).cancelled
        assert not {name for name, _, _ in indexes(db)} & set(DEFERRED_INDEXES)
        assert cache.sync().parsed == BATCH_SIZE + 200 - 100
        assert indexes(db) == schema_indexes(tmp_path)


def test_the_apps_sync_leaves_the_indexes_to_its_snapshot_and_reads_the_same_without(
    tmp_path: Path,
) -> None:
    """The app syncs with `snapshot=False`, shows the feed, then stores the snapshot: until
    then the problems, details and stories are read without the deferred indexes."""
    feed, db = make_feed(tmp_path / "feed", FILES), tmp_path / "index.db"
    (feed / "broken.md").write_text("no front matter\n")
    (feed / "copy.md").write_text((feed / "0001.md").read_text())  # a duplicate URL
    with FeedCache.open(db, feed) as cache:
        result = cache.sync(snapshot=False)
        assert not {name for name, _, _ in indexes(db)} & set(DEFERRED_INDEXES)
        ids = [summary.id for summary in result.summaries]
        before = (cache.cached_problems(), [cache.article(i) for i in ids], cache.story_groups())
        cache.store_snapshot()
        assert indexes(db) == schema_indexes(tmp_path)
        after = (cache.cached_problems(), [cache.article(i) for i in ids], cache.story_groups())
    assert before == after and len(before[0]) == 2 and all(before[1])


def test_a_build_closed_midway_leaves_its_indexes_to_the_next_open(tmp_path: Path) -> None:
    """Quitting mid-build ends at once; the next start makes the indexes, then syncs."""
    feed, db = make_feed(tmp_path / "feed", FILES), tmp_path / "index.db"
    cache = FeedCache.open(db, feed)
    result = cache.sync(workers=1, on_batch=lambda _: cache.close())
    assert result.cancelled
    assert not {name for name, _, _ in indexes(db)} & set(DEFERRED_INDEXES)
    with FeedCache.open(db, feed) as again:
        assert indexes(db) == schema_indexes(tmp_path)
        assert len(again.sync().summaries) == FILES


@pytest.mark.slow
def test_a_build_killed_midway_gets_its_indexes_at_the_next_start(tmp_path: Path) -> None:
    feed, db = make_feed(tmp_path / "feed", FILES), tmp_path / "index.db"
    killed = run_child("build", str(feed), str(db), "2", "between")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not {name for name, _, _ in indexes(db)} & set(DEFERRED_INDEXES)
    resumed = run_child("sync", str(feed), str(db))
    assert resumed.returncode == 0, resumed.stderr
    assert indexes(db) == schema_indexes(tmp_path)
