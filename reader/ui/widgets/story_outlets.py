"""The other outlets of the story shown: provider, date and title, one row each; enter jumps."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from reader.core.export import short_date
from reader.core.model import ArticleSummary
from reader.ui.text import assemble, line, provider_shown
from reader.ui.widgets.virtual_list import VirtualList

MOST_ROWS_SHOWN = 8  # a story of more outlets scrolls within its rows, the body stays near
PROVIDER_ROOM = 18


class StoryOutlets(VirtualList):
    """The story's other articles, in the list's order; the screen jumps to the one chosen."""

    DEFAULT_CSS = """
    StoryOutlets {
        height: auto;
        margin: 0 0 1 0;
    }

    StoryOutlets:focus {
        background: $boost;
    }

    StoryOutlets > .story-outlets--meta {
        color: $text-muted;
    }
    """

    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {"story-outlets--meta"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.outlets: Sequence[ArticleSummary] = ()

    def show(self, outlets: Sequence[ArticleSummary]) -> None:
        """Swap in the outlets (none: the widget is hidden by the pane)."""
        if tuple(outlets) == tuple(self.outlets):
            return
        self.outlets = tuple(outlets)
        self.styles.height = max(min(len(self.outlets), MOST_ROWS_SHOWN), 1)
        self.set_row_count(len(self.outlets), 0)

    @property
    def current(self) -> ArticleSummary | None:
        if 0 <= self.cursor < len(self.outlets):
            return self.outlets[self.cursor]
        return None

    def render_row(self, index: int, width: int) -> Content:
        outlet = self.outlets[index]
        meta = self.part_style("story-outlets--meta")
        provider = line(provider_shown(outlet.provider_name, outlet.provider_domain), meta)
        return assemble(
            "↪ ",
            provider.truncate(min(PROVIDER_ROOM, max(width // 3, 1)), ellipsis=True),
            line(f"  {short_date(outlet.published)}  ", meta),
            line(outlet.title),
        )
