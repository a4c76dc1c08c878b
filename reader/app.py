"""The reader app: topic sidebar, article list, detail pane."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from pathlib import Path

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from reader.commands import ReaderCommands
from reader.library import Library
from reader.loader import load_feed
from reader.model import Article, ArticleSummary, FeedLoad
from reader.ordering import DEFAULT_ORDER, next_order
from reader.resources import styles_path
from reader.sanitize import UnsafeUrl, check_url
from reader.screens.help_screen import HelpScreen
from reader.topics import ALL, TopicCount, count_topics
from reader.ui_text import line
from reader.widgets.article_list import ArticleList
from reader.widgets.detail_pane import DetailPane
from reader.widgets.feed_header import FeedHeader
from reader.widgets.related_links import RelatedLinks
from reader.widgets.topic_sidebar import TopicSidebar
from reader.widgets.virtual_list import VirtualList

NARROW_WIDTH = 100

BrowserOpener = Callable[[str], bool]


class ReaderApp(App[None]):
    """Reads a local feed from the keyboard."""

    CSS_PATH = [styles_path() / "app.tcss"]
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("o", "open_selected", "Open", id="app.open"),
        Binding("y", "copy_url", "Copy URL", id="app.copy"),
        Binding("s", "cycle_order", "Sort", id="app.sort"),
        Binding("escape", "back", "Back", show=False, id="app.back"),
    ]

    def __init__(self, feed_path: Path, *, browser: BrowserOpener | None = None) -> None:
        super().__init__()
        self.feed_path = feed_path
        self.library = Library()
        self.problems: list = []
        self.order = DEFAULT_ORDER
        self.topic = ALL
        self.loaded = False
        # Replaced in tests by a recorder; the real one honours $BROWSER.
        self.browser: BrowserOpener = browser or webbrowser.open

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield FeedHeader(id="header")
        with Horizontal(id="main"):
            yield TopicSidebar(id="sidebar")
            with Horizontal(id="content"):
                with Vertical(id="list-column"):
                    yield ArticleList(id="articles")
                yield DetailPane(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(ArticleList).focus()
        self.query_one(DetailPane).show(None, self.is_in_feed)
        self.update_header()
        self.load()

    def on_resize(self) -> None:
        self.screen.set_class(self.size.width < NARROW_WIDTH, "narrow")

    # --- loading ----------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        """Parse the feed off the event loop; the screen stays responsive."""
        feed = load_feed(self.feed_path)
        self.call_from_thread(self.feed_loaded, feed)

    def feed_loaded(self, feed: FeedLoad) -> None:
        self.library.replace_all([], ())
        self.library.add_articles(feed.articles)
        self.problems = feed.problems
        self.loaded = True
        self.refresh_view()
        self.report_problems(feed)

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

    def visible_articles(self) -> list[ArticleSummary]:
        return self.library.select(self.order, self.topic)

    def topic_entries(self) -> list[TopicCount]:
        articles = self.library.summaries
        all_entry = TopicCount(ALL, "All articles", len(articles))
        return [all_entry, *count_topics(articles)]

    def refresh_view(self) -> None:
        """Recompute what the list and the sidebar show, keeping the cursor's article."""
        article_list = self.query_one(ArticleList)
        current = article_list.current
        article_list.show(self.visible_articles(), keep_id=current.id if current else None)
        self.query_one(TopicSidebar).show(self.topic_entries(), self.topic)
        self.update_header()
        self.show_detail(article_list.current)

    def update_header(self) -> None:
        shown = self.query_one(ArticleList).row_count
        status = "" if self.loaded else "loading…"
        self.query_one(FeedHeader).show(self.feed_name, shown, len(self.library), None, self.order, status)

    def show_detail(self, summary: ArticleSummary | None) -> None:
        detail = self.query_one(DetailPane)
        article = self.library.article(summary.id) if summary else None
        if article is not detail.article:
            detail.show(article, self.is_in_feed)

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
        self.open_link(article.url)

    def action_copy_url(self) -> None:
        article = self.selected_article()
        try:
            url = check_url(article.url if article else None)
        except UnsafeUrl as refused:
            self.tell(f"Not copied: {refused}", severity="warning")
            return
        self.copy_to_clipboard(url)
        self.tell(f"Copied {url}")

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
        if isinstance(focused, (DetailPane, RelatedLinks)):
            self.query_one(ArticleList).focus()

    def extra_commands(self):
        """Palette commands added by features (reading state, recent queries)."""
        return iter(())

    # --- browser ----------------------------------------------------------------------

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Every URL Textual itself would open goes through the same gate."""
        self.open_link(url)

    def open_link(self, raw_url: str | None) -> None:
        """Open a URL in the browser if it passes `check_url`, else say why not."""
        try:
            url = check_url(raw_url)
        except UnsafeUrl as refused:
            self.tell(f"Not opened: {refused}", severity="warning")
            return
        self.launch_browser(url)

    @work(thread=True, group="browser")
    def launch_browser(self, url: str) -> None:
        """`webbrowser` may block for seconds: it runs in a thread."""
        try:
            opened = self.browser(url)
        except Exception as error:  # noqa: BLE001 - any browser failure is a notification
            self.call_from_thread(self.tell, f"The browser failed: {error}", severity="error")
            return
        if opened is False:
            self.call_from_thread(self.tell, "No browser could be started (set $BROWSER)", severity="error")
        else:
            self.call_from_thread(self.tell, f"Opened {url}")

    # --- notifications ----------------------------------------------------------------

    def tell(self, message: str, *, severity: str = "information") -> None:
        """A notification whose text is never parsed as markup."""
        self.notify(line(message).plain, severity=severity, markup=False)  # type: ignore[arg-type]
