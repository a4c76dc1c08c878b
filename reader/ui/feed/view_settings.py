"""The view settings (order, sidebar entry, hide-read): the `FeedView` holds them, alone.

Setting one unpins the pinned article and redraws once, even when the value is the one in
force (choosing the topic shown again is how a pinned article is let go). The widgets that
show a setting get it from the screen's redraw. The order is remembered in the state
database, like the theme and hide-read.
"""

from __future__ import annotations

from textual.widget import Widget

from reader.core.config import DEFAULT, Settings
from reader.core.ordering import SORT_ORDERS, next_order
from reader.core.storage.state import StateStore
from reader.ui.feed.detail_width import DetailWidth
from reader.ui.feed.host import FeedHost
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane

SORT_SETTING = "sort"  # the last order chosen in the app, kept in the state database


def starting_order(settings: Settings, store: StateStore) -> str:
    """The config's `sort` when it sets one, else the order last chosen, else the default."""
    remembered = store.get_setting(SORT_SETTING)
    if settings.source("sort") == DEFAULT and remembered in SORT_ORDERS:
        return str(remembered)
    return settings.sort


class ViewSettings:
    """Order, topic and hide-read of the feed screen, read from and written to the view."""

    def __init__(self, host: FeedHost) -> None:
        self.host = host
        self.detail_width = DetailWidth(host.store)

    @property
    def order(self) -> str:
        return self.host.view.order

    @property
    def topic(self) -> str:
        return self.host.view.topic

    @property
    def hide_read(self) -> bool:
        return self.host.view.hide_read

    def set_order(self, order: str) -> None:
        """A new order: the cursor's article keeps its line on screen (the rows above it
        stay in view), and the choice is remembered for the next start."""
        article_list = self.host.query_one(ArticleList)
        line_on_screen = article_list.cursor - article_list.scroll_offset.y
        self.host.view.order = order
        self.host.store.set_setting(SORT_SETTING, order)
        self.redraw()
        article_list.keep_cursor_line(line_on_screen)

    def cycle_order(self) -> None:
        self.set_order(next_order(self.order))

    def show_topic(self, key: str) -> None:
        """Show only the articles of a sidebar entry (again: with nothing pinned)."""
        self.host.view.topic = key
        self.redraw()

    def set_hide_read(self, hide_read: bool) -> None:
        """Hide or show read articles; the selected one stays until the user moves away,
        read or not, as after any mark change."""
        view = self.host.view
        view.hide_read = hide_read
        current = self.host.query_one(ArticleList).current
        view.pinned = current.id if current is not None else None
        if view.pin_hidden_alone():
            view.pinned = None  # every article is read: the empty list says so, and how to undo
        self.host.refresh_view()

    def step_detail_width(self, steps: int) -> None:
        """< / >: the detail pane wider or narrower by steps (the list takes the rest)."""
        self.host.tell(self.detail_width.step(self._content(), steps), timeout=2)

    def _content(self) -> Widget:
        """The row of the list and the detail pane, whose class sets the pane's width."""
        content = self.host.query_one(DetailPane).parent
        assert isinstance(content, Widget)
        return content

    def redraw(self) -> None:
        self.host.view.pinned = None
        self.host.refresh_view()
