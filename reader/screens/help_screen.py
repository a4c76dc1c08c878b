"""The help screen: every key and the query language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.keys import HELP_KEYS, QUERY_HELP


def _table(title: str, rows: tuple[tuple[str, str], ...]) -> Content:
    width = max(len(key) for key, _ in rows) + 2
    lines = [Content.styled(title, "bold")]
    lines += [Content.assemble((key.ljust(width), "bold $accent"), text) for key, text in rows]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Shown with `?`; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
        Binding("j,down", "scroll('down')", "Down", show=False),
        Binding("k,up", "scroll('up')", "Up", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(_table("Keys", HELP_KEYS), markup=False)
            yield Static(_table("Filter queries (all terms must match)", QUERY_HELP), markup=False)
            yield Static(Content("escape, q or ? closes this help"), id="help-hint", markup=False)

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_down() if direction == "down" else body.scroll_up()
