"""A one-line question answered by typing, e.g. the feed to import."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from reader.ui.commands import bindings
from reader.ui.text import line


class PromptScreen(ModalScreen[str | None]):
    """Dismisses with the text typed (stripped) on enter, None on escape or an empty answer."""

    DEFAULT_CSS = """
    PromptScreen {
        align: center middle;
    }

    PromptScreen #prompt-box {
        width: 70;
        height: auto;
        border: round $accent;
        background: $surface;
        padding: 1 2;
    }

    PromptScreen #prompt-hint {
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("prompt")

    def __init__(self, question: str, *, placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt-box"):
            yield Static(line(self.question), id="prompt-question", markup=False)
            yield Input(placeholder=self.placeholder, id="prompt-input")
            yield Static(line("enter: go · escape: cancel"), id="prompt-hint", markup=False)

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
