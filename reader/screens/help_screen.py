"""The help screen: every key and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.keys import HELP_KEYS, QUERY_HELP


def _table(title: str, rows: tuple[tuple[str, str], ...]) -> ComposeResult:
    """A heading, then a grid of keys and descriptions (a description wraps in its column)."""
    yield Static(Content.styled(title, "bold"), classes="help-heading", markup=False)
    with Grid(classes="help-table"):
        for key, text in rows:
            yield Static(Content(key), classes="help-key", markup=False)
            yield Static(Content(text), classes="help-text", markup=False)


class HelpScreen(ModalScreen[None]):
    """Shown with `?`; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield from _table("Keys", HELP_KEYS)
            yield from _table("Filter queries (all terms must match)", QUERY_HELP)
            yield Static(Content("escape, q or ? closes this help"), id="help-hint", markup=False)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_down() if direction == "down" else body.scroll_up()
