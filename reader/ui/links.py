"""The one gate every URL goes through, and the browser started off the event loop.

`LinkGate.open` refuses a URL `check_url` refuses; else it starts the browser in a thread
worker of the node that asked, which posts `LinkOpened` or `LinkFailed` to that node (the
messages bubble up to the app, which says them). In a browser tab (`reader serve`) the page
opens a new tab instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from textual.message import Message

from reader.core.sanitize import UnsafeUrl, check_url

BrowserOpener = Callable[[str], bool]


@dataclass
class LinkOpened(Message):
    """The browser took the URL; `article_id`: the feed's article it is (it becomes read)."""

    url: str
    article_id: str | None = None


@dataclass
class LinkFailed(Message):
    """The URL was refused, or the browser failed: what to say, and how loudly."""

    text: str
    severity: str = "error"


class Asker(Protocol):
    """The node a link is opened for: it runs the browser's thread and hears how it went."""

    def post_message(self, message: Message) -> bool: ...

    def run_worker(self, work: Callable[[], None], *, thread: bool, group: str) -> object: ...


class LinkGate:
    """Opens links with the configured browser (or a browser tab's own), after the check."""

    def __init__(
        self,
        browser: BrowserOpener,
        *,
        in_page: Callable[[], bool],
        open_in_page: Callable[[str], None],
    ) -> None:
        self.browser = browser
        self.in_page = in_page  # whether the app runs in a browser tab
        self.open_in_page = open_in_page  # the driver's, there

    def open(self, raw_url: str | None, asker: Asker, article_id: str | None = None) -> None:
        try:
            url = check_url(raw_url)
        except UnsafeUrl as refused:
            asker.post_message(LinkFailed(f"Not opened: {refused}", "warning"))
            return
        if self.in_page():
            # There is no local browser to start and nothing to wait for.
            self.open_in_page(url)
            asker.post_message(LinkOpened(url, article_id))
            return
        asker.run_worker(lambda: self.launch(url, article_id, asker), thread=True, group="browser")

    def launch(self, url: str, article_id: str | None, asker: Asker) -> None:
        """In a thread: `webbrowser` may block for seconds."""
        try:
            opened = self.browser(url)
        except Exception as error:  # noqa: BLE001 - any browser failure is a notification
            asker.post_message(LinkFailed(f"The browser failed: {error}"))
            return
        if opened is False:
            asker.post_message(LinkFailed("No browser could be started (set $BROWSER)"))
        else:
            asker.post_message(LinkOpened(url, article_id))


def copied_note(in_page: bool) -> str:
    """What to add to "Copied …": a browser gives the clipboard to secure pages only."""
    if not in_page:
        return ""
    from reader.serve import served_to_this_machine

    if not served_to_this_machine():
        return " (unless this page is https or localhost, the browser refuses the copy)"
    return ""
