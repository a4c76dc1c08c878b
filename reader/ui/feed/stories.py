"""Stories on the feed screen: one row per story, or every article (z), the choice remembered.

The config's `group_stories = false` turns stories off (no story is looked for, and z says
so); otherwise the list shows stories unless the user's last z chose every article. While
stories are shown, marking an article marks its whole story (`Marks.together`).
"""

from __future__ import annotations

from collections.abc import Sequence

from reader.core.model import ArticleSummary, plural
from reader.core.stories.rows import StoryRows
from reader.ui.feed.host import FeedHost

GROUP_SETTING = "group_stories"  # the last z, kept in the state database: "1" stories, "0" not


class Stories:
    """Whether the list shows stories, and the rows it shows of them."""

    def __init__(self, host: FeedHost, *, enabled: bool) -> None:
        self.host = host
        self.enabled = enabled  # the config's group_stories
        self.grouped = enabled and host.store.get_setting(GROUP_SETTING) != "0"
        host.view.count_stories = self.grouped
        host.marks.together = self.together

    def together(self, article_id: str) -> Sequence[str]:
        """The articles marked with this one: its story's while stories are shown."""
        if not self.grouped:
            return (article_id,)
        return self.host.library.stories.story_of(article_id)

    def shown(self) -> tuple[Sequence[ArticleSummary], StoryRows | None]:
        """What the list shows: the stories' leads and their rows, or every article.

        The pinned article (a jump's target) leads its story's row, so that a jump to one of
        a story's outlets shows that outlet.
        """
        view = self.host.view
        if not self.grouped:
            return view.articles(), None
        rows = view.story_rows()
        pinned = view.pinned
        story = rows.stories.story_of(pinned) if pinned is not None else ()
        if len(story) < 2 or pinned is None:
            return rows.leads, rows
        summary = self.host.library.summary(pinned)
        at = next((i for i, lead in enumerate(rows.leads) if lead.id in story), None)
        if summary is None or at is None or rows.leads[at].id == pinned:
            return rows.leads, rows
        leads = [*rows.leads[:at], summary, *rows.leads[at + 1 :]]
        led = StoryRows(leads, rows.stories, self.host.library.sorted(view.order))
        return leads, led

    def toggle(self) -> None:
        """z: stories or every article, remembered for the next start."""
        if not self.enabled:
            self.host.tell("Stories are off in the config (group_stories = false)", timeout=4)
            return
        self.grouped = self.host.view.count_stories = not self.grouped
        self.host.store.set_setting(GROUP_SETTING, "1" if self.grouped else "0")
        self.host.refresh_view()
        if self.grouped:
            shown = self.host.view.story_rows()
            text = f"One row per story: {plural(len(shown), 'story', 'stories')}"
        else:
            text = "Every article on its own row"
        self.host.tell(text, timeout=2)
