"""The article list as a person meets it: what stays selected, what stays in view, what the
header and the list's title say, and what is remembered across a restart."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot
from textual.widgets._footer import FooterKey

from app_helpers import (
    HELD_DWELL,
    DwellClock,
    article_file,
    loaded_app,
    make_app,
    rendered_text,
    settle,
    wait_until,
    write_feed,
)
from examples import examples
from query_helpers import art
from reader.core.config import SavedSearch, Settings, parse_config
from reader.core.storage.state import StateStore
from reader.core.stories.rows import StoryIndex, story_rows
from reader.core.topics import search_key, topic_key
from reader.ui.app import ReaderApp
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.widgets.article_list import ArticleList, columns_for, nearest_remaining, row_of
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.reader_footer import ReaderFooter, key_width
from reader.ui.widgets.topic_sidebar import TopicSidebar

WIDE, MEDIUM, NARROW = (200, 60), (140, 45), (80, 24)
COUNT = 60  # more rows than a screen holds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> DwellClock:
    """The dwell timers of an app made with `read_after=HELD_DWELL`, held for the test."""
    held = DwellClock()
    real_set_timer = FeedScreen.set_timer

    def set_timer(screen: FeedScreen, delay: float, *args: Any, **kwargs: Any) -> Any:
        if delay == HELD_DWELL:
            return held.hold(args[0] if args else kwargs["callback"])
        return real_set_timer(screen, delay, *args, **kwargs)

    monkeypatch.setattr(FeedScreen, "set_timer", set_timer)
    return held


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """60 articles; by quality, row i is `Story i`; newest first, the order is reversed."""
    return write_feed(
        tmp_path / "feed",
        [
            article_file(
                f"Story {i}",
                f"https://day.example/{i}",
                quality=100 - i,
                published=f"2024-01-01T{i // 60:02d}:{i % 60:02d}:00Z",
                topics=["Space" if i % 2 == 0 else "Energy"],
            )
            for i in range(COUNT)
        ],
    )


def rows(app: ReaderApp) -> ArticleList:
    return app.query_one(ArticleList)


def current_title(app: ReaderApp) -> str:
    current = rows(app).current
    assert current is not None, "no article is selected"
    return current.title


def titles(app: ReaderApp) -> list[str]:
    return [a.title for a in rows(app).articles]


# --- 2: a read article stays until the user moves away, then the cursor takes its neighbour --


async def read_by_m(pilot: Pilot[None], clock: DwellClock) -> None:
    await pilot.press("m")


async def read_by_enter(pilot: Pilot[None], clock: DwellClock) -> None:
    await pilot.press("enter", "escape")  # open in the detail pane, back to the list


async def read_by_o(pilot: Pilot[None], clock: DwellClock) -> None:
    await pilot.press("o")
    await settle(pilot)  # the browser runs in a worker


async def read_by_dwell(pilot: Pilot[None], clock: DwellClock) -> None:
    await clock.elapse(pilot)


async def read_by_undo(pilot: Pilot[None], clock: DwellClock) -> None:
    await pilot.press("m", "m", "U")  # read, unread, and the unread undone: read again


WAYS: dict[str, Callable[[Pilot[None], DwellClock], Awaitable[None]]] = {
    "m": read_by_m,
    "enter": read_by_enter,
    "o": read_by_o,
    "dwell": read_by_dwell,
    "undo": read_by_undo,
}


@pytest.mark.parametrize("way", list(WAYS))
async def test_u_keeps_the_selected_read_article_until_the_user_moves(
    feed: Path, tmp_path: Path, clock: DwellClock, way: str
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app, MEDIUM) as pilot:
        await pilot.press("j", "j", "j")  # Story 3, the user's choice (its dwell starts)
        await WAYS[way](pilot, clock)
        selected = rows(app).current
        assert selected is not None and app.feed.store.is_read(selected.id)
        await pilot.press("u")
        assert app.feed.view.hide_read
        assert current_title(app) == "Story 3" and "Story 3" in titles(app)
        await pilot.press("j")  # moved away: it goes, the cursor stays where it went
        assert "Story 3" not in titles(app) and current_title(app) == "Story 4"


async def test_an_article_that_leaves_the_list_hands_the_cursor_to_its_neighbour(
    feed: Path, tmp_path: Path
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, NARROW) as pilot:
        await pilot.press("u", "j", "j", "j", "j", "j", "m")  # Story 5 read, kept while selected
        assert current_title(app) == "Story 5"
        # Showing the same order again lets the pinned article go (as choosing its topic does).
        app.feed.view_settings.set_order("quality")
        await pilot.pause()
        assert "Story 5" not in titles(app) and current_title(app) == "Story 6"


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.sampled_from([f"a{i}" for i in range(8)]), max_size=10),
    st.sampled_from([f"a{i}" for i in range(9)]),
    st.booleans(),
)
def test_the_row_of_an_article_is_its_first_row_else_its_storys(
    shown: list[str], wanted: str, grouped: bool
) -> None:
    """`row_of` (a search in C) finds what a loop over the rows finds: the article's first
    row, else (the list showing stories) the first row of an article of its story."""
    articles = [art(name) for name in shown]
    index = StoryIndex([("a0", "a2", "a5"), ("a3", "a7")])
    stories = story_rows(articles, index, articles) if grouped else None
    plain = next((i for i, a in enumerate(articles) if a.id == wanted), None)
    if plain is None and grouped:
        story = index.story_of(wanted)
        plain = next((i for i, a in enumerate(articles) if a.id in story), None)
    assert row_of(wanted, articles, stories) == (-1 if plain is None else plain)


def test_the_nearest_remaining_row_is_below_then_above() -> None:
    before = [f"a{i}" for i in range(6)]

    class Row:
        def __init__(self, name: str) -> None:
            self.id = name

    def of(names: list[str]) -> list[Any]:
        return [Row(name) for name in names]

    assert nearest_remaining(of(before), 2, of(["a0", "a1", "a4", "a5"])) == 2  # a4
    assert nearest_remaining(of(before), 5, of(["a0", "a3"])) == 1  # a3, above
    assert nearest_remaining(of(before), 2, of(["b"])) == 0


# --- 10: the order is remembered across a restart; the config's wins at start -------------


async def test_the_order_is_remembered_and_the_configs_wins(feed: Path, tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    async with loaded_app(make_app(feed, state_path=state), MEDIUM) as pilot:
        await pilot.press("s")  # quality → newest
        assert app_order(pilot) == "newest"
    with StateStore.open(state) as store:
        assert store.get_setting("sort") == "newest"
    again = make_app(feed, state_path=state)
    async with loaded_app(again, MEDIUM) as pilot:
        assert app_order(pilot) == "newest" and titles(again)[0] == f"Story {COUNT - 1}"
        assert "sorted by newest" in str(again.query_one(FeedHeader).visual)
    settings = parse_config('sort = "title"\n', tmp_path / "config.toml").settings
    configured = make_app(feed, state_path=state, settings=settings)
    async with loaded_app(configured, MEDIUM) as pilot:
        assert app_order(pilot) == "title"


def app_order(pilot: Pilot[None]) -> str:
    app = pilot.app
    assert isinstance(app, ReaderApp)
    return app.feed.view.order


async def wait_rows(pilot: Pilot[None], count: int) -> None:
    app = pilot.app
    assert isinstance(app, ReaderApp)
    await wait_until(pilot, lambda: rows(app).row_count == count, f"{count} rows")


# --- 5: a new order keeps the cursor's line on screen ---------------------------------------


async def test_a_new_order_keeps_the_cursors_line_on_screen(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, NARROW) as pilot:
        await pilot.press(*["j"] * 15, *["k"] * 5)  # Story 10, some way down the screen
        article_list = rows(app)
        line = article_list.cursor - article_list.scroll_offset.y
        assert 0 < line < article_list.scrollable_content_region.height - 1
        await pilot.press("s")  # newest first: Story 10 is far down the list
        await pilot.pause()
        assert current_title(app) == "Story 10" and article_list.cursor > 40
        assert article_list.cursor - article_list.scroll_offset.y == line


# --- 6: the column header stays put when the order changes ----------------------------------


def header_line(app: ReaderApp) -> str:
    article_list = rows(app)
    return article_list.header_strip(article_list.styles.gutter.top - 1).text


@pytest.mark.parametrize("size", [MEDIUM, NARROW])
async def test_the_column_headings_stay_put_as_the_order_changes(
    feed: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, size) as pilot:
        seen = {}
        for _ in range(5):  # quality, newest, oldest, provider, title
            header = header_line(app)
            names = [name for name in ("Title", "Provider", "Date", "Quality") if name in header]
            seen[app.feed.view.order] = {name: header.index(name) for name in names}
            marked = {"quality": "Quality", "provider": "Provider"}.get(app.feed.view.order)
            assert ("▼" in header or "▲" in header) or marked not in names
            await pilot.press("s")
        assert len(seen) == 5 and len({tuple(places.items()) for places in seen.values()}) == 1


# --- 7: the topic or saved search shown is named --------------------------------------------


@pytest.mark.parametrize("size", [MEDIUM, NARROW, (60, 20)])
async def test_the_topic_shown_is_named_in_the_header_and_the_lists_title(
    feed: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    searches = (SavedSearch("Good ones", "quality>=90"),)
    app = make_app(feed, state_path=tmp_path / "s.db", settings=Settings(searches=searches))
    async with loaded_app(app, size) as pilot:
        if app.feed.has_class("-narrow"):
            await pilot.press("t")  # the sidebar, focused
        else:
            await pilot.press("shift+tab")
        await pilot.press("j", "j", "j", "j")  # All, Unread, Starred, Good ones, Energy
        assert app.feed.view.topic == topic_key("energy")
        await pilot.press("enter")
        header = str(app.query_one(FeedHeader).visual)
        assert "Energy" in header[: size[0]] and f"{COUNT // 2} / {COUNT} articles" in header
        assert str(rows(app).border_title).startswith("Energy 30 / 60")
        assert "Energy" in app.export_screenshot()  # drawn, not only set
        app.feed.view_settings.show_topic(search_key(0))
        await pilot.pause()
        assert "Good ones" in str(app.query_one(FeedHeader).visual)[: size[0]]
        assert str(rows(app).border_title).startswith("Good ones 11 / 60")


# --- 4: the title gets the room; the detail pane's width is the user's ----------------------

LONG = "Artificial intelligence reveals the"


@pytest.fixture
def long_titles(tmp_path: Path) -> Path:
    """Titles that differ only after 35 characters, as a real feed's do."""
    return write_feed(
        tmp_path / "long",
        [
            article_file(f"{LONG} {ending}", f"https://day.example/{i}", quality=90 - i)
            for i, ending in enumerate(("proteins in living cells", "galaxies far away"))
        ],
    )


def title_width(app: ReaderApp) -> int:
    return columns_for(rows(app).scrollable_content_region.width).title


@pytest.mark.parametrize(("size", "least"), [(MEDIUM, 45), (WIDE, 70)])
async def test_titles_get_the_room_first(
    long_titles: Path, tmp_path: Path, size: tuple[int, int], least: int
) -> None:
    app = make_app(long_titles, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, size):
        assert app.query_one(TopicSidebar).display and title_width(app) >= least
        width = title_width(app)
        first, second = (rendered_text(rows(app), y)[4 : 4 + width] for y in (0, 1))
        assert first.startswith(LONG) and second.startswith(LONG) and first != second


async def test_the_detail_pane_widens_and_narrows_and_is_remembered(
    long_titles: Path, tmp_path: Path
) -> None:
    state = tmp_path / "s.db"
    app = make_app(long_titles, state_path=state, read_after=0)
    async with loaded_app(app, MEDIUM) as pilot:
        detail = app.query_one(DetailPane)
        start, list_at_start = detail.outer_size.width, rows(app).outer_size.width
        await pilot.press("greater_than_sign")
        await pilot.pause()
        assert detail.outer_size.width < start and rows(app).outer_size.width > list_at_start
        await pilot.press("less_than_sign", "left_square_bracket")
        await pilot.pause()
        assert detail.outer_size.width > start and rows(app).outer_size.width < list_at_start
    again = make_app(long_titles, state_path=state, read_after=0)
    async with loaded_app(again, MEDIUM) as pilot:
        assert again.query_one(DetailPane).outer_size.width > start
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert again.query_one(DetailPane).outer_size.width == start


# --- 3: the footer shows whole keys only, dropping the least used ---------------------------


@pytest.mark.parametrize("size", [WIDE, NARROW, (60, 20)])
async def test_the_footer_shows_whole_keys_and_drops_the_least_used(
    feed: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, size) as pilot:
        await pilot.pause()
        keys = list(app.query(FooterKey))
        palette = next(key for key in keys if key.has_class("-command-palette"))
        others = [key for key in keys if key is not palette]
        shown = [key.description for key in others if key.display]
        assert shown == [key.description for key in others][: len(shown)]  # the first ones
        assert shown[:3] == ["Help", "Filter", "Open"]
        palette_left = palette.region.x - 1  # its border
        for key in others:
            if key.display:
                assert key.region.right <= palette_left, key.description  # whole, not under it
        if size == WIDE:
            assert len(shown) == len(others)
        else:
            assert len(shown) < len(others)
            hidden = others[len(shown)]  # the next would not have fitted
            assert others[len(shown) - 1].region.right + 1 + key_width(hidden) > palette_left


async def test_an_unknown_remembered_order_or_width_falls_back_to_the_default(
    feed: Path, tmp_path: Path
) -> None:
    state = tmp_path / "s.db"
    with StateStore.open(state) as store:
        store.set_setting("sort", "random")
        store.set_setting("detail_width", "7")
    app = make_app(feed, state_path=state, read_after=0)
    async with loaded_app(app, MEDIUM):
        assert app.feed.view.order == "quality" and titles(app)[0] == "Story 0"
        assert app.query_one("#content").has_class("detail-33")


async def test_the_remembered_detail_width_is_the_rows_class_from_its_first_styling(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row of the list and the detail is made with its width's class: added once the
    row is styled, it would style the row and all in it again before the first frame."""
    state = tmp_path / "s.db"
    with StateStore.open(state) as store:
        store.set_setting("detail_width", "50")
    classes_at_mount: list[set[str]] = []
    original_mount = FeedScreen.on_mount

    def on_mount(screen: FeedScreen) -> None:
        classes_at_mount.append(set(screen.query_one("#content").classes))
        original_mount(screen)

    monkeypatch.setattr(FeedScreen, "on_mount", on_mount)
    app = make_app(feed, state_path=state, read_after=0)
    async with loaded_app(app, WIDE):
        assert classes_at_mount == [{"detail-50"}]
        content, detail = app.query_one("#content"), app.query_one(DetailPane)
        assert detail.outer_size.width == content.size.width // 2


async def test_the_footer_is_made_again_only_when_its_keys_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the filter (its keys) and going back to the list (the list's keys): each
    a footer made once, not once per change of the screen's bindings (each a layout)."""
    made: list[int] = []
    original = ReaderFooter.recompose

    async def counted(self: ReaderFooter) -> None:
        made.append(1)
        await original(self)

    monkeypatch.setattr(ReaderFooter, "recompose", counted)
    app = make_app(state_path=tmp_path / "s.db")
    async with loaded_app(app) as pilot:
        await settle(pilot)
        made.clear()
        await pilot.press("slash")
        await settle(pilot)
        assert len(made) <= 1
        described = [key.description for key in app.query(FooterKey) if key.display]
        assert "Clear filter" in described
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")  # back to the list, the filter kept
        await settle(pilot)
        assert len(made) <= 2
        described = [key.description for key in app.query(FooterKey) if key.display]
        assert "Filter" in described
