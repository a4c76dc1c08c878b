"""The filter bar: a query input above the list, with the query's error beside it.

It owns what is typed: it parses it, shows the error or a hint, knows the query in force
(the last one that parsed) and tells the screen with `QueryApplied` / `QueryRefused` /
`FilterLeft`. The screen filters; it never reads or writes the input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.geometry import Size
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

    def _watch_value(self, value: str) -> None:
        """Textual's, without the layout of the whole screen that a new text width asks for
        (~4 ms at each key): the input's own size never follows its text (one line, as wide
        as the bar), only its scrolling does. Textual's then finds the width already set."""
        size = Size(self.content_width, 1)
        if size != self.virtual_size:
            self.set_reactive(Input.virtual_size, size)
            self._scroll_update(size)
        super()._watch_value(value)

    def replace(self, text: str, start: int, end: int) -> None:
        start, end = sorted((max(0, start), min(len(self.value), end)))
        room = MAX_QUERY_LENGTH - (len(self.value) - (end - start))
        if len(text) > room:
            text = text[: max(room, 0)]
            self.post_message(self.Cut())
        super().replace(text, start, end)


if TYPE_CHECKING:
    from reader.core.query import Query


class FilterBar(Vertical):
    """Parses what is typed at every change and posts `QueryApplied` (a new query in
    force) or `QueryRefused` (what is typed does not parse: the last good one stays);
    `FilterLeft` when the user leaves it for the list.

    No debounce: the screen filters at once, and a change that is already stale (another
    keystroke is queued behind it) is skipped, so typing never waits for a timer and a
    burst of keys costs one filter, not one per key.

    Shown while it has the focus or holds a query; otherwise it leaves the screen (and so
    the tab order).
    """

    DEFAULT_CSS = """
    FilterBar {
        height: auto;
        display: none;
    }

    FilterBar.active, FilterBar.has-query {
        display: block;
    }

    /* One row (a tall border took three: five list rows were left at 80x24), its sides the
       panels' lines below it, in their colours (the accent as text colour when focused). */
    FilterBar #filter-input {
        width: 1fr;
        height: 1;
        border: none;
        border-left: round white 40%;
        border-right: round white 40%;
        padding: 0 1;
    }

    FilterBar #filter-input:light {
        border-left: round black 45%;
        border-right: round black 45%;
    }

    FilterBar #filter-input:focus {
        border-left: round $text-accent;
        border-right: round $text-accent;
    }

    FilterBar #filter-error {
        width: 1fr;
        max-width: 100%;
        height: auto;  /* wrapped at words: a reason cut mid-word says nothing */
        color: $text-error;
        padding: 0 1;
        display: none;
    }

    FilterBar #filter-error.hint {
        color: $text-warning;
    }

    /* Textual's placeholder is `auto 38%`: under 4.5:1 on the input in every theme. */
    FilterBar #filter-input > .input--placeholder {
        color: auto 70%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("filter")

    class QueryApplied(Message):
        """`query` (parsed from `text`, stripped) is the filter now."""

        def __init__(self, text: str, query: Query) -> None:
            super().__init__()
            self.text = text
            self.query = query

    class QueryRefused(Message):
        """What is typed does not parse (the bar shows why); the last good query stays."""

    class FilterLeft(Message):
        """The user left the filter for the list; `kept`: the query enter kept, to be
        remembered (None when the filter was left otherwise)."""

        def __init__(self, kept: str | None) -> None:
            super().__init__()
            self.kept = kept

    _error_shown: tuple[str | None, str | None] = (None, None)  # nothing shown at first
    _error_wanted: tuple[str | None, str | None] = (None, None)  # the screen's last word
    was_cut = False  # the query was cut at MAX_QUERY_LENGTH (it says so until it is shorter)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.text = ""  # the query in force, stripped ("" for none)
        self.parsed: Query | None = None  # the query in force, parsed; None before the first
        self.error: str | None = None  # why what is typed does not parse, if it does not

    @property
    def holds_query(self) -> bool:
        """Whether the bar filters anything: a query in force, or one that does not parse."""
        return bool(self.text) or self.error is not None

    def take(self, text: str) -> FilterBar.QueryApplied | FilterBar.QueryRefused | None:
        """Parse `text` and make it the bar's: the message saying what changed, or None
        when it is the query in force already (a letter typed and erased)."""
        if text.strip() == self.text and self.error is None and self.parsed is not None:
            return None
        from reader.core.query import QueryError, field_hints, parse_query  # not at start

        try:
            parsed = parse_query(text)
        except QueryError as error:
            self.error = str(error)
            self.show_error(self.error)
            return self.QueryRefused()
        hints = field_hints(text)
        self.show_error(None, hint=hints[0] if hints else None)
        self.error, self.text, self.parsed = None, text.strip(), parsed
        if self.has_class("has-query") != bool(self.text):
            self.set_class(bool(self.text), "has-query")  # restyling costs ~8 ms: only on a change
        return self.QueryApplied(self.text, parsed)

    def put(self, text: str) -> FilterBar.QueryApplied | FilterBar.QueryRefused | None:
        """Show `text` in the input and take it (the palette's recent query, a clear): the
        caller applies what comes back at once, nothing is posted."""
        with self.input.prevent(Input.Changed):
            self.input.value = text
        if self.was_cut and len(text) < MAX_QUERY_LENGTH:
            self.was_cut = False  # shortened (cleared, or a recent query): the note goes
            message, hint = self._error_wanted
            self.show_error(message, hint=hint)
        self.set_class(bool(text.strip()), "has-query")  # shown even when it does not parse
        if not text.strip() and not self.input.has_focus:
            self.remove_class("active")
        return self.take(text)

    def open(self) -> None:
        """`/`: show the bar and focus its input."""
        self.add_class("active")
        # At once, not after a refresh as `focus()` does: keys typed right after `/` (a fast
        # typist, a paste) must reach the input, not run as commands (`o` would open a browser).
        self.screen.set_focus(self.input)

    def compose(self) -> ComposeResult:
        """Nothing yet: the bar is hidden at start, and its input and error line would only
        add to the first frame's styling (an `Input` is among Textual's costliest widgets).
        `mount_parts` adds them after that frame, or at once when they are first asked for."""
        return iter(())

    def mount_parts(self) -> None:
        """Mount the input and the error line (once). They are in the DOM when this returns,
        so a `/` pressed with the first frame focuses the input and its keys reach it."""
        if self.children or not self.is_attached:
            return
        self.mount(
            QueryInput(
                placeholder='words, "phrases", topic:ai, -word, quality>=60, after:7d …',
                id="filter-input",
                select_on_focus=False,  # focusing must never select the query, to be replaced
            ),
            Static(id="filter-error", markup=False),
        )

    @property
    def input(self) -> Input:
        self.mount_parts()
        return self.query_one(Input)

    @property
    def error_line(self) -> Static:
        self.mount_parts()
        return self.query_one("#filter-error", Static)

    def show_error(self, message: str | None, *, hint: str | None = None) -> None:
        """Show the query's error, or a hint about a valid one (or clear both): one line.
        A query cut at its length says so in place of the hint."""
        self._error_wanted = (message, hint)
        if self.was_cut and not message:
            hint = CUT_NOTE
        if (message, hint) == self._error_shown:
            return  # every keystroke calls this: an unchanged line costs no layout
        self._error_shown = (message, hint)
        error = self.error_line
        error.update(line(message or hint or ""))
        error.set_class(bool(hint) and not message, "hint")
        error.display = bool(message or hint)

    @property
    def has_error(self) -> bool:
        error = self.error_line
        return bool(error.display) and not error.has_class("hint")

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        """Leaving an empty filter hides the bar."""
        if not self.input.value.strip():
            self.remove_class("active")

    def action_to_results(self) -> None:
        self.post_message(self.FilterLeft(None))

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.input.value:
            return  # stale: a later keystroke's change is queued behind it, and filters
        if self.was_cut and len(event.value) < MAX_QUERY_LENGTH:
            self.was_cut = False  # shortened: the note goes
            message, hint = self._error_wanted
            self.show_error(message, hint=hint)
        self._tell(self.take(event.value))

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
        if self.error is None:  # else the focus and the error stay: the user fixes the query
            self.post_message(self.FilterLeft(self.text))

    def action_clear_or_leave(self) -> None:
        """First escape clears the query; a second one (on an empty query) leaves the input."""
        if self.input.value:
            self._tell(self.put(""))
        else:
            self.post_message(self.FilterLeft(None))

    def _tell(self, outcome: Message | None) -> None:
        if outcome is not None:
            self.post_message(outcome)
