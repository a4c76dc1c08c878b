"""The user's read and star changes, each undoable, and the history of jumps between articles.

Plain Python over a `StateStore`: the feed screen calls it for every key that marks an
article (m, f, M, U, enter, o and the dwell's timer) and for the jumps a related link
makes (backspace goes back). Nothing here knows about widgets or timers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from reader.core.model import plural
from reader.core.storage.state import StateStore

UNDO_DEPTH = 50  # mark changes U can take back, and jumps backspace can retrace


@dataclass(frozen=True, slots=True)
class Undo:
    """One mark change: what it was (\"marked read\"), and the marks it set, to be reset."""

    what: str
    column: str  # "read" or "starred"
    article_ids: tuple[str, ...]
    was: bool  # the mark the articles had before


class Marks:
    """Read/star toggles, mark-all, a 50-deep undo, the dwell rule and the jump history.

    The dwell rule: the UI calls `start_dwell` when the user moves to an article and
    `dwell_done` when the time is up. An undo, or an article marked unread on purpose, ends
    the dwell under way, so the same dwell never reads again what the user took back.

    `together` gives the articles marked with one (its story's, when the list shows
    stories): reading, toggling or dwelling on one marks them all, as one undoable change.
    """

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.together: Callable[[str], Sequence[str]] = lambda article_id: (article_id,)
        self._undo: list[Undo] = []
        self._jumped_from: list[str] = []  # article ids, the latest last
        self._dwelling: str | None = None  # the article a dwell is under way on

    @property
    def undo_depth(self) -> int:
        """How many changes `undo` can take back now."""
        return len(self._undo)

    def toggle_read(self, article_id: str) -> bool:
        """m: flip the read mark; returns the new one. Marked unread, it is not re-read.

        With others `together`: unread while any is, so m reads them all, else unreads all."""
        ids: tuple[str, ...] = tuple(self.together(article_id))
        if len(ids) == 1:
            now_read = self.store.toggle_read(article_id)
            changed: tuple[str, ...] = ids
        else:
            unread = tuple(self.unread_of(ids))
            now_read = bool(unread)
            changed = unread if now_read else ids
            self.store.set_read_many(changed, read=now_read)
        what = "marked read" if now_read else "marked unread"
        self._remember(Undo(what, "read", changed, not now_read))
        if not now_read:
            self._dwelling = None
        return now_read

    def toggle_star(self, article_id: str) -> bool:
        """f: flip the star; returns the new one."""
        now_starred = self.store.toggle_starred(article_id)
        what = "starred" if now_starred else "unstarred"
        self._remember(Undo(what, "starred", (article_id,), not now_starred))
        return now_starred

    def mark_read(self, article_id: str) -> bool:
        """Read by the user's doing (enter, open, the dwell), with the articles `together`
        with it; False if they were all read already."""
        unread = tuple(self.unread_of(self.together(article_id)))
        if not unread:
            return False
        if len(unread) == 1:
            self.store.set_read(unread[0])
        else:
            self.store.set_read_many(unread)
        self._remember(Undo("marked read", "read", unread, False))
        return True

    def unread_of(self, article_ids: Iterable[str]) -> list[str]:
        """The ones of `article_ids` not read yet, in their order (what M would mark)."""
        read = self.store.read_ids()
        return [article_id for article_id in article_ids if article_id not in read]

    def mark_all_read(self, article_ids: Iterable[str]) -> str:
        """M: mark every one of `article_ids` read, as one change; returns what it did."""
        unread = tuple(self.unread_of(article_ids))
        count = self.store.set_read_many(unread)
        what = f"marked {plural(count, 'article')} read"
        if count:
            self._remember(Undo(what, "read", unread, False))
        return what

    def undo(self) -> str | None:
        """U: take back the last change (a bulk one too); returns what it was, None if none."""
        if not self._undo:
            return None
        self._dwelling = None  # an undone read must not be read again by the same dwell
        change = self._undo.pop()
        if change.column == "starred":
            for article_id in change.article_ids:
                self.store.set_starred(article_id, change.was)
        elif change.column == "read":
            self.store.set_read_many(change.article_ids, read=change.was)
        else:  # a column no change names: a bug here, not a mark to guess at
            raise ValueError(f"no mark called {change.column!r}")
        return change.what

    def _remember(self, change: Undo) -> None:
        self._undo = [*self._undo[-(UNDO_DEPTH - 1) :], change]

    # --- the dwell: an article the user stays on becomes read ---------------------------

    def start_dwell(self, article_id: str | None) -> bool:
        """The user moved to `article_id` (None: away from every article); True when a
        dwell is worth timing (the article is not read yet)."""
        self._dwelling = None
        if article_id is None or not self.unread_of(self.together(article_id)):
            return False
        self._dwelling = article_id
        return True

    def dwell_done(self, article_id: str) -> bool:
        """The dwell's time on `article_id` is up: read it, unless the user moved on, or took
        a read back, since the dwell started. True when it became read."""
        if self._dwelling != article_id:
            return False
        self._dwelling = None
        return self.mark_read(article_id)

    # --- jumps: backspace goes back along the related links followed -------------------

    def jumped(self, from_id: str | None, to_id: str) -> None:
        """A jump from `from_id` (the article under the cursor) to `to_id`."""
        if from_id is not None and from_id != to_id:
            self._jumped_from = [*self._jumped_from[-(UNDO_DEPTH - 1) :], from_id]

    def jump_back(self, exists: Callable[[str], bool]) -> str | None:
        """The latest article jumped from that `exists` still (its file may be gone)."""
        while self._jumped_from:
            article_id = self._jumped_from.pop()
            if exists(article_id):
                return article_id
        return None
