"""A list that renders only its visible rows (Textual's Line API), with a cursor.

Subclasses say how many rows there are and how to draw one; the list never builds a
widget per row, so 100,000 rows cost what 40 do.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget

from reader.ui.commands import bindings
from reader.ui.contrast import readable_style
from reader.ui.text import assemble, line


class VirtualList(ScrollView, can_focus=True):
    """A keyboard- and mouse-driven list of `row_count` one-line rows."""

    DEFAULT_CSS = """
    VirtualList {
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }

    /* Text colours in the lists get a contrast floor in code (reader/ui/contrast.py), so theme
       colours may be used for text on any of these backgrounds. */
    VirtualList > .virtual-list--cursor {
        background: $accent 40%;
        text-style: bold;
    }

    /* Focus elsewhere: the row the detail pane shows stays marked, in grey, not the accent. */
    VirtualList > .virtual-list--cursor-blurred {
        background: $foreground 15%;
    }

    /* ANSI themes: the colours are the terminal's, nothing blends or can be measured. The cursor
       is the theme's block cursor, the blurred one underlined, read rows dim. */
    VirtualList:ansi > .virtual-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }

    VirtualList:ansi > .virtual-list--cursor-blurred {
        background: transparent;
        text-style: underline;
    }

    VirtualList > .virtual-list--empty {
        color: $text-muted;
        text-style: italic;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("list")
    DRAWN_LINES_KEPT = 512  # a few screenfuls
    EMPTY_INDENT = 1  # columns before what an empty list says: the rows' gutter
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-list--cursor",
        "virtual-list--cursor-blurred",
        "virtual-list--empty",
    }

    class RowMessage(Message):
        """Something happened on row `index` of the list `source`."""

        def __init__(self, source: VirtualList, index: int) -> None:
            super().__init__()
            self.source = source
            self.index = index

        @property
        def control(self) -> VirtualList:
            return self.source

    class CursorMoved(RowMessage):
        """The cursor is on a new row."""

    class Chosen(RowMessage):
        """The user pressed enter (or double-clicked) on a row."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.cursor = 0
        self._row_count = 0
        self._empty_text = ""
        # The empty text wrapped, for the (text, width) it was wrapped for.
        self._empty_lines: tuple[tuple[str, int], list[Content]] = (("", 0), [])
        # The cursor and row classes of the row `render_row` is drawing: see `part_style`.
        self._drawn_row: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        # Lines drawn, by what they show (see `row_identity`): a repaint, or a filter that
        # keeps some rows, draws only the rows it has not drawn yet.
        self._drawn_lines: dict[Hashable, tuple[object, Strip]] = {}
        # The styles asked for during one `render_lines` pass, by component classes, and the
        # rows' width in that pass (each row asked Textual for it: a walk of the styles).
        self._pass_styles: dict[tuple[str, ...], Style] | None = None
        self._pass_width = 0
        self.drawn_at = 0.0  # when the list was last drawn (time.monotonic): see FeedScreen

    # --- what subclasses provide ------------------------------------------------------

    def render_row(self, index: int, width: int) -> Content:
        """The content of row `index`."""
        raise NotImplementedError

    def row_style(self, index: int) -> str:
        """Extra component class names for a row (e.g. unread); empty by default."""
        return ""

    def row_identity(self, index: int) -> tuple[object, Hashable] | None:
        """What row `index` shows, so that its drawn line can be reused: the object (held,
        compared by identity) and everything else its drawing depends on, bar the width,
        the cursor, the row's classes and the styles. None (the default): drawn every time."""
        return None

    def part_style(self, component_class: str) -> Style:
        """The style a component class gives part of the row being drawn (from the .tcss, so
        themes apply): on that row's background, the cursor's included, and readable.

        The row's own classes come after the part's: a dimmed (read) row dims all its parts.
        """
        cursor, extras = self._drawn_row
        return self.row_part_style(*cursor, component_class, *extras)

    # --- styling --------------------------------------------------------------------

    def row_part_style(self, *component_classes: str) -> Style:
        """The widget's style with these component classes on top, in order.

        Textual's `get_visual_style` (what OptionList uses) composites each class's background
        on the ones before, and resolves `auto` colours (`$text-muted` is `auto 60%`) against
        that background: a partial component style cannot, and came out white. The result is
        then given the contrast floor, since theme colours are not chosen for text.
        """
        styles = self._pass_styles
        if styles is None:
            return readable_style(self.get_visual_style(*component_classes))
        style = styles.get(component_classes)
        if style is None:
            style = styles[component_classes] = readable_style(
                self.get_visual_style(*component_classes)
            )
        return style

    def render_lines(self, crop: Region) -> list[Strip]:
        """Textual's, with the styles of the pass remembered: every row asks for the same few,
        and each answer walks the DOM (for its cache key) and hashes a style. Within one pass
        neither the focus nor the theme can change."""
        if self._pass_styles is not None:  # a nested pass (the article list's header)
            return super().render_lines(crop)
        self._pass_styles = {}
        self._pass_width = self.scrollable_content_region.width
        self.drawn_at = time.monotonic()
        try:
            return super().render_lines(crop)
        finally:
            self._pass_styles = None

    def row_classes(self, index: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The cursor's component class of row `index` (if it is the cursor's row: first, as
        the background everything else is resolved on), and the row's own classes."""
        cursor: tuple[str, ...] = ()
        if index == self.cursor:
            cursor = ("virtual-list--cursor" if self.has_focus else "virtual-list--cursor-blurred",)
        return cursor, tuple(self.row_style(index).split())

    # --- rows -----------------------------------------------------------------------

    @property
    def empty_text(self) -> str:
        """What an empty list says (ours, never article text)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        if text != self._empty_text:
            self._empty_text = text
            self.refresh()

    @property
    def row_count(self) -> int:
        return self._row_count

    def set_row_count(self, count: int, cursor: int | None = None) -> None:
        """Tell the list how many rows it has now; keeps the cursor in range."""
        self._row_count = count
        size = Size(self.scrollable_content_region.width, count)
        if size != self.virtual_size:
            # Only the scrollbar follows the rows; the list's own size does not. Textual's
            # reactive would lay out the whole screen for it (~5 ms at each filter key).
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        target = self.cursor if cursor is None else cursor
        self.cursor = max(0, min(target, count - 1))
        self.refresh()
        self.call_after_refresh(self.scroll_to_cursor)

    def render_line(self, y: int) -> Strip:
        in_pass = self._pass_styles is not None
        width = self._pass_width if in_pass else self.scrollable_content_region.width
        index = self.scroll_offset.y + y
        if index >= self._row_count:
            if not self._row_count and self._empty_text:
                return self.empty_line(y, width)
            return Strip.blank(width, self.row_part_style().rich_style)
        self._drawn_row = cursor, extras = self.row_classes(index)
        identity = self.row_identity(index)
        key: Hashable = None
        if identity is not None:
            shown, depends = identity
            key = (id(shown), depends, cursor, extras, width)
            drawn = self._drawn_lines.get(key)
            if drawn is not None and drawn[0] is shown:
                self._drawn_row = ((), ())
                return drawn[1]
        try:
            row = self.row_part_style(*cursor, *extras)
            content = self.render_row(index, width).truncate(width, ellipsis=True, pad=True)
        finally:
            self._drawn_row = ((), ())
        strip = Strip(content.render_segments(row), content.cell_length)
        strip = strip.crop_extend(0, width, row.rich_style)
        if identity is not None:
            if len(self._drawn_lines) >= self.DRAWN_LINES_KEPT:
                self._drawn_lines.clear()
            self._drawn_lines[key] = (identity[0], strip)
        return strip

    def still_to_wait(self, since: float, pause: float) -> float:
        """Seconds until the list has been on screen for `pause` since it was last drawn,
        if it was drawn after `since` (`time.monotonic`); 0 when it was not (not shown)."""
        if self.drawn_at < since:
            return 0.0
        return max(0.0, self.drawn_at + pause - time.monotonic())

    def empty_line(self, y: int, width: int) -> Strip:
        """Line `y` of what an empty list says: wrapped at words (never cut mid-word), in
        from the border by the rows' gutter (`EMPTY_INDENT`)."""
        style = self.row_part_style("virtual-list--empty")
        indent = min(self.EMPTY_INDENT, max(width - 10, 0))  # a very narrow list keeps words
        if self._empty_lines[0] != (self._empty_text, width):
            # Through the text module: it names the feed's folder, which could be anything.
            wrapped = line(self._empty_text).wrap(max(width - indent - 1, 1))
            self._empty_lines = ((self._empty_text, width), wrapped)
        wrapped = self._empty_lines[1]
        if y >= len(wrapped):
            return Strip.blank(width, style.rich_style)
        shown = assemble(" " * indent, wrapped[y].rstrip()).truncate(width, pad=True)
        return Strip(shown.render_segments(style), width)

    def notify_style_update(self) -> None:
        """A theme or style change: every line is drawn anew."""
        self._drawn_lines.clear()
        super().notify_style_update()

    # --- cursor ---------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row `index` (clamped), scroll to it and announce it."""
        if not self._row_count:
            return
        index = max(0, min(index, self._row_count - 1))
        if index == self.cursor:
            self.scroll_to_cursor()
            return
        self.cursor = index
        self.refresh()
        self.scroll_to_cursor()
        self.post_message(self.CursorMoved(self, index))

    def scroll_to_cursor(self) -> None:
        if self._row_count:
            self.scroll_to_region(
                Region(0, self.cursor, 1, 1), animate=False, immediate=True, force=True
            )

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.move_cursor(self._row_count - 1)

    def action_page_down_rows(self) -> None:
        self.move_cursor(self.cursor + max(self.scrollable_content_region.height - 1, 1))

    def action_page_up_rows(self) -> None:
        self.move_cursor(self.cursor - max(self.scrollable_content_region.height - 1, 1))

    def action_half_page_down(self) -> None:
        self.move_cursor(self.cursor + max(self.scrollable_content_region.height // 2, 1))

    def action_half_page_up(self) -> None:
        self.move_cursor(self.cursor - max(self.scrollable_content_region.height // 2, 1))

    def action_choose(self) -> None:
        if self._row_count:
            self.post_message(self.Chosen(self, self.cursor))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < self._row_count:
            self.focus()
            self.move_cursor(index)
            if event.chain >= 2:
                self.post_message(self.Chosen(self, index))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._row_count)
