"""Every message the load pipeline posts to the feed screen (from its worker thread)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from textual.message import Message

from reader.core.library import Library
from reader.core.model import Article, ArticleSummary, Problem
from reader.core.query.index import WordStore


@dataclass
class LoadProgressed(Message):
    """Files parsed so far out of the files to parse."""

    done: int
    total: int


@dataclass
class Shown(Message):
    """A message the loader waits on until the screen has drawn it (`handled` is set).

    Parsing and stat-ing files in the worker holds the interpreter for long stretches: were
    the loader to go on at once, the screen would draw the cached rows only after the sync.
    """

    handled: threading.Event = field(default_factory=threading.Event, init=False, kw_only=True)


@dataclass
class HeadReady(Shown):
    """The first screenful of the cached feed in the default order, and the feed's size."""

    head: list[ArticleSummary]
    total: int


@dataclass
class CacheOpened(Message):
    """The index cache is open: where details come from, and what it had to say."""

    detail_source: Callable[[str], Article | None]
    notices: list[str]


@dataclass
class CachedLibraryReady(Shown):
    """The cached feed, whole, before the files are checked."""

    library: Library


@dataclass
class BatchParsed(Message):
    """Summaries of freshly parsed files, before the load ends."""

    summaries: list[ArticleSummary]


@dataclass
class FeedLoaded(Message):
    """The load is complete: this is the feed, exactly (`in_order`: its default order, if known)."""

    summaries: list[ArticleSummary]
    problems: list[Problem]
    details: Iterable[Article]
    in_order: list[ArticleSummary] | None
    changes: str | None  # "2 new, 1 changed" after a sync, None without the cache
    # Where the word index of these summaries may be kept, and their version (a sync's).
    kept_words: tuple[WordStore, int] | None = None


@dataclass
class LoadConfirmed(Message):
    """The files matched the cache: the feed on screen is complete."""

    problems: list[Problem]
    changes: str


@dataclass
class FeedChanged(Message):
    """Files changed on disk while the feed was shown (seen by the watcher): the feed now."""

    summaries: list[ArticleSummary]
    problems: list[Problem]
    details: Iterable[Article]
    in_order: list[ArticleSummary] | None
    kept_words: tuple[WordStore, int] | None = None  # as `FeedLoaded`'s


@dataclass
class StoriesFound(Message):
    """The feed's stories (each a sorted tuple of two article ids or more), grouped after a
    load or a change on disk, in the loader's thread."""

    groups: list[tuple[str, ...]]


@dataclass
class FeedGone(Message):
    """The feed folder (or file) no longer exists."""

    problems: list[Problem]
