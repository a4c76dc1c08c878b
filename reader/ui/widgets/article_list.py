"""The article list: a column header, then one row per article, only the visible rows rendered."""

from __future__ import annotations

import contextlib
from collections.abc import Hashable, Sequence
from itertools import chain
from operator import attrgetter, indexOf
from typing import NamedTuple

from textual.content import Content
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip

from reader.core.export import short_date
from reader.core.matches import match_spans
from reader.core.model import ArticleSummary
from reader.core.ordering import DEFAULT_ORDER
from reader.core.stories.rows import StoryRow, StoryRows
from reader.ui.text import assemble, line, provider_shown, stylized
from reader.ui.widgets.virtual_list import VirtualList

MARKS_WIDTH = 4  # "●★¶ ": unread, star, a stored full text side by side, then a space (the
# title keeps the width it had before the third mark)
TEXT_MARK = "¶"  # the article's full text is kept (`F`, `reader fetch`)
GAP = "  "
PROVIDER_WIDTH = 18
MIN_PROVIDER_WIDTH = 10  # "Provider ▲"
MIN_TITLE_WIDTH = 45  # under this the provider column goes: the title is what a reader scans
DATE_WIDTH = 11  # "09 Apr 2021"
QUALITY_WIDTH = len(GAP) + 3  # right-aligned; its heading reaches into the date column

# Which column an order sorts by, and its direction (▼ largest or newest first).
SORT_MARKS = {
    "quality": ("Quality", "▼"),
    "newest": ("Date", "▼"),
    "oldest": ("Date", "▲"),
    "provider": ("Provider", "▲"),
    "title": ("Title", "▲"),
}


class Columns(NamedTuple):
    """Widths of the flexible columns of a row; provider 0 means not shown."""

    title: int
    provider: int


def columns_for(width: int) -> Columns:
    """The title takes the room left; the provider only while the title keeps MIN_TITLE_WIDTH."""
    room = width - MARKS_WIDTH - len(GAP) - DATE_WIDTH - QUALITY_WIDTH
    provider = min(PROVIDER_WIDTH, room - len(GAP) - MIN_TITLE_WIDTH)
    if provider < MIN_PROVIDER_WIDTH:
        return Columns(max(room, 1), 0)
    return Columns(room - len(GAP) - provider, provider)


def row_of(article_id: str, articles: Sequence[ArticleSummary], stories: StoryRows | None) -> int:
    """The row of `article_id`, else of the story it belongs to; -1 when neither is shown.

    Searched in C (`operator.indexOf` over a map): after a filter key the list may hold
    100,000 articles, and a loop in Python over them took ~10 ms when the article was far
    down or gone."""
    with contextlib.suppress(ValueError):
        return indexOf(map(_ID, articles), article_id)
    if stories is not None:
        story = stories.stories.story_of(article_id)
        with contextlib.suppress(ValueError):
            return indexOf(map(story.__contains__, map(_ID, articles)), True)
    return -1


_ID = attrgetter("id")


def nearest_remaining(
    before: Sequence[ArticleSummary], index: int, after: Sequence[ArticleSummary]
) -> int:
    """Where in `after` the cursor goes when `before[index]` has left: on the first article
    below it that is still there, else the nearest above, else the top."""
    rows = {article.id: row for row, article in enumerate(after)}
    below = (rows.get(a.id) for a in before[index + 1 :])
    above = (rows.get(a.id) for a in reversed(before[:index]))
    return next((row for row in chain(below, above) if row is not None), 0)


class ArticleList(VirtualList):
    """Title, provider, date and quality of each article; unread rows dotted, read ones dimmed,
    starred ones marked, the filter's words highlighted; a header names the sorted column."""

    EMPTY_INDENT = MARKS_WIDTH  # what an empty list says starts where the titles do

    DEFAULT_CSS = """
    ArticleList {
        padding-top: 1;  /* the column header is drawn there: rows and clicks stay Textual's */
    }

    /* Columns stay put when the scrollbar comes and goes. */
    ArticleList {
        scrollbar-gutter: stable;
    }

    ArticleList:ansi > .article-list--read {
        text-style: dim;
    }

    ArticleList > .article-list--header {
        color: $text-muted;
        text-style: bold;
    }

    ArticleList > .article-list--sorted {
        color: $text-accent;
    }

    ArticleList > .article-list--read {
        color: $text-muted;
    }

    ArticleList > .article-list--unread-dot {
        color: $text-accent;
    }

    ArticleList > .article-list--meta {
        color: $text-muted;
    }

    ArticleList > .article-list--quality {
        color: $text-accent;
    }

    ArticleList > .article-list--star {
        color: $text-warning;
    }

    ArticleList > .article-list--text {
        color: $text-muted;
    }
    ArticleList > .article-list--badge {
        color: $text-accent;
        text-style: bold;
    }

    ArticleList > .article-list--match {
        background: $warning 35%;
        text-style: underline;
    }
    """

    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "article-list--header",
        "article-list--sorted",
        "article-list--read",
        "article-list--unread-dot",
        "article-list--quality",
        "article-list--meta",
        "article-list--star",
        "article-list--match",
        "article-list--text",
        "article-list--badge",
    }

    # The order the rows are in (see reader.core.ordering), marked in the column header: set
    # by the screen with each redraw.
    order: reactive[str] = reactive(DEFAULT_ORDER)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.articles: Sequence[ArticleSummary] = ()
        self.read_ids: frozenset[str] | set[str] | None = None
        self.starred_ids: frozenset[str] | set[str] = frozenset()
        self.highlight_terms: tuple[str, ...] = ()
        self.text_ids: frozenset[str] = frozenset()  # the articles with a stored full text
        self.cursor_chosen = False  # set by the user's first move of the cursor
        self.stories: StoryRows | None = None  # one row per story: the rows, led by `articles`
        # A title -> where the filter's words are in it, for `highlight_terms`.
        self._spans: dict[str, tuple[tuple[int, int], ...]] = {}

    def show(
        self,
        articles: Sequence[ArticleSummary],
        keep_id: str | None = None,
        stories: StoryRows | None = None,
    ) -> None:
        """Swap in the articles to show (with `stories`, its leads: a row per story, marked
        `+N` for its other outlets); the cursor stays on `keep_id` (or its story's row) when
        it is still there, else goes to the nearest of its old neighbours that is.

        Until the user has moved the cursor it stays on the top row (a streamed start must
        not leave it on the best of the first batch as better ones arrive above).
        """
        before, old_cursor = self.articles, self.cursor
        self.articles, self.stories = articles, stories
        cursor = 0
        if keep_id is not None and self.cursor_chosen:
            cursor = row_of(keep_id, articles, stories)
            left = 0 <= old_cursor < len(before) and before[old_cursor].id == keep_id
            if cursor < 0:
                cursor = nearest_remaining(before, old_cursor, articles) if left else 0
        self.set_row_count(len(articles), cursor)

    def move_cursor(self, index: int) -> None:
        """The user's move (keys, click, n/N, J/K): from now on the cursor keeps its article."""
        if self.row_count and max(0, min(index, self.row_count - 1)) != self.cursor:
            self.cursor_chosen = True
        super().move_cursor(index)

    def keep_cursor_line(self, line: int) -> None:
        """After `show`: scroll so that the cursor is on screen line `line` again (centred
        when it was off screen), so that the rows above it stay in view."""
        height = self.scrollable_content_region.height
        if not 0 <= line < height:
            line = height // 2

        def scroll() -> None:
            self.scroll_to(y=max(0, self.cursor - line), animate=False, immediate=True, force=True)

        self.call_after_refresh(scroll)

    def set_marks(
        self, read_ids: frozenset[str] | set[str] | None, starred_ids: frozenset[str] | set[str]
    ) -> None:
        """The reading state to draw (None: no reading state)."""
        unchanged = read_ids is self.read_ids and starred_ids is self.starred_ids
        if unchanged and isinstance(starred_ids, frozenset):
            return  # the state hands out new frozensets after a change: these are drawn
        self.read_ids = read_ids
        self.starred_ids = starred_ids
        self.refresh()

    def set_texts(self, ids: frozenset[str]) -> None:
        """The articles whose full text is kept (marked ¶)."""
        if ids != self.text_ids:
            self.text_ids = ids
            self.refresh()

    def set_highlight(self, terms: Sequence[str]) -> None:
        """The filter's words to highlight in the titles (`Query.highlight_terms()`)."""
        terms = tuple(terms)
        if terms != self.highlight_terms:
            self.highlight_terms = terms
            self._spans.clear()
            self.refresh()

    def title_spans(self, article: ArticleSummary) -> tuple[tuple[int, int], ...]:
        """Where the filter's words are in the article's title: what its row's drawing
        depends on, not the words themselves. A title without them is drawn the same
        whatever the query, so its line is kept from one keystroke to the next."""
        if not self.highlight_terms:
            return ()
        title = article.title
        found = self._spans.get(title)
        if found is None:
            if len(self._spans) >= self.DRAWN_LINES_KEPT:
                self._spans.clear()
            plain = line(title).plain
            found = self._spans[title] = tuple(match_spans(plain, self.highlight_terms))
        return found

    @property
    def current(self) -> ArticleSummary | None:
        """The article under the cursor."""
        if 0 <= self.cursor < len(self.articles):
            return self.articles[self.cursor]
        return None

    @property
    def current_story(self) -> StoryRow | None:
        """The story under the cursor, when the list shows stories."""
        if self.stories is not None and 0 <= self.cursor < len(self.stories):
            return self.stories[self.cursor]
        return None

    def is_unread(self, article: ArticleSummary) -> bool:
        """Unread; a story's row while any of its articles is."""
        read = self.read_ids
        if read is None:
            return False
        if self.stories is None:
            return article.id not in read
        return any(member not in read for member in self.stories.stories.story_of(article.id))

    def is_read(self, article: ArticleSummary) -> bool:
        return self.read_ids is not None and not self.is_unread(article)

    def outlets(self, index: int) -> int:
        """How many other outlets the story of row `index` has (0 when the list shows articles)."""
        return len(self.stories[index].others) if self.stories is not None else 0

    def row_style(self, index: int) -> str:
        return "article-list--read" if self.is_read(self.articles[index]) else ""

    def row_identity(self, index: int) -> tuple[object, Hashable]:
        article = self.articles[index]
        marks = (
            self.is_unread(article),
            article.id in self.starred_ids,
            article.id in self.text_ids,
        )
        return article, (marks, self.title_spans(article), self.outlets(index))

    # --- drawing --------------------------------------------------------------------

    def marks(self, article: ArticleSummary) -> Content:
        """The row's marks side by side: unread, starred, a stored full text (or spaces)."""
        return assemble(
            line("●", self.part_style("article-list--unread-dot"))
            if self.is_unread(article)
            else " ",
            line("★", self.part_style("article-list--star"))
            if article.id in self.starred_ids
            else " ",
            line(TEXT_MARK, self.part_style("article-list--text"))
            if article.id in self.text_ids
            else " ",
        )

    def render_row(self, index: int, width: int) -> Content:
        article = self.articles[index]
        columns = columns_for(width)
        meta = self.part_style("article-list--meta")
        marks = self.marks(article)
        title = line(article.title)
        spans = self.title_spans(article)
        if spans:
            title = stylized(title, spans, self.part_style("article-list--match"))
        outlets = self.outlets(index)
        if outlets:  # inside the title's column: a narrow list cuts the title, not the columns
            title = assemble(
                line(f"+{outlets}", self.part_style("article-list--badge")), " ", title
            )
        quality = "" if article.quality is None else str(article.quality)
        provider = line(
            provider_shown(article.provider_name, article.provider_domain), meta
        ).truncate(columns.provider, ellipsis=True, pad=True)
        return assemble(
            marks,
            " ",
            title.truncate(columns.title, ellipsis=True, pad=True),
            GAP,
            *((provider, GAP) if columns.provider else ()),
            line(short_date(article.published).ljust(DATE_WIDTH), meta),
            line(quality.rjust(QUALITY_WIDTH), self.part_style("article-list--quality")),
        )

    def render_header(self, width: int) -> Content:
        """Title, Provider, Date, Quality, aligned with the rows; the sorted column marked."""
        columns = columns_for(width)
        sorted_column, mark = SORT_MARKS.get(self.order, ("", ""))
        plain = self.row_part_style("article-list--header")
        marked = self.row_part_style("article-list--header", "article-list--sorted")

        def heading(name: str, *, mark_first: bool = False) -> Content:
            """Every heading keeps room for the mark, so that none moves when the order
            changes; the right-aligned one has it in front."""
            if name != sorted_column:
                return line(f"  {name}" if mark_first else f"{name}  ", plain)
            return line(f"{mark} {name}" if mark_first else f"{name} {mark}", marked)

        date = heading("Date")
        return assemble(
            " " * MARKS_WIDTH,
            heading("Title").truncate(columns.title, ellipsis=True, pad=True),
            GAP,
            *(
                (heading("Provider").truncate(columns.provider, pad=True), GAP)
                if columns.provider
                else ()
            ),
            date,
            # "▼ Quality" is wider than the numbers: it takes what the date heading leaves.
            heading("Quality", mark_first=True).right(
                DATE_WIDTH + QUALITY_WIDTH - date.cell_length
            ),
        )

    def render_lines(self, crop: Region) -> list[Strip]:
        """What Textual draws, with the column header over the top padding line.

        The header lives in the padding, not in `render_line`, so that row y is still line y:
        scrolling, clicks and the scrollbar (which starts under the header) stay Textual's.
        """
        strips = super().render_lines(crop)
        header_y = self.styles.gutter.top - self.styles.padding.top  # just under the border
        if self.styles.padding.top and crop.y <= header_y < crop.bottom:
            strips[header_y - crop.y] = self.header_strip(header_y).crop(crop.x, crop.right)
        return strips

    def header_strip(self, y: int) -> Strip:
        """Line `y` of the widget (its border and padding) with the header drawn inside."""
        full_width = self.outer_size.width
        padding_line = super().render_lines(Region(0, y, full_width, 1))[0]
        # Inside border and padding, over the scrollbar's column too.
        left, right = self.styles.gutter.left, full_width - self.styles.gutter.right
        width = right - left
        content = self.render_header(self.scrollable_content_region.width).truncate(
            width, ellipsis=True, pad=True
        )
        style = self.row_part_style("article-list--header")
        header = Strip(content.render_segments(style), content.cell_length).crop_extend(
            0, width, style.rich_style
        )
        background = self.background_colors[1]
        for line_filter in self.get_line_filters():
            header = header.apply_filter(line_filter, background)
        return Strip.join(
            [padding_line.crop(0, left), header, padding_line.crop(right, full_width)]
        )
