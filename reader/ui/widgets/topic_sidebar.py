"""The topic sidebar: all articles, unread, starred, the saved searches, then every topic with
its count."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from reader.core.topics import TopicCount, is_search_key
from reader.ui.text import assemble, line
from reader.ui.widgets.virtual_list import VirtualList

SEARCH_MARK = "⌕ "
LABEL_KEPT = 8  # the label's columns the counts leave it at least (when it has that many)
# How an entry's counts read, from the fullest: with stories, their number comes first
# (`5 · 3/7`); short of room the spaces go, then the unread count (the header drops it
# first). The whole sidebar uses one form, named under it.
STORY_FORMS = ("{stories} · {unread}/{count}", "{stories}·{unread}/{count}", "{stories}·{count}")
STORY_SUBTITLES = ("stories · unread/all", "stories·unread/all", "stories·all")
ARTICLES_SUBTITLE = "unread/all"


class TopicSidebar(VirtualList):
    """Sidebar entries; the app sets them and hears `Chosen` / `CursorMoved`."""

    DEFAULT_CSS = """
    TopicSidebar > .topic-sidebar--count {
        color: $text-muted;
    }

    TopicSidebar > .topic-sidebar--active {
        color: $text-accent;
        text-style: bold;
    }
    """

    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "topic-sidebar--count",
        "topic-sidebar--active",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries: Sequence[TopicCount] = ()
        self.active_key = "all"
        self._form: tuple[int, int] = (-1, 0)  # (width, the STORY_FORMS index) last chosen

    def show(self, entries: Sequence[TopicCount], active_key: str) -> None:
        """Swap in the entries; the cursor is on the active entry (the two never disagree)."""
        keep = active_key
        self.entries = entries
        self.active_key = active_key
        self._form = (-1, 0)
        self._name_counts()
        cursor = next((i for i, e in enumerate(entries) if e.key == keep), 0)
        self.set_row_count(len(entries), cursor)

    @property
    def current(self) -> TopicCount | None:
        if 0 <= self.cursor < len(self.entries):
            return self.entries[self.cursor]
        return None

    def on_resize(self) -> None:
        super().on_resize()
        self._name_counts()

    def _name_counts(self) -> None:
        """Say under the sidebar what its counts are (in the form that fits)."""
        if not any(entry.stories is not None for entry in self.entries):
            self.border_subtitle = ARTICLES_SUBTITLE
        else:
            self.border_subtitle = STORY_SUBTITLES[self.form(self.scrollable_content_region.width)]

    def form(self, width: int) -> int:
        """The fullest of `STORY_FORMS` that leaves every entry its label (see `LABEL_KEPT`)."""
        if self._form[0] != width:
            fits = (
                at
                for at in range(len(STORY_FORMS))
                if all(
                    len(count_text(entry, at)) + 1 + min(len(label_of(entry)), LABEL_KEPT) <= width
                    for entry in self.entries
                )
            )
            self._form = (width, next(fits, len(STORY_FORMS) - 1))
        return self._form[1]

    def row_style(self, index: int) -> str:
        return "topic-sidebar--active" if self.entries[index].key == self.active_key else ""

    def render_row(self, index: int, width: int) -> Content:
        entry = self.entries[index]
        label, count = label_of(entry), count_text(entry, self.form(width))
        label_width = max(width - len(count) - 1, 4)
        return assemble(
            line(label).truncate(label_width, ellipsis=True, pad=True),
            " ",
            line(count, self.part_style("topic-sidebar--count")),
        )


def label_of(entry: TopicCount) -> str:
    # A saved search is marked as one, so that it is not taken for a topic of that name.
    return f"{SEARCH_MARK}{entry.label}" if is_search_key(entry.key) else entry.label


def count_text(entry: TopicCount, form: int) -> str:
    """An entry's counts: `unread/all` of its articles (Unread and Starred: all), after the
    number of stories they make when it is counted, in the `STORY_FORMS` of that index."""
    articles = f"{entry.count:,}"
    if entry.stories is None:
        return articles if entry.unread is None else f"{entry.unread:,}/{articles}"
    stories = f"{entry.stories:,}"
    if entry.unread is None:
        return f"{stories} · {articles}" if form == 0 else f"{stories}·{articles}"
    unread = f"{entry.unread:,}"
    return STORY_FORMS[form].format(stories=stories, unread=unread, count=articles)
