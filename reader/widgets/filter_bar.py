"""The filter bar: a query input above the list, with the query's error beside it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

from reader.ui_text import line


class FilterBar(Horizontal):
    """Posts `QueryChanged` (debounced) as the user types, `Submitted` on enter."""

    DEBOUNCE_SECONDS = 0.12
    BINDINGS = [Binding("escape", "clear_or_leave", "Clear filter", id="filter.escape")]

    class QueryChanged(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Submitted(Message):
        pass

    class Left(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ to filter: words, \"phrases\", topic:ai, -word, quality>=60, after:7d …", id="filter-input")
        yield Static(id="filter-error", markup=False)

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    def show_error(self, message: str | None) -> None:
        """Show the query's error (or clear it)."""
        error = self.query_one("#filter-error", Static)
        error.update(line(message or ""))
        error.display = bool(message)

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        # Typing never waits for filtering: the query runs once typing pauses.
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.DEBOUNCE_SECONDS, self._announce)

    def _announce(self) -> None:
        self._timer = None
        self.post_message(self.QueryChanged(self.input.value))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.flush()
        self.post_message(self.Submitted())

    def flush(self) -> None:
        """Announce a pending change now."""
        if self._timer is not None:
            self._timer.stop()
            self._announce()

    def action_clear_or_leave(self) -> None:
        """First escape clears the query; a second one (on an empty query) leaves the input."""
        if self.input.value:
            if self._timer is not None:
                self._timer.stop()
            self.input.value = ""
            self.post_message(self.QueryChanged(""))
        else:
            self.post_message(self.Left())
