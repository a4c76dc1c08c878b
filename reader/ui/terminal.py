"""Textual's terminal driver (Linux, macOS), made to notice that its terminal is gone.

When the terminal closes under a running app (its window, an ssh connection, `tmux
kill-session`), Textual's driver as it is never ends the process:

- a write to the gone terminal fails (EIO), which ends Textual's writer thread; the
  queue it read from holds 30 writes, and the 31st blocks the event loop for good, so
  neither quitting nor SIGHUP nor SIGTERM is handled again;
- its input thread reads end-of-file in a loop (100 % CPU);
- the SIGCONT the kernel sends along with SIGHUP makes it start its terminal mode again:
  a second writer and input thread on the dead terminal.

`ReaderDriver` writes through `TerminalOutput`, which drops what cannot be written: the
queue keeps draining, and the first failure stops the input thread and ends the app. An app
that writes nothing (idle) and gets no SIGHUP (the kernel sends it to the session's leader
only: under `make run` that is make, which waits for its child) would never fail a write:
`watch_terminal` asks the terminal for its attributes every half second, which a hung-up
one refuses (EIO), and ends the app then.
"""

from __future__ import annotations

import os
import termios
import threading
from collections.abc import Callable
from io import TextIOWrapper
from typing import TYPE_CHECKING, Any, TextIO, cast

from textual.drivers.linux_driver import LinuxDriver

if TYPE_CHECKING:
    from textual.app import App


class TerminalOutput:
    """The terminal as Textual's writer thread sees it; once a write fails it is lost, and
    every later write is dropped (only that thread writes and flushes it)."""

    def __init__(self, stream: TextIO, on_lost: Callable[[], None]) -> None:
        self._stream = stream
        self._on_lost = on_lost
        self.lost = False
        self._losing = threading.Lock()  # the writer thread and the watch may both find it

    def write(self, text: str) -> int:
        if not self.lost:
            try:
                return self._stream.write(text)
            except OSError:
                self.lose()
        return len(text)

    def flush(self) -> None:
        if not self.lost:
            try:
                self._stream.flush()
            except OSError:
                self.lose()

    def fileno(self) -> int:
        return self._stream.fileno()

    def lose(self) -> None:
        """The terminal is gone (a write failed, or `watch_terminal` found it hung up)."""
        with self._losing:
            if self.lost:
                return
            self.lost = True
        self._on_lost()


WATCH_SECONDS = 0.5  # how often an idle app asks whether its terminal is still there


def watch_terminal(fd: int, stop: threading.Event, lost: Callable[[], None]) -> None:
    """Until `stop`, ask the terminal `fd` for its attributes every WATCH_SECONDS; call
    `lost` once it refuses (hung up) and end."""
    while not stop.wait(WATCH_SECONDS):
        try:
            termios.tcgetattr(fd)
        except (termios.error, OSError):
            lost()
            return


class ReaderDriver(LinuxDriver):
    """`LinuxDriver`, ending the app when its terminal is gone."""

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        assert self._file is not None, "a terminal app has a stderr"
        self.output = TerminalOutput(self._file, self._terminal_lost)
        # What the writer thread writes to; it calls only write, flush and fileno.
        self._file = cast(TextIOWrapper, self.output)
        if os.isatty(self.fileno):  # the input's terminal: watched (daemon: never holds the exit)
            args = (self.fileno, self.exit_event, self.output.lose)
            threading.Thread(target=watch_terminal, args=args, daemon=True).start()

    def _terminal_lost(self) -> None:
        """In the writer thread: nobody reads the terminal any more."""
        self.exit_event.set()  # the input thread stops reading end-of-file
        # The exit's deadline starts now: the loop may have thousands of keys to go through
        # before it gets to the exit.
        from reader.ui.app import ReaderApp

        if isinstance(self._app, ReaderApp):
            self._app.bound_the_exit()
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._app.exit)

    def _sigcont_application(self, *args: Any) -> None:
        # Only a resume from our own suspension (ctrl+z) restarts the terminal mode: the
        # SIGCONT of a hang-up would start it again on a terminal that is gone.
        if self._must_signal_resume and not self.output.lost:
            super()._sigcont_application(*args)
