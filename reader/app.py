"""The reader app: topic sidebar, article list, detail pane."""

from __future__ import annotations

import gc
import threading
from dataclasses import dataclass
from concurrent.futures import Future, ThreadPoolExecutor
import json
import time
import webbrowser
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

from textual import on, work
from textual.worker import get_current_worker
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Markdown

from reader.commands import ReaderCommands
from reader.library import Library
from reader.loader import load_feed
from reader.cache import FeedCache
from reader.model import Article, ArticleSummary, FeedLoad, Problem, summarize
from reader.ordering import DEFAULT_ORDER, next_order
from reader.query import Query, QueryError, parse_query
from reader.resources import styles_path
from reader.sanitize import UnsafeUrl, check_url
from reader.screens.confirm_screen import ConfirmScreen
from reader.screens.help_screen import HelpScreen
from reader.state import StateStore
from reader.topics import ALL, STARRED, UNREAD, TopicCount, in_topic, sidebar_entries
from reader.ui_text import line
from reader.widgets.article_list import ArticleList
from reader.widgets.detail_pane import DetailPane
from reader.widgets.feed_header import FeedHeader
from reader.widgets.filter_bar import FilterBar
from reader.widgets.load_progress import LoadProgress
from reader.widgets.related_links import RelatedLinks
from reader.widgets.topic_sidebar import TopicSidebar
from reader.widgets.virtual_list import VirtualList

NARROW_WIDTH = 100


@dataclass
class LoadProgressed(Message):
    """Files parsed so far out of the files to parse (posted from the load worker)."""

    done: int
    total: int


@dataclass
class BatchParsed(Message):
    """Summaries of freshly parsed files (posted from the load worker)."""

    summaries: list[ArticleSummary]


READ_AFTER_SECONDS = 1.5
RECENT_QUERIES = 10

BrowserOpener = Callable[[str], bool]


class ReaderApp(App[None]):
    """Reads a local feed from the keyboard."""

    CSS_PATH = [styles_path() / "app.tcss"]
    # Every screen gets `-narrow` under 100 columns (the detail pane goes below the list).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("o", "open_selected", "Open", id="app.open"),
        Binding("y", "copy_url", "Copy URL", id="app.copy"),
        Binding("s", "cycle_order", "Sort", id="app.sort"),
        Binding("slash", "focus_filter", "Filter", key_display="/", id="app.filter"),
        Binding("m", "toggle_read", "Read/unread", id="app.toggle_read"),
        Binding("M", "mark_all_read", "Mark all read", show=False, id="app.mark_all_read"),
        Binding("f", "toggle_star", "Star", id="app.toggle_star"),
        Binding("u", "toggle_hide_read", "Hide read", id="app.hide_read"),
        Binding("r", "reload", "Reload", show=False, id="app.reload"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    def __init__(
        self,
        feed_path: Path,
        *,
        browser: BrowserOpener | None = None,
        state_path: Path | None = None,
        cache_path: Path | None = None,
        use_cache: bool = True,
    ) -> None:
        super().__init__()
        self.feed_path = feed_path
        self.state_path = state_path
        self.cache_path = cache_path
        self.use_cache = use_cache
        self.cache: FeedCache | None = None
        self._last_stream_refresh = 0.0
        self._stream_refresh_cost = 0.0
        self._filtered: list[ArticleSummary] = []  # what the last refresh_view filtered
        self._unread_total: tuple[frozenset[str], list[ArticleSummary], int, int] | None = None
        self._prefetch: Future[tuple[FeedCache, Library | None]] | None = None
        self._head: tuple[list[ArticleSummary], int] = ([], 0)
        self._head_ready = threading.Event()
        if use_cache:
            pool = ThreadPoolExecutor(1, thread_name_prefix="reader-cache")
            self._prefetch = pool.submit(self.prepare_cached)
            pool.shutdown(wait=False)  # the task still runs; the thread ends with it
        self.library = Library()
        self.problems: list = []
        self.order = DEFAULT_ORDER
        self.topic = ALL
        self.query_text = ""
        self.parsed_query: Query | None = None
        self.hide_read = False
        self.loaded = False
        self.store = StateStore()  # replaced by the real one on mount
        self._read_timer = None
        # Replaced in tests by a recorder; the real one honours $BROWSER.
        self.browser: BrowserOpener = browser or webbrowser.open

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FeedHeader(id="header")
        yield LoadProgress(id="load-progress")
        with Horizontal(id="main"):
            yield TopicSidebar(id="sidebar")
            with Horizontal(id="content"):
                with Vertical(id="list-column"):
                    yield FilterBar(id="filter-bar")
                    yield ArticleList(id="articles")
                yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.open_state()
        self.query_one(ArticleList).focus()
        self.query_one(DetailPane).show(None, self.is_in_feed)
        self.refresh_view()
        self.load()

    def open_state(self) -> None:
        """The reading state; a bad or unwritable file is said, never fatal."""
        self.store = StateStore.open(self.state_path)
        for notice in self.store.notices:
            self.tell(notice, severity="warning")
        self.hide_read = self.store.get_setting("hide_read") == "1"

    # --- loading ----------------------------------------------------------------------

    def prepare_cached(self) -> tuple[FeedCache, Library | None]:
        """Open the cache and build a library of its rows (runs in a thread from __init__).

        Started before Textual has even drawn its first frame, so that the rows are ready
        about when the screen is.
        """
        cache = FeedCache.open(self.cache_path, self.feed_path)
        try:
            self._head = cache.cached_head()
        finally:
            self._head_ready.set()
        summaries = cache.cached_summaries()
        if not summaries:
            return cache, None
        library = Library()
        library.add_summaries(summaries)
        library.set_detail_source(cache.article)
        in_order = cache.cached_sorted()
        if in_order is not None:
            library.set_sorted(DEFAULT_ORDER, in_order)
        return cache, library

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Read the feed off the event loop: cached rows first, then what changed on disk."""
        if not self.use_cache:
            feed = load_feed(self.feed_path)
            self.call_from_thread(self.feed_loaded, [summarize(a) for a in feed.articles], feed.problems, feed.articles)
            return
        worker = get_current_worker()
        cached = bool(self.library.summaries)
        if self.cache is None:
            if self._prefetch and not self._prefetch.done() and self._head_ready.wait(5) and self._head[0]:
                self.call_from_thread(self.show_head, *self._head)
            self.cache, prepared = self._prefetch.result() if self._prefetch else self.prepare_cached()
            self.library.set_detail_source(self.cache.article)
            for notice in self.cache.notices:
                self.call_from_thread(self.tell, notice, severity="warning")
            if prepared is not None:
                cached = True
                self.call_from_thread(self.show_library, prepared)
        result = self.cache.sync(
            # Posted, not called: the parsing must not wait for the screen to catch up.
            on_progress=lambda done, total: self.post_message(LoadProgressed(done, total)),
            on_batch=None if cached else lambda batch: self.post_message(BatchParsed(batch)),
            is_cancelled=lambda: worker.is_cancelled,
        )
        if worker.is_cancelled:
            return
        if cached and not (result.parsed or result.removed):
            # Nothing changed on disk: the rows on screen are the feed; keep them (and their sort).
            self.call_from_thread(self.load_confirmed, result.problems)
        else:
            self.call_from_thread(self.feed_loaded, result.summaries, result.problems, ())

    def show_head(self, head: list[ArticleSummary], total: int) -> None:
        """The first screenful of the cached feed, while the rest is still being read."""
        if self.library.summaries:
            return
        article_list = self.query_one(ArticleList)
        article_list.set_marks(self.store.read_ids(), self.store.starred_ids())
        article_list.show(head)
        self.query_one(FeedHeader).show(self.feed_name, total, total, None, self.order, "loading…")

    def show_library(self, library: Library) -> None:
        """The cached feed, shown before the files are checked."""
        self.library = library
        gc.freeze()  # long-lived: keep the collector from walking 100,000 summaries again and again
        self.refresh_view()

    def load_confirmed(self, problems: list[Problem]) -> None:
        """The files matched the cache: the feed on screen is complete."""
        self.problems = problems
        self.loaded = True
        self.query_one(LoadProgress).finish()
        self.update_header()
        self.report_problems(FeedLoad(problems=problems))

    @on(LoadProgressed)
    def show_progress(self, event: LoadProgressed) -> None:
        if not self.loaded:
            self.query_one(LoadProgress).update(event.done, event.total)

    @on(BatchParsed)
    def show_streamed(self, event: BatchParsed) -> None:
        """A freshly parsed batch, shown before the load ends."""
        if self.loaded:
            return  # a late message: the complete feed is already shown
        self.library.add_summaries(event.summaries)
        # Re-sorting a growing feed on every batch would starve the keyboard: refresh at most
        # once a second, and never spend more than a fifth of the time refreshing.
        now = time.monotonic()
        wait = max(1.0, 5 * self._stream_refresh_cost)
        if now - self._last_stream_refresh > wait or not self.query_one(ArticleList).row_count:
            self.refresh_view()
            self._last_stream_refresh = time.monotonic()
            self._stream_refresh_cost = self._last_stream_refresh - now

    def on_unmount(self) -> None:
        self.start_read_timer(None)  # a timer firing after the widgets are gone would fail
        self.store.close()
        if self.cache is not None:
            self.cache.close()

    def feed_loaded(self, summaries: list[ArticleSummary], problems: list[Problem], details: Iterable[Article]) -> None:
        """The load is complete: this is the feed, exactly."""
        self.library.replace_all(summaries, details)
        if self.cache is not None and (in_order := self.cache.cached_sorted()) is not None:
            self.library.set_sorted(DEFAULT_ORDER, in_order)
        gc.freeze()
        self.problems = problems
        self.loaded = True
        self.query_one(LoadProgress).finish()
        self.refresh_view()
        self.report_problems(FeedLoad(problems=problems))

    def report_problems(self, feed: FeedLoad) -> None:
        errors, warnings = len(feed.errors), len(feed.warnings)
        if errors or warnings:
            first = feed.errors[0] if feed.errors else feed.warnings[0]
            self.tell(
                f"{errors} file(s) skipped, {warnings} warning(s); run `reader check` for the list. First: {first}",
                severity="warning" if not errors else "error",
            )

    # --- the view: data flows down ----------------------------------------------------

    @property
    def feed_name(self) -> str:
        return self.feed_path.name or str(self.feed_path)

    def filtered_articles(self) -> list[ArticleSummary]:
        """In the current order, passing the query and the hide-read choice (any topic)."""
        articles = self.library.sorted(self.order)
        if self.parsed_query is not None and not self.parsed_query.is_empty:
            articles = self.parsed_query.filter(articles, self.store, self.library.search_index(self.order))
        if self.hide_read:
            read = self.store.read_ids()
            articles = [a for a in articles if a.id not in read]
        return articles

    def in_entry(self, article: ArticleSummary, key: str) -> bool:
        if key == UNREAD:
            return not self.store.is_read(article.id)
        if key == STARRED:
            return self.store.is_starred(article.id)
        return in_topic(article, key)

    def topic_entries(self) -> list[TopicCount]:
        """The sidebar: all, unread, starred, then each topic, counting the filtered articles.

        Uses the filtered list of the last `refresh_view`: a mark change (every dwell) must
        not run the query over the whole feed again.
        """
        return sidebar_entries(self._filtered, self.store.read_ids(), self.store.starred_ids())

    def refresh_view(self) -> None:
        """Recompute what the list and the sidebar show, keeping the cursor's article."""
        filtered = self._filtered = self.filtered_articles()
        visible = filtered if self.topic == ALL else [a for a in filtered if self.in_entry(a, self.topic)]
        article_list = self.query_one(ArticleList)
        current = article_list.current
        article_list.set_marks(self.store.read_ids(), self.store.starred_ids())
        article_list.show(visible, keep_id=current.id if current else None)
        self.query_one(TopicSidebar).show(self.topic_entries(), self.topic)
        self.update_header()
        self.show_detail(article_list.current)

    def refresh_marks(self) -> None:
        """After a read/star change: redraw marks and counts without losing the place."""
        if self.hide_read or self.topic in (UNREAD, STARRED) or (self.parsed_query and self.parsed_query.uses_marks):
            self.refresh_view()
            return
        self.query_one(ArticleList).set_marks(self.store.read_ids(), self.store.starred_ids())
        self.query_one(TopicSidebar).show(self.topic_entries(), self.topic)
        self.update_header()

    def update_header(self) -> None:
        shown = self.query_one(ArticleList).row_count
        status = [] if self.loaded else ["loading…"]
        if self.hide_read:
            status.append("read hidden")
        if self.query_text:
            status.append(f"filter: {self.query_text}")
        unread = self.unread_total()
        self.query_one(FeedHeader).show(self.feed_name, shown, len(self.library), unread, self.order, " · ".join(status))

    def unread_total(self) -> int:
        """Unread articles in the whole feed; counted again only when the feed or the marks change."""
        read, summaries = self.store.read_ids(), self.library.summaries
        cached = self._unread_total
        # The store hands out the same frozenset until a mark changes; held here, so `is` is safe.
        if cached is None or cached[0] is not read or cached[1] is not summaries or cached[2] != len(summaries):
            count = sum(1 for a in summaries if a.id not in read)
            cached = self._unread_total = (read, summaries, len(summaries), count)
        return cached[3]

    def show_detail(self, summary: ArticleSummary | None) -> None:
        detail = self.query_one(DetailPane)
        article = self.library.article(summary.id) if summary else None
        if article is not detail.article:
            detail.show(article, self.is_in_feed)
            self.start_read_timer(article)

    def start_read_timer(self, article: Article | None) -> None:
        """An article shown for READ_AFTER_SECONDS becomes read."""
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if article is not None and not self.store.is_read(article.id):
            self._read_timer = self.set_timer(READ_AFTER_SECONDS, lambda: self.read_after_dwell(article.id))

    def read_after_dwell(self, article_id: str) -> None:
        self._read_timer = None
        panes = self.query(DetailPane)
        shown = panes.first().article if panes else None
        if shown is not None and shown.id == article_id and not self.store.is_read(article_id):
            self.store.set_read(article_id)
            self.refresh_marks()

    def is_in_feed(self, url: str | None) -> bool:
        return self.library.id_for_url(url) is not None

    # --- messages flow up -------------------------------------------------------------

    @on(VirtualList.CursorMoved, "#articles")
    def article_highlighted(self) -> None:
        self.show_detail(self.query_one(ArticleList).current)

    @on(VirtualList.Chosen, "#articles")
    def article_chosen(self) -> None:
        self.query_one(DetailPane).focus()

    @on(VirtualList.Chosen, "#sidebar")
    def topic_chosen(self) -> None:
        entry = self.query_one(TopicSidebar).current
        if entry:
            self.show_topic(entry.key)
            self.query_one(ArticleList).focus()

    @on(Markdown.LinkClicked)
    def body_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """Links in the Markdown body go through the same gate as every other URL."""
        event.stop()
        self.open_link(event.href)

    @on(TopicSidebar.Clicked)
    def topic_clicked(self) -> None:
        """A click shows the topic and leaves the focus in the sidebar."""
        entry = self.query_one(TopicSidebar).current
        if entry and entry.key != self.topic:
            self.show_topic(entry.key)

    @on(VirtualList.Chosen, "#related-links")
    def related_chosen(self) -> None:
        link = self.query_one(RelatedLinks).current
        if link is None:
            return
        target = self.library.id_for_url(link.url)
        if target is not None:
            self.jump_to(target)
        else:
            self.open_link(link.url)

    @on(FilterBar.QueryChanged)
    def query_changed(self, event: FilterBar.QueryChanged) -> None:
        self.apply_query(event.text)

    @on(FilterBar.Submitted)
    def query_submitted(self) -> None:
        self.remember_query(self.query_text)
        self.query_one(ArticleList).focus()

    @on(FilterBar.Left)
    def filter_left(self) -> None:
        self.query_one(ArticleList).focus()

    def apply_query(self, text: str) -> None:
        """Filter by `text`; a bad query is shown beside the input, the list keeps the last good one."""
        bar = self.query_one(FilterBar)
        try:
            parsed = parse_query(text)
        except QueryError as error:
            bar.show_error(str(error))
            return
        bar.show_error(None)
        if bar.has_class("has-query") != bool(text.strip()):
            bar.set_class(bool(text.strip()), "has-query")  # restyling costs ~8 ms: only on a change
        self.query_text = text.strip()
        self.parsed_query = parsed
        self.refresh_view()

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
        """Put a query in the filter bar and apply it (from the palette)."""
        bar = self.query_one(FilterBar)
        bar.add_class("has-query")
        bar.input.value = text
        self.apply_query(text)

    def show_topic(self, key: str) -> None:
        """Show only the articles of a sidebar entry."""
        self.topic = key
        self.refresh_view()

    def jump_to(self, article_id: str) -> None:
        """Select an article of the feed, showing all articles if it is hidden."""
        visible = self.query_one(ArticleList)
        if not any(a.id == article_id for a in visible.articles):
            self.topic = ALL
        self.refresh_view()
        visible.move_cursor(next((i for i, a in enumerate(visible.articles) if a.id == article_id), 0))
        visible.focus()
        summary = self.library.summary(article_id)
        self.tell(f"Jumped to the related article in this feed: {summary.title if summary else article_id}")

    # --- actions ----------------------------------------------------------------------

    def selected_article(self) -> Article | None:
        return self.query_one(DetailPane).article

    def action_open_selected(self) -> None:
        """`o`: the related link under the cursor when the links have focus, else the article."""
        related = self.query_one(RelatedLinks)
        if related.has_focus and related.current is not None:
            self.open_link(related.current.url)
            return
        article = self.selected_article()
        if article is None:
            self.tell("No article selected", severity="warning")
            return
        self.open_link(article.url, article.id)

    def action_copy_url(self) -> None:
        article = self.selected_article()
        try:
            url = check_url(article.url if article else None)
        except UnsafeUrl as refused:
            self.tell(f"Not copied: {refused}", severity="warning")
            return
        self.copy_to_clipboard(url)
        self.tell(f"Copied {url}")

    def action_focus_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.add_class("active")
        bar.input.focus()

    def current_summary(self) -> ArticleSummary | None:
        return self.query_one(ArticleList).current

    def action_toggle_read(self) -> None:
        article = self.current_summary()
        if article is not None:
            now_read = self.store.toggle_read(article.id)
            if not now_read:
                self.start_read_timer(None)  # marked unread on purpose: do not re-read it
            self.refresh_marks()

    def action_toggle_star(self) -> None:
        article = self.current_summary()
        if article is not None:
            self.store.toggle_starred(article.id)
            self.refresh_marks()

    def action_toggle_hide_read(self) -> None:
        self.hide_read = not self.hide_read
        self.store.set_setting("hide_read", "1" if self.hide_read else "0")
        self.tell("Read articles hidden" if self.hide_read else "Read articles shown")
        self.refresh_view()

    def action_mark_all_read(self) -> None:
        shown = [a.id for a in self.query_one(ArticleList).articles if not self.store.is_read(a.id)]
        if not shown:
            self.tell("Every article shown is already read")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                count = self.store.set_read_many(shown)
                self.tell(f"Marked {count:,} articles read")
                self.refresh_view()

        self.push_screen(ConfirmScreen(f"Mark {len(shown):,} shown articles as read?"), answered)

    def action_reload(self) -> None:
        self.loaded = False
        self.update_header()
        self.load()

    def action_cycle_order(self) -> None:
        self.set_order(next_order(self.order))

    def set_order(self, order: str) -> None:
        self.order = order
        self.refresh_view()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_back(self) -> None:
        """escape: from the detail pane back to the list."""
        focused = self.focused
        if isinstance(focused, (DetailPane, RelatedLinks)) or focused is None:
            self.query_one(ArticleList).focus()

    def extra_commands(self) -> Iterator[tuple[str, Callable[[], object], str]]:
        """Palette commands for the reading state and the recent queries."""
        yield "Toggle read / unread", self.action_toggle_read, "m"
        yield "Mark all shown as read", self.action_mark_all_read, "M"
        yield "Toggle star", self.action_toggle_star, "f"
        yield "Hide / show read articles", self.action_toggle_hide_read, "u"
        yield "Filter…", self.action_focus_filter, "/"
        yield "Reload the feed", self.action_reload, "r"
        for text in self.recent_queries():
            yield f"Filter: {text}", partial(self.use_query, text), "a recent query"

    # --- browser ----------------------------------------------------------------------

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Every URL Textual itself would open goes through the same gate."""
        self.open_link(url)

    def open_link(self, raw_url: str | None, article_id: str | None = None) -> None:
        """Open a URL in the browser if it passes `check_url`, else say why not."""
        try:
            url = check_url(raw_url)
        except UnsafeUrl as refused:
            self.tell(f"Not opened: {refused}", severity="warning")
            return
        self.launch_browser(url, article_id)

    @work(thread=True, group="browser")
    def launch_browser(self, url: str, article_id: str | None = None) -> None:
        """`webbrowser` may block for seconds: it runs in a thread."""
        try:
            opened = self.browser(url)
        except Exception as error:  # noqa: BLE001 - any browser failure is a notification
            self.call_from_thread(self.tell, f"The browser failed: {error}", severity="error")
            return
        if opened is False:
            self.call_from_thread(self.tell, "No browser could be started (set $BROWSER)", severity="error")
        else:
            self.call_from_thread(self.opened, url, article_id)

    def opened(self, url: str, article_id: str | None) -> None:
        self.tell(f"Opened {url}")
        if article_id is not None and not self.store.is_read(article_id):
            self.store.set_read(article_id)
            self.refresh_marks()

    # --- notifications ----------------------------------------------------------------

    def tell(self, message: str, *, severity: str = "information") -> None:
        """A notification whose text is never parsed as markup."""
        self.notify(line(message).plain, severity=severity, markup=False)  # type: ignore[arg-type]
