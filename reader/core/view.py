"""FeedView: what the main screen and `reader list` show of a feed, worked out in one place.

Given the articles (a `Library`), the reading state and the view settings (order, sidebar
entry, query, hide-read, and the pinned article), a view answers what the list shows
(`articles`), the sidebar's entries with their counts (`sidebar`) and the header's counts
(`counts`). The app and `reader list --query/--sort` both ask it, so what the screen shows
and what the command line prints cannot drift apart.

The settings are plain attributes: change one and the next answer follows it. Answers are
remembered until something they depend on changes: the library's sorted list (a new list
after every change to the articles), the query object, the settings, and the read or
starred ids when the answer depends on them. A mark change costs nothing when the view
does not depend on marks. The state must hand out a new `read_ids()`/`starred_ids()` object
after a change, as `StateStore` does (it keeps one frozenset until the next change).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from reader.core.library import Library
from reader.core.model import ArticleSummary
from reader.core.ordering import DEFAULT_ORDER
from reader.core.query import Query
from reader.core.topics import ALL, STARRED, UNREAD, TopicCount, in_topic, sidebar_entries

T = TypeVar("T")


class ReadingState(Protocol):
    """What a view reads of the reading state (`StateStore` is one)."""

    def is_read(self, article_id: str) -> bool: ...

    def is_starred(self, article_id: str) -> bool: ...

    def read_ids(self) -> frozenset[str] | set[str]: ...

    def starred_ids(self) -> frozenset[str] | set[str]: ...


@dataclass(frozen=True, slots=True)
class ViewCounts:
    """The header's numbers: articles the list shows, in the feed, and unread in the feed."""

    shown: int
    total: int
    unread: int


class _Remembered(Generic[T]):
    """One answer and what it was computed from: objects by identity, settings by value."""

    def __init__(self) -> None:
        # (objects, settings, value); the objects are held, so that no id is reused
        self._memo: tuple[tuple[Any, ...], tuple[Any, ...], T] | None = None

    def get(
        self, objects: tuple[Any, ...], settings: tuple[Any, ...], compute: Callable[[], T]
    ) -> T:
        memo = self._memo
        if (
            memo is None
            or len(memo[0]) != len(objects)
            or any(a is not b for a, b in zip(memo[0], objects, strict=True))
            or (memo[1] != settings)
        ):
            memo = self._memo = (objects, settings, compute())
        return memo[2]


class FeedView:
    """The articles, sidebar and counts of one feed under the current view settings.

    Attributes:
        library: The feed's articles.
        state: The reading state (read and starred marks).
        order: The sort order (see `reader.core.ordering.SORT_ORDERS`).
        topic: The sidebar entry: `ALL`, `UNREAD`, `STARRED`, `NO_TOPIC` or a `topic_key`.
        query: The parsed filter query, or None for none.
        hide_read: Whether read articles are left out.
        pinned: An article id shown whatever the filters say (the one just read with read
            articles hidden, the target of a jump); cleared by `articles()` once the
            article is gone from the feed.
        pin_hidden: Set by `articles()`: the list shows the pinned article only because it
            is pinned.
    """

    def __init__(
        self,
        library: Library,
        state: ReadingState,
        *,
        order: str = DEFAULT_ORDER,
        topic: str = ALL,
        query: Query | None = None,
        hide_read: bool = False,
        pinned: str | None = None,
    ) -> None:
        self.library = library
        self.state = state
        self.order = order
        self.topic = topic
        self.query = query
        self.hide_read = hide_read
        self.pinned = pinned
        self.pin_hidden = False
        self._filtered: _Remembered[list[ArticleSummary]] = _Remembered()
        self._shown: _Remembered[tuple[list[ArticleSummary], bool, str | None]] = _Remembered()
        self._sidebar: _Remembered[list[TopicCount]] = _Remembered()
        self._unread: _Remembered[int] = _Remembered()

    # --- what depends on marks ----------------------------------------------------------

    def uses_marks(self) -> bool:
        """Whether a read or star change can change which articles the list shows."""
        return (
            self.hide_read
            or self.topic in (UNREAD, STARRED)
            or bool(self.query and self.query.uses_marks)
        )

    def in_entry(self, article: ArticleSummary, key: str) -> bool:
        """Whether the article belongs to the sidebar entry `key` (Unread and Starred too)."""
        if key == UNREAD:
            return not self.state.is_read(article.id)
        if key == STARRED:
            return self.state.is_starred(article.id)
        return in_topic(article, key)

    # --- the answers --------------------------------------------------------------------

    def filtered(self) -> list[ArticleSummary]:
        """In the order, passing the query and the hide-read choice (any sidebar entry).

        What the sidebar counts; the list shows the part of it in the chosen entry.
        """
        query = self.query if self.query is not None and not self.query.is_empty else None
        marks = query is not None and query.uses_marks
        objects = (
            self.library.sorted(self.order), query,
            self.state.read_ids() if self.hide_read or marks else None,
            self.state.starred_ids() if marks else None,
        )  # fmt: skip
        return self._filtered.get(
            objects, (self.order, self.hide_read), lambda: self._filter(query)
        )

    def _filter(self, query: Query | None) -> list[ArticleSummary]:
        articles = self.library.sorted(self.order)
        if query is not None:
            articles = query.filter(articles, self.state, self.library.search_index(self.order))
        if self.hide_read:
            read = self.state.read_ids()
            articles = [a for a in articles if a.id not in read]
        return articles

    def articles(self) -> list[ArticleSummary]:
        """What the list shows: the filtered articles of the sidebar entry, plus the pinned one."""
        objects = (
            self.filtered(),
            self.state.read_ids() if self.topic == UNREAD else None,
            self.state.starred_ids() if self.topic == STARRED else None,
        )
        shown, self.pin_hidden, self.pinned = self._shown.get(
            objects, (self.topic, self.pinned), self._with_pinned
        )
        return shown

    def _with_pinned(self) -> tuple[list[ArticleSummary], bool, str | None]:
        """The articles shown, whether the pinned one is there only for being pinned, the pin."""
        filtered, pinned = self.filtered(), self.pinned
        visible = (
            filtered if self.topic == ALL else [a for a in filtered if self.in_entry(a, self.topic)]
        )
        if pinned is None or any(a.id == pinned for a in visible):
            return visible, False, pinned
        if self.library.summary(pinned) is None:
            return visible, False, None  # gone from the feed
        keep = {a.id for a in visible}
        keep.add(pinned)
        return [a for a in self.library.sorted(self.order) if a.id in keep], True, pinned

    def sidebar(self) -> list[TopicCount]:
        """All, Unread, Starred, then each topic, counting the filtered articles."""
        read, starred = self.state.read_ids(), self.state.starred_ids()
        filtered = self.filtered()
        return self._sidebar.get(
            (filtered, read, starred), (), lambda: sidebar_entries(filtered, read, starred)
        )

    def unread_total(self) -> int:
        """Unread articles in the whole feed (whatever the filters say)."""
        read, summaries = self.state.read_ids(), self.library.summaries
        # `summaries` grows in place as batches arrive: its length is part of the key.
        return self._unread.get(
            (read, summaries),
            (len(summaries),),
            lambda: sum(1 for a in summaries if a.id not in read),
        )

    def counts(self) -> ViewCounts:
        """What the header shows: the list's length, the feed's size, the feed's unread."""
        return ViewCounts(len(self.articles()), len(self.library), self.unread_total())
