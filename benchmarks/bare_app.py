"""The floor for `bench_start.py`: the smallest Textual app, one Static line saying `ready`.

Whatever the reader takes to start beyond this (its own imports, CSS, widgets, reading
the cache, laying out the rows) is the reader's; this much is Python plus Textual.

    .venv/bin/python benchmarks/bare_app.py        (q quits)
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Static


class BareApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static("ready")


if __name__ == "__main__":
    BareApp().run()
