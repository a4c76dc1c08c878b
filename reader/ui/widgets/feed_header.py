"""The header: the feed's name and counts, the order and the query."""

from __future__ import annotations

from dataclasses import dataclass

from textual.reactive import reactive
from textual.widgets import Static

from reader.core.model import plural
from reader.ui.text import Part, assemble


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """What the header line says."""

    feed_name: str
    shown: int
    total: int
    unread: int | None
    order: str
    status: str = ""
    stories: int | None = None  # the stories shown, when the list shows stories


class FeedHeader(Static):
    """One line, drawn from `facts` (set by the screen); equal facts are not drawn again."""

    DEFAULT_CSS = """
    FeedHeader {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;  /* some themes' foreground is under 4.5:1 on their panel (tokyo-night) */
    }

    FeedHeader {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $text;  /* some themes' foreground is under 4.5:1 on their panel (tokyo-night) */
    }
    """

    facts: reactive[HeaderFacts | None] = reactive(None, layout=False, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    def watch_facts(self, facts: HeaderFacts | None) -> None:
        if facts is None:
            return
        parts: list[Part] = [
            ("reader", "bold"),
            "  ",
            (facts.feed_name, "bold"),
            "   ",
        ]
        if facts.stories is not None:
            parts.append(f"{plural(facts.stories, 'story', 'stories')} · ")
        parts.append(f"{facts.shown:,} / {facts.total:,} articles")
        if facts.unread is not None:
            parts.append(f" · {facts.unread:,} unread")
        parts.append(f" · sorted by {facts.order}")
        if facts.status:
            parts.append(f" · {facts.status}")
        # One line always (height 1 in the stylesheet): no layout, which repaints everything.
        self.update(assemble(*parts), layout=False)
