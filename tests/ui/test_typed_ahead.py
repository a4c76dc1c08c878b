"""Keys typed ahead: pressed as the reader starts, before the feed's screen has its parts.

Textual hands a key to the screen as it comes; the screen's list and filter bar are mounted
a moment later. The keys wait for them (`ReaderApp.typed_ahead`) and are then handled in the
order typed, as a terminal's type-ahead is by the tools people know (less, newsboat).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events

from app_helpers import LOAD_TIMEOUT, make_app, wait_loaded
from reader.ui.app import ReaderApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.filter_bar import FilterBar

# A key's name for Textual, and its character.
NAMES = {"/": "slash", " ": "space"}


def keys_of(text: str) -> Iterator[events.Key]:
    for character in text:
        yield events.Key(NAMES.get(character, character), character)


@pytest.fixture
def typed_at_start(monkeypatch: pytest.MonkeyPatch) -> list[events.Key | events.Paste]:
    """What a test puts here arrives as the app is mounted, before its screen's parts."""
    typed: list[events.Key | events.Paste] = []
    mount = ReaderApp.on_mount

    def mount_then_type(app: ReaderApp) -> None:
        mount(app)
        for event in typed:
            app.post_message(event)

    monkeypatch.setattr(ReaderApp, "on_mount", mount_then_type)
    return typed


async def test_a_filter_typed_ahead_reaches_the_input_whole_and_in_order(
    tmp_path: Path, typed_at_start: list[events.Key | events.Paste]
) -> None:
    typed_at_start += [*keys_of("/vau"), events.Paste("lt")]
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        assert app.typed_ahead_released and app.typed_ahead == []
        assert app.feed.query_one(FilterBar).input.value == "vault"
        await pilot.press("enter")
        await wait_loaded(pilot)
        titles = [article.title for article in app.feed.query_one(ArticleList).articles]
    assert titles and all("vault" in title.lower() for title in titles)


async def test_a_move_typed_ahead_moves_the_cursor(
    tmp_path: Path, typed_at_start: list[events.Key | events.Paste]
) -> None:
    # A cached feed: its first rows are shown whole at once, in their final order (while a
    # first load streams in, the cursor follows the article it is on as rows arrive).
    cache = tmp_path / "cache.db"
    async with make_app(state_path=tmp_path / "first.db", cache_path=cache).run_test() as pilot:
        await wait_loaded(pilot)
    typed_at_start += keys_of("jj")
    app = make_app(state_path=tmp_path / "s.db", cache_path=cache)
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        assert app.feed.query_one(ArticleList).cursor == 2


async def test_a_quit_typed_ahead_quits(
    tmp_path: Path, typed_at_start: list[events.Key | events.Paste]
) -> None:
    typed_at_start += keys_of("jq")
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        deadline = time.monotonic() + LOAD_TIMEOUT
        while app.is_running:
            assert time.monotonic() < deadline, "the typed-ahead q did not quit"
            await pilot.pause(0.01)
    assert app.return_code == 0
