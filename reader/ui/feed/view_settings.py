"""The view settings (order, sidebar entry, hide-read): the `FeedView` holds them, alone.

Setting one unpins the pinned article and redraws once, even when the value is the one in
force (choosing the topic shown again is how a pinned article is let go). The widgets that
show a setting get it from the screen's redraw.
"""

from __future__ import annotations

from reader.core.ordering import next_order
from reader.ui.feed.host import FeedHost


class ViewSettings:
    """Order, topic and hide-read of the feed screen, read from and written to the view."""

    def __init__(self, host: FeedHost) -> None:
        self.host = host

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
        self.host.view.order = order
        self.redraw()

    def cycle_order(self) -> None:
        self.set_order(next_order(self.order))

    def show_topic(self, key: str) -> None:
        """Show only the articles of a sidebar entry (again: with nothing pinned)."""
        self.host.view.topic = key
        self.redraw()

    def set_hide_read(self, hide_read: bool) -> None:
        self.host.view.hide_read = hide_read
        self.redraw()

    def redraw(self) -> None:
        self.host.view.pinned = None
        self.host.refresh_view()
