"""SVG snapshots of the reader's screens (pytest-textual-snapshot).

One class per feature. Everything that depends on the clock is pinned so the pictures
are the same on every machine and every day:

* the detail pane's relative age ("3 years ago") is replaced by a fixed text;
* an article never becomes read by dwelling (the read timer is effectively infinite);
* the local time zone is UTC (the "Published" line of the detail pane);
* no notification is left on screen;
* the filter input's cursor does not blink.

Write or refresh the snapshots with `pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Protocol

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

import reader.ui.screens.feed_screen
import reader.ui.text
import reader.ui.widgets.detail_pane
from app_helpers import SAMPLE_COUNT, app_of, make_app, rest_shown, wait_loaded, wait_until
from reader.ui.app import ReaderApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.story_outlets import StoryOutlets
from reader.ui.widgets.topic_sidebar import TopicSidebar

WIDE = (120, 40)
NARROW = (80, 24)
TOPIC = "Space"
QUERY = "topic:space"

RunBefore = Callable[[Pilot[None]], Awaitable[None]]


class SnapCompare(Protocol):
    """The function the `snap_compare` fixture gives (the plugin's own annotation of it names
    only its first argument)."""

    def __call__(
        self, app: ReaderApp, *, terminal_size: tuple[int, int], run_before: RunBefore
    ) -> bool: ...


def fixed_age(moment: object, now: object = None) -> str:
    """Stands in for `relative_age`: the same words whatever today's date is."""
    return "some time ago" if moment is not None else ""


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pin everything that depends on the date, the clock or the time zone."""
    monkeypatch.setattr(reader.ui.text, "relative_age", fixed_age)
    # The detail pane imported the function by name: patch its copy too.
    monkeypatch.setattr(reader.ui.widgets.detail_pane, "relative_age", fixed_age)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def app(tmp_path: Path) -> ReaderApp:
    return make_app(read_after=10_000.0, state_path=tmp_path / "s.db")


async def loaded(pilot: Pilot[None]) -> None:
    """Wait for the feed, check it is all there, and clear any toast."""
    await wait_loaded(pilot)
    assert pilot.app.query_one("#articles", ArticleList).row_count == SAMPLE_COUNT
    pilot.app.clear_notifications()
    await pilot.pause()


def after_load(*keys: str) -> RunBefore:
    """A `run_before` that waits for the feed, then presses `keys`."""

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot)
        if keys:
            await pilot.press(*keys)
        await pilot.pause()
        pilot.app.clear_notifications()

    return run_before


def lived_in(theme: str) -> RunBefore:
    """The feed loaded in `theme`, with a starred article and two read ones (as on any day)."""

    async def run_before(pilot: Pilot[None]) -> None:
        await loaded(pilot)
        app = app_of(pilot)
        app.theme = theme
        rows = app.query_one("#articles", ArticleList).articles
        app.feed.store.set_starred(rows[0].id)
        app.feed.store.set_read_many([rows[1].id, rows[2].id])
        app.feed.refresh_view()
        await pilot.pause()
        app.clear_notifications()
        await pilot.pause()

    return run_before


class TestMainScreen:
    """Every size a terminal is likely to have, in a dark and a light theme."""

    @pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
    @pytest.mark.parametrize(
        "size", [(200, 60), (120, 40), (80, 24), (60, 20)], ids=lambda s: f"{s[0]}x{s[1]}"
    )
    def test_main_screen(
        self, snap_compare: SnapCompare, app: ReaderApp, size: tuple[int, int], theme: str
    ) -> None:
        assert snap_compare(app, terminal_size=size, run_before=lived_in(theme))

    async def test_narrow_puts_the_detail_below_the_list(self, app: ReaderApp) -> None:
        async with app.run_test(size=NARROW) as pilot:
            await wait_loaded(pilot)
            articles, detail = app.query_one("#articles").region, app.query_one("#detail").region
            assert detail.y >= articles.bottom
            assert articles.right <= NARROW[0] and detail.right <= NARROW[0]


class TestHelp:
    def test_help_screen(self, snap_compare: SnapCompare, app: ReaderApp) -> None:
        assert snap_compare(app, terminal_size=WIDE, run_before=after_load("question_mark"))


class TestTopic:
    def test_topic_chosen(self, snap_compare: SnapCompare, app: ReaderApp) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await loaded(pilot)
            await pilot.press("shift+tab")
            sidebar = pilot.app.query_one(TopicSidebar)
            assert sidebar.has_focus
            index, key = next((i, e.key) for i, e in enumerate(sidebar.entries) if e.label == TOPIC)
            await pilot.press(*["down"] * index, "enter")
            await pilot.pause()
            assert app_of(pilot).feed.view.topic == key
            pilot.app.clear_notifications()

        assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


class TestFilter:
    def test_query_typed(self, snap_compare: SnapCompare, app: ReaderApp) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await loaded(pilot)
            await pilot.press("slash", *QUERY)
            bar = pilot.app.query_one(FilterBar)
            await rest_shown(pilot)  # the sidebar and detail follow a pause in typing
            field = bar.query_one(Input)
            assert field.has_focus and field.value == QUERY
            field.cursor_blink = False  # the cursor stays drawn
            await pilot.pause()
            pilot.app.clear_notifications()

        assert snap_compare(app, terminal_size=WIDE, run_before=run_before)


FULL_TEXT = Path(__file__).resolve().parents[1] / "fixtures" / "fulltext" / "harbour-bridge.md"


class TestFullText:
    """The first article with a stored full text: marked in the list, shown in the detail."""

    @pytest.mark.parametrize(
        ("size", "theme"),
        [((140, 45), "textual-dark"), ((80, 24), "textual-light")],
        ids=["140x45-textual-dark", "80x24-textual-light"],
    )
    def test_stored_text_shown(
        self, snap_compare: SnapCompare, app: ReaderApp, size: tuple[int, int], theme: str
    ) -> None:
        async def run_before(pilot: Pilot[None]) -> None:
            await loaded(pilot)
            app = app_of(pilot)
            app.theme = theme
            first = app.feed.library.article(app.query_one("#articles", ArticleList).articles[0].id)
            texts = app.feed.fulltext.store_for_writing()
            assert first is not None and first.url and texts is not None
            texts.put(first.url, first.id, FULL_TEXT.read_text(encoding="utf-8"), first.url)
            app.feed.refresh_view()
            app.feed.show_stored_text()
            await pilot.press("tab")
            await pilot.pause()
            detail = app.feed.query_one(DetailPane)  # scrolled to the text's heading
            detail.scroll_to_widget(detail.query_one("#detail-text-column"), top=True,
                                    animate=False)  # fmt: skip
            await pilot.pause()
            app.clear_notifications()
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=run_before)


STORIES_FEED = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "related"
LABELLED_FEED = STORIES_FEED.parent / "real"  # real articles with topics, a few stories


class TestStories:
    """A story's row (its `+N` badge) under the cursor, and its other outlets in the detail."""

    @pytest.mark.parametrize(
        ("size", "theme"), [((140, 45), "textual-dark"), ((80, 24), "textual-light")],
        ids=["140x45-textual-dark", "80x24-textual-light"],
    )  # fmt: skip
    def test_a_story_and_its_outlets(
        self, snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int], theme: str
    ) -> None:
        app = make_app(
            STORIES_FEED, read_after=10_000.0, state_path=tmp_path / "s.db",
            cache_path=tmp_path / "i.db",
        )  # fmt: skip

        async def run_before(pilot: Pilot[None]) -> None:
            await wait_loaded(pilot)
            app_of(pilot).theme = theme
            articles = pilot.app.query_one("#articles", ArticleList)

            def grouped() -> bool:
                return articles.stories is not None and bool(articles.stories.stories.by_article)

            await wait_until(pilot, grouped, "the stories grouped")
            assert articles.stories is not None
            # The widest story: its badge and a few outlets to show.
            widest = max(range(len(articles.stories)), key=lambda i: articles.outlets(i))
            articles.move_cursor(0)  # from the top, wherever the load left the cursor
            await pilot.pause()
            articles.move_cursor(widest)
            await rest_shown(pilot)
            # Moved to (tab): the outlets come into view, under the focus.
            outlets = pilot.app.query_one(StoryOutlets)
            await wait_until(pilot, lambda: bool(outlets.outlets), "the outlets listed")
            outlets.focus()
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=run_before)

    @pytest.mark.parametrize(
        ("size", "theme"), [((60, 20), "textual-dark"), ((80, 24), "textual-light")],
        ids=["60x20-textual-dark", "80x24-textual-light"],
    )  # fmt: skip
    def test_the_sidebar_counts_stories_and_articles(
        self, snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int], theme: str
    ) -> None:
        app = make_app(
            LABELLED_FEED, read_after=10_000.0, state_path=tmp_path / "s.db",
            cache_path=tmp_path / "i.db",
        )  # fmt: skip

        async def run_before(pilot: Pilot[None]) -> None:
            await wait_loaded(pilot)
            reader_app = app_of(pilot)
            reader_app.theme = theme
            sidebar = pilot.app.query_one(TopicSidebar)

            def counted() -> bool:
                return any(e.stories is not None and e.stories < e.count for e in sidebar.entries)

            await wait_until(pilot, counted, "the sidebar counting stories")
            reader_app.feed.store.set_read_many(
                sorted(a.id for a in reader_app.feed.library.summaries)[:9]
            )
            reader_app.feed.refresh_view()
            await pilot.press("t")  # the sidebar, hidden under 100 columns
            await pilot.pause()
            pilot.app.clear_notifications()
            await pilot.pause()

        assert snap_compare(app, terminal_size=size, run_before=run_before)
