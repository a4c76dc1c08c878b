"""The filter keeps at most `MAX_QUERY_LENGTH` characters: a longer paste is cut, and says so."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.widgets import Static

from app_helpers import SIZE, make_app, wait_loaded
from reader.ui.widgets.filter_bar import CUT_NOTE, MAX_QUERY_LENGTH, FilterBar


def note_of(bar: FilterBar) -> str:
    line = bar.query_one("#filter-error", Static)
    return str(line.render()) if line.display else ""


async def test_a_long_paste_is_cut_with_a_note_that_goes_when_shortened(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash", "a", "i", "space")
        bar = app.query_one(FilterBar)
        bar.input.post_message(events.Paste("robot " * 2500))  # 15,000 characters
        await pilot.pause()
        assert bar.input.value == ("ai " + "robot " * 2500)[:MAX_QUERY_LENGTH]
        assert note_of(bar) == CUT_NOTE
        await pilot.press("x")  # typed at the cap: cut too
        assert len(bar.input.value) == MAX_QUERY_LENGTH
        assert note_of(bar) == CUT_NOTE
        await pilot.press("backspace")
        await pilot.pause()
        assert len(bar.input.value) == MAX_QUERY_LENGTH - 1
        assert note_of(bar) == ""


async def test_a_paste_that_fits_is_kept_whole_without_a_note(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash")
        bar = app.query_one(FilterBar)
        text = "w" * MAX_QUERY_LENGTH
        bar.input.post_message(events.Paste(text))
        await pilot.pause()
        assert bar.input.value == text
        assert note_of(bar) == ""


async def test_escape_clears_a_cut_query_and_its_note(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("slash")
        bar = app.query_one(FilterBar)
        bar.input.post_message(events.Paste("z" * (MAX_QUERY_LENGTH + 1)))
        await pilot.pause()
        assert note_of(bar) == CUT_NOTE
        await pilot.press("escape")
        await pilot.pause()
        assert bar.input.value == ""
        assert note_of(bar) == ""
