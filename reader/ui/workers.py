"""Work done in a thread for the feed screen, which hears of it in messages only.

A worker is a plain function run with `run_worker(..., thread=True)`: it gets a `post` (a
node's thread-safe `post_message`) and posts what it has done. Progress messages supersede
each other (`can_replace`): a burst of them while the screen is busy draws only the last.
The import is one; the full-text fetch of one article is the other (`FetchProgressed` /
`FetchDone`), cancelled at once when the app quits (its `Cancel` shuts its socket).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from reader.core.fulltext.fetch import Cancel, Outcome, Target
    from reader.core.fulltext.net import Slots
    from reader.core.importer import ImportReport

Post = Callable[[Message], object]


class Progressed(Message):
    """What a worker is doing now, in a few words (the header shows it): the newest wins."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self)


class ImportProgressed(Progressed):
    """The import's step under way ("Importing https://…")."""


@dataclass
class ImportDone(Message):
    """The import ended: what it wrote and what went wrong."""

    report: ImportReport


def import_feed(source: str, folder: Path, post: Post) -> None:
    """Import `source` (a feed's URL or file, or an OPML list) into the feed folder."""
    from reader.core.importer import import_sources  # feedparser: loaded only to import

    def progressed(text: str) -> None:
        post(ImportProgressed(text))

    post(ImportDone(import_sources([source], folder, on_event=progressed)))


class FetchProgressed(Progressed):
    """The full-text fetch under way ("Fetching the text of https://…")."""


@dataclass
class FetchDone(Message):
    """A full-text fetch ended: the text (not stored yet) or why there is none."""

    article_id: str
    url: str
    outcome: Outcome


def fetch_text(
    target: Target, allow: frozenset[str], slots: Slots, cancel: Cancel, post: Post
) -> None:
    """Fetch one article's page and extract its text (see `fetch_one`: its own deadline)."""
    from reader.core.fulltext.fetch import Outcome, fetch_one  # trafilatura: loaded to fetch

    post(FetchProgressed(f"Fetching the text of {target.url}"))
    try:
        outcome = fetch_one(target, allow=allow, slots=slots, cancel=cancel)
    except Exception as error:  # noqa: BLE001 - a page the extractor chokes on is a notice
        outcome = Outcome(target, reason=f"the page could not be read ({error})")
    post(FetchDone(target.article_id, target.url, outcome))
