"""Every key of the feed screen, and the part that does it (the command table binds them).

A mixin of the screen's `action_*` methods, one line each: a newcomer looking for what a key
does finds here the part to open.
"""

from __future__ import annotations

from textual.widgets import Input

from reader.ui.feed.filtering import Filtering
from reader.ui.feed.fulltext import FullText
from reader.ui.feed.importing import Importing
from reader.ui.feed.load_view import LoadView
from reader.ui.feed.marking import Marking
from reader.ui.feed.navigation import Navigation
from reader.ui.feed.opening import Opening
from reader.ui.feed.shared_marks import SharedMarks
from reader.ui.feed.stories import Stories
from reader.ui.feed.view_settings import ViewSettings
from reader.ui.widgets.article_list import ArticleList


class FeedKeys:
    """The feed screen's actions (mixed into `FeedScreen`, which makes the parts)."""

    load_view: LoadView
    marking: Marking
    navigation: Navigation
    opening: Opening
    importing: Importing
    filtering: Filtering
    view_settings: ViewSettings
    shared_marks: SharedMarks
    fulltext: FullText
    stories: Stories

    def action_open_selected(self) -> None:
        self.opening.open_selected()

    def action_copy_url(self) -> None:
        self.opening.copy_url()

    def action_focus_filter(self) -> None:
        self.filtering.bar.open()

    def action_toggle_read(self) -> None:
        self.marking.toggle_read()

    def action_toggle_star(self) -> None:
        self.marking.toggle_star()

    def action_toggle_hide_read(self) -> None:
        hide_read = not self.view_settings.hide_read
        self.view_settings.set_hide_read(hide_read)
        self.marking.remember_hide_read(hide_read)

    def action_toggle_stories(self) -> None:
        self.stories.toggle()

    def action_mark_all_read(self) -> None:
        self.marking.mark_all_read()

    def action_undo_marks(self) -> None:
        self.marking.undo()

    def action_next_unread(self) -> None:
        self.navigation.to_unread(1)

    def action_previous_unread(self) -> None:
        self.navigation.to_unread(-1)

    def action_next_article(self) -> None:
        self.navigation.by(1)

    def action_previous_article(self) -> None:
        self.navigation.by(-1)

    def action_jump_back(self) -> None:
        self.navigation.jump_back()

    def action_reload(self) -> None:
        self.load_view.reload()

    def action_sync_now(self) -> None:
        self.shared_marks.pull_now()

    def action_cycle_order(self) -> None:
        self.view_settings.cycle_order()

    def action_detail_width(self, steps: int) -> None:
        self.view_settings.step_detail_width(steps)

    def action_toggle_sidebar(self) -> None:
        self.navigation.toggle_sidebar()

    def action_import_feed(self) -> None:
        self.importing.ask(self.load_view.loader.feed_is_folder)

    def action_fetch_text(self) -> None:
        self.fulltext.fetch_selected()

    def action_forget_texts(self) -> None:
        self.fulltext.forget_all()

    def action_back(self) -> None:
        """escape: back to the list; in the list, clear an active filter."""
        host = self.navigation.host
        if self.navigation.focus_is_away_from_list():
            self.navigation.articles.focus()
        elif isinstance(host.focused, ArticleList) and self.filtering.bar.holds_query:
            self.filtering.clear()
            host.tell("Filter cleared", timeout=2)

    def action_back_or_quit(self) -> None:
        """q: from the detail, related links or sidebar back to the list; from the list, quit."""
        host = self.navigation.host
        if self.navigation.focus_is_away_from_list() and host.focused is not None:
            self.navigation.articles.focus()
        else:
            host.app.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`/` is the filter's only while this screen is on top; in the input it is a character."""
        if action == "focus_filter":
            host = self.navigation.host
            on_top: object = host.app.screen
            return on_top is host and not isinstance(host.focused, Input)
        return True
