"""Read and star marks from the keys: m, f, u, M, U, and the article opened (enter, o).

`Marks` (in the core) keeps the marks, the undo and the dwell rule; this part asks it, stops
the read timer where a change must end the dwell, and has the screen redraw.
"""

from __future__ import annotations

from reader.core.model import plural
from reader.ui.feed.host import FeedHost
from reader.ui.feed.read_timer import ReadTimer
from reader.ui.widgets.article_list import ArticleList

HIDE_READ_SETTING = "hide_read"  # the last hide-read toggle, kept in the state database


class Marking:
    """The mark commands of the feed screen."""

    def __init__(self, host: FeedHost, read_timer: ReadTimer) -> None:
        self.host = host
        self.read_timer = read_timer

    def mark_read(self, article_id: str) -> None:
        """Read by the user's doing (enter, open): undoable like every mark change."""
        if self.host.marks.mark_read(article_id):
            self.host.refresh_marks()

    def toggle_read(self) -> None:
        article = self.host.current_summary()
        if article is not None:
            if not self.host.marks.toggle_read(article.id):
                self.read_timer.stop()  # marked unread on purpose: its clock stops too
            self.host.refresh_marks()

    def toggle_star(self) -> None:
        article = self.host.current_summary()
        if article is not None:
            self.host.marks.toggle_star(article.id)
            self.host.refresh_marks()

    def remember_hide_read(self, hide_read: bool) -> None:
        self.host.store.set_setting(HIDE_READ_SETTING, "1" if hide_read else "0")
        self.host.tell("Read articles hidden" if hide_read else "Read articles shown", timeout=2)

    def mark_all_read(self) -> None:
        host = self.host
        together = host.marks.together  # a story's row: every article of the story
        rows = host.query_one(ArticleList).articles
        shown = host.marks.unread_of(member for a in rows for member in together(a.id))
        if not shown:
            host.tell("Every article shown is already read")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                what = host.marks.mark_all_read(shown)
                host.tell(f"{what.capitalize()} · U undoes it")
                host.view.pinned = None
                host.refresh_view()

        from reader.ui.screens.confirm_screen import ConfirmScreen  # not for the first frame

        question = f"Mark the {plural(len(shown), 'unread article')} shown as read?"
        host.app.push_screen(ConfirmScreen(question, default=False), answered)

    def undo(self) -> None:
        """U: take back the last read/star change (a bulk one too)."""
        what = self.host.marks.undo()
        if what is None:
            self.host.tell("Nothing to undo")
            return
        self.read_timer.stop()  # an undone read is not read again by the same dwell
        self.host.tell(f"Undone: {what}", timeout=3)
        self.host.refresh_marks()
