"""Shared helpers for the Pilot tests of the reader app.

One place builds a `ReaderApp` (`make_app`), so that when the constructor gains keyword
arguments (a state path, a cache) only this file changes. The browser is always a
recorder: no test may start a real browser.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml
from textual.command import CommandList
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from reader.ui.app import ReaderApp

REPO = Path(__file__).resolve().parent.parent
SAMPLE_FEED = REPO / "sample_feed"
SAMPLE_COUNT = 48
SIZE = (120, 40)
LOAD_TIMEOUT = 10.0


class BrowserRecorder:
    """Stands in for `webbrowser.open`: remembers every URL and reports success."""

    def __init__(self, result: bool = True) -> None:
        self.urls: list[str] = []
        self.result = result

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return self.result


def make_app(
    feed_path: Path = SAMPLE_FEED,
    *,
    state_path: Path,
    browser: Any = None,
    **options: Any,
) -> ReaderApp:
    """The one place a test builds the app.

    `state_path` is required so that no test reads or writes the user's reading state;
    `browser` defaults to a fresh `BrowserRecorder`; `watch` defaults to False.
    """
    opener = browser if browser is not None else BrowserRecorder()
    # Following the folder is the watch tests' own: elsewhere a test's file edits must not
    # race a resync it did not ask for.
    options.setdefault("watch", False)
    return ReaderApp(feed_path, browser=opener, state_path=state_path, **options)


def recorder_of(app: ReaderApp) -> BrowserRecorder:
    """The recorder `make_app` gave the app."""
    assert isinstance(app.browser, BrowserRecorder)
    return app.browser


def app_of(pilot: Pilot[None]) -> ReaderApp:
    """The app a pilot drives, as the `ReaderApp` it is (Textual types it as any `App`)."""
    assert isinstance(pilot.app, ReaderApp)
    return pilot.app


def focused(app: ReaderApp) -> Widget | None:
    """The focused widget, read afresh: after `assert app.focused is x`, mypy takes
    `app.focused` to be `x`'s type even once a key press has moved the focus on."""
    return app.focused


async def wait_loaded(pilot: Pilot[None], timeout: float = LOAD_TIMEOUT) -> None:
    """Wait until the feed has been loaded in its worker and the view refreshed."""
    app = app_of(pilot)
    deadline = time.monotonic() + timeout
    while not (app.is_running and app.screen_stack and getattr(app.feed, "loaded", False)):
        assert time.monotonic() < deadline, "the feed did not load in time"
        await app.workers.wait_for_complete()
        await pilot.pause(0.01)
    await pilot.pause()


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str, timeout: float = LOAD_TIMEOUT
) -> None:
    """Let the app run until `condition()` holds; fail, saying `what` was awaited, after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        await pilot.pause(0.01)
    await pilot.pause()


async def rest_shown(pilot: Pilot[None]) -> None:
    """Wait for the sidebar and the detail, which follow the list once typing pauses."""
    await pilot.pause()
    app = app_of(pilot)
    await wait_until(pilot, lambda: not app.feed.rest_pending, "the sidebar and detail drawn")


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish (the browser runs in one) and their messages be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def article_file(
    title: str,
    url: str | None = "https://example.com/a",
    *,
    topics: Iterable[str] = (),
    provider: str = "Example News",
    quality: int | None = 50,
    published: str = "2024-01-01T12:00:00Z",
    related: Iterable[Mapping[str, Any]] = (),
    body: str = "Body text.",
) -> str:
    """The text of one article file: YAML front matter (safely quoted) and a body."""
    data: dict[str, Any] = {"title": title, "publishedDateTime": published, "type": "article"}
    if url is not None:
        data["webUrl"] = url
    if quality is not None:
        data["quality"] = quality
    data["provider"] = {"name": provider, "domain": "example.com"}
    if topics:
        data["topics"] = list(topics)
    if related:
        data["related"] = [dict(link) for link in related]
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n\n{body}\n"


def write_feed(folder: Path, articles: Iterable[str]) -> Path:
    """Write article texts (see `article_file`) as files of a new feed folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, text in enumerate(articles):
        (folder / f"{index:03d}.md").write_text(text, encoding="utf-8")
    return folder


def notification_texts(app: ReaderApp) -> list[str]:
    """The messages of the notifications currently shown."""
    return [notification.message for notification in app._notifications]


def rendered_text(widget: Widget, y: int) -> str:
    """The text of line `y` of a widget as it would be drawn."""
    return widget.render_line(y).text


def plain_text(widget: Widget) -> str:
    """The plain text of a Static's content (a query returns a `Widget`: it must be a Static)."""
    assert isinstance(widget, Static), widget
    visual = widget.visual
    return getattr(visual, "plain", str(visual))


@asynccontextmanager
async def loaded_app(app: ReaderApp, size: tuple[int, int] = SIZE) -> AsyncIterator[Pilot[None]]:
    """Run the app headless at `size` and yield its pilot once the feed has loaded."""
    async with app.run_test(size=size) as pilot:
        await wait_loaded(pilot)
        yield pilot


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type `text` key by key into whatever has the focus."""
    await pilot.press(*text)


async def palette_prompts(pilot: Pilot[None], text: str) -> list[str]:
    """Open the command palette, type `text`, and return the first line of every hit."""
    await pilot.press("ctrl+p")
    await type_text(pilot, text)
    await settle(pilot)
    command_list = pilot.app.screen.query_one(CommandList)
    prompts = [command_list.get_option_at_index(i).prompt for i in range(command_list.option_count)]
    return [getattr(prompt, "plain", str(prompt)).split("\n")[0] for prompt in prompts]


# The `read_after` that hands the dwell timer to a `DwellClock`: no other timer of the app
# waits an hour, so no other is held.
HELD_DWELL = 3600.0


class HeldTimer:
    """A dwell timer held by a `DwellClock`: it fires when the clock says its time is up."""

    def __init__(self, callback: Callable[[], object]) -> None:
        self.callback = callback
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


class DwellClock:
    """The dwell's clock, in the test's hand: `elapse()` is "the dwell period went by".

    An app made with `read_after=HELD_DWELL` starts its dwell timers here (see the
    `dwell_clock` fixture) instead of on the event loop, so a test says exactly when a dwell
    ends: no wait that a slow machine could make too short, nothing read behind its back.
    """

    def __init__(self) -> None:
        self.timers: list[HeldTimer] = []

    def hold(self, callback: Callable[[], object]) -> HeldTimer:
        timer = HeldTimer(callback)
        self.timers.append(timer)
        return timer

    @property
    def running(self) -> int:
        """How many dwell timers are started and neither stopped nor fired."""
        return sum(not timer.stopped for timer in self.timers)

    async def elapse(self, pilot: Pilot[None]) -> int:
        """Fire every dwell timer still running, as if its time were up; how many fired."""
        due = [timer for timer in self.timers if not timer.stopped]
        self.timers = []
        for timer in due:
            timer.stopped = True
            timer.callback()
        await pilot.pause()
        return len(due)
