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

# A query is a line of words: past this, a paste or a stuck key is cut, not kept. Textual
# re-measures the whole value at every key, so without a cap a long paste costs time in
# the square of its length (15,000 characters: minutes at full CPU).
MAX_QUERY_LENGTH = 500
CUT_NOTE = f"Cut at {MAX_QUERY_LENGTH} characters: a query keeps no more"


class QueryInput(Input):
    """An `Input` of at most `MAX_QUERY_LENGTH` characters: what goes beyond is cut (where
    Textual's `max_length` refuses a whole paste), and `Cut` is posted."""

    class Cut(Message):
        pass

    def replace(self, text: str, start: int, end: int) -> None:
        start, end = sorted((max(0, start), min(len(self.value), end)))
        room = MAX_QUERY_LENGTH - (len(self.value) - (end - start))
        if len(text) > room:
            text = text[: max(room, 0)]
            self.post_message(self.Cut())
        super().replace(text, start, end)


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
    _error_wanted: tuple[str | None, str | None] = (None, None)  # the screen's last word
    was_cut = False  # the query was cut at MAX_QUERY_LENGTH (it says so until it is shorter)

    def compose(self) -> ComposeResult:
        yield QueryInput(
            placeholder='words, "phrases", topic:ai, -word, quality>=60, after:7d …',
            id="filter-input",
            select_on_focus=False,  # focusing must never select the query, to be replaced by a key
        )
        yield Static(id="filter-error", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def show_error(self, message: str | None, *, hint: str | None = None) -> None:
        """Show the query's error, or a hint about a valid one (or clear both): one line.
        A query cut at its length says so in place of the hint."""
        self._error_wanted = (message, hint)
        if self.was_cut and not message:
            hint = CUT_NOTE
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
        if self.was_cut:
            self.was_cut = False
            self.show_error(None)
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
        if self.was_cut and len(event.value) < MAX_QUERY_LENGTH:
            self.was_cut = False  # shortened: the note goes
            message, hint = self._error_wanted
            self.show_error(message, hint=hint)
        self.post_message(self.QueryChanged(event.value))

    @on(QueryInput.Cut)
    def _cut(self, event: QueryInput.Cut) -> None:
        event.stop()
        if not self.was_cut:
            self.was_cut = True
            message, hint = self._error_wanted
            self.show_error(message, hint=hint)

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
