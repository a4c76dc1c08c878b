"""The detail pane's width beside the list (`<` wider, `>` narrower), kept in the state.

The title is what a reader scans, so the list gets the room the detail pane leaves; the
user moves the divider in steps, and the step chosen is remembered like the theme. Under
100 columns the pane is below the list and the width has no say (the stylesheet scopes
the widths to wide screens).
"""

from __future__ import annotations

from textual.widget import Widget

from reader.core.storage.state import StateStore

DETAIL_WIDTHS = (20, 25, 33, 40, 50, 60)  # percent of the list and detail's row
DEFAULT_DETAIL_WIDTH = 33  # at 140 columns the titles get 45 or more, at 200 70 or more
DETAIL_WIDTH_SETTING = "detail_width"


def remembered_width(store: StateStore) -> int:
    """The width last chosen, else the default (a value no step has is ignored)."""
    stored = store.get_setting(DETAIL_WIDTH_SETTING)
    if stored is not None and stored.isdigit() and int(stored) in DETAIL_WIDTHS:
        return int(stored)
    return DEFAULT_DETAIL_WIDTH


class DetailWidth:
    """The step in force, drawn as a class of the row that holds the list and the pane."""

    def __init__(self, store: StateStore) -> None:
        self.store = store
        self.width = remembered_width(store)

    @property
    def class_name(self) -> str:
        """The row's class for the step in force (given it when it is made: set once it is
        styled, the class would style the row and everything in it again)."""
        return _class_of(self.width)

    def apply(self, content: Widget) -> None:
        for width in DETAIL_WIDTHS:
            content.set_class(width == self.width, _class_of(width))

    def step(self, content: Widget, steps: int) -> str:
        """Widen (steps > 0) or narrow the pane by steps; what to tell the user."""
        place = DETAIL_WIDTHS.index(self.width) + steps
        if not 0 <= place < len(DETAIL_WIDTHS):
            return f"The detail pane is as {'wide' if steps > 0 else 'narrow'} as it goes"
        self.width = DETAIL_WIDTHS[place]
        self.store.set_setting(DETAIL_WIDTH_SETTING, str(self.width))
        self.apply(content)
        return f"Detail pane: {self.width}% of the width"


def _class_of(width: int) -> str:
    return f"detail-{width}"
