"""Two readers on one cache file, one of them building it: each ends with the whole feed.

The second reader is a second `FeedCache` on the same file (its own connection, as another
process has). The dangerous moment is made exact by `on_batch`, which the first reader calls
right after committing a batch: the second reads the cache there, mid-build, and syncs once
the build is done, so its own scan finds nothing to parse.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app_helpers import article_file, write_feed
from reader.core.model import ArticleSummary
from reader.core.storage.cache import FeedCache
from reader.core.storage.cache.feed_cache import FIRST_BATCH

FILES = FIRST_BATCH + 35  # a first batch for the first screen, then the rest


def a_feed(folder: Path, count: int = FILES) -> Path:
    return write_feed(
        folder, (article_file(f"Story {i}", f"https://race.example/{i}") for i in range(count))
    )


def ids(summaries: list[ArticleSummary]) -> set[str]:
    return {summary.id for summary in summaries}


def test_a_reader_that_read_an_empty_cache_gets_the_feed_another_one_built(
    tmp_path: Path,
) -> None:
    feed, index = a_feed(tmp_path / "feed"), tmp_path / "index.db"
    with FeedCache.open(index, feed) as late, FeedCache.open(index, feed) as builder:
        assert late.cached_summaries() == []  # the app reads the cache before it syncs
        built = builder.sync(workers=1)
        result = late.sync(workers=1)
        assert result.parsed == 0  # the builder had parsed every file
        assert ids(result.summaries) == ids(built.summaries) and len(result.summaries) == FILES
        assert ids(late.cached_summaries()) == ids(built.summaries)


def test_a_reader_that_read_the_first_batch_of_a_build_gets_the_whole_feed(
    tmp_path: Path,
) -> None:
    feed, index = a_feed(tmp_path / "feed"), tmp_path / "index.db"
    with FeedCache.open(index, feed) as late, FeedCache.open(index, feed) as builder:
        seen: list[int] = []

        def read_mid_build(batch: list[ArticleSummary]) -> None:
            if not seen:  # the first batch is committed; the rest is not parsed yet
                seen.append(len(late.cached_summaries()))

        built = builder.sync(workers=1, on_batch=read_mid_build)
        assert seen == [FIRST_BATCH]
        result = late.sync(workers=1)
        assert ids(result.summaries) == ids(built.summaries) and len(result.summaries) == FILES
        # What the late reader stored is the whole feed too, for the next start.
    with FeedCache.open(index, feed) as next_start:
        assert len(next_start.cached_summaries()) == FILES
        assert next_start.cached_head()[1] == FILES


def test_the_generation_tells_whether_a_sync_found_the_feed_as_it_was(tmp_path: Path) -> None:
    feed, index = a_feed(tmp_path / "feed", 3), tmp_path / "index.db"
    with FeedCache.open(index, feed) as first, FeedCache.open(index, feed) as other:
        before = first.sync(workers=1)
        assert first.sync(workers=1).generation == before.generation  # nothing changed
        (feed / "new.md").write_text(article_file("New", "https://race.example/new"))
        other.sync(workers=1)  # the other reader parses the new file first
        after = first.sync(workers=1)
        assert after.parsed == 0 and after.generation != before.generation
        assert len(after.summaries) == 4


def test_a_feed_row_emptied_by_another_build_keeps_the_rows_read(tmp_path: Path) -> None:
    feed, index = a_feed(tmp_path / "feed", 3), tmp_path / "index.db"
    with FeedCache.open(index, feed) as cache:
        before = cache.sync(workers=1).summaries
        with sqlite3.connect(index) as other:  # as a reader of another build emptying the file
            other.execute("DELETE FROM feeds")
        assert cache.sync(workers=1).summaries == before


def test_opening_a_known_feed_does_not_wait_for_another_readers_write(tmp_path: Path) -> None:
    """`reader list` while the app's sync holds the write lock: the open writes nothing."""
    root = write_feed(tmp_path / "feed", [article_file("One", "https://race.example/1")])
    cache_file = tmp_path / "index.db"
    with FeedCache.open(cache_file, root) as cache:
        cache.sync()
    writer = sqlite3.connect(cache_file, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another reader's write transaction, under way
        with FeedCache.open(cache_file, root, timeout=0.2) as cache:
            assert cache.path == cache_file and not cache.notices
            assert [s.title for s in cache.cached_summaries()] == ["One"]
    finally:
        writer.execute("ROLLBACK")
        writer.close()
