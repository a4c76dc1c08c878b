"""One command table: every key the reader has, once. Bindings, the help screen, the footer
and the palette (`command_palette`) are all made from it (and a test holds the README's key
table to it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.keys import KEY_NAME_REPLACEMENTS, Keys, key_to_character

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
    if len(base) > 1:
        # Textual renames some characters' Unicode names (solidus is slash): undo that first.
        unicode_name = next((k for k, v in KEY_NAME_REPLACEMENTS.items() if v == base), base)
        character = key_to_character(unicode_name)
        # A printable character, even one Textual also names as a key (`]`, `^`); escape,
        # tab and space keep their names.
        if character is not None and character.isprintable() and not character.isspace():
            base = character
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
        "open the selected article (or the related link or other outlet under the cursor) in the"
        " browser; marks it read",
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
    C(
        "feed.detail_wider",
        "less_than_sign,left_square_bracket",
        "detail_width(1)",
        "a wider detail pane, a narrower list (remembered)",
        palette="Widen the detail pane",
    ),
    C(
        "feed.detail_narrower",
        "greater_than_sign,right_square_bracket",
        "detail_width(-1)",
        "a narrower detail pane, a wider list (remembered)",
        palette="Narrow the detail pane",
    ),
    C(
        "feed.stories",
        "z",
        "toggle_stories",
        "one row per story (+N: its other outlets) / every article on its own row (remembered)",
        palette="Show stories / every article",
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
        "feed.sync",
        "S",
        "sync_now",
        "merge the other machines' marks from the sync folder now",
        palette="Sync now: the other machines' marks",
    ),
    C(
        "feed.import",
        "i",
        "import_feed",
        "import a feed (an RSS, Atom or JSON Feed URL or file, or an OPML list) into the feed"
        " folder",
        palette="Import a feed…",
    ),
    C(
        "feed.fetch_text",
        "F",
        "fetch_text",
        "fetch the selected article's full text from its page, kept offline (the detail shows it)",
        palette="Fetch the article's full text",
    ),
    C(
        "feed.forget_texts",
        "X",
        "forget_texts",
        "forget every stored full text (asks first; no is the default)",
        palette="Forget stored full texts",
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
