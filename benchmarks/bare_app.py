"""The floor for `bench_start.py`: the smallest Textual app, one Static line saying `ready`.

Whatever the reader takes to start beyond this (its own imports, CSS, widgets, reading
the cache, laying out the rows) is the reader's; this much is Python plus Textual.

With `--input`, an `Input` (focused) under the line: the floor of typing a filter, the
time for Textual to echo a key (`compare.py`).

    .venv/bin/python benchmarks/bare_app.py [--input]       (q quits; with --input, escape)
"""

from __future__ import annotations

import sys
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Static


class BareApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [("q", "quit", "Quit"), ("escape", "quit", "Quit")]

    def __init__(self, with_input: bool = False) -> None:
        super().__init__()
        self.with_input = with_input

    def compose(self) -> ComposeResult:
        yield Static("ready")
        if self.with_input:
            yield Input()


if __name__ == "__main__":
    BareApp(with_input="--input" in sys.argv[1:]).run()
