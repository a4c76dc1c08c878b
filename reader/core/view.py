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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from reader.core.config import SavedSearch
from reader.core.library import Library
from reader.core.model import ArticleSummary
from reader.core.ordering import DEFAULT_ORDER
from reader.core.stories.counts import StoryCounts
from reader.core.stories.rows import StoryIndex, StoryRows, story_rows
from reader.core.topics import (
    ALL,
    NO_TOPIC,
    STARRED,
    UNREAD,
    Ids,
    TopicColumns,
    TopicCount,
    count_topics,
    in_feed_order,
    in_topic,
    is_search_key,
    search_key,
    sidebar_entries,
)

# The query language is imported where a query is parsed: a view with no query (the app's
# first frame) does not need it.
if TYPE_CHECKING:
    from reader.core.query import Query
    from reader.core.query.compile import TextMatcher

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


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """A saved search as the sidebar has it: its query, or why that does not parse."""

    key: str
    name: str
    text: str
    query: Query | None
    error: str | None = None


def search_entries(searches: Sequence[SavedSearch]) -> tuple[SearchEntry, ...]:
    """The saved searches, parsed; one that does not parse keeps its place and its error."""
    if not searches:
        return ()
    from reader.core.query import QueryError, parse_query

    entries = []
    for index, search in enumerate(searches):
        try:
            query: Query | None = parse_query(search.query)
            error = None
        except QueryError as problem:
            query, error = None, str(problem)
        entries.append(SearchEntry(search_key(index), search.name, search.query, query, error))
    return tuple(entries)


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


def rows_of_stories(
    shown: Sequence[ArticleSummary], stories: StoryIndex, in_order: Sequence[ArticleSummary]
) -> StoryRows:
    """`story_rows`, with a shortcut for a feed in which no story was found: every article
    shown leads its own row (the loop over 100,000 of them cost a keystroke ~20 ms).

    Measured with stories too: loops in C over the articles shown came out no faster than
    `story_rows`'s own, as each pass reads 100,000 scattered objects.
    """
    if not stories.by_article:
        return StoryRows(list(shown), stories, in_order)
    return story_rows(shown, stories, in_order)


class FeedView:
    """The articles, sidebar and counts of one feed under the current view settings.

    Attributes:
        library: The feed's articles.
        state: The reading state (read and starred marks).
        order: The sort order (see `reader.core.ordering.SORT_ORDERS`).
        topic: The sidebar entry: `ALL`, `UNREAD`, `STARRED`, `NO_TOPIC`, a `topic_key` or
            a saved search's `search_key`.
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
        searches: Sequence[SavedSearch] = (),
        texts: TextMatcher | None = None,
    ) -> None:
        self.library = library
        self.texts = texts  # stored full texts, searched by the query's words too
        self.searches = search_entries(searches)
        self.state = state
        self.order = order
        self.topic = topic
        self.query = query
        self.hide_read = hide_read
        self.pinned = pinned
        self.pin_hidden = False
        self.count_stories = False  # the sidebar counts stories too (the list shows them)
        self._story_counts = StoryCounts()
        self._filtered: _Remembered[list[ArticleSummary]] = _Remembered()
        self._shown: _Remembered[tuple[list[ArticleSummary], bool, str | None]] = _Remembered()
        self._sidebar: _Remembered[list[TopicCount]] = _Remembered()
        self._unread: _Remembered[int] = _Remembered()
        self._ranks: _Remembered[tuple[dict[str, int], dict[str, str]]] = _Remembered()
        self._rows: _Remembered[StoryRows] = _Remembered()
        self._all_rows: _Remembered[StoryRows] = _Remembered()
        self._hits = [_Remembered[frozenset[str]]() for _ in self.searches]

    # --- what depends on marks ----------------------------------------------------------

    def uses_marks(self) -> bool:
        """Whether a read or star change can change which articles the list shows."""
        search = self.search(self.topic)
        return (
            self.hide_read
            or self.topic in (UNREAD, STARRED)
            or bool(self.query and self.query.uses_marks)
            or bool(search and search.query and search.query.uses_marks)
        )

    def in_entry(self, article: ArticleSummary, key: str) -> bool:
        """Whether the article belongs to the sidebar entry `key` (Unread and Starred too)."""
        if key == UNREAD:
            return not self.state.is_read(article.id)
        if key == STARRED:
            return self.state.is_starred(article.id)
        if is_search_key(key):
            return article.id in self.search_hits(key)
        return in_topic(article, key)

    # --- saved searches -----------------------------------------------------------------

    def search(self, key: str) -> SearchEntry | None:
        """The saved search of a sidebar key, or None."""
        return next((entry for entry in self.searches if entry.key == key), None)

    def search_hits(self, key: str) -> frozenset[str]:
        """The ids of the whole feed's articles that the saved search matches (none when its
        query does not parse). Answered with the search index, then remembered."""
        entry = self.search(key)
        if entry is None or entry.query is None:
            return frozenset()
        query, articles = entry.query, self.library.sorted(self.order)
        marks = (self.state.read_ids(), self.state.starred_ids()) if query.uses_marks else ()
        index = self.library.search_index(self.order)
        return self._hits[self.searches.index(entry)].get(
            (articles, *marks),
            (self._texts_generation(),),
            lambda: frozenset(a.id for a in query.filter(articles, self.state, index, self.texts)),
        )

    def _search_counts(
        self, filtered: list[ArticleSummary], read: frozenset[str] | set[str]
    ) -> list[TopicCount]:
        """A sidebar entry per saved search: how many filtered articles it has, how many unread."""
        counts = []
        for entry in self.searches:
            if entry.error is not None:
                counts.append(TopicCount(entry.key, f"{entry.name} (bad query)", 0))
                continue
            hits = self.search_hits(entry.key)
            columns = self._topic_columns()
            if hits and columns is not None and columns.covers(filtered):
                found, unread = columns.in_hits(filtered, hits, read, self.state.starred_ids())
            else:
                mine = [a.id for a in filtered if a.id in hits] if hits else []
                found, unread = len(mine), sum(1 for article_id in mine if article_id not in read)
            counts.append(TopicCount(entry.key, entry.name, found, unread))
        return counts

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
            self.state.starred_ids() if self.hide_read or marks else None,
        )  # fmt: skip
        settings = (self.order, self.hide_read, self._texts_generation())
        return self._filtered.get(objects, settings, lambda: self._filter(query))

    def _texts_generation(self) -> int | None:
        """Changes when a text is stored or forgotten: the answers over the texts are stale."""
        return None if self.texts is None else self.texts.generation

    def _filter(self, query: Query | None) -> list[ArticleSummary]:
        articles = self.library.sorted(self.order)
        if query is not None:
            index = self.library.search_index(self.order)
            articles = query.filter(articles, self.state, index, self.texts)
        if self.hide_read:
            # A starred article is one the user kept: hiding the read ones leaves it.
            read, starred = self.state.read_ids(), self.state.starred_ids()
            articles = [a for a in articles if a.id not in read or a.id in starred]
        return articles

    def articles(self) -> list[ArticleSummary]:
        """What the list shows: the filtered articles of the sidebar entry, plus the pinned one."""
        objects = (
            self.filtered(),
            self.state.read_ids() if self.topic == UNREAD else None,
            self.state.starred_ids() if self.topic == STARRED else None,
            self.search_hits(self.topic) if is_search_key(self.topic) else None,
        )
        shown, self.pin_hidden, self.pinned = self._shown.get(
            objects, (self.topic, self.pinned), self._with_pinned
        )
        return shown

    def pin_hidden_alone(self) -> bool:
        """Whether the list shows the pinned article only, and only for being pinned."""
        shown = self.articles()
        return self.pin_hidden and len(shown) == 1

    def _with_pinned(self) -> tuple[list[ArticleSummary], bool, str | None]:
        """The articles shown, whether the pinned one is there only for being pinned, the pin."""
        filtered, pinned = self.filtered(), self.pinned
        visible = self._in_entry(filtered)
        if pinned is None or any(a.id == pinned for a in visible):
            return visible, False, pinned
        if self.library.summary(pinned) is None:
            return visible, False, None  # gone from the feed
        keep = {a.id for a in visible}
        keep.add(pinned)
        return [a for a in self.library.sorted(self.order) if a.id in keep], True, pinned

    def _in_entry(self, filtered: list[ArticleSummary]) -> list[ArticleSummary]:
        if self.topic == ALL:
            return filtered
        if is_search_key(self.topic):
            hits = self.search_hits(self.topic)
            return [a for a in filtered if a.id in hits]
        return [a for a in filtered if self.in_entry(a, self.topic)]

    def sidebar(self) -> list[TopicCount]:
        """All, Unread, Starred, the saved searches, then each topic, counting the filtered
        articles (and with `count_stories` the stories they make, see `stories.counts`)."""
        read, starred = self.state.read_ids(), self.state.starred_ids()
        filtered = self.filtered()

        def entries() -> list[TopicCount]:
            found = self._article_entries(filtered, read, starred)
            if not self.count_stories:
                return found
            hits = [(e.key, self.search_hits(e.key)) for e in self.searches if e.query]
            stories = self.library.stories
            marks, columns = (read, starred), self.library.counting_story_columns(self.order)
            return self._story_counts.counted(found, filtered, stories, marks, hits, columns)

        # The stories count only when they are shown: a regroup leaves the plain counts be.
        stories = (self.library.stories,) if self.count_stories else ()
        return self._sidebar.get(
            (filtered, read, starred, *stories), (self.count_stories,), entries
        )

    def _article_entries(
        self, filtered: list[ArticleSummary], read: Ids, starred: Ids
    ) -> list[TopicCount]:
        """The sidebar's entries counting articles (not stories), topics in feed order."""
        everything = sidebar_entries(filtered, read, starred, self._topic_columns())
        topics = in_feed_order(everything[3:], self.topic_ranks())
        return [*everything[:3], *self._search_counts(filtered, read), *topics]

    def _topic_columns(self) -> TopicColumns | None:
        """The sidebar's columns of the order's sequence (see `topics.TopicColumns`), or None
        for a plain count (see `Library.counting_columns`)."""
        return self.library.counting_columns(self.order)

    def topic_ranks(self) -> dict[str, int]:
        """Each topic's place by its article count in the whole feed: the sidebar keeps this
        order, so that topics do not move under the cursor as articles are read or hidden."""
        return self._feed_topics()[0]

    def _feed_topics(self) -> tuple[dict[str, int], dict[str, str]]:
        """Every topic of the feed: key -> place by article count, key -> label."""
        articles = self.library.sorted(self.order)

        def count() -> tuple[dict[str, int], dict[str, str]]:
            entries = count_topics(articles, columns=self._topic_columns())
            return {e.key: rank for rank, e in enumerate(entries)}, {
                e.key: e.label for e in entries
            }

        return self._ranks.get((articles,), (), count)

    def entry_name(self, key: str) -> str | None:
        """What the sidebar calls its entry `key` (None for All articles): the header and the
        list's title name the topic or saved search shown."""
        if key == ALL:
            return None
        search = self.search(key)
        if search is not None:
            return search.name
        fixed = {UNREAD: "Unread", STARRED: "Starred", NO_TOPIC: "No topic"}
        return fixed.get(key) or self._feed_topics()[1].get(key, key.removeprefix("topic:"))

    def unread_total(self) -> int:
        """Unread articles in the whole feed (whatever the filters say)."""
        read, summaries = self.state.read_ids(), self.library.summaries
        # `summaries` grows in place as batches arrive: its length is part of the key.
        return self._unread.get(
            (read, summaries),
            (len(summaries),),
            lambda: sum(1 for a in summaries if a.id not in read),
        )

    def story_rows(self) -> StoryRows:
        """What the grouped list shows: a row per story with an article in `articles()`, led
        by its best one there (see `reader.core.stories.rows`). Remembered while the articles
        shown and the stories are the same objects: a redraw after a mark costs nothing."""
        shown, stories, in_order = (
            self.articles(), self.library.stories, self.library.sorted(self.order)
        )  # fmt: skip
        # The whole feed's rows kept apart: a filter cleared shows them again at no cost.
        memo = self._all_rows if shown is in_order else self._rows
        return memo.get(
            (shown, stories, in_order),
            (),
            lambda: rows_of_stories(shown, stories, in_order),
        )

    def counts(self) -> ViewCounts:
        """What the header shows: the list's length, the feed's size, the feed's unread."""
        return ViewCounts(len(self.articles()), len(self.library), self.unread_total())
