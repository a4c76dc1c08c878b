"""Pilot tests of the reading state in the app: m, M, f, u, dwell, counts, persistence."""

from __future__ import annotations

from pathlib import Path

from app_helpers import SAMPLE_COUNT, SIZE, make_app, settle, wait_loaded, wait_until
from reader.core.storage.state import StateStore
from reader.core.topics import STARRED, UNREAD, TopicCount
from reader.ui.app import ReaderApp
from reader.ui.screens.confirm_screen import ConfirmScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.topic_sidebar import TopicSidebar
from state_helpers import damage, read_in_file


def current_id(app: ReaderApp) -> str:
    current = app.query_one(ArticleList).current
    assert current is not None, "no article is selected"
    return current.id


def entry(app: ReaderApp, key: str) -> TopicCount:
    return next(e for e in app.query_one(TopicSidebar).entries if e.key == key)


async def test_m_toggles_read_and_it_is_saved(tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    app = make_app(read_after=60, state_path=state)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        article = current_id(app)
        assert entry(app, UNREAD).count == SAMPLE_COUNT
        await pilot.press("m")
        assert app.feed.store.is_read(article)
        assert entry(app, UNREAD).count == SAMPLE_COUNT - 1
        assert f"{SAMPLE_COUNT - 1} unread" in str(app.query_one(FeedHeader).visual)
        assert "●" not in app.query_one(ArticleList).render_line(0).text
        assert "●" in app.query_one(ArticleList).render_line(1).text
    assert StateStore.open(state).is_read(article)


async def test_an_article_shown_long_enough_becomes_read(tmp_path: Path) -> None:
    app = make_app(read_after=0.3, state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j")
        article = current_id(app)
        await wait_until(pilot, lambda: app.feed.store.is_read(article), "the dwell's read")
        assert current_id(app) == article  # read where it stands: the cursor did not move


async def test_an_article_left_before_its_time_stays_unread(tmp_path: Path) -> None:
    app = make_app(read_after=60, state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j")
        left = current_id(app)
        await pilot.press("j")
        # The timer of the article left behind fires late: it must not mark it read.
        app.feed.read_timer.ran_out(left)
        assert not app.feed.store.is_read(left)
        app.feed.read_timer.ran_out(current_id(app))
        assert app.feed.store.is_read(current_id(app))


async def test_opening_in_the_browser_marks_read(tmp_path: Path) -> None:
    app = make_app(read_after=60, state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert app.feed.store.is_read(current_id(app))


async def test_f_stars_and_the_starred_entry_lists_it(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("j", "f")
        starred = current_id(app)
        assert app.feed.store.is_starred(starred)
        assert "★" in app.query_one(ArticleList).render_line(1).text
        assert entry(app, STARRED).count == 1
        app.feed.view_settings.show_topic(STARRED)
        await pilot.pause()
        assert [a.id for a in app.query_one(ArticleList).articles] == [starred]
        await pilot.press("f")
        assert not app.feed.store.is_starred(starred)


async def test_u_hides_read_articles_and_is_remembered(tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    app = make_app(read_after=60, state_path=state)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        read = current_id(app)
        await pilot.press("m", "u", "j")  # read articles hidden: the read one goes on a move
        await pilot.pause()
        ids = [a.id for a in app.query_one(ArticleList).articles]
        assert read not in ids and len(ids) == SAMPLE_COUNT - 1
    again = make_app(state_path=state)
    async with again.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert again.feed.view.hide_read
        assert read not in [a.id for a in again.query_one(ArticleList).articles]


async def test_shift_m_asks_then_marks_everything_shown(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        app.feed.palette.use_query("topic:space")
        await pilot.pause()
        shown = [a.id for a in app.query_one(ArticleList).articles]
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"{len(shown)}" in app.screen.question
        await pilot.press("n")
        await pilot.pause()
        assert (
            sum(app.feed.store.is_read(i) for i in shown) <= 1
        )  # only the dwell may have read one
        await pilot.press("M")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert all(app.feed.store.is_read(i) for i in shown)
        assert entry(app, UNREAD).count == 0


async def test_is_unread_query_uses_the_state(tmp_path: Path) -> None:
    app = make_app(read_after=60, state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        read = current_id(app)
        await pilot.press("m")
        app.feed.palette.use_query("is:read")
        await pilot.pause()
        assert [a.id for a in app.query_one(ArticleList).articles] == [read]


async def test_a_foreign_state_file_is_said_and_the_app_runs(tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    state.write_bytes(b"this is not a database" * 100)
    app = make_app(state_path=state)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        assert any("untouched" in n.message.lower() for n in app._notifications)
        await pilot.press("f")
        assert app.feed.store.is_starred(current_id(app))
    assert state.read_bytes() == b"this is not a database" * 100


async def test_a_state_found_damaged_after_the_first_frame_is_said_and_loses_nothing(
    tmp_path: Path,
) -> None:
    """The state file's check comes after the first frame: a file it finds damaged is moved
    aside with its marks, said, and the list shows the fresh file's marks; marking goes on."""
    app = make_app(state_path=tmp_path / "first.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        ids = [article.id for article in app.query_one(ArticleList).articles]
    state = tmp_path / "s.db"
    damage(state, ids)
    app = make_app(read_after=60, state_path=state)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_until(
            pilot, lambda: any("moved to" in n.message for n in app._notifications), "a notice"
        )
        [aside] = tmp_path.glob("s.db.corrupt-*[0-9]")
        [notice] = [n.message for n in app._notifications if "moved to" in n.message]
        assert str(state) in notice and str(aside) in notice
        await settle(pilot)
        assert entry(app, UNREAD).count == SAMPLE_COUNT
        assert "●" in app.query_one(ArticleList).render_line(0).text
        await pilot.press("m")
        article = current_id(app)
    with StateStore.open(state) as again:
        assert again.read_ids() == {article} and again.notices == []
    assert read_in_file(aside) == set(ids)
