"""The command palette's provider: the command table's palette commands, "Sort by …", the
recent queries and, last, "Show topic: …" (asked of the feed screen's `palette`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from reader.core.model import plural
from reader.core.ordering import SORT_ORDERS
from reader.core.topics import TopicCount, is_search_key
from reader.ui.commands import COMMANDS, Keymap
from reader.ui.text import line

# (title, callback, help): a help of a key or two is drawn on the title's row, a longer one below.
PaletteEntry = tuple[str, Callable[[], object], str]

# Above this many characters the help is a sentence, not a key: it gets its own line.
KEY_HELP_WIDTH = 2
CURRENT_ORDER = "the current order"


class PaletteHost(Protocol):
    """What the palette needs of the feed (a protocol: the commands never import the screen)."""

    @property
    def order(self) -> str: ...

    def run_action(self, action: str) -> object: ...
    def set_order(self, order: str) -> None: ...
    def topic_entries(self) -> Sequence[TopicCount]: ...
    def show_topic(self, key: str) -> None: ...
    def recent_queries(self) -> list[str]: ...
    def use_query(self, text: str) -> None: ...
    def keymap(self) -> Keymap: ...


class HasPalette(Protocol):
    """A screen the palette offers the reader's commands over."""

    palette: PaletteHost


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


def action_commands(app: PaletteHost) -> Iterator[PaletteEntry]:
    """Every command that fits the app now, bar the topics: (title, callback, help)."""
    for command in COMMANDS:
        if command.palette is not None:
            keys = command.keys_in_force(app.keymap())
            yield command.palette, partial(app.run_action, command.action), keys[0]
    for order in SORT_ORDERS:
        yield (
            f"Sort by {order}",
            partial(app.set_order, order),
            CURRENT_ORDER if order == app.order else "",
        )
    for text in app.recent_queries():
        yield f"Filter: {text}", partial(app.use_query, text), "a recent query"


def topic_commands(app: PaletteHost) -> Iterator[PaletteEntry]:
    for entry in app.topic_entries():
        kind = "Saved search" if is_search_key(entry.key) else "Show topic"
        yield (
            f"{kind}: {entry.label}",
            partial(app.show_topic, entry.key),
            f"{entry.count:,} articles"
            if entry.stories is None
            else f"{plural(entry.stories, 'story', 'stories')} · {entry.count:,} articles",
        )


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
    def reader(self) -> PaletteHost:
        """The palette of the screen it was opened over: the feed's."""
        return cast(HasPalette, self.screen).palette

    async def discover(self) -> Hits:
        for title, callback, help_text in [
            *action_commands(self.reader),
            *topic_commands(self.reader),
        ]:
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
