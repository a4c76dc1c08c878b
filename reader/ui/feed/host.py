"""What the feed screen's parts ask of the screen (a protocol: no part imports the screen).

The screen coordinates: it holds the view, the marks and the widgets, redraws, and says
things. A part gets the screen as a `FeedHost` and asks only what is named here.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Protocol, TypeVar

from textual.app import App
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker

from reader.core.library import Library
from reader.core.marks import Marks
from reader.core.model import Article, ArticleSummary
from reader.core.storage.state import StateStore
from reader.core.view import FeedView
from reader.ui.commands import Keymap

W = TypeVar("W", bound=Widget)


class FeedHost(Protocol):
    """The feed screen, as its parts see it."""

    view: FeedView
    store: StateStore
    marks: Marks
    keymap: Keymap
    feed_name: str

    @property
    def app(self) -> App[Any]: ...

    @property
    def library(self) -> Library: ...

    @property
    def selected(self) -> Article | None: ...

    @property
    def focused(self) -> Widget | None: ...

    def has_class(self, *class_names: str) -> bool: ...

    def toggle_class(self, *class_names: str) -> object: ...

    def query_one(self, selector: type[W]) -> W: ...

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer: ...

    def run_worker(
        self,
        work: Callable[[], None] | Coroutine[Any, Any, None],
        *,
        thread: bool = ...,
        group: str,
        exclusive: bool = ...,
    ) -> Worker[None]: ...

    def post_message(self, message: Message) -> bool: ...

    def call_later(self, callback: Callable[..., object], *args: Any) -> bool: ...

    def call_after_refresh(self, callback: Callable[..., object], *args: Any) -> bool: ...

    def tell(self, message: str, *, severity: str = ..., timeout: float | None = ...) -> None: ...

    def current_summary(self) -> ArticleSummary | None: ...

    def refresh_view(self, keep_id: str | None = None, *, rest_later: bool = False) -> None: ...

    def refresh_marks(self) -> None: ...

    def update_header(self) -> None: ...
