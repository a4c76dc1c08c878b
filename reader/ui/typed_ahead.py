"""Keys typed ahead: pressed as the reader starts, before the feed's screen has its parts.

Textual hands a key to the screen on top as the key comes, and the feed's screen mounts its
list and filter bar a moment after it is pushed: a `/` typed with the command (as one types
ahead of less or newsboat) met a screen without its filter bar, and the app crashed. Keys and
pastes are held until the screen says it has its parts (`FeedScreen.PartsMounted`), then
handled in the order typed.
"""

from __future__ import annotations

from functools import cached_property

from textual import events
from textual.app import App

from reader.ui.screens.feed_screen import FeedScreen


class TypeAheadApp(App[None]):
    """An app whose keys and pastes wait for the feed's screen to have its parts."""

    typed_ahead_released = False  # True once the feed's screen has them

    @cached_property
    def typed_ahead(self) -> list[events.Key | events.Paste]:
        """Held until then, in the order typed."""
        return []

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not self.typed_ahead_released:
            self.typed_ahead.append(event)
            return
        await super().on_event(event)

    async def on_feed_screen_parts_mounted(self, message: FeedScreen.PartsMounted) -> None:
        # Handled by the app's own queue: any key typed since is queued after this message.
        message.stop()
        self.typed_ahead_released = True
        held = list(self.typed_ahead)
        self.typed_ahead.clear()
        for event in held:
            await self.on_event(event)  # as it came (a quit among them drops what follows)
