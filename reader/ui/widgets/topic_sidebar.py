"""The topic sidebar: all articles, unread, starred, the saved searches, then every topic with
its count."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from reader.core.topics import TopicCount, is_search_key
from reader.ui.text import assemble, line
from reader.ui.widgets.virtual_list import VirtualList

SEARCH_MARK = "⌕ "


class TopicSidebar(VirtualList):
    """Sidebar entries; the app sets them and hears `Chosen` / `CursorMoved`."""

    DEFAULT_CSS = """
    TopicSidebar > .topic-sidebar--count {
        color: $text-muted;
    }

    TopicSidebar > .topic-sidebar--active {
        color: $text-accent;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "topic-sidebar--count",
        "topic-sidebar--active",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: Sequence[TopicCount] = ()
        self.active_key = "all"

    def show(self, entries: Sequence[TopicCount], active_key: str) -> None:
        """Swap in the entries; the cursor is on the active entry (the two never disagree)."""
        keep = active_key
        self.entries = entries
        self.active_key = active_key
        cursor = next((i for i, e in enumerate(entries) if e.key == keep), 0)
        self.set_row_count(len(entries), cursor)

    @property
    def current(self) -> TopicCount | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def row_style(self, index: int) -> str:
        return "topic-sidebar--active" if self.entries[index].key == self.active_key else ""

    def render_row(self, index: int, width: int) -> Content:
        entry = self.entries[index]
        count = f"{entry.count:,}" if entry.unread is None else f"{entry.unread:,}/{entry.count:,}"
        # A saved search is marked as one, so that it is not taken for a topic of that name.
        label = f"{SEARCH_MARK}{entry.label}" if is_search_key(entry.key) else entry.label
        label_width = max(width - len(count) - 1, 4)
        return assemble(
            line(label).truncate(label_width, ellipsis=True, pad=True),
            " ",
            line(count, self.part_style("topic-sidebar--count")),
        )
