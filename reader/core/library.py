"""The articles of an open feed, as the app sees them: summaries in memory, details on demand."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from reader.core.model import Article, ArticleSummary, summarize
from reader.core.ordering import DEFAULT_ORDER, sort_articles
from reader.core.query.index import SearchIndex
from reader.core.topics import in_topic

DetailSource = Callable[[str], Article | None]


class Library:
    """Holds the feed's summaries, sorted views of them, and a way to fetch a full article."""

    def __init__(self) -> None:
        self.summaries: list[ArticleSummary] = []
        # Lookups by id and by URL, built on first use: a warm start of 100,000 articles
        # should not pay for them before the first row is drawn.
        self._by_id_cache: dict[str, ArticleSummary] | None = None
        self._by_url_cache: dict[str, str] | None = None
        self._details: dict[str, Article] = {}
        self._detail_source: DetailSource | None = None
        self._sorted: dict[str, list[ArticleSummary]] = {}
        self._indexes: dict[str, SearchIndex] = {}

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

    def add_summaries(self, summaries: Iterable[ArticleSummary]) -> None:
        """Add (or replace, by id) summaries."""
        new = list(summaries)
        if self.summaries:
            replaced = {s.id for s in new} & self._by_id().keys()
            if replaced:
                self.summaries = [s for s in self.summaries if s.id not in replaced]
        self.summaries.extend(new)
        self._changed()

    def replace_all(
        self, summaries: Sequence[ArticleSummary], details: Iterable[Article] = ()
    ) -> None:
        """Swap in a whole new set of articles (a reload)."""
        self.summaries = list(summaries)
        self._details = {a.id: a for a in details}
        self._changed()

    def remove(self, article_id: str) -> None:
        """Drop one article (a file deleted while it was shown, once the user moves on)."""
        self.summaries = [s for s in self.summaries if s.id != article_id]
        self._details.pop(article_id, None)
        self._changed()

    def _changed(self) -> None:
        self._by_id_cache = self._by_url_cache = None
        self._sorted.clear()
        self._indexes.clear()

    def _by_id(self) -> dict[str, ArticleSummary]:
        if self._by_id_cache is None:
            self._by_id_cache = {s.id: s for s in self.summaries}
        return self._by_id_cache

    def _by_url(self) -> dict[str, str]:
        if self._by_url_cache is None:
            self._by_url_cache = {s.url: s.id for s in self.summaries if s.url}
        return self._by_url_cache

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
        """The id of the feed's article at this URL, if there is one."""
        return self._by_url().get(url) if url else None

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
            index = self._indexes[order] = SearchIndex(articles)
        return index

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
