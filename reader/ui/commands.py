"""One command table: every key the reader has, once. Bindings, the help screen, the footer
and the palette are all made from it (and a test holds the README's key table to it).

Then the palette provider: the table's palette commands, "Sort by …", recent queries and,
last, "Show topic: …".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Protocol, cast

from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

from reader.core.ordering import SORT_ORDERS
from reader.core.topics import TopicCount, is_search_key
from reader.ui.text import line

# Where a command's keys work; the help shows the scopes in this order, under these headings.
SCOPES: dict[str, str] = {
    "feed": "Anywhere",
    "app": "Anywhere, even over this help",
    "list": "In a list (articles, topics, related links)",
    "related": "In the related links",
    "detail": "In the detail pane",
    "filter": "In the filter",
    "help": "In this help",
    "confirm": "In a question",
    "prompt": "In a prompt (the feed to import)",
}
# Key names without a modifier: escape, f1, pageup, space, enter… (Textual's own list).
NAMED_KEYS = frozenset(key.value.rpartition("+")[2] for key in Keys) - {"<any>", "<ignore>"}
# A keymap: command id -> keys, as Textual names them, comma-separated.
Keymap = Mapping[str, str]


def key_display(key: str) -> str:
    """A key as a person types it: `?`, not `question_mark`; `ctrl+x` and `space` stay."""
    modifiers, plus, base = key.rpartition("+")
    if len(base) > 1 and base not in NAMED_KEYS:
        # Textual renames some characters' Unicode names (solidus is slash): undo that first.
        unicode_name = next((k for k, v in KEY_NAME_REPLACEMENTS.items() if v == base), base)
        base = key_to_character(unicode_name) or base
    return f"{modifiers}{plus}{base}"


@dataclass(frozen=True, slots=True)
class Command:
    """A command: its id, default keys (Textual names, comma-separated), the action it runs in
    its scope, what the help says, and where else it shows (footer label, palette title)."""

    id: str
    keys: str
    action: str
    help: str
    footer: str | None = None
    palette: str | None = None
    priority: bool = False

    @property
    def scope(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def key_names(self) -> list[str]:
        """The default keys as a person types them: `?`, not `question_mark`."""
        return self.keys_in_force({})

    def keys_in_force(self, keymap: Keymap) -> list[str]:
        """The keys as a person types them, with the keymap's remap if it has one."""
        return [key_display(key) for key in keymap.get(self.id, self.keys).split(",")]

    def binding(self) -> Binding:
        first = self.keys.split(",")[0]
        return Binding(
            self.keys,
            self.action,
            self.footer or self.help,
            show=self.footer is not None,
            key_display=key_display(first) if key_display(first) != first else None,
            priority=self.priority,
            id=self.id,
        )


def pager_commands(scope: str) -> tuple[Command, ...]:
    """The keys of a scrolling pane (the detail pane, the help), as less and vim have them.

    The pane provides `scroll(where)` and `page(pages)` actions (negative pages go up).
    """
    return tuple(
        Command(f"{scope}.{name}", keys, action, text)
        for name, keys, action, text in (
            ("down", "j,down", "scroll('down')", "scroll down"),
            ("up", "k,up", "scroll('up')", "scroll up"),
            ("top", "g,home", "scroll('home')", "top"),
            ("bottom", "G,end", "scroll('end')", "bottom"),
            ("page_down", "space,pagedown,ctrl+f", "page(1)", "page down"),
            ("page_up", "pageup,ctrl+b", "page(-1)", "page up"),
            ("half_down", "ctrl+d", "page(0.5)", "half a page down"),
            ("half_up", "ctrl+u", "page(-0.5)", "half a page up"),
        )
    )


C = Command
COMMANDS: tuple[Command, ...] = (
    # The footer shows the app's commands with a label in this order: at 80 columns all up to
    # quit fit, so the most used come first.
    C(
        "feed.help",
        "question_mark",
        "app.help",
        "this help: every key and the query language",
        "Help",
        "Help: keys and queries",
    ),
    C(
        "feed.filter",
        "slash",
        "focus_filter",
        "filter: type a query (enter keeps it and goes to the list, escape clears it)",
        "Filter",
        "Filter…",
        priority=True,
    ),
    C(
        "feed.open",
        "o",
        "open_selected",
        "open the selected article (or the related link under the cursor) in the browser;"
        " marks it read",
        "Open",
        "Open article in browser",
    ),
    C(
        "feed.toggle_read",
        "m",
        "toggle_read",
        "mark the selected article read / unread",
        "Read",
        "Toggle read / unread",
    ),
    C(
        "feed.toggle_star",
        "f",
        "toggle_star",
        "star / unstar the selected article",
        "Star",
        "Toggle star",
    ),
    C(
        "feed.next_unread",
        "n",
        "next_unread",
        "next unread article",
        "Unread",
        "Next unread article",
    ),
    C(
        "feed.sort",
        "s",
        "cycle_order",
        "cycle the order: quality, newest, oldest, provider, title",
        "Sort",
    ),
    C(
        "feed.quit",
        "q",
        "back_or_quit",
        "in the detail, related links or sidebar: back to the list · in the list: quit",
        "Quit",
    ),
    C(
        "feed.hide_read",
        "u",
        "toggle_hide_read",
        "hide / show read articles (a read article stays until you move away)",
        "Hide read",
        "Hide / show read articles",
    ),
    C(
        "feed.sidebar",
        "t",
        "toggle_sidebar",
        "show / hide the topic sidebar (hidden under 100 columns)",
        "Topics",
        "Show / hide the topic sidebar",
    ),
    C("feed.previous_unread", "N", "previous_unread", "previous unread article"),
    C(
        "feed.next_article",
        "J",
        "next_article",
        "next article, from anywhere (the detail pane keeps the focus)",
    ),
    C("feed.previous_article", "K", "previous_article", "previous article, from anywhere"),
    C(
        "feed.mark_all_read",
        "M",
        "mark_all_read",
        "mark every article shown as read (asks first; no is the default)",
        palette="Mark all shown as read",
    ),
    C(
        "feed.undo",
        "U",
        "undo_marks",
        "undo the last change of read / starred marks",
        palette="Undo the last mark change",
    ),
    C(
        "feed.copy",
        "y",
        "copy_url",
        "copy the selected article's URL to the clipboard",
        palette="Copy article URL",
    ),
    C("feed.reload", "r,ctrl+r", "reload", "reload the feed from disk", palette="Reload the feed"),
    C(
        "feed.import",
        "i",
        "import_feed",
        "import a feed (an RSS, Atom or JSON Feed URL or file, or an OPML list) into the feed"
        " folder",
        palette="Import a feed…",
    ),
    C("feed.jump_back", "backspace,ctrl+o", "jump_back", "back to the article you jumped from"),
    C("feed.back", "escape", "back", "back to the list · in the list: clear the filter"),
    C("app.quit_now", "Q", "quit", "quit from anywhere"),
    C(
        "app.palette",
        "ctrl+p",
        "command_palette",
        "command palette: every action, 'Show topic: …', 'Sort by …', recent queries",
    ),
    C("list.down", "j,down", "cursor_down", "next row"),
    C("list.up", "k,up", "cursor_up", "previous row"),
    C("list.first", "g,home", "cursor_first", "first row"),
    C("list.last", "G,end", "cursor_last", "last row"),
    C("list.page_down", "space,pagedown,ctrl+f", "page_down_rows", "page down"),
    C("list.page_up", "pageup,ctrl+b", "page_up_rows", "page up"),
    C("list.half_down", "ctrl+d", "half_page_down", "half a page down"),
    C("list.half_up", "ctrl+u", "half_page_up", "half a page up"),
    C(
        "list.choose",
        "enter",
        "choose",
        "topic: focus its articles · article: open it in the detail pane (marks it read)",
    ),
    C(
        "list.focus",
        "tab,shift+tab",
        "focus_next",
        "move focus: sidebar → list → detail → related links",
    ),
    C(
        "related.open",
        "enter",
        "choose",
        "open the link, or jump to it when it is an article of the feed (↪)",
    ),
    *pager_commands("detail"),
    C(
        "filter.escape",
        "escape",
        "clear_or_leave",
        "clear the query; on an empty one, leave the filter",
        "Clear filter",
    ),
    C("filter.results", "down,ctrl+n", "to_results", "go to the results, keeping the query"),
    C("help.close", "escape,q,question_mark", "dismiss", "close this help", "Close help"),
    *pager_commands("help"),
    C("confirm.yes", "y", "answer(True)", "yes", "Yes"),
    C("confirm.no", "n,escape", "answer(False)", "no", "No"),
    C(
        "confirm.default",
        "enter",
        "answer_default",
        "the default answer (no, for marking everything read)",
    ),
    C("prompt.submit", "enter", "submit", "go: import what was typed"),
    C("prompt.cancel", "escape", "cancel", "cancel"),
)
del C

# Keys Textual handles itself; in the table for the help and the README, never bound by us.
TEXTUAL_KEYS = frozenset({"app.palette", "list.focus", "prompt.submit"})


def commands_in(scope: str) -> list[Command]:
    return [command for command in COMMANDS if command.scope == scope]


def first_key(command_id: str, keymap: Keymap) -> str:
    """The first key in force of a command, as a hint names it (`press r to reload`)."""
    command = next(command for command in COMMANDS if command.id == command_id)
    return command.keys_in_force(keymap)[0]


def bindings(scope: str) -> list[BindingType]:
    """The Textual bindings of a scope, from the table."""
    return [command.binding() for command in commands_in(scope) if command.id not in TEXTUAL_KEYS]


def help_rows(keymap: Keymap | None = None) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(heading, [(keys, what they do)]) per scope, for the help screen and the README; the
    keys are those in force under `keymap` (the README shows the defaults)."""
    for scope, heading in SCOPES.items():
        rows = [
            (", ".join(command.keys_in_force(keymap or {})), command.help)
            for command in commands_in(scope)
        ]
        if rows:
            yield heading, rows


# --- the palette -------------------------------------------------------------------------

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
            f"{entry.count:,} articles",
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


def readme_key_table() -> str:
    """The README's key table, one section row per scope (a test keeps the README equal to it)."""
    lines = ["| key | action |", "| --- | --- |"]
    for heading, rows in help_rows():
        lines.append(f"| **{heading.lower()}** | |")
        for keys, text in rows:
            shown = ", ".join(f"`{key}`" for key in keys.split(", "))
            escaped = text.replace("|", "\\|")
            lines.append(f"| {shown} | {escaped} |")
    return "\n".join(lines)
