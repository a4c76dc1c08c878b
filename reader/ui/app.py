"""The reader app: it assembles. Styles, global keys, the URL gate and notifications; the
feed itself is the `FeedScreen`'s."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import ClassVar, cast

from rich.console import RenderableType
from textual import events, work
from textual.app import App
from textual.binding import BindingType
from textual.driver import Driver
from textual.screen import Screen
from textual.theme import Theme

from reader.core.config import READ_AFTER_SECONDS, Settings, problems_notice
from reader.core.resources import styles_path
from reader.core.sanitize import UnsafeUrl, check_url
from reader.ui.commands import Keymap, ReaderCommands, bindings
from reader.ui.ending import EXIT_DEADLINE_SECONDS, DaemonThreads, end_within
from reader.ui.keymap import build_keymap
from reader.ui.loading import FeedLoader
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.text import line

# The help screen, `webbrowser`, the configured browser command and `reader serve`'s helpers
# are imported where they are used: the first frame needs none of them.

NARROW_WIDTH = 100
THEME_SETTING = "theme"  # the theme last picked, kept in the state database
__all__ = ["READ_AFTER_SECONDS", "BrowserOpener", "ReaderApp"]

BrowserOpener = Callable[[str], bool]


def default_browser(url: str) -> bool:
    """`webbrowser.open` (it honours $BROWSER), imported at the first link opened."""
    import webbrowser

    return webbrowser.open(url)


def configured_opener(words: tuple[str, ...]) -> BrowserOpener:
    """The config's browser command as an opener."""
    from reader.core.browser import command_opener

    return command_opener(words)


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
        settings: Settings | None = None,
        notices: tuple[str, ...] = (),
        watch: bool | None = None,
        ends_process: bool = False,
    ) -> None:
        """`ends_process`: the app is its process's (the command line's, not a test's), whose
        end after a quit is bounded by `EXIT_DEADLINE_SECONDS`."""
        super().__init__()
        self.ends_process = ends_process
        self.feed_path = feed_path
        self.state_path = state_path
        # Made now, so that the cache is read while Textual starts.
        self.loader = FeedLoader(feed_path, cache_path, use_cache, hold_for_first_frame=True)
        self.settings = settings or Settings()
        self.read_after = read_after
        # What is wrong in the config, said once the screen is up.
        self.notices = list(notices)
        keymap = build_keymap(self.settings.keys)
        self.notices += [f"{self.settings.origin}: {problem}" for problem in keymap.problems]
        self.keymap_in_force: Keymap = keymap.keymap
        self.set_keymap(keymap.keymap)
        # Replaced in tests by a recorder; the configured command, else `webbrowser`, which
        # honours $BROWSER.
        configured = configured_opener(self.settings.browser) if self.settings.browser else None
        self.browser: BrowserOpener = browser or configured or default_browser
        # Fold in file changes while running: `--no-watch` or the config's `watch = false` not.
        self.follow_changes = self.settings.watch if watch is None else watch
        self.signals_before: dict[int, signal.Handlers | Callable[..., object] | int | None] = {}

    def on_mount(self) -> None:
        # Textual runs its thread workers in the loop's default executor, whose threads the
        # process waits for at exit: an import stalled on a server would hold it.
        asyncio.get_running_loop().set_default_executor(DaemonThreads())
        self.exit_on_signals()

    def get_driver_class(self) -> type[Driver]:
        """Textual's choice, but in a terminal on Linux or macOS the driver that notices
        the terminal is gone (`reader.ui.terminal`)."""
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver":  # not imported on Windows (no termios)
            from reader.ui.terminal import ReaderDriver

            return ReaderDriver
        return driver

    def exit(
        self, result: None = None, return_code: int = 0, message: RenderableType | None = None
    ) -> None:
        """Quit (a key, SIGTERM, SIGHUP, the terminal lost)."""
        super().exit(result, return_code, message)
        self.bound_the_exit()

    def bound_the_exit(self) -> None:
        """The process (a terminal's or a browser tab's) ends within `EXIT_DEADLINE_SECONDS`,
        even if the exit cannot finish."""
        if self.ends_process:
            end_within(EXIT_DEADLINE_SECONDS, lambda: self.return_code or 0)

    async def on_event(self, event: events.Event) -> None:
        if self._exit and isinstance(event, (events.Key, events.Paste)):
            return  # still arriving after the quit (the rest of a paste): nobody reads it
        await super().on_event(event)

    def exit_on_signals(self) -> None:
        """SIGTERM and SIGHUP (the terminal was closed) end the app as quitting does.

        Python's default for both ends the process at once: the terminal stays in the
        app's mode and the reading state is closed uncleanly. Through the event loop the
        app unmounts as usual: marks saved, the terminal restored, exit status 0.

        The handler is Python's, not the event loop's: Python runs it between two bytecodes
        of the main thread, where the loop's would wait behind every callback queued before
        it (each key of a paste is one), so the exit's deadline starts at the signal.
        """
        loop = asyncio.get_running_loop()

        def signalled(number: int, frame: FrameType | None) -> None:
            self.bound_the_exit()
            loop.call_soon_threadsafe(self.exit)

        for name in ("SIGTERM", "SIGHUP"):  # Windows has no SIGHUP
            if hasattr(signal, name):
                number = getattr(signal, name)
                try:
                    self.signals_before[number] = signal.signal(number, signalled)
                except ValueError:
                    return  # off the main thread: Python's defaults stay

    def on_unmount(self) -> None:
        for number, before in self.signals_before.items():  # a test's process goes on
            signal.signal(number, signal.SIG_DFL if before is None else before)

    def get_default_screen(self) -> Screen[None]:
        return FeedScreen(
            self.loader,
            state_path=self.state_path,
            read_after=self.read_after,
            settings=self.settings,
            watch=self.follow_changes,
        )

    @property
    def feed(self) -> FeedScreen:
        """The feed's screen (under any help or question shown over it)."""
        return cast(FeedScreen, self.screen_stack[0])

    def action_help(self) -> None:
        from reader.ui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap_in_force))

    # --- the theme ----------------------------------------------------------------------

    def start_theme(self, remembered: str | None) -> None:
        """The config's theme, else the one last picked; from then on a pick is remembered."""
        configured = self.settings.theme
        if configured and configured not in self.available_themes:
            origin = self.settings.origin or "the config"
            self.notices.append(f"{origin}: key 'theme': {configured!r} is not a theme")
            configured = None
        # A remembered theme may be gone too (one a newer Textual dropped): then the default.
        wanted = configured or remembered
        if wanted in self.available_themes:
            self.theme = wanted
        self.theme_changed_signal.subscribe(self, self.remember_theme)

    def remember_theme(self, theme: Theme) -> None:
        # The config's theme is not a pick (its change at start is published too): keeping it
        # would outlive the config line that set it.
        if theme.name != self.settings.theme:
            self.feed.store.set_setting(THEME_SETTING, theme.name)

    def tell_notices(self) -> None:
        """Say once what was wrong at start (the config file, the keys, the theme)."""
        notices, self.notices = self.notices, []
        if notices:
            notice = problems_notice(notices, self.settings.origin)
            self.tell(notice, severity="warning", timeout=10)

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
        if self.is_web:
            # In a browser tab (`reader serve`) the driver asks the page to open a new tab:
            # there is no local browser to start and nothing to wait for.
            super().open_url(url)
            self.opened(url, on_opened)
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

    def copied_note(self) -> str:
        """What to add to "Copied …": a browser gives the clipboard to secure pages only."""
        from reader.serve import served_to_this_machine

        if self.is_web and not served_to_this_machine():
            return " (unless this page is https or localhost, the browser refuses the copy)"
        return ""

    # --- notifications ----------------------------------------------------------------

    def tell(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        """A notification whose text is never parsed as markup."""
        self.notify(line(message).plain, severity=severity, markup=False, timeout=timeout)  # type: ignore[arg-type]
