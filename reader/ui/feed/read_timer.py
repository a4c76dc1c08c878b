"""The read timer: an article the user moved to and stayed on becomes read (the dwell's clock).

`Marks` keeps the rule (which dwell is under way, whether it may still read); this part owns
the one timer that runs it out. Timers are the screen's, so that they end with it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Protocol

from textual.timer import Timer

from reader.core.marks import Marks


class TimerHost(Protocol):
    """Where the timer runs (the screen: its timers stop when it goes)."""

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...


class ReadTimer:
    """One dwell at a time: starting another, or stopping, drops the one under way."""

    def __init__(
        self,
        host: TimerHost,
        marks: Marks,
        read_after: float,
        *,
        is_shown: Callable[[str], bool],
        on_read: Callable[[str], object],
    ) -> None:
        self.host = host
        self.marks = marks
        self.read_after = read_after  # seconds; 0: moving to an article never reads it
        self.is_shown = is_shown  # whether the detail pane still shows that article
        self.on_read = on_read  # told the id of the article the dwell just read
        self._timer: Timer | None = None

    def start(self, article_id: str | None) -> None:
        """The user moved to `article_id` (None: to nothing): its dwell starts now."""
        self.stop()
        wanted = article_id if self.read_after > 0 else None
        if self.marks.start_dwell(wanted) and wanted is not None:
            self._timer = self.host.set_timer(self.read_after, partial(self.ran_out, wanted))

    def stop(self) -> None:
        """No article is dwelt on (an undo, a mark unread, the article changed under it)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.marks.start_dwell(None)

    def ran_out(self, article_id: str) -> None:
        self._timer = None
        if self.is_shown(article_id) and self.marks.dwell_done(article_id):
            self.on_read(article_id)
