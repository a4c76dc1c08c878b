"""The related links of the article shown: selectable, one row each."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual.binding import Binding
from textual.content import Content

from reader.core.export import short_date
from reader.core.model import RelatedLink
from reader.ui_text import assemble, line
from reader.widgets.virtual_list import VirtualList


class RelatedLinks(VirtualList):
    """Title, provider, date and quality of each related link; enter opens or jumps."""

    BINDINGS = [Binding("enter", "choose", "Open link", id="related.open")]
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {"related-links--meta", "related-links--in-feed"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.links: Sequence[RelatedLink] = ()
        self.in_feed: Callable[[str | None], bool] = lambda url: False

    def show(self, links: Sequence[RelatedLink], in_feed: Callable[[str | None], bool]) -> None:
        """Swap in the links; `in_feed` tells which URLs are articles of the feed."""
        self.links = links
        self.in_feed = in_feed
        self.styles.height = max(len(links), 1)
        self.set_row_count(len(links), 0)

    @property
    def current(self) -> RelatedLink | None:
        if 0 <= self.cursor < len(self.links):
            return self.links[self.cursor]
        return None

    def render_row(self, index: int, width: int) -> Content:
        link = self.links[index]
        meta = self.part_style("related-links--meta")
        quality = "" if link.quality is None else f" · {link.quality}"
        marker = line("↪ ", self.part_style("related-links--in-feed")) if self.in_feed(link.url) else "  "
        return assemble(
            marker,
            line(link.title),
            line(f"  {link.provider_name} · {short_date(link.published)}{quality}", meta),
        )
