"""The loading bar: files parsed out of the total, and the rate, while a feed loads."""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from reader.ui.text import line


class LoadProgress(Horizontal):
    """Hidden until `update` is called with work to do; `finish` hides it again."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._started = 0.0

    def compose(self) -> ComposeResult:
        yield Static(line("Loading"), id="load-label", markup=False)
        yield ProgressBar(id="load-bar", show_eta=False)
        yield Static(id="load-rate", markup=False)

    def update(self, done: int, total: int) -> None:
        """Files parsed so far out of `total`."""
        if not self.display:
            self._started = time.monotonic()
            self.display = True
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
        elapsed = max(time.monotonic() - self._started, 1e-6)
        rate = done / elapsed
        self.query_one("#load-rate", Static).update(
            line(f"{done:,} / {total:,} files · {rate:,.0f} files/s")
        )

    def finish(self) -> None:
        self.display = False
