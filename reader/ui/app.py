"""The reader app: it assembles. Styles, global keys, the reading state and the theme, the URL
gate and notifications; the feed itself is the `FeedScreen`'s, handed the state and the gate."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar, cast

from rich.console import RenderableType
from textual import constants, events
from textual.app import App
from textual.binding import BindingType
from textual.command import Provider
from textual.driver import Driver
from textual.message import Message
from textual.reactive import Initialize, Reactive
from textual.screen import Screen
from textual.theme import Theme

from reader.core.config import READ_AFTER_SECONDS, Settings, problems_notice
from reader.core.resources import styles_path
from reader.core.storage.state import StateStore
from reader.ui.commands import Keymap, bindings
from reader.ui.ending import EXIT_DEADLINE_SECONDS, DaemonThreads, end_within, exit_on_signals
from reader.ui.feed.fulltext import open_texts
from reader.ui.keymap import build_keymap
from reader.ui.links import BrowserOpener, LinkFailed, LinkGate, LinkOpened
from reader.ui.loading import FeedLoader, app_loader
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.text import tell
from reader.ui.themes import THEME_SETTING, is_theme, not_a_theme
from reader.ui.typed_ahead import TypeAheadApp

# The help screen, the palette's commands, the screenshot, `webbrowser`, the configured browser
# command and `reader serve`'s helpers are imported where they are used: the first frame needs
# none of them.

NARROW_WIDTH = 100
STATE_RETRY_SECONDS = 30.0  # how often marks a failed write kept are tried again
__all__ = ["READ_AFTER_SECONDS", "BrowserOpener", "ReaderApp"]


def default_browser(url: str) -> bool:
    """`webbrowser.open` (it honours $BROWSER), imported at the first link opened."""
    import webbrowser

    return webbrowser.open(url)


def configured_opener(words: tuple[str, ...] | None) -> BrowserOpener:
    """The config's browser command as an opener, else `webbrowser`, which honours $BROWSER
    (tests give the app a recorder instead)."""
    if not words:
        return default_browser
    from reader.core.browser import command_opener

    return command_opener(words)


def starting_theme(settings: Settings, store: StateStore) -> tuple[str | None, str | None]:
    """The theme to start in: the config's, else the one last picked (None: Textual's
    default); and the problem to tell when the config names no theme."""
    configured, problem = settings.theme, None
    remembered = store.get_setting(THEME_SETTING)
    if configured and not is_theme(configured):
        problem = not_a_theme(str(settings.origin or "the config"), configured)
        configured = None
    # A remembered theme may be gone too (one a newer Textual dropped): then the default.
    wanted = configured or remembered
    return (wanted if wanted is not None and is_theme(wanted) else None), problem


def reader_commands() -> type[Provider]:
    """The palette's commands, imported as the palette first opens (Textual's lazy provider)."""
    from reader.ui.command_palette import ReaderCommands

    return ReaderCommands


class StateReplaced(Message):
    """The reading-state file was found damaged after the first frame and replaced (posted
    from the check's thread): the marks shown are the fresh file's."""


def _theme_at_start(app: ReaderApp) -> str:
    return app.theme_at_start or constants.DEFAULT_THEME


class ReaderApp(TypeAheadApp):
    """Reads a local feed from the keyboard."""

    CSS_PATH = str(styles_path() / "app.tcss")
    # Every screen gets `-narrow` under 100 columns (the detail pane goes below the list).
    # Textual types this as an instance variable, so it cannot be marked ClassVar here.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]  # noqa: RUF012
    TITLE = "reader"
    COMMANDS = App.COMMANDS | {reader_commands}
    BINDINGS: ClassVar[list[BindingType]] = bindings("app")
    # The theme is in force from the first parse of the styles: set after the start, Textual
    # would parse every style again with its colours (and the first frame could show the
    # default's). Textual's own reactive, with the start's theme for its first value.
    theme: Reactive[str] = Reactive(Initialize(_theme_at_start))
    input_at = 0.0  # time.monotonic() of the last key or paste

    def __init__(
        self,
        feed_path: Path,
        *,
        browser: BrowserOpener | None = None,
        state_path: Path | None = None,
        cache_path: Path | None = None,
        texts_path: Path | None = None,
        use_cache: bool = True,
        loader: FeedLoader | None = None,
        read_after: float | None = None,
        settings: Settings | None = None,
        notices: tuple[str, ...] = (),
        watch: bool | None = None,
        ends_process: bool = False,
    ) -> None:
        """`loader`: the feed's if made before (else from `cache_path`, `use_cache`). With
        `ends_process` (not in a test) the end after a quit is bounded (`ending`)."""
        self.settings = settings or Settings()
        # Made first, so that the cache is read while the state opens and Textual starts.
        self.loader = loader or app_loader(
            feed_path, cache_path, use_cache, self.settings.group_stories
        )
        theme_problem = self.open_state(state_path)
        super().__init__()
        self.ends_process = ends_process
        self.feed_path = feed_path
        self.state_path = state_path
        self.texts_path = texts_path  # the full texts (None: $READER_TEXTS, else beside the state)
        self.read_after = read_after
        self.notices = list(notices)  # what is wrong in the config, said once the screen is up
        self.keymap_in_force: Keymap = self.configured_keymap()
        self.notices += [theme_problem] if theme_problem else []
        self.browser = browser or configured_opener(self.settings.browser)
        self.links = LinkGate(
            self.browser, in_page=lambda: self.is_web, open_in_page=super().open_url
        )
        # Fold in file changes while running: `--no-watch` or the config's `watch = false` not.
        self.follow_changes = self.settings.watch if watch is None else watch
        self.signals_before: dict[int, signal.Handlers | Callable[..., object] | int | None] = {}

    def open_state(self, state_path: Path | None) -> str | None:
        """The reading state, opened before Textual's own start, which sets up the styles in
        the theme in force (`theme_at_start`); the problem with the config's theme, if any."""
        # Its file's check waits for the first frame (`reader.core.storage.state_check`).
        self.store = StateStore.open(state_path, check_later=True)
        self.theme_at_start, problem = starting_theme(self.settings, self.store)
        return problem

    def configured_keymap(self) -> Keymap:
        """The config's keys in force (its problems noted for the first frame)."""
        keymap = build_keymap(self.settings.keys)
        self.notices += [f"{self.settings.origin}: {problem}" for problem in keymap.problems]
        self.set_keymap(keymap.keymap)
        return keymap.keymap

    def on_mount(self) -> None:
        self.start_state()
        # Textual runs its thread workers in the loop's default executor, whose threads the
        # process waits for at exit: an import stalled on a server would hold it.
        asyncio.get_running_loop().set_default_executor(DaemonThreads())
        self.signals_before = exit_on_signals(self.exit, self.bound_the_exit)

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
        if isinstance(event, (events.Key, events.Paste)):
            if self._exit:
                return  # still arriving after the quit (the rest of a paste): nobody reads it
            self.input_at = time.monotonic()  # background work waits for a pause (LoadView)
        await super().on_event(event)

    def on_unmount(self) -> None:
        self.store.close()
        for number, before in self.signals_before.items():  # a test's process goes on
            signal.signal(number, signal.SIG_DFL if before is None else before)

    def get_default_screen(self) -> Screen[None]:
        """The feed's screen, given the reading state (the app's: opened with it) and the
        stored full texts (the screen's from then on: it makes them at the first fetch)."""
        texts = open_texts(self.texts_path, lambda why: self.tell(why, severity="warning"))
        return FeedScreen(
            self.loader,
            self.store,
            self.links,
            texts=texts,
            texts_path=self.texts_path,
            keymap=self.keymap_in_force,
            read_after=self.read_after,
            settings=self.settings,
            watch=self.follow_changes,
        )

    @property
    def feed(self) -> FeedScreen:
        """The feed's screen (under any help or question shown over it)."""
        return cast(FeedScreen, self.screen_stack[0])

    def deliver_screenshot(self, *args: object, **kwargs: object) -> str | None:
        """The palette's Screenshot, saved where it can be and said where (`ui.screenshot`)."""
        from reader.ui.screenshot import save_screenshot

        saved = save_screenshot(self)
        return None if saved is None else str(saved)

    def action_help(self) -> None:
        from reader.ui.screens.help_screen import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.keymap_in_force))

    # --- the reading state and the theme --------------------------------------------------

    def start_state(self) -> None:
        """Before the first frame: the state's notices, its retries, the theme, the notices."""
        for notice in self.store.notices:
            self.tell(notice, severity="warning")
        # A write failing later (a full disk) is said when it happens, and once.
        self.store.on_notice = lambda notice: self.tell(notice, severity="warning")
        # The file found damaged after the first frame: a fresh one holds the marks now.
        self.store.on_replaced = lambda: self.post_message(StateReplaced())
        # Kept changes are written as soon as the disk takes them again, not only with the next.
        self.set_interval(STATE_RETRY_SECONDS, self.store.retry_pending)
        # The theme is in force already (`theme_at_start`): from now on a pick is remembered.
        self.theme_changed_signal.subscribe(self, self.remember_theme)
        notices, self.notices = self.notices, []
        if notices:  # what was wrong at start (the config file, the keys, the theme), once
            notice = problems_notice(notices, self.settings.origin)
            self.tell(notice, severity="warning", timeout=10)

    def on_state_replaced(self, _: StateReplaced) -> None:
        if self.screen_stack and isinstance(self.screen_stack[0], FeedScreen):
            self.feed.refresh_marks()

    def remember_theme(self, theme: Theme) -> None:
        # The config's theme is not a pick: keeping it would outlive the config line that
        # set it.
        if theme.name != self.settings.theme:
            self.store.set_setting(THEME_SETTING, theme.name)

    # --- links and notices --------------------------------------------------------------

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Every URL Textual itself would open goes through the same gate."""
        self.open_link(url)

    def open_link(self, raw_url: str | None) -> None:
        """Open a URL in the browser if it passes `check_url`, else say why not."""
        self.links.open(raw_url, self)

    def on_link_opened(self, event: LinkOpened) -> None:
        self.tell(f"Opened {event.url}", timeout=2)

    def on_link_failed(self, event: LinkFailed) -> None:
        self.tell(event.text, severity=event.severity)

    def tell(
        self, message: str, *, severity: str = "information", timeout: float | None = None
    ) -> None:
        tell(self, message, severity=severity, timeout=timeout)
