"""The loading bar: files parsed out of the total, and the rate, while a feed loads."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.containers import Horizontal
from textual.widgets import Static

from reader.ui.text import line

if TYPE_CHECKING:
    from textual.widgets import ProgressBar


class LoadProgress(Horizontal):
    """Hidden until `update` is called with work to do; `finish` hides it again.

    Hidden at start, so its parts (a label, Textual's progress bar, the rate) are mounted by
    `mount_parts` after the first frame: they would only add to that frame's styling.
    Counts that come before are kept and shown once the parts are there.
    """

    DEFAULT_CSS = """
    LoadProgress {
        height: 1;
        display: none;
        padding: 0 1;
        background: $panel;
    }

    LoadProgress #load-label {
        width: auto;
        padding: 0 1 0 0;
        color: $text;  /* on the panel: no theme colour reads 4.5:1 there in every theme */
    }

    LoadProgress #load-bar {
        width: 40;
    }

    LoadProgress #load-rate {
        width: 1fr;
        padding: 0 0 0 1;
        color: auto 78%;  /* like the footer's descriptions: $text-muted is 3.7:1 on some panels */
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._started = 0.0
        self._bar: ProgressBar | None = None
        self._counts: tuple[int, int] | None = None  # the last counts, while there is no bar

    async def mount_parts(self) -> None:
        """Mount the label, the bar and the rate (once; not once the screen is closing: a
        quit can come with the first frame, before these are asked for)."""
        if self._bar is not None or self.children or not self.is_attached:
            return
        from textual.widgets import ProgressBar  # with its Label, ETA and status widgets

        bar = ProgressBar(id="load-bar", show_eta=False)
        await self.mount(
            Static(line("Loading"), id="load-label", markup=False),
            bar,
            Static(id="load-rate", markup=False),
        )
        self._bar = bar
        if self._counts is not None:
            self._show(*self._counts)

    def update(self, done: int, total: int) -> None:
        """Files parsed so far out of `total`."""
        if not self.display:
            self._started = time.monotonic()
            self.display = True
        self._counts = (done, total)
        if self._bar is not None:
            self._show(done, total)

    def _show(self, done: int, total: int) -> None:
        assert self._bar is not None
        self._bar.update(total=max(total, 1), progress=done)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = done / elapsed
        # No layout: the rate's width is the row's rest (1fr), whatever it says; a layout
        # of the whole screen per batch cost a 100,000-file load seconds of its one core.
        self.query_one("#load-rate", Static).update(
            line(f"{done:,} / {total:,} files · {rate:,.0f} files/s"), layout=False
        )

    def finish(self) -> None:
        self.display = False
