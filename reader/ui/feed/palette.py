"""What the command palette offers over the feed screen (`commands.PaletteHost`): the keys in
force, the orders, the recent queries and the sidebar's entries."""

from __future__ import annotations

from collections.abc import Callable

from reader.core.recent_queries import recent_queries
from reader.core.topics import TopicCount
from reader.ui.commands import Keymap
from reader.ui.feed.filtering import Filtering
from reader.ui.feed.host import FeedHost
from reader.ui.feed.view_settings import ViewSettings


class FeedPalette:
    """The palette's view of the feed screen."""

    def __init__(
        self,
        host: FeedHost,
        settings: ViewSettings,
        filtering: Filtering,
        run_action: Callable[[str], object],
    ) -> None:
        self.host = host
        self.settings = settings
        self.filtering = filtering
        self.run_action = run_action

    @property
    def order(self) -> str:
        return self.settings.order

    def set_order(self, order: str) -> None:
        self.settings.set_order(order)

    def topic_entries(self) -> list[TopicCount]:
        """The sidebar: all, unread, starred, then each topic, counting the filtered articles."""
        return self.host.view.sidebar()

    def show_topic(self, key: str) -> None:
        self.settings.show_topic(key)

    def recent_queries(self) -> list[str]:
        return recent_queries(self.host.store)

    def use_query(self, text: str) -> None:
        """A recent query from the palette, applied."""
        self.filtering.apply(text)

    def keymap(self) -> Keymap:
        """The config's remaps (the palette shows the keys in force)."""
        return self.host.keymap
