"""The main screen: the topic sidebar, the article list and the detail pane of one feed.

A coordinator: it holds the view (`FeedView`: the articles and the view settings), the
reading state and the marks the app hands it, and the selected article; it hears the
widgets' and the workers' messages and hands each to the part that owns it
(`reader.ui.feed`), then redraws. The keys are in `FeedKeys`; the widgets are told what to
show and never reach up.
"""

from __future__ import annotations

import gc
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from reader.core.config import Settings
from reader.core.library import Library
from reader.core.marks import Marks
from reader.core.model import Article, ArticleSummary
from reader.core.storage.state import StateStore
from reader.core.view import FeedView
from reader.ui.commands import Keymap, bindings
from reader.ui.feed.filtering import Filtering
from reader.ui.feed.fulltext import FullText, TextWordsReady
from reader.ui.feed.importing import Importing
from reader.ui.feed.keys import FeedKeys
from reader.ui.feed.load_view import REST_DELAY, LoadView, WatchFailed
from reader.ui.feed.marking import HIDE_READ_SETTING, Marking
from reader.ui.feed.navigation import Navigation
from reader.ui.feed.opening import Opening
from reader.ui.feed.palette import FeedPalette
from reader.ui.feed.presenter import ViewFacts, empty_text, header_facts, list_title
from reader.ui.feed.read_timer import ReadTimer
from reader.ui.feed.shared_marks import MarksPulled, SharedMarks, SyncSaid, SyncTimes
from reader.ui.feed.stories import Stories
from reader.ui.feed.view_settings import ViewSettings, starting_order
from reader.ui.links import LinkGate, LinkOpened
from reader.ui.loading import FeedLoader
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
    StoriesFound,
)
from reader.ui.text import line, tell
from reader.ui.watching import WatchTimes
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.load_progress import LoadProgress
from reader.ui.widgets.reader_footer import ReaderFooter
from reader.ui.widgets.story_outlets import StoryOutlets
from reader.ui.widgets.topic_sidebar import ARTICLES_SUBTITLE, TopicSidebar
from reader.ui.widgets.virtual_list import VirtualList
from reader.ui.workers import FetchDone, FetchProgressed, ImportDone, ImportProgressed

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from reader.core.fulltext.store import TextStore

# How long the first frame may wait for the cached head (it is read in a thread from start-up).
HEAD_FIRST_FRAME_SECONDS = 0.1
# The cyclic collector's thresholds once the app runs. A frame of Textual's makes and drops
# tens of thousands of objects, and a filter key makes lists of up to 100,000 summaries:
# with Python's (700, 10, 10) the collections walked them again and again, ~15 ms of CPU a
# filter key at 100,000 articles (and more in what they evicted from the caches). Objects
# without cycles are freed at once whatever the threshold: only cyclic garbage waits longer.
COLLECTOR_THRESHOLDS = (50_000, 20, 20)


def after_first_frame(load_view: LoadView) -> None:
    """The cyclic collector on again (`reader.cli.run_app` starts the app with it off), before
    the rest of the load (its threads pause it while they build the rows, if it is on).

    What the start made lives as long as the app (modules, classes, widgets, styles): frozen,
    it is never walked again (the cached library is frozen likewise); else the collections
    right after the frame walked all of it (250 ms once at 100,000, the cached rows with it).
    From then on the collector runs less often (`COLLECTOR_THRESHOLDS`)."""
    if not gc.isenabled():
        gc.freeze()
        gc.set_threshold(*COLLECTOR_THRESHOLDS)
        gc.enable()
    load_view.start()


class FeedScreen(FeedKeys, Screen[None]):
    """One feed: each change of the view redraws it once (`refresh_view`)."""

    BINDINGS: ClassVar[list[BindingType]] = bindings("feed")
    # The list has the focus from the start: Textual's default (the first that takes it, the
    # sidebar), then the list's, would style both twice before the first frame. (Textual
    # skips it while the terminal or browser tab is not focused: `on_mount` focuses too.)
    AUTO_FOCUS = "#articles"
    WATCH_TIMES: ClassVar[WatchTimes] = WatchTimes()  # how the folder's changes are batched
    SYNC_TIMES: ClassVar[SyncTimes] = SyncTimes()  # how often the sync folder is pulled
    # After a filter keystroke, the sidebar's counts and the detail wait this long for the
    # next key (which drops them): typing pays for the list and the header only.
    REST_DELAY: ClassVar[float] = REST_DELAY

    selected: reactive[Article | None] = reactive(None, init=False, always_update=True)

    class PartsMounted(Message):
        """The screen's parts are mounted: the keys typed ahead of them can be handled."""

    def __init__(
        self,
        loader: FeedLoader,
        store: StateStore,
        links: LinkGate,
        *,
        keymap: Keymap,
        read_after: float | None = None,
        settings: Settings | None = None,
        watch: bool = True,
        texts: TextStore | None = None,
        texts_path: Path | None = None,
    ) -> None:
        """`texts`: the stored full texts (None: none kept yet, made at the first fetch at
        `texts_path`, None for the default path)."""
        super().__init__()
        settings = settings or Settings()
        self.feed_path = loader.feed_path
        self.feed_name = self.feed_path.name or str(self.feed_path)
        self.store = store
        self.keymap = keymap
        self.marks = Marks(store)
        order = starting_order(settings, store)
        self.view = FeedView(Library(), store, searches=settings.searches, order=order, texts=texts)
        self.fulltext = FullText(
            self, texts, texts_path=texts_path, mode=settings.fetch, allow=settings.fetch_allow
        )
        # The config's choice wins at start; then the user's toggles count.
        hide_read = settings.hide_read
        self.view.hide_read = (
            store.get_setting(HIDE_READ_SETTING) == "1" if hide_read is None else hide_read
        )
        self.make_parts(loader, links, settings, read_after, watch)
        # Each `refresh_view` bumps it, so that the sidebar and detail a keystroke left for
        # after the list is drawn are skipped once another view has come.
        self._view_generation = 0
        self._rest_timer: Timer | None = None
        self._keyed_at = 0.0  # when the last keystroke's list was made (time.monotonic)
        self._resumed = False  # the first `ScreenResume` (right after the mount) has come

    def make_parts(
        self,
        loader: FeedLoader,
        links: LinkGate,
        settings: Settings,
        read_after: float | None,
        watch: bool,
    ) -> None:
        # Seconds on an article, after the user moved to it, before it is read (0: no dwelling).
        dwell = settings.read_after_seconds if read_after is None else read_after
        self.load_view = LoadView(self, loader, follow=watch, watch_times=self.WATCH_TIMES)
        self.read_timer = ReadTimer(
            self, self.marks, dwell, is_shown=self.is_shown, on_read=lambda _: self.refresh_marks()
        )
        self.marking = Marking(self, self.read_timer)
        self.navigation = Navigation(self)
        self.opening = Opening(self, links, self.navigation)
        self.importing = Importing(self, self.feed_path, reload_after=not watch)
        self.filtering = Filtering(self)
        self.view_settings = ViewSettings(self)
        self.shared_marks = SharedMarks(self, settings.sync_folder, self.SYNC_TIMES)
        self.stories = Stories(self, enabled=settings.group_stories)
        self.palette = FeedPalette(self, self.view_settings, self.filtering, self.run_action)

    @property
    def library(self) -> Library:
        """The feed's articles: the view's, so that the two never differ."""
        return self.view.library

    @property
    def loaded(self) -> bool:
        return self.load_view.sync.loaded

    # --- layout and life --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FeedHeader(id="header")
        yield LoadProgress(id="load-progress")
        with Horizontal(id="main"):
            sidebar = TopicSidebar(id="sidebar")
            sidebar.border_title = "Topics"
            sidebar.border_subtitle = ARTICLES_SUBTITLE
            yield sidebar
            with Horizontal(id="content", classes=self.view_settings.detail_width.class_name):
                with Vertical(id="list-column"):
                    yield FilterBar(id="filter-bar")
                    yield ArticleList(id="articles")
                detail = DetailPane(id="detail", body_on_request=True)
                detail.border_title = "Article"
                yield detail
        yield ReaderFooter()

    def on_mount(self) -> None:
        self.query_one(ArticleList).focus()
        self.query_one(DetailPane).show(None, self.is_in_feed)
        self.refresh_view()
        head = self.load_view.loader.head_now(HEAD_FIRST_FRAME_SECONDS)
        if head is not None:
            self.load_view.show(self.load_view.sync.fold(HeadReady(*head)))
        # The rest of the load (every cached row, then the check of the files) waits for the
        # first frame: its threads would take the GIL from the frame's styling and drawing.
        # Started right after Textual's own ScreenResume handler has drawn it (this one runs
        # first), else after the first refresh.
        self.call_after_refresh(after_first_frame, self.load_view)
        self.call_after_refresh(self.store.start_check)  # the state file's, left by the app
        self.call_after_refresh(self.shared_marks.start)
        self.call_after_refresh(self.fulltext.index_words)
        self.post_message(self.PartsMounted())  # to the app (see `ReaderApp.typed_ahead`)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual styles every node again when a screen resumes (a theme may have changed
        # while it was covered). At the first, every node was styled as it was mounted,
        # just before, and each change since restyled what it changed: a second pass over
        # the whole screen (a fifth of the work before the first frame) would change nothing.
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        if not self.load_view.started:
            self.call_next(after_first_frame, self.load_view)

    def on_unmount(self) -> None:
        self.read_timer.stop()  # a timer firing after the widgets are gone would fail
        self.load_view.stop()
        self.shared_marks.stop()
        self.fulltext.stop()  # a fetch under way ends at once

    def tell(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        tell(self.app, message, severity=severity, timeout=timeout)

    # --- the workers' messages --------------------------------------------------------

    @on(HeadReady)
    @on(CachedLibraryReady)
    def show_cached(self, event: HeadReady | CachedLibraryReady) -> None:
        """The cached head, then the cached feed, shown before the files are checked."""
        self.call_after_refresh(event.handled.set)  # drawn: the loader may go on
        self.load_view.show(self.load_view.sync.fold(event))

    @on(CacheOpened)
    @on(LoadProgressed)
    @on(BatchParsed)
    @on(LoadConfirmed)
    @on(FeedLoaded)
    @on(FeedGone)
    def load_message(self, event: Message) -> None:
        self.load_view.show(self.load_view.sync.fold(event))

    @on(FeedChanged)
    @on(StoriesFound)
    def feed_changed(self, event: FeedChanged | StoriesFound) -> None:
        """Fold in what changed on disk, or the stories grouped again after it: the cursor (on
        its story), the filter and the topic stay; new articles and outlets are told."""
        selected = self.selected if isinstance(event, FeedChanged) else None
        self.load_view.show(self.load_view.sync.fold(event, self.current_summary(), selected))

    @on(WatchFailed)
    def watch_failed(self, event: WatchFailed) -> None:
        self.tell(f"Not following the feed folder ({event.error}); r reloads it",
                  severity="warning")  # fmt: skip
        self.load_view.follow_changes = False  # an empty list says "press r" again
        self.update_header()

    @on(MarksPulled)
    @on(SyncSaid)
    def shared_marks_said(self, event: MarksPulled | SyncSaid) -> None:
        self.shared_marks.handle(event)

    @on(ImportProgressed)
    def import_progressed(self, event: ImportProgressed) -> None:
        self.importing.progressed(event)

    @on(ImportDone)
    def import_done(self, event: ImportDone) -> None:
        if self.importing.done(event):
            self.load_view.reload()  # not following the folder: show the new files now

    @on(FetchProgressed)
    @on(TextWordsReady)
    def fulltext_said(self, event: FetchProgressed | TextWordsReady) -> None:
        self.fulltext.handle(event)

    @on(FetchDone)
    def fetch_done(self, event: FetchDone) -> None:
        """A text kept: the list's mark and the filter's answers change, and the detail."""
        if self.fulltext.done(event):
            self.show_stored_text()
        self.refresh_view()

    @on(LinkOpened)
    def link_opened(self, event: LinkOpened) -> None:
        """The browser has the article: it is read (the app says it was opened)."""
        if event.article_id is not None:
            self.marking.mark_read(event.article_id)

    # --- the widgets' messages --------------------------------------------------------

    @on(VirtualList.CursorMoved, "#articles")
    def article_highlighted(self) -> None:
        """The user moved the cursor (keys, click, n/N, J/K): the one start of a dwell."""
        current = self.current_summary()
        if self.load_view.sync.moved_to(current.id if current else None):
            self.refresh_view()  # the article whose file is gone leaves the list now
        pinned = self.view.pinned
        if pinned is not None and (current is None or current.id != pinned):
            self.view.pinned = None  # moved away: the pinned article leaves the view if hidden
            self.refresh_view()
        self.show_detail(self.current_summary(), by_user=True)

    @on(VirtualList.Chosen, "#articles")
    def article_chosen(self) -> None:
        """enter (or a double-click) opens the article: focus its detail, and it is read."""
        self.query_one(DetailPane).focus()
        current = self.current_summary()
        if current is not None:
            self.marking.mark_read(current.id)
            self.fulltext.opened(current.id)

    @on(VirtualList.CursorMoved, "#sidebar")
    def topic_highlighted(self) -> None:
        """The sidebar's cursor is the topic shown: the two never disagree."""
        entry = self.query_one(TopicSidebar).current
        if entry and entry.key != self.view.topic:
            self.view_settings.show_topic(entry.key)

    @on(VirtualList.Chosen, "#sidebar")
    def topic_chosen(self) -> None:
        entry = self.query_one(TopicSidebar).current
        if entry:
            self.view_settings.show_topic(entry.key)
            self.remove_class("sidebar-open")  # a narrow screen hides it again
            self.query_one(ArticleList).focus()

    @on(VirtualList.Chosen, "#story-outlets")
    @on(VirtualList.Chosen, "#related-links")
    def detail_row_chosen(self, event: VirtualList.Chosen) -> None:
        """enter on a row of the detail: another outlet of the story (a jump), or a link."""
        if event.control.id != "story-outlets":
            self.opening.related_chosen()
        elif (outlet := self.query_one(StoryOutlets).current) is not None:
            self.navigation.jump_to(outlet.id)

    # By name, not `@on(Markdown.LinkClicked)`: the Markdown widget is imported after the
    # first frame (see DetailPane).
    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Links in the Markdown body go through the same gate as every other URL."""
        event.stop()
        self.opening.open_url(event.href)

    @on(FilterBar.QueryApplied)
    def query_applied(self, event: FilterBar.QueryApplied) -> None:
        self.filtering.applied(event)

    @on(FilterBar.QueryRefused)
    def query_refused(self) -> None:
        self.filtering.refused()

    @on(FilterBar.FilterLeft)
    def filter_left(self, event: FilterBar.FilterLeft) -> None:
        self.filtering.left(event)

    # --- the view: data flows down ----------------------------------------------------

    def current_summary(self) -> ArticleSummary | None:
        return self.query_one(ArticleList).current

    def is_in_feed(self, url: str | None) -> bool:
        return self.library.id_for_url(url) is not None

    def is_shown(self, article_id: str) -> bool:
        return self.selected is not None and self.selected.id == article_id

    def watch_selected(self, article: Article | None) -> None:
        self.query_one(DetailPane).show(article, self.is_in_feed)
        self.show_stored_text()

    def show_stored_text(self) -> None:
        """The selected article's stored full text in the detail, below the rest (or none)."""
        self.query_one(DetailPane).show_text(self.fulltext.text_of(self.selected))

    def show_detail(self, summary: ArticleSummary | None, *, by_user: bool = False) -> None:
        """Show an article; only a move of the user's own starts the read timer."""
        article = self.library.article(summary.id) if summary else None
        before = self.selected
        if article != before:
            self.selected = article
        story = self.query_one(ArticleList).current_story
        self.query_one(DetailPane).show_outlets(story.others if story and summary else ())
        if by_user:
            self.read_timer.start(article.id if article is not None else None)
        elif (article.id if article else None) != (before.id if before else None):
            self.read_timer.stop()

    def refresh_view(self, keep_id: str | None = None, *, rest_later: bool = False) -> None:
        """Recompute what the list and the sidebar show, keeping the cursor's article.

        With `rest_later` (a keystroke in the filter) the list and header come first: the
        sidebar's counts and the detail pane follow once they are drawn, and are skipped
        if another query came meanwhile. Never starts the read timer: a list change is not
        the user choosing an article.
        """
        self._view_generation += 1
        if rest_later:  # the word index being made waits while the filter works (load_view)
            self.load_view.words.typed_at = time.monotonic()
        article_list = self.query_one(ArticleList)
        current = article_list.current
        visible, stories = self.stories.shown()
        article_list.set_marks(self.store.read_ids(), self.store.starred_ids())
        article_list.set_texts(self.fulltext.stored_ids())
        article_list.order = self.view.order
        keep_id = keep_id or (current.id if current else None)
        article_list.show(visible, keep_id=keep_id, stories=stories)
        if self._rest_timer is not None:
            self._rest_timer.stop()
            self._rest_timer = None
        if rest_later:
            self._keyed_at = time.monotonic()
            self._rest_timer = self.set_timer(
                self.REST_DELAY, partial(self.show_rest, self._view_generation, after_drawn=True)
            )
        else:
            self.show_rest(self._view_generation)
        self.update_header()
        self.load_view.index_words_soon()

    @property
    def rest_pending(self) -> bool:
        """Whether the sidebar and the detail still wait for the last keystroke's list."""
        return self._rest_timer is not None

    def show_rest(self, generation: int, *, after_drawn: bool = False) -> None:
        """The sidebar and the detail of the view of `generation`, unless another came since.

        With `after_drawn` (a keystroke's timer) only once the list has been on screen for
        `REST_DELAY`, counted from its drawing, not from the key: on a loaded machine a key
        slow to draw left less than the pause between two keys of a word, and the sidebar
        and detail were drawn in it, delaying the next key.
        """
        if generation != self._view_generation:
            return  # stale: the newer query shows its own
        if after_drawn:
            wait = self.query_one(ArticleList).still_to_wait(self._keyed_at, self.REST_DELAY)
            if wait > 0.001:
                self._rest_timer = self.set_timer(
                    wait, partial(self.show_rest, generation, after_drawn=True)
                )
                return
        self._rest_timer = None
        self.query_one(TopicSidebar).show(self.view.sidebar(), self.view.topic)
        query = self.view.query
        self.query_one(DetailPane).set_highlight(query.highlight_terms() if query else ())
        self.show_detail(self.current_summary())

    def refresh_marks(self) -> None:
        """After a read/star change: redraw marks and counts without losing the place.

        When the change would drop the article under the cursor from the view (read with
        read articles hidden, unstarred in Starred…), it stays until the user moves away.
        """
        if self.view.uses_marks():
            current = self.current_summary()
            if current is not None:
                self.view.pinned = current.id
            self.refresh_view()
            return
        self.query_one(ArticleList).set_marks(self.store.read_ids(), self.store.starred_ids())
        self.query_one(TopicSidebar).show(self.view.sidebar(), self.view.topic)
        self.update_header()

    def update_header(self) -> None:
        """The header, the list's title and what an empty list says (`feed.presenter`)."""
        article_list = self.query_one(ArticleList)
        stories = article_list.stories
        shown = len(self.view.articles()) if stories is not None else article_list.row_count
        # Stories are counted where they group some articles: else they are the articles.
        counted = len(stories) if stories is not None and len(stories) != shown else None
        facts = self.view_facts(shown, counted)
        self.query_one(FeedHeader).facts = header_facts(facts)
        article_list.border_title = line(list_title(facts))  # a topic's name is the feed's text
        article_list.empty_text = empty_text(facts, self.keymap)

    def view_facts(self, shown: int, stories: int | None = None) -> ViewFacts:
        view, bar = self.view, self.filtering.bar
        search = view.search(view.topic)
        failing = search is not None and search.error is not None
        return ViewFacts(
            feed_name=self.feed_name,
            shown=shown,
            total=len(self.library),
            unread=view.unread_total(),
            order=view.order,
            topic=view.topic,
            loaded=self.loaded,
            hide_read=view.hide_read,
            query_text=bar.text,
            query_refused=bar.error is not None,
            search_error=(search.name, search.error or "") if search and failing else None,
            work_status=tuple(s for s in (self.importing.status, self.fulltext.status) if s),
            watching=self.load_view.follow_changes,
            entry_name=view.entry_name(view.topic),
            stories=stories,
        )
