"""The help screen: every key, the query language and what the marks mean; it pages."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.ui.commands import Keymap, bindings, help_rows
from reader.ui.widgets.detail_pane import scroll_by_pages, scroll_where
from reader.ui.widgets.reflowed import phrases

TITLE = "reader: keys"
CLOSING_HINT = "escape, q or ? closes this help"
STACKED_UNDER = 70  # columns: under them a key's words go under it, not beside

QUERY_HELP: tuple[tuple[str, str], ...] = (
    ("word", "the word appears in the title, excerpt, provider, topics, body or fetched text"),
    ('"two words"', "the phrase appears"),
    ("-term", "not the term"),
    ('topic:ai, topic:"computer vision"', "has that topic"),
    ("provider:name, source:name", "the provider's name or domain contains it"),
    ("quality>=60, q<20, quality=0", "compare the quality"),
    (
        "after:2021-04-01, before:2021-05-01, after:7d, after:2w",
        "published on/after, before; relative ages",
    ),
    ("is:unread, is:read, is:starred", "reading state"),
    ("a OR b", "either term"),
)

MARKS: tuple[tuple[str, str], ...] = (
    ("●", "unread article"),
    ("★", "starred article"),
    (
        "↪",
        "a related link (or a link in the article) that is an article of this feed:"
        " enter jumps to it",
    ),
    (
        "dimmed",
        "a read article: read when you open it (enter, o), or after a dwell on it that"
        " follows a move of your own (--read-after; 0 turns the dwell off)",
    ),
    ("unread/all", "the sidebar's counts, of the articles the filter lets through"),
)


def _table(title: str, rows: tuple[tuple[str, str], ...]) -> ComposeResult:
    """A heading, then a grid of keys and descriptions (a description wraps in its column).

    A key cell breaks only after ", ": `after:2021-04-01` or `topic:"computer vision"` stay whole.
    """
    yield Static(Content.styled(title, "bold"), classes="help-heading", markup=False)
    with Grid(classes="help-table"):
        for key, text in rows:
            yield Static(phrases(key), classes="help-key", markup=False)
            yield Static(Content(text), classes="help-text", markup=False)


class HelpScreen(ModalScreen[None]):
    """Shown with `?`; any of escape, q or ? closes it."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }

    HelpScreen #help-body {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 2;
        border-title-color: $text-accent;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
    }

    HelpScreen .help-heading {
        text-style: bold;
        margin: 1 0 0 0;
    }

    HelpScreen .help-table {
        grid-size: 2;
        grid-columns: 26 1fr;
        grid-gutter: 0 2;
        height: auto;
    }

    HelpScreen .help-key {
        color: $text-primary;  /* $text-accent is 3.0:1 on textual-light's surface */
        text-style: bold;
    }

    HelpScreen #help-body > .help-heading:first-child {
        margin: 0;
    }

    /* A narrow screen: each key on its line, what it does under it (a 26-column key column
       left some 20 for the words at 60 columns). */
    HelpScreen.-stacked #help-body {
        width: 100%;
        padding: 0 1;
    }

    HelpScreen.-stacked .help-table {
        grid-size: 1;
        grid-columns: 1fr;
    }

    HelpScreen.-stacked .help-text {
        padding: 0 0 0 2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("help")

    def __init__(self, keymap: Keymap | None = None) -> None:
        super().__init__()
        self.keymap = keymap or {}  # the config's remaps: the help shows the keys in force

    def compose(self) -> ComposeResult:
        body = VerticalScroll(id="help-body")
        body.border_title = TITLE
        # On the border, so that it is seen however far the help is scrolled.
        body.border_subtitle = CLOSING_HINT
        with body:
            for heading, rows in help_rows(self.keymap):
                yield from _table(heading, tuple(rows))
            yield from _table("Filter queries (all terms must match)", QUERY_HELP)
            yield from _table("Marks", MARKS)

    def on_resize(self, event: events.Resize) -> None:
        self.set_class(event.size.width < STACKED_UNDER, "-stacked")

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#help-body", VerticalScroll)

    def action_scroll(self, where: str) -> None:
        scroll_where(self.body, where)

    def action_page(self, pages: float) -> None:
        scroll_by_pages(self.body, pages)
