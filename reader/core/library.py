"""The articles of an open feed, as the app sees them: summaries in memory, details on demand."""

from __future__ import annotations

import operator
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from reader.core.model import (
    Article,
    ArticleSummary,
    KeptUrlHits,
    KeptUrls,
    held_url,
    held_urls,
    places_among,
    summarize,
)
from reader.core.ordering import DEFAULT_ORDER, SORT_KEYS, sort_articles
from reader.core.query.index import SearchIndex, WordStore
from reader.core.stories.counts import StoryColumns
from reader.core.stories.rows import StoryIndex
from reader.core.topics import TopicColumns, in_topic

DetailSource = Callable[[str], Article | None]


class Library:
    """Holds the feed's summaries, sorted views of them, and a way to fetch a full article."""

    def __init__(self) -> None:
        self.summaries: list[ArticleSummary] = []
        # Lookups by id and by URL, built on first use: a warm start of 100,000 articles
        # should not pay for them before the first row is drawn.
        self._by_id_cache: dict[str, ArticleSummary] | None = None
        self._by_url_cache: dict[str, str] | None = None
        self._url_places: set[KeptUrls] = set()  # where the URLs not held are kept
        self._details: dict[str, Article] = {}
        self._detail_source: DetailSource | None = None
        self._sorted: dict[str, list[ArticleSummary]] = {}
        # The sort keys of `_sorted[order]`, in its order: made by the first batch merged into
        # that list (a streamed load), so that each later batch costs its own size, not the feed's.
        self._sort_keys: dict[str, list[tuple[Any, ...]]] = {}
        self._indexes: dict[str, SearchIndex] = {}
        # Where the word indexes of these summaries may be kept, and their version (a
        # sync's: see `SearchIndex`); forgotten when the summaries change.
        self.kept_words: tuple[WordStore, int] | None = None
        self._columns: dict[str, TopicColumns] = {}
        self._story_columns: dict[str, StoryColumns] = {}
        # Batches of a streamed load come in (see `counting_columns`); a whole feed set ends it.
        self.streaming = False
        self.stories = StoryIndex()  # the feed's stories, as the index cache (or a load) found

    def __len__(self) -> int:
        return len(self.summaries)

    def add_articles(self, articles: Iterable[Article], keep_details: bool = True) -> None:
        """Add full articles (kept in memory unless a detail source is set)."""
        summaries = []
        for article in articles:
            if keep_details:
                self._details[article.id] = article
            summaries.append(summarize(article))
        self.add_summaries(summaries)

    def add_summaries(self, summaries: Iterable[ArticleSummary], *, streamed: bool = False) -> None:
        """Add (or replace, by id) summaries; `streamed`: a batch of a streamed load.

        A streamed load adds hundreds of batches to a growing feed: the lookups and the sorted
        lists already made are brought up to date with the batch, not remade from the feed.
        """
        self.streaming = self.streaming or streamed
        new = list(summaries)
        replaced = {s.id for s in new} & self._by_id().keys() if self.summaries else set()
        if replaced:
            self.summaries = [s for s in self.summaries if s.id not in replaced]
            self.summaries.extend(new)
            self._changed()
            return
        self.summaries.extend(new)
        self._added(new)

    def _added(self, new: list[ArticleSummary]) -> None:
        """Fold summaries appended to the feed (none replaced) into what is already made."""
        if self._by_id_cache is not None:
            self._by_id_cache.update((s.id, s) for s in new)
        if self._by_url_cache is not None:
            held = held_urls(new)
            self._by_url_cache.update(_held_urls(new, held))
            self._url_places |= places_among(held)
        # New lists, not grown ones: views remember their answers by the list's identity.
        for order, articles in self._sorted.items():
            self._sorted[order] = self._merged(order, articles, new)
        self._counts_changed()

    def replace_all(
        self, summaries: Sequence[ArticleSummary], details: Iterable[Article] = ()
    ) -> None:
        """Swap in a whole new set of articles (a reload).

        The very summaries held, in their order (the end of a streamed first build: the
        cache hands back those it streamed), keep their sorted lists and lookups: a sort
        of 100,000 articles on the UI thread, as the load ends, for nothing."""
        new = list(summaries)
        same = len(new) == len(self.summaries) and all(map(operator.is_, new, self.summaries))
        self.summaries = new
        self._details = {a.id: a for a in details}
        self.streaming = False
        if same:
            self._counts_changed()
        else:
            self._changed()

    def remove(self, article_id: str) -> None:
        """Drop one article (a file deleted while it was shown, once the user moves on)."""
        self.summaries = [s for s in self.summaries if s.id != article_id]
        self._details.pop(article_id, None)
        self._changed()

    def _merged(
        self, order: str, articles: list[ArticleSummary], new: list[ArticleSummary]
    ) -> list[ArticleSummary]:
        """`articles` (all but `new`, in `order`) with `new` merged in: the list a sort of the
        whole feed gives (the sort is stable and `new` comes after the rest in `summaries`,
        so an equal key goes after the ones already there)."""
        key = SORT_KEYS[order]
        keys = self._sort_keys.get(order)
        if keys is None or len(keys) != len(articles):
            keys = [key(a) for a in articles]
        added = sorted(((key(a), a) for a in new), key=lambda pair: pair[0])
        merged: list[ArticleSummary] = []
        merged_keys: list[tuple[Any, ...]] = []
        start = 0
        for item_key, item in added:
            at = bisect_right(keys, item_key, lo=start)
            merged += articles[start:at]
            merged_keys += keys[start:at]
            merged.append(item)
            merged_keys.append(item_key)
            start = at
        merged += articles[start:]
        merged_keys += keys[start:]
        self._sort_keys[order] = merged_keys
        return merged

    def _changed(self) -> None:
        self._by_id_cache = self._by_url_cache = None
        self._sorted.clear()
        self._sort_keys.clear()
        self._counts_changed()

    def _counts_changed(self) -> None:
        """What a streamed batch remakes too: the search index and the counting columns."""
        self._indexes.clear()
        self._columns.clear()
        self.kept_words = None
        self._story_columns.clear()

    def make_lookups(self) -> None:
        """Build the lookups by id and by URL now: the loading thread calls this, so that the
        first detail drawn (its related links ask which URLs are in the feed) does not build
        them on the UI thread (~80 ms at 100,000 articles)."""
        self._by_id()
        self._by_url()

    def _by_id(self) -> dict[str, ArticleSummary]:
        if self._by_id_cache is None:
            self._by_id_cache = {s.id: s for s in self.summaries}
        return self._by_id_cache

    def _by_url(self) -> dict[str, str]:
        """The held URLs -> their article's id; `_url_places`: where the others are kept."""
        if self._by_url_cache is None:
            held = held_urls(self.summaries)
            self._url_places = places_among(held)
            self._by_url_cache = dict(_held_urls(self.summaries, held))
        return self._by_url_cache

    def set_stories(self, groups: Iterable[tuple[str, ...]]) -> None:
        """The feed's stories: each a tuple of two article ids or more."""
        self.stories = StoryIndex(groups)

    def set_detail_source(self, source: DetailSource | None) -> None:
        """Where full articles come from when they are not kept in memory."""
        self._detail_source = source

    def summary(self, article_id: str) -> ArticleSummary | None:
        return self._by_id().get(article_id)

    def article(self, article_id: str) -> Article | None:
        """The full article, from memory or the detail source."""
        found = self._details.get(article_id)
        if found is None and self._detail_source is not None:
            found = self._detail_source(article_id)
        return found

    def id_for_url(self, url: str | None) -> str | None:
        """The id of the feed's article at this URL, if there is one (the last one, if
        several are: as a map of every URL would say)."""
        if not url:
            return None
        found = self._by_url().get(url)
        if not self._url_places:
            return found
        rows = {row for place in self._url_places for row in place.rows_at_urls((url,))}
        if not rows:
            return found
        by_id = self._by_id()
        kept = [by_id.get(article_id) for _, article_id in rows]
        if found is None and len(kept) == 1 and kept[0] is not None:
            summary = kept[0]  # the one article with this URL, if it is the one at that path
            if summary.path == next(iter(rows))[0] and held_url(summary) in self._url_places:
                return summary.id
        # Rare (several articles have it): which is last, as a map of every URL would say?
        hits = KeptUrlHits(frozenset((url,)))
        return next((s.id for s in reversed(self.summaries) if hits(s)), None)

    def sorted(self, order: str = DEFAULT_ORDER) -> list[ArticleSummary]:
        """All summaries in `order`; computed once per order until the articles change."""
        cached = self._sorted.get(order)
        if cached is None:
            cached = self._sorted[order] = sort_articles(self.summaries, order)
        return cached

    def search_index(self, order: str = DEFAULT_ORDER) -> SearchIndex:
        """A search index over `sorted(order)`, made on first use until that list changes."""
        articles = self.sorted(order)
        index = self._indexes.get(order)
        if index is None or not index.covers(articles):
            index = self._indexes[order] = SearchIndex(articles, self.kept_words)
        return index

    def topic_columns(self, order: str = DEFAULT_ORDER) -> TopicColumns:
        """The sidebar's counting columns of `sorted(order)` (see `topics.TopicColumns`),
        made on first use until that list changes: the loading thread makes them first."""
        articles = self.sorted(order)
        columns = self._columns.get(order)
        if columns is None or columns.articles is not articles:
            columns = self._columns[order] = TopicColumns(articles)
        return columns

    def story_columns(self, order: str = DEFAULT_ORDER) -> StoryColumns:
        """The story counts' columns of `sorted(order)` and the stories (see
        `stories.counts.StoryColumns`), made on first use until either changes."""
        topics = self.topic_columns(order)
        columns = self._story_columns.get(order)
        if columns is None or columns.topics is not topics or columns.stories is not self.stories:
            columns = self._story_columns[order] = StoryColumns(topics, self.stories)
        return columns

    def counting_columns(self, order: str = DEFAULT_ORDER) -> TopicColumns | None:
        """The columns the sidebar counts with, if they pay: not while a load streams in.

        Each streamed batch makes a new sorted list, counted once before the next: making its
        columns (~95 ms at 100,000) then costs more than the plain count they save (~15 ms),
        on the thread that competes with the parsers for the cores."""
        columns = self._columns.get(order)
        if columns is not None and columns.articles is self.sorted(order):
            return columns
        return None if self.streaming else self.topic_columns(order)

    def counting_story_columns(self, order: str = DEFAULT_ORDER) -> StoryColumns | None:
        """The story counts' columns (`story_columns`) when `counting_columns` has its own."""
        return None if self.counting_columns(order) is None else self.story_columns(order)

    def select(
        self,
        order: str = DEFAULT_ORDER,
        topic: str = "all",
        keep: Callable[[ArticleSummary], bool] | None = None,
    ) -> list[ArticleSummary]:
        """The articles to show: in `order`, in the sidebar entry `topic`, passing `keep`."""
        articles = self.sorted(order)
        if topic != "all":
            articles = [a for a in articles if in_topic(a, topic)]
        if keep is not None:
            articles = [a for a in articles if keep(a)]
        return articles

    def set_sorted(self, order: str, articles: list[ArticleSummary]) -> None:
        """All summaries already in `order` (the cache keeps that order): skip that sort."""
        if len(articles) == len(self.summaries):
            self._sorted[order] = articles
            self._sort_keys.pop(order, None)


def _held_urls(
    summaries: Sequence[ArticleSummary], held: list[str | KeptUrls | None]
) -> Iterator[tuple[str, str]]:
    """(URL, id) of the summaries that hold their URL (`held`: their `held_urls`)."""
    if str not in set(map(type, held)):
        return  # none (a warm start's): no loop over them
    for url, summary in zip(held, summaries, strict=True):
        if type(url) is str and url:
            yield url, summary.id
