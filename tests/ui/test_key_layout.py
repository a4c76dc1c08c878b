"""What a key typed in the filter changes, in apps of their own: the list's row count and the
input's text; neither lays out the screen (every widget measured and placed again)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.content import Content
from textual.screen import Screen

from reader.ui.widgets.filter_bar import QueryInput
from reader.ui.widgets.virtual_list import VirtualList


class Numbers(VirtualList):
    def render_row(self, index: int, width: int) -> Content:
        return Content(f"row {index}")


def count_layouts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The screen's layouts from now on, one item each."""
    layouts: list[object] = []
    real = Screen._refresh_layout

    def counted(screen: Screen[object], *args: object, **kwargs: object) -> None:
        layouts.append(args)
        real(screen, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    return layouts


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Numbers()


async def test_a_new_row_count_moves_the_scrollbar_without_a_layout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each key typed in the filter gives the list a new count: the screen's layout (every
    widget measured and placed again) is not needed for it, only the scrollbar's update."""
    app = ListApp()
    async with app.run_test(size=(40, 10)) as pilot:
        numbers = app.query_one(Numbers)
        numbers.set_row_count(5)
        await pilot.pause()
        assert not numbers.show_vertical_scrollbar
        layouts = count_layouts(monkeypatch)
        numbers.set_row_count(500)
        await pilot.pause()
        assert numbers.show_vertical_scrollbar  # its coming is a layout: the width changes
        layouts.clear()
        for count in (400, 300, 450):
            numbers.set_row_count(count)
            await pilot.pause()
            assert numbers.vertical_scrollbar.window_virtual_size == count
            assert numbers.max_scroll_y == count - numbers.scrollable_content_region.height
        assert layouts == []
        numbers.move_cursor(449)
        await pilot.pause()
        assert numbers.scroll_offset.y == numbers.max_scroll_y > 0
        numbers.set_row_count(5)
        await pilot.pause()
        assert numbers.scroll_offset.y == 0 and not numbers.show_vertical_scrollbar
        assert "row 4" in "\n".join(strip.text for strip in app.screen._compositor.render_strips())


class InputApp(App[None]):
    def compose(self) -> ComposeResult:
        yield QueryInput()


async def test_typing_scrolls_the_input_without_a_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The input's text grows at each key: the screen is not laid out for it (only the
    input's scrollbar coming, once the text is wider than the input, is a layout); and it
    scrolls to keep the cursor in view, as Textual's does."""
    app = InputApp()
    async with app.run_test(size=(30, 3)) as pilot:
        field = app.query_one(QueryInput)
        field.focus()
        await pilot.pause()
        layouts = count_layouts(monkeypatch)
        await pilot.press(*"robot storm")
        await pilot.pause()
        assert field.value == "robot storm"
        assert field.virtual_size.width == len(field.value) + 1  # the cursor's cell after it
        assert layouts == []
        await pilot.press(*" and lunar orbits over the moon")
        await pilot.pause()
        assert field.scroll_offset.x == field.max_scroll_x > 0
        await pilot.press("home")
        await pilot.pause()
        assert field.scroll_offset.x == 0
