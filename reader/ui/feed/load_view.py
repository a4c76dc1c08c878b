"""The load, drawn: the pipeline's and the watcher's messages, folded by `FeedSync`, shown.

Owns the start of the load (after the first frame), the streamed refresh's timer, the
folder's follower (started once the first load is complete) and the word index made after
it. The screen hands it every load message (`show`); the load and the watch run in threads
that post messages only (`reader.ui.messages`, and `WatchFailed` when no watch can start).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.message import Message
from textual.timer import Timer
from textual.worker import get_current_worker

from reader.ui.feed.host import FeedHost
from reader.ui.feed_sync import FeedSync, Fold
from reader.ui.loading import FeedLoader, LoadState
from reader.ui.watching import WatchTimes, follow_feed
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.feed_header import FeedHeader, HeaderFacts
from reader.ui.widgets.load_progress import LoadProgress

if TYPE_CHECKING:
    from reader.core.model import ArticleSummary
    from reader.core.query import SearchIndex

# After a filter keystroke, this long without another before the sidebar, the detail and
# the word index go on.
REST_DELAY = 0.15
MAX_TYPING_PAUSE = 1.0  # seconds a sync's check waits at one folder while keys are typed
MAX_QUIET_WAIT = 30.0  # seconds the watch waits for a pause in the keys before it starts


@dataclass
class WatchFailed(Message):
    """No watch on the feed folder could be set up (a full inotify table…)."""

    error: str


class LoadView:
    """The load's messages on screen: rows, progress bar, notices, then the folder followed."""

    def __init__(
        self, host: FeedHost, loader: FeedLoader, *, follow: bool, watch_times: WatchTimes
    ) -> None:
        self.host = host
        self.loader = loader
        self.sync = FeedSync(host.view, loader)  # the load state, kept by the load's messages
        self.follow_changes = follow
        self.watch_times = watch_times
        self.watch_stop = threading.Event()
        self.watch_ready = threading.Event()  # set once the OS watch is in place
        self.words = WordIndexer(host)
        loader.pause = self.yield_to_typing
        loader.marks = lambda: (host.store.read_ids(), host.store.starred_ids())
        self._started = False  # the first load, started after the first frame
        self._watch_started = False
        self._stream_timer: Timer | None = None  # the next refresh of a streamed load

    def yield_to_typing(self) -> None:
        """Called by a sync (in its thread) between the folders of its check: while keys are
        typed in the filter it waits, at most MAX_TYPING_PAUSE, so that they have the
        interpreter lock (the check right after a warm start made the first keys slow)."""
        deadline = time.monotonic() + MAX_TYPING_PAUSE
        while (
            time.monotonic() - self.words.typed_at < REST_DELAY
            and time.monotonic() < deadline
            and not self.watch_stop.is_set()
        ):
            time.sleep(REST_DELAY / 4)

    def wait_for_quiet(self, seconds: float, input_at: Callable[[], float]) -> bool:
        """Wait until no key has come for `seconds` (the filter's count too), at most
        MAX_QUIET_WAIT; False if the app quits meanwhile."""
        began = time.monotonic()
        deadline = began + MAX_QUIET_WAIT
        while (now := time.monotonic()) < deadline:
            quiet = now - max(input_at(), self.words.typed_at, began)
            if quiet >= seconds:
                break
            if self.watch_stop.wait(min(seconds - quiet, deadline - now)):
                return False
        return not self.watch_stop.is_set()

    def start(self) -> None:
        """After the first frame: the prefetch reads every row, the loading bar is mounted, the
        load worker starts, then the detail pane imports its Markdown body (no article is
        shown before the rows)."""
        if self._started:
            return
        self._started = True
        self.loader.first_frame_drawn()
        self.host.call_later(self.host.query_one(LoadProgress).mount_parts)
        self.load()
        self.host.call_later(self.host.query_one(DetailPane).mount_body)

    @property
    def started(self) -> bool:
        return self._started

    def load(self) -> None:
        """Read the feed off the event loop; the loader only posts messages back."""
        rows_shown = bool(self.host.library.summaries)

        def run() -> None:
            worker = get_current_worker()
            self.loader.run(self.host.post_message, lambda: worker.is_cancelled, rows_shown)

        self.host.run_worker(run, thread=True, group="load", exclusive=True)

    def reload(self) -> None:
        self.sync.reload()
        self.host.update_header()
        self.load()

    def stop(self) -> None:
        self.watch_stop.set()
        self.loader.close()

    def show(self, fold: Fold) -> None:
        """Draw and say what a load or watch message changed (see `FeedSync.fold`)."""
        host = self.host
        if fold.head is not None:
            self.show_head_rows(*fold.head)
        if fold.progress is not None:
            host.query_one(LoadProgress).update(*fold.progress)
        if fold.streamed:
            self.pace_streamed()
        if fold.ended:
            host.query_one(LoadProgress).finish()
        for notice in fold.notices:
            host.tell(notice.text, severity=notice.severity, timeout=notice.timeout)
        if fold.complete:
            self.start_following()
            self.index_words_soon()
        if fold.redraw:
            host.refresh_view(keep_id=fold.keep_id)
        elif fold.header:
            host.update_header()

    def show_head_rows(self, head: list[ArticleSummary], total: int) -> None:
        """The cached head in the first frame: with read articles hidden, without them (the
        rows the feed then shows begin with these, rather than lose some)."""
        article_list = self.host.query_one(ArticleList)
        read = self.host.store.read_ids()
        article_list.set_marks(read, self.host.store.starred_ids())
        hide = self.host.view.hide_read
        article_list.show([summary for summary in head if summary.id not in read] if hide else head)
        order = self.host.view.order
        header = HeaderFacts(self.host.feed_name, total, total, None, order, "loading…")
        self.host.query_one(FeedHeader).facts = header

    def pace_streamed(self) -> None:
        """A freshly parsed batch: the first rows at once, then at the sync's pace."""
        if not self.host.query_one(ArticleList).row_count:
            self.refresh_streamed()
        elif self._stream_timer is None:
            delay = self.sync.stream_delay(time.monotonic())
            self._stream_timer = self.host.set_timer(delay, self.refresh_streamed)

    @property
    def stream_pending(self) -> bool:
        """Whether a streamed refresh is still to come."""
        return self._stream_timer is not None

    def refresh_streamed(self) -> None:
        self._stream_timer = None
        if self.sync.loaded:
            return  # the complete feed is shown already
        started = time.monotonic()
        self.host.refresh_view()
        self.sync.stream_refreshed(started, time.monotonic())
        # Again once the frame is drawn: the drawing is much of what a refresh costs the one
        # core the parsers leave the app.
        drawn = partial(self.sync.stream_refreshed, started)
        self.host.call_after_refresh(lambda: drawn(time.monotonic()))

    def index_words_soon(self) -> None:
        if self.sync.loaded or self.sync.load_state is LoadState.WARM:
            self.words.soon(self.host.view.order)

    # --- following the folder: changes on disk while the app runs ------------------------

    def start_following(self) -> None:
        if self.follow_changes and not self._watch_started:
            self._watch_started = True
            app = self.host.app  # asked here: the worker's thread has no active app
            work = partial(self.follow_folder, lambda: float(getattr(app, "input_at", 0.0)))
            self.host.run_worker(work, thread=True, group="watch")

    def follow_folder(self, input_at: Callable[[], float] = lambda: 0.0) -> None:
        """Watch the feed (in its own thread, until stopped); each batch is a quiet resync.
        It starts once no key has come for `watch_times.start_ms` (see START_MS), at most
        MAX_QUIET_WAIT after the load; `input_at`: when the last key came."""
        if not self.wait_for_quiet(self.watch_times.start_ms / 1000, input_at):
            return  # quitting

        def resync() -> None:
            self.loader.resync(self.host.post_message, self.watch_stop.is_set)

        try:
            follow_feed(
                self.loader.feed_path, resync, self.watch_stop, self.watch_ready, self.watch_times
            )
        except Exception as error:  # noqa: BLE001 - no watch (a full inotify table…) is a notice
            if not self.watch_stop.is_set():
                self.host.post_message(WatchFailed(str(error)))


class WordIndexer:
    """Makes the word index of the order shown (see `SearchIndex.build_words`) in a thread,
    after the list is drawn, once the feed is whole (the cache's, while the files are
    checked, is whole too); the filter scans until it is there. It yields to typing. At a
    warm start it is read back from the index cache instead (a few tens of ms), which kept
    it the first time it was made over these summaries."""

    def __init__(self, host: FeedHost) -> None:
        self.host = host
        self._words_for: SearchIndex | None = None  # the index whose word index is being made
        self.typed_at = 0.0  # time.monotonic() of the last filter keystroke

    def soon(self, order: str) -> None:
        index = self.host.library.search_index(order)
        if index.words is None and index is not self._words_for:
            self._words_for = index
            self.host.call_after_refresh(self.start, index)

    def start(self, index: SearchIndex) -> None:
        self.host.run_worker(
            lambda: self.build(index), thread=True, exclusive=True, group="word-index"
        )

    def build(self, index: SearchIndex) -> None:
        worker = get_current_worker()

        def go_on() -> bool:
            # Both threads want the one interpreter lock: while the user types, the
            # keystrokes have it (the scan answers them meanwhile).
            while time.monotonic() - self.typed_at < REST_DELAY and not worker.is_cancelled:
                time.sleep(REST_DELAY / 4)
            return not worker.is_cancelled

        index.build_words(go_on)
