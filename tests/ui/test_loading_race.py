"""Two readers started together on one cold cache: both end showing the whole feed.

The interleaving that left one reader at "25 / 25 articles" is made exact: the first reader
(a `FeedCache` building the cache) stops after its first batch of FIRST_BATCH files; the
second reader's load (a `FeedLoader` in a thread) reads those rows and hands them to its
stand-in screen, which draws them only once the first reader's build is done. The second
reader's sync then finds every file already parsed. A reload and the watcher's resync must
likewise show files another reader parsed.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual.message import Message

from app_helpers import article_file, write_feed
from reader.core.storage.cache import FeedCache
from reader.core.storage.cache.feed_cache import FIRST_BATCH
from reader.ui.loading import FeedLoader
from reader.ui.messages import (
    BatchParsed,
    CachedLibraryReady,
    FeedChanged,
    FeedLoaded,
    LoadConfirmed,
    Shown,
)

FILES = FIRST_BATCH + 35
DEADLINE = 10.0  # seconds any step may take before the test fails


def a_feed(folder: Path, count: int = FILES) -> Path:
    return write_feed(
        folder, (article_file(f"Story {i}", f"https://race.example/{i}") for i in range(count))
    )


class Screen:
    """What a feed screen shows, from the loader's messages; `hold` delays drawing the cache."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.shown: set[str] = set()
        self.posted: list[Message] = []
        self.cached_rows = threading.Event()  # the cached library has been posted
        self._hold = hold

    def post(self, message: Message) -> None:
        self.posted.append(message)
        if isinstance(message, CachedLibraryReady):
            self.shown = {summary.id for summary in message.library.summaries}
            self.cached_rows.set()
            if self._hold is not None:
                assert self._hold.wait(DEADLINE)
        elif isinstance(message, BatchParsed):
            self.shown |= {summary.id for summary in message.summaries}
        elif isinstance(message, FeedLoaded | FeedChanged):
            self.shown = {summary.id for summary in message.summaries}
        if isinstance(message, Shown):
            message.handled.set()

    def last(self) -> Message:
        return self.posted[-1]


def load(loader: FeedLoader, screen: Screen, rows_shown: bool = False) -> None:
    loader.run(screen.post, lambda: False, rows_shown=rows_shown)


def test_a_reader_started_amid_anothers_first_build_shows_the_whole_feed(tmp_path: Path) -> None:
    feed, index = a_feed(tmp_path / "feed"), tmp_path / "index.db"
    build_done = threading.Event()
    screen = Screen(hold=build_done)
    started: list[tuple[FeedLoader, threading.Thread]] = []

    def start_the_second_reader(batch: object) -> None:
        if not started:  # the first batch is committed, the rest not parsed yet
            second = FeedLoader(feed, index, use_cache=True)  # it reads the cache at once
            loading = threading.Thread(target=load, args=(second, screen), daemon=True)
            started.append((second, loading))
            loading.start()
            assert screen.cached_rows.wait(DEADLINE)

    with FeedCache.open(index, feed) as first:
        built = first.sync(workers=1, on_batch=start_the_second_reader)
    assert len(screen.shown) == FIRST_BATCH  # what the second reader read mid-build
    build_done.set()
    second, loading = started[0]
    loading.join(DEADLINE)
    assert not loading.is_alive()
    assert screen.shown == {summary.id for summary in built.summaries}
    assert len(screen.shown) == FILES

    load(second, screen, rows_shown=True)  # `r` afterwards: the files are as cached
    assert isinstance(screen.last(), LoadConfirmed) and len(screen.shown) == FILES
    second.close()


def test_a_reload_shows_the_files_another_reader_parsed(tmp_path: Path) -> None:
    feed, index = a_feed(tmp_path / "feed", 5), tmp_path / "index.db"
    loader, screen = FeedLoader(feed, index, use_cache=True), Screen()
    load(loader, screen)
    (feed / "new.md").write_text(article_file("New", "https://race.example/new"))
    with FeedCache.open(index, feed) as other:
        other.sync(workers=1)  # another reader's watcher got there first
    load(loader, screen, rows_shown=True)
    loaded = screen.last()
    assert isinstance(loaded, FeedLoaded) and len(screen.shown) == 6
    assert loaded.changes == "changes another reader had parsed"
    loader.close()


def test_the_watchers_resync_shows_the_files_another_reader_parsed(tmp_path: Path) -> None:
    feed, index = a_feed(tmp_path / "feed", 5), tmp_path / "index.db"
    loader, screen = FeedLoader(feed, index, use_cache=True), Screen()
    load(loader, screen)
    (feed / "new.md").write_text(article_file("New", "https://race.example/new"))
    with FeedCache.open(index, feed) as other:
        other.sync(workers=1)
    loader.resync(screen.post, lambda: False)
    assert isinstance(screen.last(), FeedChanged) and len(screen.shown) == 6
    posted = len(screen.posted)
    loader.resync(screen.post, lambda: False)  # nothing changed since: nothing posted
    assert len(screen.posted) == posted
    loader.close()
