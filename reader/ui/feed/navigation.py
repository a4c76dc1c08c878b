"""Moving in the feed: n / N, J / K, jumps to an article of the feed and back, the sidebar,
escape and q. The jump history is the core's (`Marks`); the cursor is the list's."""

from __future__ import annotations

from reader.ui.feed.host import FeedHost
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.topic_sidebar import TopicSidebar


class Navigation:
    """The moving commands of the feed screen."""

    def __init__(self, host: FeedHost) -> None:
        self.host = host

    @property
    def articles(self) -> ArticleList:
        return self.host.query_one(ArticleList)

    def to_unread(self, step: int) -> None:
        """n / N: the next / previous unread article (or story) in the list."""
        article_list = self.articles
        read = self.host.store.read_ids()
        rows = (
            range(article_list.cursor + 1, article_list.row_count)
            if step > 0
            else range(article_list.cursor - 1, -1, -1)
        )
        together, shown = self.host.marks.together, article_list.articles
        # A story's row is unread while any of its articles is.
        target = next((i for i in rows if any(a not in read for a in together(shown[i].id))), None)
        if target is None:
            self.host.tell(f"No unread article {'below' if step > 0 else 'above'}", timeout=2)
            return
        article_list.move_cursor(target)

    def by(self, step: int) -> None:
        """J / K: the next / previous article, wherever the focus is."""
        self.articles.move_cursor(self.articles.cursor + step)

    def jump_to(self, article_id: str) -> None:
        """Select an article of the feed; shown even where the filter or topic hides it."""
        current = self.host.current_summary()
        self.host.marks.jumped(current.id if current else None, article_id)
        self.go_to(article_id)
        summary = self.host.library.summary(article_id)
        title = summary.title if summary else article_id
        shown = " (shown although the filter hides it)" if self.host.view.pin_hidden else ""
        self.host.tell(f"Jumped to “{title}”{shown} · backspace goes back", timeout=4)

    def go_to(self, article_id: str) -> None:
        self.host.view.pinned = article_id
        self.articles.cursor_chosen = True  # the user's doing, as a move of the cursor
        self.host.refresh_view(keep_id=article_id)
        self.articles.focus()

    def jump_back(self) -> None:
        """backspace / ctrl+o: back to the article a related link was followed from."""
        library = self.host.library
        article_id = self.host.marks.jump_back(lambda known: library.summary(known) is not None)
        summary = library.summary(article_id) if article_id is not None else None
        if article_id is not None and summary is not None:
            self.go_to(article_id)
            self.host.tell(f"Back to “{summary.title}”", timeout=2)
            return
        self.host.tell("No jump to go back from", timeout=2)

    def toggle_sidebar(self) -> None:
        """t: the sidebar, hidden by default on a narrow screen, shown or hidden."""
        screen = self.host
        if screen.has_class("-narrow"):
            screen.toggle_class("sidebar-open")
            showing = screen.has_class("sidebar-open")
        else:
            screen.toggle_class("sidebar-closed")
            showing = not screen.has_class("sidebar-closed")
        sidebar = self.host.query_one(TopicSidebar)
        if showing:
            sidebar.focus()
        elif sidebar.has_focus:
            self.articles.focus()

    def focus_is_away_from_list(self) -> bool:
        """Whether the focus is in the detail, the related links or the sidebar."""
        focused = self.host.focused
        if focused is None:
            return True
        detail = self.host.query_one(DetailPane)
        return focused is detail or detail in focused.ancestors or isinstance(focused, TopicSidebar)
