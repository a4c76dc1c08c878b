"""The footer: the keys that fit, whole; the least used go first when the row is short.

Textual's footer lays every key out in a row that scrolls sideways, so a narrow terminal
showed the keys cut off (`Hide r`, a bare `s`) and their ends beside the palette's key
(`^p palettes`). This one hides the keys that do not fit, from the end: the command table
lists the footer's keys most used first.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

# The compact footer's spacing (Textual's stylesheet): a key is followed by one cell.
KEY_MARGIN = 1
PALETTE_BORDER = 1  # the palette's key, docked right, has a border on its left


def key_width(key: FooterKey) -> int:
    """Cells a compact key takes: its key, then a space and its description."""
    description = f" {key.description}" if key.description else ""
    return cell_len(key.key_display) + cell_len(description)


def keys_that_fit(widths: list[int], room: int) -> int:
    """How many of the keys, in order, fit whole in `room` cells."""
    used = 0
    for count, width in enumerate(widths):
        used += width + KEY_MARGIN
        if used - KEY_MARGIN > room:
            return count
    return len(widths)


class ReaderFooter(Footer):
    """Textual's compact footer, keeping only the keys that fit whole, made again only when
    the keys it shows change.

    Textual's footer makes all its keys again after every change of the screen's bindings:
    a `/` (the filter bar opened and focused) told it six times, each a layout of the whole
    screen (~150 ms of a keystroke, whatever the feed's size, and the next key waited).
    """

    def __init__(self) -> None:
        super().__init__(compact=True)
        self._pending = False  # a look at the bindings is due after the next refresh
        self._shown: tuple[object, ...] | None = None  # the keys the footer shows

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._pending:
            self._pending = True
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        self._pending = False
        shown = self._keys_now()
        if shown != self._shown:
            self._shown = shown
            await self.recompose()

    def _keys_now(self) -> tuple[object, ...]:
        """What `compose` would show: each binding shown, enabled or not, with its tooltip."""
        keys = tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )
        return (keys, self.show_command_palette, self.compact)

    async def recompose(self) -> None:
        await super().recompose()
        self.fit_keys()

    def on_resize(self) -> None:
        self.fit_keys()

    def fit_keys(self) -> None:
        keys = [key for key in self.query(FooterKey) if not key.has_class("-command-palette")]
        palettes = [key for key in self.query(FooterKey) if key.has_class("-command-palette")]
        room = self.size.width - sum(key_width(key) + PALETTE_BORDER for key in palettes)
        shown = keys_that_fit([key_width(key) for key in keys], room)
        for place, key in enumerate(keys):
            key.display = place < shown
