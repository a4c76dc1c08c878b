"""Pilot test of a streamed load (a cold cache): the screen after many batches equals the
screen after one batch of the same articles (list order, header, sidebar); the cursor is on
the top row until the user moves it, then stays on their article."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path

from textual.message import Message

from app_helpers import LOAD_TIMEOUT, SAMPLE_COUNT, SAMPLE_FEED, SIZE, make_app, wait_until
from reader.core.loader import load_feed
from reader.core.model import ArticleSummary, summarize
from reader.core.ordering import sort_articles
from reader.ui.app import ReaderApp
from reader.ui.messages import BatchParsed
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.topic_sidebar import TopicSidebar


def sample_summaries() -> list[ArticleSummary]:
    summaries = [summarize(a) for a in load_feed(SAMPLE_FEED).articles]
    random.Random(4).shuffle(summaries)  # the parsing pool hands files on in no set order
    return summaries


async def screen_after(tmp_path: Path, batches: list[list[ArticleSummary]]) -> tuple[object, ...]:
    """What the screen shows once `batches` have streamed in (the load never ends)."""
    app = make_app(state_path=tmp_path / "state.db", use_cache=False)
    # The load posts the batches only: the screen shows what streamed in, never a whole feed.

    def stream(post: Callable[[Message], object], is_cancelled: object, rows_shown: bool) -> None:
        for batch in batches:
            post(BatchParsed(batch))

    app.loader.run = stream  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        while len(app.feed.library) < SAMPLE_COUNT or app.feed.load_view.stream_pending:
            await pilot.pause(0.05)
        await pilot.pause()
        return shown(app)


def shown(app: ReaderApp) -> tuple[object, ...]:
    rows = app.query_one(ArticleList)
    sidebar = app.query_one(TopicSidebar)
    current = rows.current
    return (
        [a.id for a in rows.articles],
        current.id if current else None,
        str(app.query_one(FeedHeader).visual),
        list(sidebar.entries),
    )


async def test_many_batches_show_what_one_batch_shows(tmp_path: Path) -> None:
    summaries = sample_summaries()
    in_batches = [summaries[start : start + 5] for start in range(0, len(summaries), 5)]
    streamed = await screen_after(tmp_path / "many", in_batches)
    at_once = await screen_after(tmp_path / "one", [summaries])
    ids, cursor, header, sidebar = streamed
    assert (ids, header, sidebar) == (at_once[0], at_once[2], at_once[3])
    assert len(ids) == SAMPLE_COUNT  # type: ignore[arg-type]
    # Not the best of the first batch: `o` must open what the top row shows.
    assert cursor == ids[0] != sort_articles(in_batches[0])[0].id  # type: ignore[index]


async def test_once_the_user_moves_the_cursor_keeps_their_article(tmp_path: Path) -> None:
    summaries = sample_summaries()
    moved = threading.Event()
    app = make_app(state_path=tmp_path / "state.db", use_cache=False, read_after=60)

    def stream(post: Callable[[Message], object], is_cancelled: object, rows_shown: bool) -> None:
        post(BatchParsed(summaries[:5]))
        moved.wait(LOAD_TIMEOUT)  # the rest comes once the user has moved
        for start in range(5, len(summaries), 5):
            post(BatchParsed(summaries[start : start + 5]))

    app.loader.run = stream  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        rows = app.query_one(ArticleList)
        await wait_until(pilot, lambda: rows.row_count == 5, "the first batch shown")
        await pilot.press("j")
        chosen = rows.current
        moved.set()
        await wait_until(
            pilot,
            lambda: len(app.feed.library) == SAMPLE_COUNT and not app.feed.load_view.stream_pending,
            "every batch shown",
        )
        assert chosen is not None and rows.current == chosen
        assert rows.articles.index(chosen) != 1  # it moved down, the cursor with it
