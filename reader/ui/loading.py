"""The load pipeline: cached head, cached rows, then what changed on disk, as messages.

`FeedLoader` starts reading the index cache in a thread the moment it is made (before
Textual draws its first frame), and `run` is the body of the feed screen's load worker: it
never touches the screen, it only posts the messages of `reader.ui.messages`.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from enum import Enum
from pathlib import Path

from textual.message import Message

from reader.core.library import Library
from reader.core.loader import load_feed
from reader.core.model import Article, ArticleSummary, summarize
from reader.core.ordering import DEFAULT_ORDER
from reader.core.storage.cache import FeedCache, SyncResult
from reader.ui.messages import (
    BatchParsed,
    CachedLibraryReady,
    CacheOpened,
    FeedChanged,
    FeedGone,
    FeedLoaded,
    HeadReady,
    LoadConfirmed,
    LoadProgressed,
    Shown,
    StoriesFound,
)

Post = Callable[[Message], object]
Marks = tuple[frozenset[str], frozenset[str]]  # the read ids and the starred ids


def void(_: object) -> None:
    """Drop a result (`post_message` says whether it was queued; the sync wants nothing back)."""


# The change summary of a load that parsed nothing but found the rows changed: another
# reader on the same cache (a second window, `reader list`) had parsed the files first.
PARSED_ELSEWHERE = "changes another reader had parsed"
HEAD_WAIT_SECONDS = 5
SHOWN_WAIT_SECONDS = 2  # at most this long for the screen to draw the cached rows
# At most this long the prefetch waits, once it has the head, for the first frame to be drawn.
FIRST_FRAME_WAIT_SECONDS = 2


def post_and_wait(post: Post, message: Shown) -> None:
    """Post, then let the screen draw it before the worker goes on (see `Shown`)."""
    post(message)
    message.handled.wait(SHOWN_WAIT_SECONDS)


class LoadState(Enum):
    """Where the screen's feed stands."""

    WARM = "warm"  # cached rows shown; the files are being checked
    STREAMING = "streaming"  # no cached rows: parsed batches arrive
    COMPLETE = "complete"  # the feed on screen is the feed on disk
    FAILED = "failed"  # the feed is gone; what is shown is kept


def app_loader(
    feed_path: Path, cache_path: Path | None, use_cache: bool, group_stories: bool
) -> FeedLoader:
    """The app's loader: it holds the full read for the first frame (`hold_for_first_frame`)
    and looks for stories as the config's `group_stories` says."""
    return FeedLoader(
        feed_path, cache_path, use_cache, hold_for_first_frame=True, stories=group_stories
    )


class FeedLoader:
    """Reads one feed (with its index cache, or without); one `run` per load or reload."""

    def __init__(
        self,
        feed_path: Path,
        cache_path: Path | None,
        use_cache: bool,
        *,
        hold_for_first_frame: bool = False,
        stories: bool = True,
    ) -> None:
        """`hold_for_first_frame`: once the head is read, the prefetch waits for
        `first_frame_drawn` (or FIRST_FRAME_WAIT_SECONDS) before it reads every row.
        `stories` false (`group_stories = false`): no story is looked for."""
        self.feed_path, self.stories = feed_path, stories
        self._posted_stories: set[tuple[str, ...]] = set()  # the last `StoriesFound`'s
        self.cache_path, self.use_cache = cache_path, use_cache
        # What the feed was at start, so that a reload can tell a folder that is gone.
        self.feed_is_folder: bool | None = feed_path.is_dir() if feed_path.exists() else None
        self.cache: FeedCache | None = None
        self._head: tuple[list[ArticleSummary], int] = ([], 0)
        self._head_ready = threading.Event()
        self._head_taken = threading.Event()  # the screen drew the head itself (`head_now`)
        # Reading every row holds the GIL for long stretches (100,000 summaries are built):
        # it would slow the first frame by as much. The prefetch reads the head, then waits.
        self._first_frame = threading.Event()
        if not hold_for_first_frame:
            self._first_frame.set()
        self._prefetch: Future[tuple[FeedCache, Library | None, int]] | None = None
        # One sync at a time: the load, a reload and the watcher's share the cache.
        self._sync_lock = threading.Lock()
        # The generation of the rows last handed to the screen (None: none yet); a sync that
        # parsed nothing may still end at another (another reader wrote the rows).
        self._shown_generation: int | None = None
        # Given by the screen: what a sync calls between the folders of its check (see
        # `LoadView.yield_to_typing`), and the read and starred ids now.
        self.pause: Callable[[], None] = lambda: None
        self.marks: Callable[[], Marks] | None = None
        if use_cache:
            pool = ThreadPoolExecutor(1, thread_name_prefix="reader-cache")
            self._prefetch = pool.submit(self._prepare_cached)
            pool.shutdown(wait=False)  # the task still runs; the thread ends with it

    def _prepare_cached(self) -> tuple[FeedCache, Library | None, int]:
        """Open the cache and build a library of its rows (in the prefetch thread); with the
        generation they were read at."""
        cache = FeedCache.open(self.cache_path, self.feed_path)
        cache.stories, cache.pause = self.stories, lambda: self.pause()
        cache.make_listings = False  # the app prints no list: made by the first that does
        try:
            self._head = cache.cached_head()
        finally:
            self._head_ready.set()
        self._first_frame.wait(FIRST_FRAME_WAIT_SECONDS)
        summaries = cache.cached_summaries()
        generation = cache.cached_generation()
        if not summaries:
            return cache, None, generation
        library = Library()
        library.add_summaries(summaries)
        library.set_detail_source(cache.article)
        in_order = cache.cached_sorted()
        if in_order is not None:
            library.set_sorted(DEFAULT_ORDER, in_order)
        if self.stories:  # as last grouped: the cached rows are shown as stories at once
            groups = self._groups_of(lambda: cache.story_groups(up_to_date=False))
            library.set_stories(groups)
            self._posted_stories = set(groups)
        library.make_lookups()
        if in_order is not None:  # the search index and the sidebar's columns too: ~120
            library.search_index()  # ms at 100,000 the first key and count would else pay
            columns = library.topic_columns()
            columns.key_columns()  # its topics' bitsets (~25 ms), for the first count
            if self.marks is not None:  # and its marks' codes (~45 ms)
                columns.codes_for(*self.marks())
            if self.stories:
                library.story_columns()
        return cache, library, generation

    @staticmethod
    def _groups_of(read: Callable[[], list[tuple[str, ...]]]) -> list[tuple[str, ...]]:
        try:
            return read()
        except sqlite3.Error:  # the cache failed under us: every article stands alone
            return []

    def run(self, post: Post, is_cancelled: Callable[[], bool], rows_shown: bool) -> None:
        """Load (in a worker thread); `rows_shown`: the screen already shows a feed."""
        with self._sync_lock:
            self._run(post, is_cancelled, rows_shown)

    def _run(self, post: Post, is_cancelled: Callable[[], bool], rows_shown: bool) -> None:
        if not self.use_cache:
            self._load_without_cache(post)
            return
        cached = rows_shown
        if self.cache is None:
            cached = self._open_cache(post) or cached
        assert self.cache is not None
        told = len(self.cache.notices)
        result = self.cache.sync(
            # Posted, not called: the parsing must not wait for the screen to catch up.
            on_progress=lambda done, total: void(post(LoadProgressed(done, total))),
            on_batch=None if cached else lambda batch: void(post(BatchParsed(batch))),
            is_cancelled=is_cancelled,
            snapshot=False,  # stored once the feed is posted: the screen need not wait for it
        )
        if is_cancelled():
            return
        if len(self.cache.notices) > told:  # the file failed during the sync (a full disk)
            post(CacheOpened(self.cache.article, self.cache.notices[told:]))
        if result.feed_missing:
            post(FeedGone(result.problems))
            return
        if cached and not self._changed_since_shown(result):
            # Nothing changed on disk: the rows on screen are the feed; keep them (and their sort).
            post(LoadConfirmed(result.problems, result.change_summary()))
        else:
            in_order = self.cache.cached_sorted()
            changes = result.change_summary()
            if not (result.parsed or result.removed) and cached:
                changes = PARSED_ELSEWHERE
            words = self.cache.kept_words(result.generation)
            post(FeedLoaded(result.summaries, result.problems, (), in_order, changes, words))
            self._shown_generation = result.generation
        self.cache.store_snapshot()
        self._post_stories(post, is_cancelled)

    def _changed_since_shown(self, result: SyncResult) -> bool:
        """Whether the sync's feed differs from the one on screen: parsed or removed here, or
        written by another reader since the screen's rows were read."""
        return bool(result.parsed or result.removed) or (
            result.generation != self._shown_generation
        )

    def resync(self, post: Post, is_cancelled: Callable[[], bool]) -> None:
        """Fold what changed on disk into the feed shown (in the watcher's thread): only the
        new and changed files are parsed; nothing is posted when nothing changed."""
        with self._sync_lock:
            if not self.use_cache:
                feed = load_feed(self.feed_path, folder=self.feed_is_folder)
                if feed.feed_missing:
                    post(FeedGone(feed.problems))
                    return
                summaries = [summarize(a) for a in feed.articles]
                post(FeedChanged(summaries, feed.problems, feed.articles, None))
                self._post_stories(post, is_cancelled, feed.articles)
                return
            if self.cache is None or is_cancelled():
                return  # the first load opens the cache, and shows whatever it finds
            result = self.cache.sync(is_cancelled=is_cancelled)
            if result.feed_missing:
                post(FeedGone(result.problems))
            elif not result.cancelled and self._changed_since_shown(result):
                in_order = self.cache.cached_sorted()
                words = self.cache.kept_words(result.generation)
                post(FeedChanged(result.summaries, result.problems, (), in_order, words))
                self._shown_generation = result.generation
                self._post_stories(post, is_cancelled)

    def _post_stories(
        self, post: Post, is_cancelled: Callable[[], bool], articles: Sequence[Article] = ()
    ) -> None:
        """The stories of the feed just posted, if they changed (grouped here, in the loader's
        thread): from the cache, or from the parsed `articles` without it."""
        if not self.stories or is_cancelled():
            return
        if self.cache is not None:
            groups = self._groups_of(self.cache.story_groups)
        else:
            from reader.core.stories.features import keys_of
            from reader.core.stories.grouping import group

            groups = group(keys_of(article) for article in articles)
        # Unchanged stories are not posted: a redraw of 100,000 rows for nothing.
        if not is_cancelled() and set(groups) != self._posted_stories:
            self._posted_stories = set(groups)
            post(StoriesFound(groups))

    def first_frame_drawn(self) -> None:
        """The screen has drawn its first frame: the prefetch may read every row now."""
        self._first_frame.set()

    def head_now(self, wait: float) -> tuple[list[ArticleSummary], int] | None:
        """The cached head, if the prefetch has it within `wait` seconds: the screen draws it
        with its first frame (a message would be handled only after that frame)."""
        if self._prefetch is None or not self._head_ready.wait(wait) or not self._head[0]:
            return None
        self._head_taken.set()
        return self._head

    def _open_cache(self, post: Post) -> bool:
        """Take the prefetched cache (posting its head first if it is still reading the rest);
        True when it held a whole feed."""
        still_reading = self._prefetch is not None and not self._prefetch.done()
        still_reading = still_reading and not self._head_taken.is_set()
        if still_reading and self._head_ready.wait(HEAD_WAIT_SECONDS) and self._head[0]:
            post_and_wait(post, HeadReady(*self._head))
        prefetched = self._prefetch.result() if self._prefetch else self._prepare_cached()
        self.cache, prepared, generation = prefetched
        post(CacheOpened(self.cache.article, list(self.cache.notices)))
        if prepared is None:
            return False
        post_and_wait(post, CachedLibraryReady(prepared))
        self._shown_generation = generation
        return True

    def _load_without_cache(self, post: Post) -> None:
        feed = load_feed(self.feed_path, folder=self.feed_is_folder)
        if feed.feed_missing:
            post(FeedGone(feed.problems))
        else:
            post(
                FeedLoaded(
                    [summarize(a) for a in feed.articles], feed.problems, feed.articles, None, None
                )
            )
            self._post_stories(post, lambda: False, feed.articles)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
