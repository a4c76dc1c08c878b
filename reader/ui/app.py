"""The reader app: it assembles. Styles, global keys, the URL gate and notifications; the
feed itself is the `FeedScreen`'s."""

from __future__ import annotations

import webbrowser
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, cast

from textual import work
from textual.app import App
from textual.binding import BindingType
from textual.screen import Screen

from reader.core.resources import styles_path
from reader.core.sanitize import UnsafeUrl, check_url
from reader.ui.commands import ReaderCommands, bindings
from reader.ui.loading import FeedLoader
from reader.ui.screens.feed_screen import READ_AFTER_SECONDS, FeedScreen
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.text import line

NARROW_WIDTH = 100
__all__ = ["READ_AFTER_SECONDS", "BrowserOpener", "ReaderApp"]

BrowserOpener = Callable[[str], bool]


class ReaderApp(App[None]):
    """Reads a local feed from the keyboard."""

    CSS_PATH = str(styles_path() / "app.tcss")
    # Every screen gets `-narrow` under 100 columns (the detail pane goes below the list).
    # Textual types this as an instance variable, so it cannot be marked ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]  # noqa: RUF012
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")

    def __init__(
        self,
        feed_path: Path,
        *,
        browser: BrowserOpener | None = None,
        state_path: Path | None = None,
        cache_path: Path | None = None,
        use_cache: bool = True,
        read_after: float | None = None,
        watch: bool = True,
    ) -> None:
        super().__init__()
        self.feed_path = feed_path
        self.state_path = state_path
        # Made now, so that the cache is read while Textual starts.
        self.loader = FeedLoader(feed_path, cache_path, use_cache)
        self.read_after = read_after
        self.follow_changes = watch  # fold in file changes while running (`--no-watch`: not)
        # Replaced in tests by a recorder; the real one honours $BROWSER.
        self.browser: BrowserOpener = browser or webbrowser.open

    def get_default_screen(self) -> Screen[None]:
        return FeedScreen(
            self.loader,
            state_path=self.state_path,
            read_after=self.read_after,
            watch=self.follow_changes,
        )

    @property
    def feed(self) -> FeedScreen:
        """The feed's screen (under any help or question shown over it)."""
        return cast(FeedScreen, self.screen_stack[0])

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # --- browser ----------------------------------------------------------------------

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Every URL Textual itself would open goes through the same gate."""
        self.open_link(url)

    def open_link(
        self, raw_url: str | None, *, on_opened: Callable[[], object] | None = None
    ) -> None:
        """Open a URL in the browser if it passes `check_url`, else say why not."""
        try:
            url = check_url(raw_url)
        except UnsafeUrl as refused:
            self.tell(f"Not opened: {refused}", severity="warning")
            return
        self.launch_browser(url, on_opened)

    @work(thread=True, group="browser")
    def launch_browser(self, url: str, on_opened: Callable[[], object] | None = None) -> None:
        """`webbrowser` may block for seconds: it runs in a thread."""
        try:
            opened = self.browser(url)
        except Exception as error:  # noqa: BLE001 - any browser failure is a notification
            self.call_from_thread(self.tell, f"The browser failed: {error}", severity="error")
            return
        if opened is False:
            self.call_from_thread(
                self.tell, "No browser could be started (set $BROWSER)", severity="error"
            )
        else:
            self.call_from_thread(self.opened, url, on_opened)

    def opened(self, url: str, on_opened: Callable[[], object] | None) -> None:
        self.tell(f"Opened {url}", timeout=2)
        if on_opened is not None:
            on_opened()

    # --- notifications ----------------------------------------------------------------

    def tell(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        """A notification whose text is never parsed as markup."""
        self.notify(line(message).plain, severity=severity, markup=False, timeout=timeout)  # type: ignore[arg-type]
