"""The load pipeline on its own: `FeedLoader.run` posts messages and touches no screen.

The warm path (a cache that holds the feed), the cold path (batches stream in), the path
without a cache, a reload that finds changes, and a feed that is gone.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Never

import pytest
from textual.message import Message

import reader.core.library as library_module
from app_helpers import article_file, write_feed
from reader.core.topics import sidebar_entries
from reader.ui.loading import FeedLoader
from reader.ui.messages import (
    BatchParsed,
    CachedLibraryReady,
    CacheOpened,
    FeedGone,
    FeedLoaded,
    HeadReady,
    LoadConfirmed,
    LoadProgressed,
    Shown,
)

COUNT = 5


def a_feed(tmp_path: Path) -> Path:
    return write_feed(
        tmp_path / "feed",
        (article_file(f"Story {i}", f"https://load.example/{i}") for i in range(COUNT)),
    )


def run(loader: FeedLoader, rows_shown: bool = False) -> list[Message]:
    """One load; the stand-in screen draws at once what the loader waits on."""
    posted: list[Message] = []

    def post(message: Message) -> None:
        posted.append(message)
        if isinstance(message, Shown):
            message.handled.set()

    loader.run(post, lambda: False, rows_shown=rows_shown)
    return posted


def kinds(posted: list[Message]) -> list[type]:
    return [type(message) for message in posted if not isinstance(message, LoadProgressed)]


def test_a_cold_cache_streams_batches_then_the_whole_feed(tmp_path: Path) -> None:
    loader = FeedLoader(a_feed(tmp_path), tmp_path / "index.db", use_cache=True)
    posted = run(loader)
    assert kinds(posted)[0] is CacheOpened and kinds(posted)[-1] is FeedLoaded
    assert BatchParsed in kinds(posted)
    loaded = posted[-1]
    assert isinstance(loaded, FeedLoaded) and len(loaded.summaries) == COUNT
    loader.close()


def test_a_cold_load_posts_the_feed_before_storing_its_snapshot(tmp_path: Path) -> None:
    """The snapshot (~1.4 s at 100,000 articles) is stored once the screen has the feed."""
    cache = tmp_path / "index.db"
    loader = FeedLoader(a_feed(tmp_path), cache, use_cache=True)
    stored_when_posted: list[int] = []

    def post(message: Message) -> None:
        if isinstance(message, FeedLoaded):
            with closing(sqlite3.connect(cache)) as conn:
                stored_when_posted.extend(conn.execute("SELECT COUNT(*) FROM snapshots").fetchone())

    loader.run(post, lambda: False, rows_shown=False)
    loader.close()
    assert stored_when_posted == [0]
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM snapshots").fetchone() == (1,)


def test_a_cold_load_makes_no_listing_and_a_list_then_prints_what_files_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The app's load leaves `reader list`'s texts out (see `listing_rows.fill_listings`):
    the first `reader list --format json` makes them, and prints what parsing every file
    prints."""
    from reader.cli import main

    cache, feed = tmp_path / "index.db", a_feed(tmp_path)
    loader = FeedLoader(feed, cache, use_cache=True)
    run(loader)
    loader.close()
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM listings").fetchone() == (0,)
    argv = ["list", str(feed), "--state", str(tmp_path / "s.db"), "--format", "json"]
    assert main([*argv, "--no-cache"]) == 0
    fresh = capsys.readouterr().out
    assert main([*argv, "--cache", str(cache)]) == 0
    assert capsys.readouterr().out == fresh
    with closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM listings").fetchone() == (COUNT,)


def test_a_warm_cache_gives_its_rows_and_confirms_them(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    first = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    run(first)
    first.close()
    warm = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    posted = run(warm)
    # The head comes first when the prefetch is still reading the rest; then the same order.
    assert [kind for kind in kinds(posted) if kind is not HeadReady] == [
        CacheOpened,
        CachedLibraryReady,
        LoadConfirmed,
    ]
    library = next(m.library for m in posted if isinstance(m, CachedLibraryReady))
    assert len(library) == COUNT
    warm.close()


class _NotToBeWalked(list[object]):
    def __iter__(self) -> Never:
        raise AssertionError("the UI thread walked every article")


def test_a_warm_library_comes_with_its_lookups_made(tmp_path: Path) -> None:
    """The lookups by id and URL are made in the loading thread, not by the first detail."""
    feed = a_feed(tmp_path)
    run(FeedLoader(feed, tmp_path / "index.db", use_cache=True))
    warm = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    library = next(m.library for m in run(warm) if isinstance(m, CachedLibraryReady))
    warm.close()
    summaries, library.summaries = library.summaries, _NotToBeWalked(library.summaries)  # type: ignore[assignment]
    first = summaries[0]
    assert library.id_for_url(first.url) == first.id
    assert library.summary(first.id) == first


def test_a_warm_library_comes_with_its_search_index_and_sidebar_columns_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The search index and the sidebar's counting columns (topics, stories) are made in the
    loading thread: the first key and count after the load do not make them on the UI
    thread (~120 ms at 100,000)."""
    feed = a_feed(tmp_path)
    run(FeedLoader(feed, tmp_path / "index.db", use_cache=True))
    warm = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    library = next(m.library for m in run(warm) if isinstance(m, CachedLibraryReady))
    warm.close()

    def not_here(*_: object) -> Never:
        raise AssertionError("made on the UI thread")

    monkeypatch.setattr(library_module, "TopicColumns", not_here)
    monkeypatch.setattr(library_module, "StoryColumns", not_here)
    monkeypatch.setattr(library_module, "SearchIndex", not_here)
    assert library.story_columns().topics is library.topic_columns()
    assert library.search_index().covers(library.sorted())


def test_a_warm_library_comes_with_the_codes_of_the_marks_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sidebar's mark codes for the reading state the screen gives are made in the
    loading thread too: the first count after the load makes none (~45 ms at 100,000)."""
    feed = a_feed(tmp_path)
    run(FeedLoader(feed, tmp_path / "index.db", use_cache=True))
    # As the app: the screen gives the marks before the first frame lets the prefetch go on.
    warm = FeedLoader(feed, tmp_path / "index.db", use_cache=True, hold_for_first_frame=True)
    read, starred = frozenset({"https://load.example/1"}), frozenset[str]()
    warm.marks = lambda: (read, starred)
    warm.first_frame_drawn()
    library = next(m.library for m in run(warm) if isinstance(m, CachedLibraryReady))
    warm.close()
    columns = library.topic_columns()
    monkeypatch.setattr(columns, "_made", lambda *_: pytest.fail("made on the UI thread"))
    assert sidebar_entries(library.sorted(), read, starred, columns) == sidebar_entries(
        list(library.sorted()), read, starred
    )


def test_a_syncs_feed_says_where_its_word_index_may_be_kept(tmp_path: Path) -> None:
    """The summaries a sync gives hold their texts: the word index the app makes of them is
    kept in the index cache (for the next start) only through what the message names."""
    feed = a_feed(tmp_path)
    loader = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    run(loader)
    (feed / "new.md").write_text(article_file("New", "https://load.example/new"))
    loaded = run(loader, rows_shown=True)[-1]
    assert isinstance(loaded, FeedLoaded) and loaded.kept_words is not None
    store, version = loaded.kept_words
    paths = [s.path for s in loaded.summaries]
    assert store.stored_words(paths) == (None, version)  # the feed is still of that version
    loader.close()


def test_a_reload_that_finds_changes_says_which(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    loader = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    run(loader)
    (feed / "new.md").write_text(article_file("New", "https://load.example/new"))
    posted = run(loader, rows_shown=True)
    loaded = posted[-1]
    assert isinstance(loaded, FeedLoaded) and loaded.changes == "1 new"
    assert len(loaded.summaries) == COUNT + 1
    loader.close()


def test_without_a_cache_the_files_are_parsed_and_given_whole(tmp_path: Path) -> None:
    loader = FeedLoader(a_feed(tmp_path), None, use_cache=False)
    posted = run(loader)
    assert kinds(posted) == [FeedLoaded]
    loaded = posted[0]
    assert (
        isinstance(loaded, FeedLoaded)
        and len(list(loaded.details)) == COUNT
        and loaded.changes is None
    )


def test_a_feed_that_is_gone_is_said_not_emptied(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    for use_cache in (True, False):
        loader = FeedLoader(feed, tmp_path / f"index-{use_cache}.db", use_cache=use_cache)
        run(loader)
        for path in list(feed.iterdir()):
            path.rename(tmp_path / f"{use_cache}-{path.name}")
        feed.rmdir()
        posted = run(loader, rows_shown=True)
        assert kinds(posted) == [FeedGone], use_cache
        feed.mkdir()
        for path in tmp_path.glob(f"{use_cache}-*"):
            path.rename(feed / path.name.split("-", 1)[1])
        loader.close()


def test_the_head_taken_for_the_first_frame_is_not_posted_again(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    first = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    run(first)
    first.close()
    warm = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    head = warm.head_now(5.0)
    assert head is not None and len(head[0]) == COUNT and head[1] == COUNT
    assert HeadReady not in kinds(run(warm))
    warm.close()


def test_without_a_cache_there_is_no_head_to_take(tmp_path: Path) -> None:
    assert FeedLoader(a_feed(tmp_path), None, use_cache=False).head_now(0.01) is None
