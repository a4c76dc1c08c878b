"""The command palette's reader commands: actions, "Show topic: …", "Sort by …"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from reader.core.ordering import SORT_ORDERS
from reader.ui_text import line

if TYPE_CHECKING:
    from reader.app import ReaderApp

Command = tuple[str, Callable[[], object], str]


def safe_highlight(matcher: Matcher, text: str) -> Content:
    """Like `Matcher.highlight`, which parses its text as markup, but for untrusted text."""
    content = line(text)
    plain = content.plain
    score, offsets = matcher.fuzzy_search.match(matcher.query, plain)
    if score:
        for offset in offsets:
            if offset < len(plain) and not plain[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def reader_commands(app: ReaderApp) -> Iterator[Command]:
    """Every command that fits the app now: (title, callback, help)."""
    yield "Open article in browser", app.action_open_selected, "o"
    yield "Copy article URL", app.action_copy_url, "y"
    yield "Help: keys and queries", app.action_help, "?"
    for order in SORT_ORDERS:
        yield f"Sort by {order}", partial(app.set_order, order), "s cycles the order"
    for entry in app.topic_entries():
        yield f"Show topic: {entry.label}", partial(app.show_topic, entry.key), f"{entry.count:,} articles"
    yield from app.extra_commands()


class ReaderCommands(Provider):
    """Offers the reader's commands, with topic names kept as plain text."""

    @property
    def reader(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for title, callback, help_text in reader_commands(self.reader):
            yield DiscoveryHit(line(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, help_text in reader_commands(self.reader):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, safe_highlight(matcher, title), callback, text=title, help=help_text)
