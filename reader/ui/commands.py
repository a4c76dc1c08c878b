"""The command palette's reader commands: actions, "Sort by …", then "Show topic: …"."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from reader.core.ordering import SORT_ORDERS
from reader.ui.text import line

if TYPE_CHECKING:
    from reader.ui.app import ReaderApp

# (title, callback, help): a help of a key or two is drawn on the title's row, a longer one below.
Command = tuple[str, Callable[[], object], str]

# Above this many characters the help is a sentence, not a key: it gets its own line.
KEY_HELP_WIDTH = 2
CURRENT_ORDER = "the current order"


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


def action_commands(app: ReaderApp) -> Iterator[Command]:
    """Every command that fits the app now, bar the topics: (title, callback, help)."""
    yield "Open article in browser", app.action_open_selected, "o"
    yield "Copy article URL", app.action_copy_url, "y"
    yield "Help: keys and queries", app.action_help, "?"
    for order in SORT_ORDERS:
        # `s` only cycles the orders: no key to show, bar the mark of the current one.
        yield f"Sort by {order}", partial(app.set_order, order), CURRENT_ORDER if order == app.order else ""
    yield from app.extra_commands()


def topic_commands(app: ReaderApp) -> Iterator[Command]:
    for entry in app.topic_entries():
        yield f"Show topic: {entry.label}", partial(app.show_topic, entry.key), f"{entry.count:,} articles"


def command_score(score: float) -> float:
    """A command keeps the fuzzy matcher's score, so it ranks fairly against Textual's own."""
    return score


def topic_score(score: float) -> float:
    """A topic scores in (0, 1), keeping its rank among topics: below every command, as any
    match scores at least 1 (Textual's score counts the letters matched, then boosts it)."""
    return score / (1 + score)


def prompt(title: Content, help_text: str) -> tuple[Content, str | None]:
    """The prompt and help of a hit: a key goes dimmed on the title's row (one row per command)."""
    if help_text and len(help_text) <= KEY_HELP_WIDTH:
        return title + Content.styled(f"  {help_text}", "dim"), None
    return title, help_text or None


class ReaderCommands(Provider):
    """Offers the reader's commands, with topic names kept as plain text."""

    @property
    def reader(self) -> ReaderApp:
        return self.app  # type: ignore[return-value]

    async def discover(self) -> Hits:
        for title, callback, help_text in [*action_commands(self.reader), *topic_commands(self.reader)]:
            shown, help_line = prompt(line(title), help_text)
            yield DiscoveryHit(shown, callback, text=title, help=help_line)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for commands, rank in ((action_commands, command_score), (topic_commands, topic_score)):
            for title, callback, help_text in commands(self.reader):
                score = matcher.match(title)
                if score > 0:
                    shown, help_line = prompt(safe_highlight(matcher, title), help_text)
                    yield Hit(rank(score), shown, callback, text=title, help=help_line)
