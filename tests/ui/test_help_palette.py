"""Pilot tests of the help screen (title, closing hint, whole query tokens, pager keys, marks)
and of the command palette (one row per command, the current order, topics last)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.command import CommandList
from textual.containers import VerticalScroll
from textual.pilot import Pilot

from app_helpers import (
    app_of,
    article_file,
    loaded_app,
    make_app,
    plain_text,
    rendered_text,
    settle,
    type_text,
    write_feed,
)
from reader.ui.command_palette import action_commands
from reader.ui.screens.help_screen import QUERY_HELP, HelpScreen

HINT = "escape, q or ? closes this help"


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def topic_feed(tmp_path: Path) -> Path:
    """Topics whose names match the words commands are searched by (sort, open, star)."""
    return write_feed(
        tmp_path / "topics",
        [
            article_file("One", "https://t.example/1", topics=["Sorting machines", "Open source"]),
            article_file("Two", "https://t.example/2", topics=["Starfish"]),
        ],
    )


def screen_text(app: App[None]) -> str:
    """Every line the screen shows now, borders included."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def open_help(pilot: Pilot[None]) -> VerticalScroll:
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(pilot.app.screen, HelpScreen)
    return pilot.app.screen.query_one("#help-body", VerticalScroll)


async def palette_rows(pilot: Pilot[None], text: str = "") -> list[str]:
    """Open the palette, type `text`, and return each hit's whole prompt (its lines joined by |)."""
    await pilot.press("ctrl+p")
    await type_text(pilot, text)
    await settle(pilot)
    commands = pilot.app.screen.query_one(CommandList)
    prompts = [commands.get_option_at_index(i).prompt for i in range(commands.option_count)]
    return [getattr(prompt, "plain", str(prompt)).replace("\n", "|") for prompt in prompts]


# --- 7. the help screen -------------------------------------------------------------------------


async def test_help_has_a_title_and_its_closing_hint_is_seen_without_scrolling(
    topic_feed: Path, state_path: Path
) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path)) as pilot:
        body = await open_help(pilot)
        assert body.max_scroll_y > 0  # the help is longer than the screen
        shown = screen_text(pilot.app)
        assert "reader: keys" in shown and HINT in shown
        body.scroll_end(animate=False)
        await pilot.pause()
        assert "reader: keys" in screen_text(pilot.app) and HINT in screen_text(pilot.app)


@pytest.mark.parametrize("size", [(120, 40), (80, 40)])
async def test_help_never_breaks_a_query_example_inside_a_token(
    topic_feed: Path, state_path: Path, size: tuple[int, int]
) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path), size) as pilot:
        await open_help(pilot)
        tokens = {token for key, _ in QUERY_HELP for token in key.split(", ")}
        cells = [
            cell
            for cell in pilot.app.screen.query(".help-key")
            if plain_text(cell) in {k for k, _ in QUERY_HELP}
        ]
        assert len(cells) == len(QUERY_HELP)
        wrapped = 0
        for cell in cells:
            lines = [rendered_text(cell, y).strip() for y in range(cell.content_region.height)]
            wrapped += len(lines) > 1
            drawn = {token for text in lines for token in text.rstrip(",").split(", ")}
            assert drawn <= tokens, (plain_text(cell), lines)
        assert wrapped  # some examples are longer than their column: they did wrap, between tokens


async def test_help_lists_the_pager_keys_and_explains_the_marks(
    topic_feed: Path, state_path: Path
) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path)) as pilot:
        await open_help(pilot)
        rows = [plain_text(cell) for cell in pilot.app.screen.query(".help-key, .help-text")]
        pairs = dict(zip(rows[::2], rows[1::2], strict=True))  # every key has its text
        keys = " / ".join(pairs).replace(", ", " / ").split(" / ")
        for key in (
            "space",
            "ctrl+d",
            "ctrl+u",
            "ctrl+f",
            "ctrl+b",
            "pagedown",
            "pageup",
            "g",
            "G",
            "j",
            "k",
        ):
            assert key in keys, key
        assert pairs["●"].startswith("unread") and pairs["★"].startswith("starred")
        assert "related link" in pairs["↪"] and "article of this feed" in pairs["↪"]


async def test_the_help_pages_with_the_pager_keys(topic_feed: Path, state_path: Path) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path), (120, 24)) as pilot:
        body = await open_help(pilot)
        page = body.scrollable_content_region.height - 1
        half = body.scrollable_content_region.height // 2
        assert body.max_scroll_y > 2 * page
        seen = []
        for key in ("space", "ctrl+f", "ctrl+u", "ctrl+b", "ctrl+d", "pageup"):
            await pilot.press(key)
            seen.append(round(body.scroll_y))
        assert seen == [page, 2 * page, 2 * page - half, page - half, page, 0]
        await pilot.press("G")
        await pilot.wait_for_scheduled_animations()
        assert body.scroll_y == body.max_scroll_y
        await pilot.press("g")
        await pilot.wait_for_scheduled_animations()
        assert body.scroll_y == 0


# --- 8. the command palette ------------------------------------------------------------------


async def test_palette_shows_a_key_on_its_commands_row(topic_feed: Path, state_path: Path) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path)) as pilot:
        rows = await palette_rows(pilot)
        assert "Open article in browser  o" in rows
        assert "Copy article URL  y" in rows
        assert "Toggle star  f" in rows
        assert "Sort by newest" in rows  # `s` only cycles: no key, and no second line


async def test_palette_marks_the_current_sort_order(topic_feed: Path, state_path: Path) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path)) as pilot:
        app = app_of(pilot)
        rows = [row for row in await palette_rows(pilot, "sort by") if row.startswith("Sort by")]
        assert [row for row in rows if "current" in row] == ["Sort by quality|the current order"]
        await pilot.press("escape")
        await pilot.press("s")
        assert app.feed.view.order == "newest"
        rows = [row for row in await palette_rows(pilot, "sort by") if row.startswith("Sort by")]
        assert [row for row in rows if "current" in row] == ["Sort by newest|the current order"]


@pytest.mark.parametrize("query", ["", "s", "o", "star"])
async def test_palette_lists_topics_after_the_commands(
    topic_feed: Path, state_path: Path, query: str
) -> None:
    async with loaded_app(make_app(topic_feed, state_path=state_path)) as pilot:
        commands = {title for title, _, _ in action_commands(app_of(pilot).feed.palette)}
        rows = [row.split("|")[0] for row in await palette_rows(pilot, query)]
        ours = [i for i, row in enumerate(rows) if any(row.startswith(title) for title in commands)]
        topics = [i for i, row in enumerate(rows) if row.startswith("Show topic: ")]
        assert ours and topics, rows
        assert max(ours) < min(topics), rows
