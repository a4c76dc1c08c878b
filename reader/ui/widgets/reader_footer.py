"""The footer: the keys that fit, whole; the least used go first when the row is short.

Textual's footer lays every key out in a row that scrolls sideways, so a narrow terminal
showed the keys cut off (`Hide r`, a bare `s`) and their ends beside the palette's key
(`^p palettes`). This one hides the keys that do not fit, from the end: the command table
lists the footer's keys most used first.
"""

from __future__ import annotations

from rich.cells import cell_len
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
    """Textual's compact footer, keeping only the keys that fit whole."""

    def __init__(self) -> None:
        super().__init__(compact=True)

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
