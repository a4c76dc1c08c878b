"""The main screen: the topic sidebar, the article list and the detail pane of one feed.

It owns what is shown (the view settings as reactives, kept in a `FeedView`, and the
selected article), receives the load pipeline's messages, hears the widgets' messages and
runs the feed's commands. Widgets are told what to show; they never reach up.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from reader.core.config import Settings
from reader.core.library import Library
from reader.core.marks import Marks
from reader.core.model import Article, ArticleSummary, plural
from reader.core.ordering import DEFAULT_ORDER, next_order
from reader.core.sanitize import UnsafeUrl, check_url
from reader.core.storage.state import StateStore
from reader.core.topics import ALL, TopicCount
from reader.core.view import FeedView
from reader.ui.commands import Keymap, bindings, first_key
from reader.ui.feed_sync import FeedSync, Fold
from reader.ui.loading import FeedLoader, LoadState
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
)
from reader.ui.screens.confirm_screen import ConfirmScreen
from reader.ui.screens.prompt_screen import PromptScreen
from reader.ui.watching import WatchTimes, follow_feed
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.load_progress import LoadProgress
from reader.ui.widgets.related_links import RelatedLinks
from reader.ui.widgets.topic_sidebar import TopicSidebar
from reader.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from reader.core.importer import ImportReport
    from reader.core.query import Query, SearchIndex


class ReaderServices(Protocol):
    """What the screen asks of the app: notices and the URL gate (so it never imports the app)."""

    def tell(self, message: str, *, severity: str = ..., timeout: float | None = ...) -> None: ...

    keymap_in_force: Keymap

    def start_theme(self, remembered: str | None) -> None: ...

    def tell_notices(self) -> None: ...

    def open_link(
        self, raw_url: str | None, *, on_opened: Callable[[], object] | None = ...
    ) -> None: ...

    def copied_note(self) -> str: ...


RECENT_QUERIES = 10
# How long the first frame may wait for the cached head (it is read in a thread from start-up).
HEAD_FIRST_FRAME_SECONDS = 0.1
STATE_RETRY_SECONDS = 30.0  # how often marks a failed write kept are tried again


class FeedScreen(Screen[None]):
    """One feed: the view settings are reactives; each change redraws the view once."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("feed")
    WATCH_TIMES: ClassVar[WatchTimes] = WatchTimes()  # how the folder's changes are batched
    # After a filter keystroke, the sidebar's counts and the detail wait this long for the
    # next key (which drops them): typing pays for the list and the header only.
    REST_DELAY: ClassVar[float] = 0.15

    order: reactive[str] = reactive(DEFAULT_ORDER, init=False)
    topic: reactive[str] = reactive(ALL, init=False)
    hide_read: reactive[bool] = reactive(False, init=False)
    selected: reactive[Article | None] = reactive(None, init=False, always_update=True)

    def __init__(
        self,
        loader: FeedLoader,
        *,
        state_path: Path | None = None,
        read_after: float | None = None,
        settings: Settings | None = None,
        watch: bool = True,
    ) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.loader = loader
        self.feed_path = loader.feed_path
        self.state_path = state_path
        self.store = StateStore()  # replaced by the real one on mount
        self.marks = Marks(self.store)
        self.view = FeedView(Library(), self.store, searches=self.settings.searches)
        self.sync = FeedSync(self.view, loader)  # the load state, kept by the load's messages
        self._stream_timer: Timer | None = None  # the next refresh of a streamed load
        self._read_timer: Timer | None = None
        # Seconds on an article, after the user moved to it, before it is read (0: no dwelling).
        self.read_after = self.settings.read_after_seconds if read_after is None else read_after
        # Following the folder: started once the first load is complete (never before the
        # first frame), stopped on unmount; `watch_ready` is set once the OS watch is in place.
        self.follow_changes = watch
        self.watch_times = self.WATCH_TIMES
        self.watch_stop = threading.Event()
        self.watch_ready = threading.Event()
        self._watch_started = False
        self._load_started = False  # the first load, started after the first frame
        self.import_status: str | None = None  # "Importing URL…" in the header while it runs
        # Each `refresh_view` bumps it, so that the sidebar and detail a keystroke left for
        # after the list is drawn are skipped once another view has come.
        self._view_generation = 0
        self._words_for: SearchIndex | None = None  # the index whose word index is being made
        self._typed_at = 0.0  # time.monotonic() of the last filter keystroke
        self._rest_timer: Timer | None = None

    @property
    def reader(self) -> ReaderServices:
        return cast(ReaderServices, self.app)

    @property
    def loaded(self) -> bool:
        return self.sync.loaded

    @property
    def load_state(self) -> LoadState:
        return self.sync.load_state

    @property
    def vanished(self) -> str | None:
        """An article whose file was deleted while it was read: shown until the user moves."""
        return self.sync.vanished

    @property
    def pinned(self) -> str | None:
        """Shown whatever the filter, topic or hide-read say, until the user moves away from it:
        the article just read with read articles hidden, or the target of a jump."""
        return self.view.pinned

    @pinned.setter
    def pinned(self, article_id: str | None) -> None:
        self.view.pinned = article_id

    @property
    def pin_hidden(self) -> bool:
        return self.view.pin_hidden

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FeedHeader(id="header")
        yield LoadProgress(id="load-progress")
        with Horizontal(id="main"):
            sidebar = TopicSidebar(id="sidebar")
            sidebar.border_title = "Topics"
            sidebar.border_subtitle = "unread/all"
            yield sidebar
            with Horizontal(id="content"):
                with Vertical(id="list-column"):
                    yield FilterBar(id="filter-bar")
                    yield ArticleList(id="articles")
                detail = DetailPane(id="detail", body_on_request=True)
                detail.border_title = "Article"
                yield detail
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.open_state()
        self.query_one(ArticleList).focus()
        self.query_one(DetailPane).show(None, self.is_in_feed)
        self.refresh_view()
        head = self.loader.head_now(HEAD_FIRST_FRAME_SECONDS)
        if head is not None:
            self.show_fold(self.sync.fold(HeadReady(*head)))
        # The rest of the load (every cached row, then the check of the files) waits for the
        # first frame: its threads would take the GIL from the frame's styling and drawing.
        # Started right after Textual's own ScreenResume handler has drawn it (this one runs
        # first), else after the first refresh.
        self.call_after_refresh(self.start_load)

    def on_screen_resume(self) -> None:
        if not self._load_started:
            self.call_next(self.start_load)

    def start_load(self) -> None:
        """After the first frame: the prefetch reads every row, the loading bar is mounted, the
        load worker starts, then the detail pane imports its Markdown body (no article is
        shown before the rows)."""
        if self._load_started:
            return
        self._load_started = True
        self.loader.first_frame_drawn()
        self.call_later(self.query_one(LoadProgress).mount_parts)
        self.load()
        self.call_later(self.query_one(DetailPane).mount_body)

    def open_state(self) -> None:
        """The reading state; a bad or unwritable file is said, never fatal."""
        self.store = self.view.state = StateStore.open(self.state_path)
        self.marks = Marks(self.store)
        for notice in self.store.notices:
            self.tell(notice, severity="warning")
        # A write failing later (a full disk) is said when it happens, and once.
        self.store.on_notice = lambda notice: self.tell(notice, severity="warning")
        # Kept changes are written as soon as the disk takes them again, not only with the next.
        self.set_interval(STATE_RETRY_SECONDS, self.store.retry_pending)
        self.reader.start_theme(self.store.get_setting("theme"))
        self.reader.tell_notices()
        # The config's choices win at start; then the user's toggles count.
        hide_read = self.settings.hide_read
        if hide_read is None:
            hide_read = self.store.get_setting("hide_read") == "1"
        self.set_reactive(FeedScreen.hide_read, hide_read)
        self.set_reactive(FeedScreen.order, self.settings.sort)
        self.view.hide_read, self.view.order = hide_read, self.settings.sort

    def on_unmount(self) -> None:
        self.watch_stop.set()
        self.start_read_timer(None)  # a timer firing after the widgets are gone would fail
        self.store.close()
        self.loader.close()

    def tell(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        self.reader.tell(message, severity=severity, timeout=timeout)

    # --- loading: the pipeline's messages ----------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the feed off the event loop; the loader only posts messages back."""
        worker = get_current_worker()
        self.loader.run(
            self.post_message, lambda: worker.is_cancelled, rows_shown=bool(self.library.summaries)
        )

    @property
    def library(self) -> Library:
        """The feed's articles: the view's, so that the two never differ."""
        return self.view.library

    @property
    def parsed_query(self) -> Query | None:
        """The filter in force (the view's); None before the first query."""
        return self.view.query

    @on(HeadReady)
    @on(CachedLibraryReady)
    def show_cached(self, event: HeadReady | CachedLibraryReady) -> None:
        """The cached head, then the cached feed, shown before the files are checked."""
        self.call_after_refresh(event.handled.set)  # drawn: the loader may go on
        self.show_fold(self.sync.fold(event))

    @on(CacheOpened)
    @on(LoadProgressed)
    @on(BatchParsed)
    @on(LoadConfirmed)
    @on(FeedLoaded)
    @on(FeedGone)
    def load_message(self, event: Message) -> None:
        self.show_fold(self.sync.fold(event))

    def show_fold(self, fold: Fold) -> None:
        """Draw and say what a load or watch message changed (see `FeedSync.fold`)."""
        if fold.head is not None:
            self.show_head_rows(*fold.head)
        if fold.progress is not None:
            self.query_one(LoadProgress).update(*fold.progress)
        if fold.streamed:
            self.pace_streamed()
        if fold.ended:
            self.query_one(LoadProgress).finish()
        for notice in fold.notices:
            self.tell(notice.text, severity=notice.severity, timeout=notice.timeout)
        if fold.complete:
            self.start_following()
            self.index_words_soon()
        if fold.redraw:
            self.refresh_view(keep_id=fold.keep_id)
        elif fold.header:
            self.update_header()

    def show_head_rows(self, head: list[ArticleSummary], total: int) -> None:
        article_list = self.query_one(ArticleList)
        article_list.set_marks(self.store.read_ids(), self.store.starred_ids())
        article_list.show(head)
        self.query_one(FeedHeader).show(self.feed_name, total, total, None, self.order, "loading…")

    def pace_streamed(self) -> None:
        """A freshly parsed batch: the first rows at once, then at the sync's pace."""
        if not self.query_one(ArticleList).row_count:
            self.refresh_streamed()
        elif self._stream_timer is None:
            delay = self.sync.stream_delay(time.monotonic())
            self._stream_timer = self.set_timer(delay, self.refresh_streamed)

    def refresh_streamed(self) -> None:
        self._stream_timer = None
        if self.loaded:
            return  # the complete feed is shown already
        started = time.monotonic()
        self.refresh_view()
        self.sync.stream_refreshed(started, time.monotonic())

    # --- following the folder: changes on disk while the app runs ------------------------

    def start_following(self) -> None:
        if self.follow_changes and not self._watch_started:
            self._watch_started = True
            self.follow_folder()

    @work(thread=True, group="watch")
    def follow_folder(self) -> None:
        """Watch the feed (in its own thread, until unmount); each batch is a quiet resync."""

        def resync() -> None:
            self.loader.resync(self.post_message, self.watch_stop.is_set)

        try:
            follow_feed(self.feed_path, resync, self.watch_stop, self.watch_ready, self.watch_times)
        except Exception as error:  # noqa: BLE001 - no watch (a full inotify table…) is a notice
            if not self.watch_stop.is_set():
                self.app.call_from_thread(
                    self.tell, f"Not following the feed folder ({error}); r reloads it",
                    severity="warning",
                )  # fmt: skip

    @on(FeedChanged)
    def feed_changed(self, event: FeedChanged) -> None:
        """Fold in what changed on disk: the cursor, filter and topic stay; new ones are told."""
        self.show_fold(self.sync.fold(event, self.current_summary(), self.selected))

    # --- importing --------------------------------------------------------------------

    def action_import_feed(self) -> None:
        if self.loader.feed_is_folder is not True:
            self.tell("Feeds are imported into a feed folder; this feed is one file",
                      severity="warning")  # fmt: skip
            return
        question = f"Import a feed into {self.feed_name}: a URL, a file or an OPML list"
        prompt = PromptScreen(question, placeholder="https://example.com/feed.xml")
        self.app.push_screen(prompt, self.import_answered)

    def import_answered(self, source: str | None) -> None:
        if source:
            self.tell(f"Importing {source}…", timeout=3)
            self.import_source(source)

    @work(thread=True, group="import")
    def import_source(self, source: str) -> None:
        from reader.core.importer import import_sources  # feedparser: loaded only to import

        def progress(text: str) -> None:
            self.app.call_from_thread(self.show_import_status, text)

        report = import_sources([source], self.feed_path, on_event=progress)
        self.app.call_from_thread(self.import_done, report)

    def show_import_status(self, text: str | None) -> None:
        self.import_status = text
        self.update_header()

    def import_done(self, report: ImportReport) -> None:
        self.show_import_status(None)
        for error in report.errors:
            self.tell(f"Import: {error}", severity="error")
        for warning in report.warnings:
            self.tell(f"Import: {warning}", severity="warning")
        self.tell(f"Imported: {report.summary()}", timeout=6)
        if report.counts.written and not self.follow_changes:
            self.action_reload()  # not following the folder: show the new files now

    # --- the view: data flows down ----------------------------------------------------

    @property
    def feed_name(self) -> str:
        return self.feed_path.name or str(self.feed_path)

    def watch_order(self, order: str) -> None:
        self.view.order, self.pinned = order, None
        self.refresh_view()

    def watch_topic(self, topic: str) -> None:
        self.view.topic, self.pinned = topic, None
        self.refresh_view()

    def watch_hide_read(self, hide_read: bool) -> None:
        self.view.hide_read, self.pinned = hide_read, None
        self.refresh_view()

    def watch_selected(self, article: Article | None) -> None:
        self.query_one(DetailPane).show(article, self.is_in_feed)

    def keymap(self) -> Keymap:
        """The config's remaps (the palette shows the keys in force)."""
        return self.reader.keymap_in_force

    def topic_entries(self) -> list[TopicCount]:
        """The sidebar: all, unread, starred, then each topic, counting the filtered articles."""
        return self.view.sidebar()

    def refresh_view(self, keep_id: str | None = None, *, rest_later: bool = False) -> None:
        """Recompute what the list and the sidebar show, keeping the cursor's article.

        With `rest_later` (a keystroke in the filter) the list and header come first: the
        sidebar's counts and the detail pane follow once they are drawn, and are skipped
        if another query came meanwhile. Never starts the read timer: a list change is not
        the user choosing an article.
        """
        self._view_generation += 1
        article_list = self.query_one(ArticleList)
        current = article_list.current
        visible = self.view.articles()
        article_list.set_marks(self.store.read_ids(), self.store.starred_ids())
        article_list.set_order(self.order)
        article_list.show(visible, keep_id=keep_id or (current.id if current else None))
        if self._rest_timer is not None:
            self._rest_timer.stop()
            self._rest_timer = None
        if rest_later:
            self._typed_at = time.monotonic()
            self._rest_timer = self.set_timer(
                self.REST_DELAY, partial(self.show_rest, self._view_generation)
            )
        else:
            self.show_rest(self._view_generation)
        self.update_header()
        self.index_words_soon()

    @property
    def rest_pending(self) -> bool:
        """Whether the sidebar and the detail still wait for the last keystroke's list."""
        return self._rest_timer is not None

    def show_rest(self, generation: int) -> None:
        """The sidebar and the detail of the view of `generation`, unless another came since."""
        if generation != self._view_generation:
            return  # stale: the newer query shows its own
        self._rest_timer = None
        self.query_one(TopicSidebar).show(self.topic_entries(), self.topic)
        detail = self.query_one(DetailPane)
        query = self.parsed_query
        detail.set_highlight(query.highlight_terms() if query is not None else ())
        self.show_detail(self.query_one(ArticleList).current)

    def index_words_soon(self) -> None:
        """Make the word index of the order shown (see `SearchIndex.build_words`) in a thread,
        after the list is drawn, once the feed is whole (the cache's, while the files are
        checked, is whole too); the filter scans until it is there."""
        if not (self.loaded or self.load_state is LoadState.WARM):
            return
        index = self.library.search_index(self.order)
        if index.words is None and index is not self._words_for:
            self._words_for = index
            self.call_after_refresh(self.build_word_index, index)

    @work(thread=True, exclusive=True, group="word-index")
    def build_word_index(self, index: SearchIndex) -> None:
        worker = get_current_worker()

        def go_on() -> bool:
            # Both threads want the one interpreter lock: while the user types, the
            # keystrokes have it (the scan answers them meanwhile).
            while time.monotonic() - self._typed_at < self.REST_DELAY and not worker.is_cancelled:
                time.sleep(self.REST_DELAY / 4)
            return not worker.is_cancelled

        index.build_words(go_on)

    def refresh_marks(self) -> None:
        """After a read/star change: redraw marks and counts without losing the place.

        When the change would drop the article under the cursor from the view (read with
        read articles hidden, unstarred in Starred…), it stays until the user moves away.
        """
        if self.view.uses_marks():
            current = self.current_summary()
            if current is not None:
                self.pinned = current.id
            self.refresh_view()
            return
        self.query_one(ArticleList).set_marks(self.store.read_ids(), self.store.starred_ids())
        self.query_one(TopicSidebar).show(self.topic_entries(), self.topic)
        self.update_header()

    def update_header(self) -> None:
        article_list = self.query_one(ArticleList)
        shown, total = article_list.row_count, len(self.library)
        status = [] if self.loaded else ["loading…"]
        if self.import_status:
            status.append(self.import_status)
        if self.hide_read:
            status.append("read hidden")
        if self.filter_bar.error is not None:
            shown_query = f"“{self.query_text}”" if self.query_text else "everything"
            status.append(f"query not valid: showing {shown_query}")
        elif self.query_text:
            status.append(f"filter: {self.query_text}")
        unread = self.view.unread_total()
        self.query_one(FeedHeader).show(
            self.feed_name, shown, total, unread, self.order, " · ".join(status)
        )
        article_list.border_title = f"Articles {shown:,} / {total:,}"
        article_list.empty_text = self.empty_text(article_list)

    def empty_text(self, article_list: ArticleList) -> str:
        """What an empty list says: why it is empty, and what to press (the keys in force)."""
        if article_list.row_count:
            return ""
        if not self.loaded:
            return "Loading the feed…"
        keymap = self.keymap()
        reload, show_read = first_key("feed.reload", keymap), first_key("feed.hide_read", keymap)
        if not len(self.library):
            return f"No articles in {self.feed_name}: add .md files, then press {reload} to reload."
        search = self.view.search(self.topic)
        if search is not None and search.error is not None:
            return f"The saved search “{search.name}” does not parse: {search.error}."
        if self.hide_read and not self.query_text and self.topic == ALL:
            return f"Every article is read. {show_read} shows the read ones again."
        if self.query_text:
            clear, edit = first_key("feed.back", keymap), first_key("feed.filter", keymap)
            return f"No article matches the filter. {clear} clears it, {edit} edits it."
        return f"No article here. Choose another topic, or press {show_read} to show read ones."

    def show_detail(self, summary: ArticleSummary | None, *, by_user: bool = False) -> None:
        """Show an article; only a move of the user's own starts the read timer."""
        article = self.library.article(summary.id) if summary else None
        before = self.selected
        if article != before:
            self.selected = article
        if by_user:
            self.start_read_timer(article)
        elif (article.id if article else None) != (before.id if before else None):
            self.start_read_timer(None)

    def start_read_timer(self, article: Article | None) -> None:
        """An article the user moved to and stayed on for `read_after` seconds becomes read
        (`Marks` keeps the rule; this is its clock)."""
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        article_id = article.id if article is not None and self.read_after > 0 else None
        if self.marks.start_dwell(article_id) and article_id is not None:
            self._read_timer = self.set_timer(
                self.read_after, partial(self.read_after_dwell, article_id)
            )

    def read_after_dwell(self, article_id: str) -> None:
        self._read_timer = None
        shown = self.selected
        if shown is not None and shown.id == article_id and self.marks.dwell_done(article_id):
            self.refresh_marks()

    def mark_read(self, article_id: str) -> None:
        """Read by the user's doing (enter, open): undoable like every mark change."""
        if self.marks.mark_read(article_id):
            self.refresh_marks()

    def is_in_feed(self, url: str | None) -> bool:
        return self.library.id_for_url(url) is not None

    # --- messages flow up -------------------------------------------------------------

    @on(VirtualList.CursorMoved, "#articles")
    def article_highlighted(self) -> None:
        """The user moved the cursor (keys, click, n/N, J/K): the one start of a dwell."""
        current = self.current_summary()
        if self.sync.moved_to(current.id if current else None):
            self.refresh_view()  # the article whose file is gone leaves the list now
        if self.pinned is not None and (current is None or current.id != self.pinned):
            self.pinned = None  # moved away: the pinned article leaves the view if it is hidden
            self.refresh_view()
        self.show_detail(self.current_summary(), by_user=True)

    @on(VirtualList.Chosen, "#articles")
    def article_chosen(self) -> None:
        """enter (or a double-click) opens the article: focus its detail, and it is read."""
        self.query_one(DetailPane).focus()
        current = self.current_summary()
        if current is not None:
            self.mark_read(current.id)

    @on(VirtualList.CursorMoved, "#sidebar")
    def topic_highlighted(self) -> None:
        """The sidebar's cursor is the topic shown: the two never disagree."""
        entry = self.query_one(TopicSidebar).current
        if entry and entry.key != self.topic:
            self.show_topic(entry.key)

    @on(VirtualList.Chosen, "#sidebar")
    def topic_chosen(self) -> None:
        entry = self.query_one(TopicSidebar).current
        if entry:
            self.show_topic(entry.key)
            self.remove_class("sidebar-open")  # a narrow screen hides it again
            self.query_one(ArticleList).focus()

    # By name, not `@on(Markdown.LinkClicked)`: the Markdown widget is imported after the
    # first frame (see DetailPane).
    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Links in the Markdown body go through the same gate as every other URL."""
        event.stop()
        self.reader.open_link(event.href)

    @on(VirtualList.Chosen, "#related-links")
    def related_chosen(self) -> None:
        link = self.query_one(RelatedLinks).current
        if link is None:
            return
        target = self.library.id_for_url(link.url)
        if target is not None:
            self.jump_to(target)
        else:
            self.reader.open_link(link.url)

    @property
    def filter_bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    @property
    def query_text(self) -> str:
        """The filter in force, as typed (stripped); "" for none."""
        return self.filter_bar.text

    @on(FilterBar.QueryApplied)
    def query_applied(self, event: FilterBar.QueryApplied) -> None:
        """A new filter: the list and header at once, the sidebar and detail after a rest."""
        self.view.query = event.query
        self.pinned = None
        self.query_one(ArticleList).set_highlight(event.query.highlight_terms())
        self.refresh_view(rest_later=True)

    @on(FilterBar.QueryRefused)
    def query_refused(self) -> None:
        self.update_header()  # the bar shows why; the header says the last good one is shown

    @on(FilterBar.FilterLeft)
    def filter_left(self, event: FilterBar.FilterLeft) -> None:
        if event.kept is not None:
            self.remember_query(event.kept)
        self.query_one(ArticleList).focus()

    def apply_query(self, text: str) -> None:
        """Put `text` in the filter and filter by it, at once (the palette, escape, a test);
        a bad query is shown by the bar, the list keeps the last good one."""
        outcome = self.filter_bar.put(text)
        if isinstance(outcome, FilterBar.QueryApplied):
            self.query_applied(outcome)
        elif isinstance(outcome, FilterBar.QueryRefused):
            self.query_refused()

    def clear_query(self) -> None:
        self.apply_query("")

    def remember_query(self, text: str) -> None:
        """Keep the last ten queries for the palette."""
        if not text:
            return
        recent = [q for q in self.recent_queries() if q != text]
        self.store.set_setting("recent_queries", json.dumps([text, *recent][:RECENT_QUERIES]))

    def recent_queries(self) -> list[str]:
        try:
            value = json.loads(self.store.get_setting("recent_queries") or "[]")
        except ValueError:
            return []
        return [q for q in value if isinstance(q, str)] if isinstance(value, list) else []

    def use_query(self, text: str) -> None:
        """A recent query from the palette, applied."""
        self.apply_query(text)

    def show_topic(self, key: str) -> None:
        """Show only the articles of a sidebar entry (again: with nothing pinned)."""
        if key == self.topic:
            self.watch_topic(key)
        self.topic = key

    def jump_to(self, article_id: str) -> None:
        """Select an article of the feed; shown even where the filter or topic hides it."""
        current = self.current_summary()
        self.marks.jumped(current.id if current else None, article_id)
        self.go_to_article(article_id)
        summary = self.library.summary(article_id)
        title = summary.title if summary else article_id
        shown = " (shown although the filter hides it)" if self.pin_hidden else ""
        self.tell(f"Jumped to “{title}”{shown} · backspace goes back", timeout=4)

    def go_to_article(self, article_id: str) -> None:
        self.pinned = article_id
        self.refresh_view(keep_id=article_id)
        self.query_one(ArticleList).focus()

    # --- actions ----------------------------------------------------------------------

    def selected_article(self) -> Article | None:
        return self.selected

    def action_open_selected(self) -> None:
        """`o`: the related link under the cursor when the links have focus, else the article."""
        related = self.query_one(RelatedLinks)
        if related.has_focus and related.current is not None:
            self.reader.open_link(related.current.url)
            return
        article = self.selected_article()
        if article is None:
            self.tell("No article selected", severity="warning")
            return
        self.reader.open_link(article.url, on_opened=partial(self.mark_read, article.id))

    def action_copy_url(self) -> None:
        article = self.selected_article()
        try:
            url = check_url(article.url if article else None)
        except UnsafeUrl as refused:
            self.tell(f"Not copied: {refused}", severity="warning")
            return
        self.app.copy_to_clipboard(url)
        note = self.reader.copied_note()
        self.tell(f"Copied {url}{note}", timeout=6 if note else 2)  # a note takes longer to read

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` is the filter's only while this screen is on top; in the input it is a character."""
        if action == "focus_filter":
            return self.app.screen is self and not isinstance(self.focused, Input)
        return True

    def action_focus_filter(self) -> None:
        self.filter_bar.open()

    def current_summary(self) -> ArticleSummary | None:
        return self.query_one(ArticleList).current

    def action_toggle_read(self) -> None:
        article = self.current_summary()
        if article is not None:
            if not self.marks.toggle_read(article.id):
                self.start_read_timer(None)  # marked unread on purpose: its clock stops too
            self.refresh_marks()

    def action_toggle_star(self) -> None:
        article = self.current_summary()
        if article is not None:
            self.marks.toggle_star(article.id)
            self.refresh_marks()

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        self.store.set_setting("hide_read", "1" if self.hide_read else "0")
        self.tell("Read articles hidden" if self.hide_read else "Read articles shown", timeout=2)

    def action_mark_all_read(self) -> None:
        shown = self.marks.unread_of(a.id for a in self.query_one(ArticleList).articles)
        if not shown:
            self.tell("Every article shown is already read")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                what = self.marks.mark_all_read(shown)
                self.tell(f"{what.capitalize()} · U undoes it")
                self.pinned = None
                self.refresh_view()

        question = f"Mark the {plural(len(shown), 'unread article')} shown as read?"
        self.app.push_screen(ConfirmScreen(question, default=False), answered)

    def action_undo_marks(self) -> None:
        """U: take back the last read/star change (a bulk one too)."""
        what = self.marks.undo()
        if what is None:
            self.tell("Nothing to undo")
            return
        self.start_read_timer(None)  # an undone read is not read again by the same dwell
        self.tell(f"Undone: {what}", timeout=3)
        self.refresh_marks()

    def move_to_unread(self, step: int) -> None:
        """n / N: the next / previous unread article in the list."""
        article_list = self.query_one(ArticleList)
        read = self.store.read_ids()
        rows = (
            range(article_list.cursor + 1, article_list.row_count)
            if step > 0
            else range(article_list.cursor - 1, -1, -1)
        )
        target = next((i for i in rows if article_list.articles[i].id not in read), None)
        if target is None:
            self.tell(f"No unread article {'below' if step > 0 else 'above'}", timeout=2)
            return
        article_list.move_cursor(target)

    def action_next_unread(self) -> None:
        self.move_to_unread(1)

    def action_previous_unread(self) -> None:
        self.move_to_unread(-1)

    def action_next_article(self) -> None:
        article_list = self.query_one(ArticleList)
        article_list.move_cursor(article_list.cursor + 1)

    def action_previous_article(self) -> None:
        article_list = self.query_one(ArticleList)
        article_list.move_cursor(article_list.cursor - 1)

    def action_jump_back(self) -> None:
        """backspace / ctrl+o: back to the article a related link was followed from."""
        article_id = self.marks.jump_back(lambda known: self.library.summary(known) is not None)
        summary = self.library.summary(article_id) if article_id is not None else None
        if article_id is not None and summary is not None:
            self.go_to_article(article_id)
            self.tell(f"Back to “{summary.title}”", timeout=2)
            return
        self.tell("No jump to go back from", timeout=2)

    def action_reload(self) -> None:
        self.sync.reload()
        self.update_header()
        self.load()

    def action_cycle_order(self) -> None:
        self.set_order(next_order(self.order))

    def set_order(self, order: str) -> None:
        if order == self.order:
            self.watch_order(order)
        self.order = order

    def action_toggle_sidebar(self) -> None:
        """t: the sidebar, hidden by default on a narrow screen, shown or hidden."""
        screen = self
        if screen.has_class("-narrow"):
            screen.toggle_class("sidebar-open")
            showing = screen.has_class("sidebar-open")
        else:
            screen.toggle_class("sidebar-closed")
            showing = not screen.has_class("sidebar-closed")
        sidebar = self.query_one(TopicSidebar)
        if showing:
            sidebar.focus()
        elif sidebar.has_focus:
            self.query_one(ArticleList).focus()

    def focus_is_away_from_list(self) -> bool:
        """Whether the focus is in the detail, the related links or the sidebar."""
        focused = self.focused
        if focused is None:
            return True
        detail = self.query_one(DetailPane)
        return focused is detail or detail in focused.ancestors or isinstance(focused, TopicSidebar)

    def action_back(self) -> None:
        """escape: back to the list; in the list, clear an active filter."""
        if self.focus_is_away_from_list():
            self.query_one(ArticleList).focus()
        elif isinstance(self.focused, ArticleList) and self.filter_bar.holds_query:
            self.clear_query()
            self.tell("Filter cleared", timeout=2)

    def action_back_or_quit(self) -> None:
        """q: from the detail, related links or sidebar back to the list; from the list, quit."""
        if self.focus_is_away_from_list() and self.focused is not None:
            self.query_one(ArticleList).focus()
        else:
            self.app.exit()
