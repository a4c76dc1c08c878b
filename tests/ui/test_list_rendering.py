"""How the article list and the sidebar draw their rows: columns, header, marks, highlights.

The colours are read from the drawn strips (what a terminal would get), in textual-light:
the theme where a white `$text-muted` and invisible cursor rows first showed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorType
from rich.segment import Segment
from textual.color import Color
from textual.geometry import Region
from textual.pilot import Pilot
from textual.strip import Strip

from app_helpers import article_file, loaded_app, make_app, write_feed
from reader.ui.contrast import contrast_ratio
from reader.ui.widgets.article_list import (
    MARKS_WIDTH,
    MIN_TITLE_WIDTH,
    PROVIDER_WIDTH,
    ArticleList,
    columns_for,
)
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.topic_sidebar import TopicSidebar

LONG_PROVIDER = "The Very Long Provider Name Weekly"
ROWS = 40  # more than fit at 24 lines: the list scrolls


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Row i by quality is `Story i …`; every title is long, every provider too."""
    folder = tmp_path_factory.mktemp("rows")
    return write_feed(
        folder,
        (
            article_file(
                f"Story {i:02d} about the harbour tugboat trials and what came of them",
                f"https://rows.example/{i}",
                provider=LONG_PROVIDER,
                quality=100 - i,
                published=f"2024-03-{i % 28 + 1:02d}T12:00:00Z",
                topics=["Energy"],
            )
            for i in range(ROWS)
        ),
    )


def header_text(articles: ArticleList) -> str:
    """The column header: the line under the list's top border."""
    return articles.render_lines(Region(0, 1, articles.outer_size.width, 1))[0].text


def colour(value: RichColor | None) -> Color:
    assert value is not None and value.type != ColorType.DEFAULT, "a colour a terminal would choose"
    return Color(*value.get_truecolor())


def segment_at(strip: Strip, x: int) -> Segment:
    """The segment drawn at cell x."""
    offset = 0
    for segment in strip:
        if offset <= x < offset + segment.cell_length:
            return segment
        offset += segment.cell_length
    raise AssertionError(f"nothing drawn at {x}")


def fg_bg(strip: Strip, x: int) -> tuple[Color, Color]:
    style = segment_at(strip, x).style
    assert style is not None
    return colour(style.color), colour(style.bgcolor)


async def light(pilot: Pilot[None]) -> None:
    pilot.app.theme = "textual-light"
    await pilot.pause()


# --- columns --------------------------------------------------------------------------


def test_the_provider_goes_before_the_title_gets_short() -> None:
    for width in range(20, 200):
        columns = columns_for(width)
        if columns.provider:
            assert columns.title >= MIN_TITLE_WIDTH and columns.provider <= PROVIDER_WIDTH
        wider = columns_for(width + 1)
        assert wider.title >= columns.title or wider.provider, (
            width
        )  # never cut to make room for it
    assert columns_for(57).provider == 0  # 80 columns: the list is 57 wide
    assert columns_for(120).provider == PROVIDER_WIDTH


@pytest.mark.parametrize(("size", "provider_shown"), [((80, 24), False), ((60, 24), False)])
async def test_narrow_screens_keep_the_title_and_drop_the_provider(
    feed: Path, tmp_path: Path, size: tuple[int, int], provider_shown: bool
) -> None:
    """Under 100 columns the sidebar hides, and the title takes the row before the provider
    (which comes back from 45 title characters on)."""
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=size):
        articles = app.query_one(ArticleList)
        columns = columns_for(articles.scrollable_content_region.width)
        assert columns.title >= min(MIN_TITLE_WIDTH, size[0] - 25)
        assert bool(columns.provider) is provider_shown
        row = articles.render_line(0).text
        assert ("The Very" in row) is provider_shown
        assert row[MARKS_WIDTH:].startswith(
            "Story 00 about the harbour tugboat trials and what"[: columns.title - 1]
        )
        assert "01 Mar 2024" in row and row.rstrip().endswith("100")
        assert ("Provider" in header_text(articles)) is provider_shown


async def test_a_wide_list_shows_the_provider(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(200, 30)):
        articles = app.query_one(ArticleList)
        row = articles.render_line(0).text
        assert "The Very Long Pro…" in row
        header = header_text(articles)
        assert header.index("Provider") - 1 == row.index(
            "The Very"
        )  # the border is the header's first cell
        assert header.index("Date") - 1 == row.index("01 Mar 2024")


async def test_columns_do_not_move_when_the_scrollbar_goes(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        articles = app.query_one(ArticleList)
        assert articles.show_vertical_scrollbar
        scrolling = articles.render_line(0).text
        articles.show(articles.articles[:2])
        await pilot.pause()
        assert not articles.show_vertical_scrollbar
        assert articles.render_line(0).text == scrolling


# --- the header -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("order", "mark"),
    [
        ("quality", "▼ Quality"),
        ("newest", "Date ▼"),
        ("oldest", "Date ▲"),
        ("title", "Title ▲"),
        ("provider", "Provider ▲"),
    ],
)
async def test_the_header_marks_the_sorted_column(
    feed: Path, tmp_path: Path, order: str, mark: str
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(200, 30)) as pilot:
        articles = app.query_one(ArticleList)
        articles.order = order
        await pilot.pause()
        header = header_text(articles)
        assert mark in header
        assert header.count("▼") + header.count("▲") == 1
        assert [word for word in header.split() if word.isalpha()] == [
            "Title",
            "Provider",
            "Date",
            "Quality",
        ]


async def test_the_header_stays_while_the_rows_scroll(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        articles = app.query_one(ArticleList)
        articles.focus()
        await pilot.press("end")
        assert articles.scroll_offset.y > 0
        assert "Title" in header_text(articles) and "▼ Quality" in header_text(articles)
        assert (
            articles.render_line(articles.cursor - articles.scroll_offset.y)
            .text[MARKS_WIDTH:]
            .startswith(f"Story {ROWS - 1}")
        )


# --- marks ----------------------------------------------------------------------------


async def test_unread_rows_have_a_coloured_dot_and_read_rows_are_dimmed(
    feed: Path, tmp_path: Path
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        await light(pilot)
        articles = app.query_one(ArticleList)
        app.feed.store.set_read(articles.articles[2].id)
        app.feed.refresh_marks()
        await pilot.pause()
        unread, read = articles.render_line(1), articles.render_line(2)
        assert unread.text.startswith("● ") and read.text.startswith("  ")
        dot, background = fg_bg(unread, 0)
        title, _ = fg_bg(unread, MARKS_WIDTH)
        assert dot != title  # coloured
        assert contrast_ratio(dot, background) >= 4.5
        dimmed, _ = fg_bg(read, MARKS_WIDTH)
        assert contrast_ratio(dimmed, background) < contrast_ratio(title, background)
        assert contrast_ratio(dimmed, background) >= 4.5
        assert not any(
            segment.style and segment.style.bold for segment in unread
        )  # no bold for unread


async def test_the_star_stands_apart_from_the_title(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        articles = app.query_one(ArticleList)
        app.feed.store.set_starred(articles.articles[1].id)
        app.feed.refresh_marks()
        await pilot.pause()
        # The full text's mark has its column after them (empty: no text is kept), then a space.
        assert articles.render_line(1).text.startswith("●★  Story 01")


# --- colours ---------------------------------------------------------------------------


async def test_muted_text_is_resolved_on_the_row_not_white(feed: Path, tmp_path: Path) -> None:
    """The old bug: a partial component style turned `$text-muted` into #ffffff."""
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        await light(pilot)
        articles = app.query_one(ArticleList)
        date_x = articles.render_line(1).text.index("02 Mar")
        for y in (0, 1):  # the cursor's row, and another
            strip = articles.render_line(y)
            date, background = fg_bg(strip, date_x)
            _, row_background = fg_bg(strip, MARKS_WIDTH)
            assert date != Color(255, 255, 255)
            assert background == row_background  # the row's (cursor's) background shows through
            assert contrast_ratio(date, background) >= 4.5


async def test_the_cursor_row_stays_marked_when_the_focus_leaves(
    feed: Path, tmp_path: Path
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        await light(pilot)
        articles = app.query_one(ArticleList)
        _, other = fg_bg(articles.render_line(1), MARKS_WIDTH)
        _, focused = fg_bg(articles.render_line(0), MARKS_WIDTH)
        app.query_one(DetailPane).focus()
        await pilot.pause()
        _, blurred = fg_bg(articles.render_line(0), MARKS_WIDTH)
        assert contrast_ratio(blurred, other) >= 1.2
        assert blurred != focused


async def test_filter_words_are_highlighted_in_titles(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        await light(pilot)
        articles = app.query_one(ArticleList)
        articles.set_highlight(["harbour"])
        await pilot.pause()
        for y in (0, 1):  # on the cursor's row too
            strip = articles.render_line(y)
            start = strip.text.index("harbour")
            match, match_background = fg_bg(strip, start)
            _, row_background = fg_bg(strip, MARKS_WIDTH)
            assert match_background != row_background
            assert fg_bg(strip, start + len("harbour") - 1)[1] == match_background
            assert fg_bg(strip, start + len("harbour"))[1] == row_background
            assert contrast_ratio(match, match_background) >= 4.5
        articles.set_highlight([])
        await pilot.pause()
        strip = articles.render_line(1)
        assert fg_bg(strip, strip.text.index("harbour"))[1] == fg_bg(strip, MARKS_WIDTH)[1]


async def test_a_title_without_the_filters_words_is_not_drawn_again_for_new_words(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a row shows depends on where the words are in its title, not on the words: a
    keystroke that changes the words redraws only the titles they are found in."""
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(80, 24)) as pilot:
        articles = app.query_one(ArticleList)
        drawn: list[int] = []
        render_row = articles.render_row

        def counted(index: int, width: int) -> object:
            drawn.append(index)
            return render_row(index, width)

        monkeypatch.setattr(articles, "render_row", counted)
        articles.set_highlight(["zebra"])
        await pilot.pause()
        first = articles.render_line(1).text
        drawn.clear()
        articles.set_highlight(["zebras"])  # found in no title either: the lines are kept
        await pilot.pause()
        assert articles.render_line(1).text == first
        assert drawn == []
        articles.set_highlight(["tugboat"])  # in every title: drawn with the highlight
        await pilot.pause()
        strip = articles.render_line(1)
        assert 1 in drawn
        start = strip.text.index("tugboat")
        assert fg_bg(strip, start)[1] != fg_bg(strip, MARKS_WIDTH)[1]


async def test_sidebar_counts_are_readable(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db")
    async with loaded_app(app, size=(120, 30)) as pilot:
        await light(pilot)
        sidebar = app.query_one(TopicSidebar)
        for y in range(len(sidebar.entries)):
            strip = sidebar.render_line(y)
            count, background = fg_bg(strip, len(strip.text.rstrip()) - 1)
            assert strip.text.rstrip()[-1].isdigit()
            assert count != Color(255, 255, 255)
            assert contrast_ratio(count, background) >= 4.5, strip.text
