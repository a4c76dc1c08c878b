"""A yes/no question, e.g. before marking every shown article read."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.ui_text import line


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True on y/enter, False on n/escape."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(line(self.question), id="confirm-question", markup=False)
            yield Static(line("y / enter: yes    n / escape: no"), id="confirm-hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
