"""The header: the feed's name and counts, the order and the query."""

from __future__ import annotations

from dataclasses import dataclass

from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from reader.core.model import plural
from reader.ui.text import assemble


@dataclass(frozen=True, slots=True)
class HeaderFacts:
    """What the header line says."""

    feed_name: str
    shown: int
    total: int
    unread: int | None
    order: str
    status: str = ""
    entry: str = ""  # the topic or saved search shown ("": all articles)
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
        self.draw()

    def on_resize(self) -> None:
        self.draw()

    def draw(self) -> None:
        """The line for the width there is (before the first layout: all of it)."""
        if self.facts is None:
            return
        width = self.content_region.width or 1_000
        # One line always (height 1 in the stylesheet): no layout, which repaints everything.
        self.update(header_line(self.facts, width), layout=False)


def header_line(facts: HeaderFacts, width: int) -> Content:
    """The header's words in whole phrases (a line too long for one row was wrapped, and
    showed "… · sorted"): what does not fit in `width` goes, the order first (the list's
    column header marks it), then the unread count; a status still too long is cut after
    a word."""
    head = assemble(
        ("reader", "bold"),
        "  ",
        (facts.feed_name, "bold"),
        *(((" ▸ ", "bold"), (facts.entry, "bold")) if facts.entry else ()),
        "   ",
        *(
            (f"{plural(facts.stories, 'story', 'stories')} · ",)
            if facts.stories is not None
            else ()
        ),
        f"{facts.shown:,} / {facts.total:,} articles",
    )
    unread = "" if facts.unread is None else f" · {facts.unread:,} unread"
    order = f" · sorted by {facts.order}"
    status = f" · {facts.status}" if facts.status else ""
    for kept in ((unread, order, status), (unread, "", status), ("", "", status)):
        shown = assemble(head, *kept)
        if shown.cell_length <= width:
            return shown
    words = status.split(" ")
    while len(words) > 3:  # cut after a whole word (its first one at least), never inside one
        words.pop()
        shown = assemble(head, " ".join(words).rstrip(":,") + "…")
        if shown.cell_length <= width:
            return shown
    return head.truncate(width, ellipsis=True)
