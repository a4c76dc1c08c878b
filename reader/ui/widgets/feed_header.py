"""The header: the feed's name and counts, the order and the query."""

from __future__ import annotations

from textual.widgets import Static

from reader.ui.text import Part, assemble


class FeedHeader(Static):
    """One line; the app calls `show` whenever a count changes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._shown: tuple[object, ...] = ()

    def show(
        self,
        feed_name: str,
        shown: int,
        total: int,
        unread: int | None,
        order: str,
        status: str = "",
    ) -> None:
        key = (feed_name, shown, total, unread, order, status)
        if key == self._shown:
            return  # nothing new: no repaint
        self._shown = key
        parts: list[Part] = [
            ("reader", "bold"),
            "  ",
            (feed_name, "bold"),
            f"   {shown:,} / {total:,} articles",
        ]
        if unread is not None:
            parts.append(f" · {unread:,} unread")
        parts.append(f" · sorted by {order}")
        if status:
            parts.append(f" · {status}")
        # One line always (height 1 in the stylesheet): no layout, which repaints everything.
        self.update(assemble(*parts), layout=False)
