"""A yes/no question, e.g. before marking every shown article read."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from reader.ui.commands import bindings
from reader.ui.text import line


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True on y, False on n or escape; enter gives the default answer."""

    DEFAULT_CSS = """
    ConfirmScreen {
        align: center middle;
    }

    ConfirmScreen #confirm-box {
        width: 60;
        height: auto;
        border: round $warning;
        background: $surface;
        padding: 1 2;
    }

    ConfirmScreen #confirm-hint {
        color: $text-muted;
        margin: 1 0 0 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("confirm")

    def __init__(self, question: str, *, default: bool = False) -> None:
        super().__init__()
        self.question = question
        self.default = default

    def compose(self) -> ComposeResult:
        hint = "y: yes · n / escape: no · enter: " + ("yes" if self.default else "no")
        with Vertical(id="confirm-box"):
            yield Static(line(self.question), id="confirm-question", markup=False)
            yield Static(line(hint), id="confirm-hint", markup=False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    def action_answer_default(self) -> None:
        self.dismiss(self.default)
