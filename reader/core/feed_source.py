"""The feed as `reader list` and `reader check` read it: through the index cache, as the app
does (only new and changed files parsed, deleted ones dropped), or every file parsed afresh.

Either way the answer is the same: the articles `load_feed` gives, with the same problems
in the same order (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.core.library import Library
from reader.core.loader import load_feed
from reader.core.model import Article, ArticleSummary, Problem, ProblemsMixin
from reader.core.ordering import DEFAULT_ORDER

if TYPE_CHECKING:
    from reader.core.storage.cache import FeedCache
    from reader.core.storage.cache.listing_order import StoredList


@dataclass(slots=True)
class OpenedFeed(ProblemsMixin):
    """A feed's articles (in a `Library`) and every problem its files have."""

    library: Library
    problems: list[Problem]
    files: int  # 0 only when the feed holds no article file at all
    skipped: int  # files that gave no article (each has an error in `problems`)
    feed_missing: bool = False
    notices: list[str] = field(default_factory=list)  # about the cache file, for stderr
    # Many full articles in one go (the cache's one query), else one `library.article` each.
    fetch_many: Callable[[Iterable[str]], dict[str, Article]] | None = None
    # The stored JSON fields of the articles at these paths (see `cache.listing`), by path.
    stored_json: Callable[[Sequence[str]], dict[str, bytes]] | None = None
    # The feed's stories (each a sorted tuple of ids), worked out when first asked for.
    story_groups: Callable[[], list[tuple[str, ...]]] = list
    # Set (and `library` left empty) when `open_feed` was asked for the stored list and the
    # cache could give it: the whole feed in DEFAULT_ORDER, as `reader list` prints it.
    stored_list: StoredList | None = None

    def articles(self, summaries: Sequence[ArticleSummary]) -> list[Article]:
        """The full articles of these summaries, in their order."""
        ids = [summary.id for summary in summaries]
        found = self.fetch_many(ids) if self.fetch_many and len(ids) > FETCH_MANY_FROM else {}
        return [a for i in ids if (a := found.get(i) or self.library.article(i)) is not None]


# Below this many, one query per article beats reading every detail row of the feed.
FETCH_MANY_FROM = 100


@contextmanager
def open_feed(
    path: Path, *, cache_path: Path | None, use_cache: bool, stories: bool = True,
    stored: bool = False,
) -> Iterator[OpenedFeed]:  # fmt: skip
    """The feed at `path`; full articles are fetched from the cache while the block runs.

    `cache_path` None: the default cache file (see `default_cache_path`). `stories` false:
    no story is looked for (the cache keeps no story keys; every article stands alone).
    `stored`: the stored list instead of the summaries when the cache can give it (see
    `OpenedFeed.stored_list`).
    """
    if not use_cache:
        yield _loaded_feed(path, stories=stories)
        return
    # Imported here: `--no-cache` needs no SQLite.
    from reader.core.storage.cache import FeedCache

    with FeedCache.open(cache_path, path) as cache:
        cache.stories = stories
        listed = cache.stored_list() if stored else None
        yield _synced_feed(cache) if listed is None else _stored_feed(cache, listed)


def _synced_feed(cache: FeedCache) -> OpenedFeed:
    """The feed's summaries after a sync of its cache (in DEFAULT_ORDER when it keeps that)."""
    result = cache.sync()
    library = Library()
    library.add_summaries(result.summaries)
    library.set_detail_source(cache.article)
    in_order = cache.cached_sorted()  # as the app does: no sort of 100,000 articles
    if in_order is not None:
        library.set_sorted(DEFAULT_ORDER, in_order)
    # Every file gives an article, an error (it is skipped) or loses to a duplicate.
    skipped = len({problem.path for problem in result.errors})
    return OpenedFeed(
        library,
        result.problems,
        files=len(result.summaries) + skipped,
        skipped=0 if result.feed_missing else skipped,
        feed_missing=result.feed_missing,
        notices=cache.notices,
        fetch_many=cache.articles,
        stored_json=cache.listings,
        story_groups=lambda: _cached_stories(cache),
    )


def _stored_feed(cache: FeedCache, listed: StoredList) -> OpenedFeed:
    """The feed as its stored list (no file changed since the last sync): no summary made."""
    problems = cache.cached_problems(duplicates=False)  # a merged snapshot has none
    feed = OpenedFeed(Library(), problems, 0, 0, notices=cache.notices, stored_list=listed)
    feed.skipped = len({problem.path for problem in feed.errors})
    feed.files = len(listed.ids) + feed.skipped
    feed.story_groups = lambda: _cached_stories(cache)
    return feed


def _loaded_feed(path: Path, *, stories: bool) -> OpenedFeed:
    """The feed at `path` parsed whole, with no cache (`--no-cache`)."""
    feed = load_feed(path)
    library = Library()
    library.add_articles(feed.articles)
    opened = OpenedFeed(library, feed.problems, feed.files, feed.skipped, feed.feed_missing)
    if stories:
        opened.story_groups = lambda: _group(feed.articles)
    return opened


def _cached_stories(cache: FeedCache) -> list[tuple[str, ...]]:
    import sqlite3

    try:
        return cache.story_groups()
    except sqlite3.Error:  # the cache failed under us: the list goes on, each article alone
        return []


def _group(articles: Sequence[Article]) -> list[tuple[str, ...]]:
    from reader.core.stories.features import keys_of
    from reader.core.stories.grouping import group

    return group(keys_of(article) for article in articles)
