"""What a store has to say to the person (a file lost, a write that failed, a log not
read): kept in `notices` for whoever opened it, and handed to `on_notice` as it happens
(the app shows it then). One base for the reading state and the sync folder."""

from __future__ import annotations

from collections.abc import Callable


class Notices:
    """`notices`, `on_notice`, and the two ways of adding to them."""

    def __init__(self) -> None:
        self.notices: list[str] = []
        self.on_notice: Callable[[str], object] | None = None

    def _notice(self, text: str) -> None:
        """Add a notice once (a lock held for minutes would otherwise add one per click)."""
        if text not in self.notices:
            self._say(text)

    def _say(self, text: str) -> None:
        """Add a notice and hand it to `on_notice`."""
        self.notices.append(text)
        if self.on_notice is not None:
            self.on_notice(text)
