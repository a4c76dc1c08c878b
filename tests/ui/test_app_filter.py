"""Pilot tests of filtering and sorting in the app: typing, escape, enter, `s`, counts."""

from __future__ import annotations

import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static

from app_helpers import SAMPLE_COUNT, SAMPLE_FEED, SIZE, focused, make_app, rest_shown, wait_loaded
from reader.core.loader import load_feed
from reader.core.model import summarize
from reader.core.ordering import sort_articles
from reader.core.query import parse_query
from reader.core.topics import sidebar_entries, topic_key
from reader.ui.app import ReaderApp
from reader.ui.command_palette import action_commands
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.topic_sidebar import TopicSidebar


def expected(query: str) -> list[str]:
    summaries = sort_articles([summarize(a) for a in load_feed(SAMPLE_FEED).articles])
    return [a.id for a in parse_query(query).filter(summaries)]


def shown_ids(app: ReaderApp) -> list[str]:
    return [a.id for a in app.query_one(ArticleList).articles]


async def type_query(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*text)
    await rest_shown(pilot)


async def test_typing_filters_as_you_type(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "robot")
        assert app.focused is app.query_one(FilterBar).input
        assert shown_ids(app) == expected("robot")
        assert 0 < len(shown_ids(app)) < SAMPLE_COUNT
        assert f"{len(shown_ids(app))} / {SAMPLE_COUNT}" in str(app.query_one(FeedHeader).visual)


async def test_enter_keeps_the_filter_and_focuses_the_list(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "topic:ai")
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused is app.query_one(ArticleList)
        assert shown_ids(app) == expected("topic:ai")


async def test_escape_clears_then_leaves(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "robot")
        await pilot.press("escape")
        await rest_shown(pilot)
        bar = app.query_one(FilterBar)
        assert bar.input.value == ""
        assert len(shown_ids(app)) == SAMPLE_COUNT
        assert app.focused is bar.input
        await pilot.press("escape")
        await pilot.pause()
        assert focused(app) is app.query_one(ArticleList)


async def test_a_bad_query_shows_the_error_and_keeps_the_last_good_result(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "robot quality>=6")
        good = shown_ids(app)
        assert good == expected("robot quality>=6") and good != expected("robot")
        # every key filters at once: the last good query is the one before the bad key
        await pilot.press(*"a")
        await pilot.pause()
        error = app.query_one("#filter-error", Static)
        assert error.display
        assert "quality" in str(error.visual) and "column" in str(error.visual)
        assert shown_ids(app) == good


async def test_sidebar_counts_follow_the_filter(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "-topic:ai")
        entries = {e.key: e.count for e in app.query_one(TopicSidebar).entries}
        assert entries["all"] == len(expected("-topic:ai"))
        assert topic_key("AI") not in entries
        climate = len(expected("-topic:ai topic:climate"))
        assert entries[topic_key("Climate")] == climate


async def test_a_topic_combines_with_the_query(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "quality>=90")
        app.feed.view_settings.show_topic(topic_key("Space"))
        await pilot.pause()
        assert shown_ids(app) == expected("quality>=90 topic:space")
        assert shown_ids(app)


async def test_s_cycles_the_order_and_the_header_says_it(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    summaries = [summarize(a) for a in load_feed(SAMPLE_FEED).articles]
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        for order in ("newest", "oldest", "provider", "title", "quality"):
            await pilot.press("s")
            await pilot.pause()
            assert shown_ids(app) == [a.id for a in sort_articles(summaries, order)]
            assert f"sorted by {order}" in str(app.query_one(FeedHeader).visual)


async def test_submitted_queries_are_offered_again(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "robot")
        await pilot.press("enter")
        await pilot.pause()
        assert app.feed.palette.recent_queries()[0] == "robot"
        titles = [title for title, _, _ in action_commands(app.feed.palette)]
        assert "Filter: robot" in titles


def sidebar_counts(app: ReaderApp) -> dict[str, tuple[int, int | None]]:
    return {e.key: (e.count, e.unread) for e in app.query_one(TopicSidebar).entries}


def counted(ids: list[str]) -> dict[str, tuple[int, int | None]]:
    """The sidebar's entries as counted directly over these articles (nothing read)."""
    summaries = [summarize(a) for a in load_feed(SAMPLE_FEED).articles]
    chosen = [a for a in summaries if a.id in set(ids)]
    return {e.key: (e.count, e.unread) for e in sidebar_entries(chosen, frozenset(), frozenset())}


async def test_typing_gives_the_same_list_before_and_after_the_word_index(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        index = app.feed.library.search_index(app.feed.view.order)
        index._words = None  # as before the thread made it
        index.clear()
        before = []
        await pilot.press("slash")
        for typed in ("r", "ro", "rob", "robo", "robot"):
            await pilot.press(typed[-1])
            before.append(shown_ids(app))
        assert before[-1] == expected("robot") and before[0] == expected("r")
        await pilot.press("escape")
        assert index.build_words() and index.words is not None
        index.clear()  # nothing remembered: every answer from the word index
        after = []
        for typed in ("r", "ro", "rob", "robo", "robot"):
            await pilot.press(typed[-1])
            after.append(shown_ids(app))
        assert after == before
        assert [expected(typed) for typed in ("r", "ro", "rob", "robo", "robot")] == before


async def test_sidebar_counts_are_right_after_filtering_and_after_clearing(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        unfiltered = sidebar_counts(app)
        assert unfiltered == counted(expected(""))
        await type_query(pilot, "climate")
        assert shown_ids(app) == expected("climate")
        assert sidebar_counts(app) == counted(expected("climate")) != unfiltered
        await pilot.press("escape")  # clears the query
        await rest_shown(pilot)
        assert sidebar_counts(app) == unfiltered
        await pilot.press(*"robot", "backspace")  # "robo", typed and left
        await rest_shown(pilot)
        assert sidebar_counts(app) == counted(expected("robo"))


async def test_the_rest_after_a_key_waits_from_when_its_list_is_drawn(tmp_path: Path) -> None:
    """The sidebar's and the detail's pause is counted from the key's list on screen: a key
    slow to draw must not leave the rest to land before the next key of the word. A list
    not drawn since the key (off screen) holds nothing back."""
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await type_query(pilot, "ro")
        screen, articles = app.feed, app.query_one(ArticleList)
        sidebar_before = app.query_one(TopicSidebar).entries
        screen.filtering.apply("robot")
        generation = screen._view_generation
        articles.drawn_at = time.monotonic()  # drawn just now: a full pause is still due
        screen.show_rest(generation, after_drawn=True)
        assert screen.rest_pending
        assert app.query_one(TopicSidebar).entries is sidebar_before
        articles.drawn_at = time.monotonic() - 2 * screen.REST_DELAY  # drawn a while ago
        screen.show_rest(generation, after_drawn=True)
        assert not screen.rest_pending
        screen.filtering.apply("robots")
        articles.drawn_at = 0.0  # not drawn since this key
        screen.show_rest(screen._view_generation, after_drawn=True)
        assert not screen.rest_pending
        await pilot.pause()
        assert shown_ids(app) == expected("robots")
