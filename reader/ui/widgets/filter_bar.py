"""The filter bar: a query input above the list, with the query's error beside it."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from reader.ui.commands import bindings
from reader.ui.text import line


class FilterBar(Vertical):
    """Posts `QueryChanged` at every change as the user types, `Submitted` on enter.

    No debounce: the screen filters at once, and skips a change that is already stale
    (another keystroke is queued behind it), so typing never waits for a timer and a
    burst of keys costs one filter, not one per key.

    Shown while it has the focus or holds a query; otherwise it leaves the screen (and so
    the tab order).
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("filter")

    class QueryChanged(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Submitted(Message):
        pass

    class Left(Message):
        pass

    _error_shown: tuple[str | None, str | None] = (None, None)  # nothing shown at first

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder='words, "phrases", topic:ai, -word, quality>=60, after:7d …',
            id="filter-input",
            select_on_focus=False,  # focusing must never select the query, to be replaced by a key
        )
        yield Static(id="filter-error", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def show_error(self, message: str | None, *, hint: str | None = None) -> None:
        """Show the query's error, or a hint about a valid one (or clear both): one line."""
        if (message, hint) == self._error_shown:
            return  # every keystroke calls this: an unchanged line costs no layout
        self._error_shown = (message, hint)
        error = self.query_one("#filter-error", Static)
        error.update(line(message or hint or ""))
        error.set_class(bool(hint) and not message, "hint")
        error.display = bool(message or hint)

    @property
    def has_error(self) -> bool:
        error = self.query_one("#filter-error", Static)
        return bool(error.display) and not error.has_class("hint")

    def clear(self) -> None:
        """Empty the input without announcing it (the caller applies the empty query)."""
        with self.input.prevent(Input.Changed):
            self.input.value = ""
        self.remove_class("has-query")
        if not self.input.has_focus:
            self.remove_class("active")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving an empty filter hides the bar."""
        if not self.input.value.strip():
            self.remove_class("active")

    def action_to_results(self) -> None:
        self.post_message(self.Left())

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.QueryChanged(event.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Submitted())

    def action_clear_or_leave(self) -> None:
        """First escape clears the query; a second one (on an empty query) leaves the input."""
        if self.input.value:
            self.input.value = ""
            self.post_message(self.QueryChanged(""))
        else:
            self.post_message(self.Left())
