"""The reading model as a person lives it: nothing is read, hidden or moved behind their back.

The dwell's clock is the test's (`DwellClock`) instead of real dwell periods: each "left
alone" test lets every dwell that was started run out and asserts that nothing changed by
itself. One test keeps the real timer, and waits for its read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from app_helpers import (
    HELD_DWELL,
    DwellClock,
    article_file,
    focused,
    loaded_app,
    make_app,
    notification_texts,
    recorder_of,
    settle,
    wait_until,
    write_feed,
)
from reader.core.topics import UNREAD
from reader.ui.app import ReaderApp
from reader.ui.screens.confirm_screen import ConfirmScreen
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.related_links import RelatedLinks
from reader.ui.widgets.topic_sidebar import TopicSidebar

DWELL = 0.05  # the one test on the real timer
COUNT = 8


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
    """8 articles; by quality, row i is `Story i`; Story 0 links to Story 5 (in the feed)."""
    related = [{"title": "Story 5 again", "webUrl": "https://day.example/5"}]
    return write_feed(
        tmp_path / "feed",
        [
            article_file(
                f"Story {i}",
                f"https://day.example/{i}",
                quality=100 - i,
                topics=["Space" if i % 2 == 0 else "Energy"],
                related=related if i == 0 else (),
            )
            for i in range(COUNT)
        ],
    )


def titles(app: ReaderApp) -> list[str]:
    return [a.title for a in app.query_one(ArticleList).articles]


def current_title(app: ReaderApp) -> str | None:
    current = app.query_one(ArticleList).current
    return current.title if current else None


def current_id(app: ReaderApp) -> str:
    current = app.query_one(ArticleList).current
    assert current is not None, "no article is selected"
    return current.id


def detail_title(app: ReaderApp) -> str | None:
    article = app.query_one(DetailPane).article
    return article.title if article else None


def sidebar_key(app: ReaderApp) -> str | None:
    entry = app.query_one(TopicSidebar).current
    return entry.key if entry else None


def title_of(app: ReaderApp, article_id: str) -> str | None:
    summary = app.feed.library.summary(article_id)
    return summary.title if summary else None


def id_at(app: ReaderApp, url: str) -> str:
    article_id = app.feed.library.id_for_url(url)
    assert article_id is not None, f"no article at {url}"
    return article_id


def header(app: ReaderApp) -> str:
    return str(app.query_one(FeedHeader).visual)


def snapshot(app: ReaderApp) -> tuple[list[str], str | None, frozenset[str], str]:
    """Everything a person would notice changing on its own."""
    return (titles(app), current_title(app), app.feed.store.read_ids(), header(app))


async def left_alone(pilot: Pilot[None], clock: DwellClock) -> None:
    """However long the user waits: every dwell started runs out, and what follows is drawn."""
    await settle(pilot)
    await clock.elapse(pilot)
    await settle(pilot)


async def test_hide_read_left_alone_reads_nothing(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        await pilot.press("u")
        before = snapshot(app)
        await left_alone(pilot, clock)
        assert snapshot(app) == before
        assert not app.feed.store.read_ids()


async def test_unread_entry_left_alone_reads_nothing(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        app.feed.view_settings.show_topic(UNREAD)
        await pilot.pause()
        before = snapshot(app)
        await left_alone(pilot, clock)
        assert snapshot(app) == before and len(titles(app)) == COUNT


async def test_is_unread_query_left_alone_reads_nothing(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", *"is:unread", "enter")
        await settle(pilot)
        before = snapshot(app)
        await left_alone(pilot, clock)
        assert snapshot(app) == before and len(titles(app)) == COUNT


async def test_hide_read_remembered_reads_nothing_on_the_next_start(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    state = tmp_path / "s.db"
    async with loaded_app(make_app(feed, state_path=state, read_after=HELD_DWELL)) as pilot:
        await pilot.press("u")
    again = make_app(feed, state_path=state, read_after=HELD_DWELL)
    async with loaded_app(again) as pilot:
        assert again.feed.view.hide_read
        await left_alone(pilot, clock)
        assert not again.feed.store.read_ids() and len(titles(again)) == COUNT


@pytest.mark.parametrize(
    "change",
    ["filter", "topic", "sort", "reload", "jump", "hide-read"],
)
async def test_a_list_change_never_reads_the_row_it_lands_on(
    feed: Path, tmp_path: Path, clock: DwellClock, change: str
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        if change == "filter":
            await pilot.press("slash", *"story", "enter")
        elif change == "topic":
            app.query_one(TopicSidebar).focus()
            await pilot.press("j", "j", "j", "enter")  # moving the sidebar cursor shows the topic
        elif change == "sort":
            await pilot.press("s")
        elif change == "reload":
            await pilot.press("r")
        elif change == "jump":
            await pilot.press("tab", "tab", "enter")  # Story 0's related link: Story 5
            assert current_title(app) == "Story 5"
        else:
            await pilot.press("u")
        await settle(pilot)
        await left_alone(pilot, clock)
        assert not app.feed.store.read_ids(), (
            f"after a {change}, {app.feed.store.read_ids()} became read"
        )


async def test_a_move_of_the_users_own_reads_after_the_dwell(feed: Path, tmp_path: Path) -> None:
    """On the real timer: what every other test's `DwellClock` stands for."""
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=DWELL)
    async with loaded_app(app) as pilot:
        await pilot.press("j")
        await wait_until(pilot, lambda: bool(app.feed.store.read_ids()), "a read after the dwell")
        assert [title_of(app, i) for i in app.feed.store.read_ids()] == ["Story 1"]


async def test_dwell_off_reads_only_what_is_opened(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("j", "j")
        await left_alone(pilot, clock)
        assert not app.feed.store.read_ids()
        await pilot.press("enter")
        assert app.focused is app.query_one(DetailPane)
        assert app.feed.store.is_read(current_id(app))


async def test_read_while_hidden_stays_until_the_user_moves_away(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        await pilot.press("u", "j")
        await left_alone(pilot, clock)
        assert app.feed.store.is_read(current_id(app))
        assert titles(app)[1] == "Story 1" and current_title(app) == "Story 1"
        await pilot.press("j")
        await pilot.pause()
        assert "Story 1" not in titles(app)
        assert current_title(app) == "Story 2"


async def test_m_with_hide_read_keeps_the_row_until_the_user_moves(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("u", "m")
        await left_alone(pilot, clock)
        assert current_title(app) == "Story 0" and len(titles(app)) == COUNT
        await pilot.press("k")  # already the first row: not a move away
        assert current_title(app) == "Story 0"
        await pilot.press("j")
        assert titles(app)[0] == "Story 1" and current_title(app) == "Story 1"


async def test_shift_m_defaults_to_no_and_u_undoes_it(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # the default answer is no
        await pilot.pause()
        assert not app.feed.store.read_ids()
        await pilot.press("M", "y")
        await pilot.pause()
        assert len(app.feed.store.read_ids()) == COUNT
        assert any("U undoes it" in text for text in notification_texts(app))
        await pilot.press("U")
        await pilot.pause()
        assert not app.feed.store.read_ids()
        assert "8 unread" in header(app)


async def test_undo_takes_back_a_single_mark_too(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("f", "m")
        await pilot.press("U")
        assert not app.feed.store.read_ids() and app.feed.store.starred_ids()
        await pilot.press("U")
        assert not app.feed.store.starred_ids()
        await pilot.press("U")
        assert "Nothing to undo" in notification_texts(app)


def is_read(app: ReaderApp, title: str) -> bool:
    return app.feed.store.is_read(id_at(app, f"https://day.example/{title.split()[-1]}"))


async def test_undo_of_marked_unread_makes_it_read_again(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("m", "m")  # read, then unread
        assert not app.feed.store.read_ids()
        await pilot.press("U")
        assert is_read(app, "Story 0") and "Undone: marked unread" in notification_texts(app)
        assert "7 unread" in header(app)
        await pilot.press("U")
        assert not app.feed.store.read_ids() and "8 unread" in header(app)


async def test_undo_of_an_unstar_stars_it_again(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("j", "f", "f")  # Story 1: starred, then unstarred
        assert not app.feed.store.starred_ids()
        await pilot.press("U")
        assert [title_of(app, i) for i in app.feed.store.starred_ids()] == ["Story 1"]
        assert "Undone: unstarred" in notification_texts(app)
        await pilot.press("U")
        assert not app.feed.store.starred_ids()


@pytest.mark.parametrize("how", ["enter", "open"])
async def test_undo_of_a_read_by_opening_makes_it_unread(
    feed: Path, tmp_path: Path, how: str
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("j", "enter" if how == "enter" else "o")
        await settle(pilot)  # the browser runs in a worker
        assert [title_of(app, i) for i in app.feed.store.read_ids()] == ["Story 1"]
        await pilot.press("U")
        assert not app.feed.store.read_ids()


async def test_undo_of_mark_all_leaves_what_was_read_before(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("j", "m", "f", "M", "y")  # Story 1 read and starred by hand first
        await settle(pilot)
        assert len(app.feed.store.read_ids()) == COUNT
        await pilot.press("U")
        assert [title_of(app, i) for i in app.feed.store.read_ids()] == ["Story 1"]
        assert [title_of(app, i) for i in app.feed.store.starred_ids()] == ["Story 1"]
        assert "Undone: marked 7 articles read" in notification_texts(app)


async def test_undo_of_a_dwell_read_makes_it_unread_for_good(
    feed: Path, tmp_path: Path, clock: DwellClock
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        await pilot.press("j")
        await left_alone(pilot, clock)
        assert is_read(app, "Story 1")
        await pilot.press("U")
        assert not app.feed.store.read_ids()
        await left_alone(pilot, clock)  # still on Story 1, as long as the user likes
        assert not app.feed.store.read_ids()


@pytest.mark.parametrize("keys", [("m",), ("M", "y")])
async def test_a_dwell_under_way_does_not_read_again_what_undo_made_unread(
    feed: Path, tmp_path: Path, clock: DwellClock, keys: tuple[str, ...]
) -> None:
    """On Story 1 its dwell runs; the user marks it (or everything) read, then undoes that
    before the dwell is over: the dwell must not read it again."""
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        await pilot.press("j", *keys)
        await settle(pilot)
        assert clock.running == 1 and is_read(app, "Story 1")
        await pilot.press("U")
        await left_alone(pilot, clock)
        assert not app.feed.store.read_ids()


async def test_q_goes_back_to_the_list_then_quits(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        articles = app.query_one(ArticleList)
        for start in ("detail", "related", "sidebar"):
            if start == "detail":
                app.query_one(DetailPane).focus()
            elif start == "related":
                app.query_one(RelatedLinks).focus()
            else:
                app.query_one(TopicSidebar).focus()
            await pilot.pause()
            await pilot.press("q")
            assert app.focused is articles, start
            assert app.is_running
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_capital_q_quits_from_anywhere(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        app.query_one(DetailPane).focus()
        await pilot.press("Q")
        await pilot.pause()
        assert not app.is_running


async def test_backspace_goes_back_after_a_jump(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("tab", "tab", "enter")
        assert current_title(app) == "Story 5"
        await pilot.press("backspace")
        assert current_title(app) == "Story 0"
        await pilot.press("tab", "tab", "enter", "ctrl+o")
        assert current_title(app) == "Story 0"
        await pilot.press("backspace")
        assert "No jump to go back from" in notification_texts(app)


async def test_a_jump_to_an_article_the_filter_hides_selects_it(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", *"-story5", "enter")  # a word no title has: everything stays…
        app.feed.palette.use_query('"story 0"')  # …then only Story 0 is shown
        await pilot.pause()
        assert titles(app) == ["Story 0"]
        app.query_one(RelatedLinks).focus()
        await pilot.press("enter")
        assert current_title(app) == "Story 5"
        assert any(
            "Jumped to “Story 5” (shown although the filter hides it)" in t
            for t in notification_texts(app)
        )


async def test_a_jump_to_an_article_hide_read_hides_selects_it(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        app.feed.store.set_read(id_at(app, "https://day.example/5"))
        await pilot.press("u")
        assert "Story 5" not in titles(app)
        await pilot.press("tab", "tab", "enter")
        assert current_title(app) == "Story 5"
        await pilot.press("backspace")
        assert current_title(app) == "Story 0" and "Story 5" not in titles(app)


async def test_n_and_shift_n_walk_the_unread(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        for i in (1, 2, 4):
            app.feed.store.set_read(id_at(app, f"https://day.example/{i}"))
        await pilot.press("n")
        assert current_title(app) == "Story 3"
        await pilot.press("n")
        assert current_title(app) == "Story 5"
        await pilot.press("N")
        assert current_title(app) == "Story 3"
        await pilot.press("N", "N")
        assert current_title(app) == "Story 0"
        assert "No unread article above" in notification_texts(app)


async def test_shift_j_k_move_the_article_while_the_detail_keeps_the_focus(
    feed: Path, tmp_path: Path
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("enter", "J", "J")
        detail = app.query_one(DetailPane)
        assert app.focused is detail
        assert detail_title(app) == "Story 2"
        await pilot.press("K")
        assert detail_title(app) == "Story 1"


async def test_space_and_ctrl_keys_page_the_list(tmp_path: Path) -> None:
    feed = write_feed(
        tmp_path / "long",
        [
            article_file(f"Row {i:02d}", f"https://long.example/{i}", quality=100 - i)
            for i in range(60)
        ],
    )
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, size=(120, 30)) as pilot:
        articles = app.query_one(ArticleList)
        await pilot.press("space")
        page = articles.cursor
        assert page > 10
        await pilot.press("ctrl+b")
        assert articles.cursor == 0
        await pilot.press("ctrl+f", "ctrl+u")
        assert 0 < articles.cursor < page
        await pilot.press("ctrl+d")
        assert articles.cursor > page - 2


async def test_ctrl_r_reloads(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        (feed / "new.md").write_text(
            article_file("Fresh story", "https://day.example/new", quality=1)
        )
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: "Fresh story" in titles(app), "the reloaded list")
        assert not app.feed.load_view.sync.reloading


async def test_escape_in_the_list_clears_the_filter(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", *"topic:space", "enter")
        await settle(pilot)
        assert len(titles(app)) == COUNT // 2
        assert app.focused is app.query_one(ArticleList)
        await pilot.press("escape")
        assert len(titles(app)) == COUNT and app.feed.filtering.text == ""
        await pilot.pause()
        assert app.query_one(FilterBar).styles.display == "none"  # no query, no focus: gone


async def test_down_and_ctrl_n_in_the_filter_go_to_the_results(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        for key, typed in (("down", "space"), ("ctrl+n", " story")):
            await pilot.press("slash", *typed, key)
            await settle(pilot)
            assert app.focused is app.query_one(ArticleList), key
        assert app.feed.filtering.text == "space story"


async def test_the_empty_filter_bar_leaves_the_screen_and_the_tab_order(
    feed: Path, tmp_path: Path
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        bar = app.query_one(FilterBar)
        await pilot.press("slash")
        assert bar.display and app.focused is bar.input
        await pilot.press("escape")  # empty: leaves
        await pilot.pause()
        assert focused(app) is app.query_one(ArticleList)
        assert bar.styles.display == "none"
        for _ in range(5):
            await pilot.press("tab")
            assert app.focused is not bar.input


async def test_focusing_the_filter_never_selects_the_query(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", *"space", "enter")
        await settle(pilot)
        await pilot.press("slash", "x")
        await settle(pilot)
        assert app.query_one(FilterBar).input.value == "spacex"


async def test_enter_on_an_invalid_query_keeps_the_focus_and_the_error(
    feed: Path, tmp_path: Path
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", *"topic:space", "enter")
        await settle(pilot)
        # every key filters at once: each text after the last valid one must be invalid too
        await pilot.press("slash", *' "x', "enter")
        await settle(pilot)
        bar = app.query_one(FilterBar)
        assert app.focused is bar.input
        assert bar.has_error
        assert "query not valid: showing “topic:space”" in header(app)
        assert len(titles(app)) == COUNT // 2  # the last valid query's list
        error = app.query_one("#filter-error")
        assert error.size.height == 1  # one line, never wrapped over the list


async def test_an_unknown_field_gets_a_hint(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", *"tpoic:space")
        error = app.query_one("#filter-error", Static)
        await wait_until(pilot, lambda: bool(error.display), "the hint under the filter")
        assert "did you mean topic:" in str(error.visual)


async def test_empty_states_say_what_to_press(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        articles = app.query_one(ArticleList)
        app.feed.palette.use_query("nothingmatchesthis")
        await pilot.pause()
        assert "No article matches the filter" in articles.render_line(0).text
        app.feed.filtering.clear()
        app.feed.store.set_read_many([a.id for a in app.feed.library.summaries])
        await pilot.press("u")
        await pilot.pause()
        assert "Every article is read. u shows" in articles.render_line(0).text


async def test_an_empty_folder_says_so(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    app = make_app(empty, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.pause()
        assert "No articles in empty" in app.query_one(ArticleList).render_line(0).text


async def test_a_narrow_screen_hides_the_sidebar_and_t_shows_it(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app, size=(80, 24)) as pilot:
        sidebar = app.query_one(TopicSidebar)
        assert not sidebar.region.width
        await pilot.press("t")
        await pilot.pause()
        assert sidebar.region.width and app.focused is sidebar
        await pilot.press("j", "j", "j", "enter")
        await pilot.pause()
        assert not sidebar.region.width and app.focused is app.query_one(ArticleList)


async def test_the_sidebar_cursor_is_the_topic_shown(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        sidebar = app.query_one(TopicSidebar)
        sidebar.focus()
        await pilot.press("j", "j", "j")
        assert sidebar_key(app) == app.feed.view.topic
        await pilot.press("tab")
        assert sidebar_key(app) == app.feed.view.topic
        assert set(titles(app)) <= {f"Story {i}" for i in range(COUNT)}
        assert len(titles(app)) == COUNT // 2


async def test_a_whole_day(feed: Path, tmp_path: Path, clock: DwellClock) -> None:
    """Morning to evening in one run: read, filter, star, jump, hide, undo, reload, quit."""
    state = tmp_path / "s.db"
    app = make_app(feed, state_path=state, read_after=HELD_DWELL)
    async with loaded_app(app) as pilot:
        # Morning: open the first story, read the next by staying on it.
        await pilot.press("enter", "J")
        await left_alone(pilot, clock)
        assert len(app.feed.store.read_ids()) == 2
        # Hide what is read; nothing more disappears while the coffee is made.
        await pilot.press("escape", "u")
        before = snapshot(app)
        await left_alone(pilot, clock)
        assert snapshot(app) == before
        # Filter, star one, clear the filter.
        await pilot.press("slash", *"topic:space", "enter")
        await settle(pilot)
        await pilot.press("f")
        starred = set(app.feed.store.starred_ids())
        await pilot.press("escape")
        assert app.feed.filtering.text == "" and starred
        # A related link, then back.
        app.feed.palette.use_query('"story 0"')
        await pilot.pause()
        app.feed.filtering.clear()
        await pilot.pause()
        # Mark everything, change one's mind.
        await pilot.press("M", "y", "U")
        await pilot.pause()
        assert len(app.feed.store.read_ids()) == 2
        # A new file arrives; reload; still two read, the star kept.
        (feed / "late.md").write_text(
            article_file("Late story", "https://day.example/late", quality=1)
        )
        await pilot.press("r")
        await wait_until(pilot, lambda: "Late story" in titles(app), "the reloaded list")
        assert len(app.feed.store.read_ids()) == 2 and set(app.feed.store.starred_ids()) == starred
        await left_alone(pilot, clock)
        assert len(app.feed.store.read_ids()) == 2
        await pilot.press("q")
    evening = make_app(feed, state_path=state, read_after=HELD_DWELL)
    async with loaded_app(evening) as pilot:
        await left_alone(pilot, clock)
        assert (
            len(evening.feed.store.read_ids()) == 2
            and set(evening.feed.store.starred_ids()) == starred
        )


async def test_reload_says_what_changed(feed: Path, tmp_path: Path) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        (feed / "new1.md").write_text(article_file("New one", "https://day.example/n1"))
        (feed / "new2.md").write_text(article_file("New two", "https://day.example/n2"))
        (feed / "000.md").write_text(
            article_file("Story 0 revised", "https://day.example/0", quality=100)
        )
        (feed / "007.md").unlink()
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.feed.load_view.sync.reloading, "the reload")
        assert "Reloaded: 2 new, 1 changed, 1 removed" in notification_texts(app)


@pytest.mark.parametrize("use_cache", [True, False])
async def test_reload_after_the_feed_folder_is_deleted_says_so_and_keeps_the_list(
    feed: Path, tmp_path: Path, use_cache: bool
) -> None:
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0, use_cache=use_cache)
    async with loaded_app(app) as pilot:
        for path in feed.iterdir():
            path.unlink()
        feed.rmdir()
        await pilot.press("r")
        await wait_until(pilot, lambda: not app.feed.load_view.sync.reloading, "the reload")
        await settle(pilot)
        texts = notification_texts(app)
        assert any("The feed folder" in t and "no longer exists" in t for t in texts), texts
        assert not any("vanished" in t for t in texts)
        assert len(titles(app)) == COUNT


async def test_keys_typed_right_after_slash_go_into_the_filter(feed: Path, tmp_path: Path) -> None:
    """A fast typist (or tmux send-keys): the keys are queued before `/` is handled."""
    from textual import events

    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        for key, char in (("slash", "/"), ("t", "t"), ("o", "o"), ("p", "p")):
            app.post_message(events.Key(key, char))
        await settle(pilot)
        assert app.query_one(FilterBar).input.value == "top"
        assert app.query_one(TopicSidebar).region.width  # `t` did not hide the sidebar
        assert recorder_of(app).urls == []  # `o` did not open the browser


async def test_a_slash_inside_the_filter_or_the_palette_is_a_character(
    feed: Path, tmp_path: Path
) -> None:
    from textual.command import CommandPalette
    from textual.widgets import Input

    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.press("slash", "a", "slash", "b")
        assert app.query_one(FilterBar).input.value == "a/b"
        await pilot.press("escape", "escape", "ctrl+p", "slash")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(Input).value == "/"


async def test_problems_are_one_short_notice_with_a_relative_path(
    feed: Path, tmp_path: Path
) -> None:
    (feed / "sub").mkdir()
    (feed / "sub" / ("a-very-long-name-" * 5 + "broken.md")).write_text(
        "---\ntitle: [unclosed\n---\n"
    )
    (feed / "sub" / "also-broken.md").write_text("no front matter at all")
    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        await pilot.pause()
        notice = next(t for t in notification_texts(app) if "reader check lists every problem" in t)
        assert notice.startswith("2 files skipped, the first in sub/")
        assert str(feed) not in notice and len(notice) < 110


async def test_palette_commands_run_on_the_feed(feed: Path, tmp_path: Path) -> None:
    """The palette's commands come from the command table and act on the feed screen."""
    from reader.ui.screens.help_screen import HelpScreen

    app = make_app(feed, state_path=tmp_path / "s.db", read_after=0)
    async with loaded_app(app) as pilot:
        for typed in ("Toggle star", "Help: keys"):
            await pilot.press("ctrl+p", *typed)
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
        assert app.feed.store.starred_ids()
        assert isinstance(app.screen, HelpScreen)
