"""Search texts kept in the index cache (cache/search_texts.py) when the cache file goes
wrong under the summaries: deleted, moved aside and rebuilt, closed. The filter keeps
giving the answers of the articles' own texts; no file is made at the cache's path."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from lock_helpers import answers_while_held
from reader.core.model import ArticleSummary, StoredSummary
from reader.core.query import parse_query
from reader.core.storage.cache import FeedCache
from reader.core.storage.sqlite import move_aside


def make_feed(root: Path, word: str, count: int = 3) -> Path:
    """`count` articles whose bodies hold `word` (and their numbers)."""
    root.mkdir()
    for i in range(count):
        (root / f"a{i}.md").write_text(
            f'---\ntitle: "note {i}"\nwebUrl: "https://{root.name}.example/{i}"\n---\n'
            f"{word} number{i}\n",
            encoding="utf-8",
        )
    return root


def built(cache_file: Path, *roots: Path) -> None:
    for root in roots:
        with FeedCache.open(cache_file, root) as cache:
            cache.sync()


def swap_feed_numbers(cache_file: Path, tables: tuple[str, ...], then: str = "") -> None:
    """As a file rebuilt in place: feeds 1 and 2 trade numbers in `tables` (the `feeds`
    table's `id`, the others' `feed`), then the SQL `then`, in one transaction."""
    swap = "UPDATE {0} SET {1} = {1} + 10; UPDATE {0} SET {1} = 13 - {1};"  # 1 <-> 2
    steps = " ".join(swap.format(t, "id" if t == "feeds" else "feed") for t in tables)
    renumber = sqlite3.connect(cache_file, isolation_level=None)
    try:
        renumber.executescript(f"BEGIN; {steps} {then} COMMIT;")
    finally:
        renumber.close()


def matches(text: str, summaries: list[ArticleSummary]) -> int:
    return len(parse_query(text).filter(summaries))


@pytest.fixture
def open_cache(tmp_path: Path) -> Iterator[tuple[FeedCache, list[ArticleSummary], Path]]:
    """A running session's cache of one feed ("banana" in every article), its summaries
    read from the snapshot, and the cache file."""
    root = make_feed(tmp_path / "feed", "banana")
    cache_file = tmp_path / "cache" / "index.db"
    cache_file.parent.mkdir()
    built(cache_file, root)
    cache = FeedCache.open(cache_file, root)
    summaries = cache.cached_summaries()
    assert summaries and all(isinstance(s, StoredSummary) and s.kept_in for s in summaries)
    yield cache, summaries, cache_file
    cache.close()


def test_a_cache_file_deleted_under_the_summaries_still_answers_and_is_not_made_again(
    open_cache: tuple[FeedCache, list[ArticleSummary], Path],
) -> None:
    _, summaries, cache_file = open_cache
    for path in cache_file.parent.iterdir():
        path.unlink()  # the cache folder cleared while the app runs
    assert matches("banana", summaries) == 3
    assert matches('"banana number1"', summaries) == 1
    # An empty file there would be refused as foreign at every later start.
    assert list(cache_file.parent.iterdir()) == []


def test_a_cache_file_replaced_under_the_summaries_answers_for_their_own_feed(
    tmp_path: Path, open_cache: tuple[FeedCache, list[ArticleSummary], Path]
) -> None:
    """Another reader moves the file aside and rebuilds it, numbering other feeds: the
    texts of the summaries are still those of their feed, not of another feed's rows."""
    _, summaries, cache_file = open_cache
    move_aside(cache_file)
    other = make_feed(tmp_path / "other", "cherry")  # the same file names, another word
    built(cache_file, other)
    assert matches("banana", summaries) == 3
    assert matches("cherry", summaries) == 0


def test_after_the_cache_is_closed_and_its_file_gone_the_texts_come_from_the_files(
    open_cache: tuple[FeedCache, list[ArticleSummary], Path],
) -> None:
    cache, summaries, cache_file = open_cache
    cache.close()
    for path in cache_file.parent.iterdir():
        path.unlink()
    assert matches("banana", summaries) == 3
    assert matches("number2", summaries) == 1
    assert list(cache_file.parent.iterdir()) == []


def test_closing_the_cache_closes_the_texts_connection(
    open_cache: tuple[FeedCache, list[ArticleSummary], Path],
) -> None:
    """Its WAL files go with the last connection: none is left open on the file."""
    cache, summaries, cache_file = open_cache
    for _ in range(3):
        summaries = cache.cached_summaries()
        assert matches("banana", summaries) == 3
    cache.close()
    left = [p.name for p in cache_file.parent.iterdir() if p.name != cache_file.name]
    assert left == []
    if os.path.isdir("/proc/self/fd"):  # Linux: no descriptor left on the file either
        names = {os.path.realpath(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")}
        assert str(cache_file.resolve()) not in names


def test_a_cache_file_rebuilt_in_place_numbering_its_feeds_anew_answers_for_their_feed(
    tmp_path: Path,
) -> None:
    """Another reader (of another version) empties the file and builds it again in place:
    the same file, its feeds numbered anew, so that this feed's number is another's."""
    apple, banana = make_feed(tmp_path / "apple", "apple"), make_feed(tmp_path / "banana", "banana")
    cache_file = tmp_path / "index.db"
    built(cache_file, apple, banana)  # feeds 1 and 2
    with FeedCache.open(cache_file, banana) as cache:
        summaries = cache.cached_summaries()
        swap_feed_numbers(cache_file, ("files", "details", "feeds"))
        assert matches("banana", summaries) == 3
        assert matches("apple", summaries) == 0


# --- An article's detail, read as the texts are ----------------------------------------


def test_an_article_is_read_while_a_sync_holds_the_cache(
    open_cache: tuple[FeedCache, list[ArticleSummary], Path],
) -> None:
    """A sync holds the cache's lock while it writes a batch: the detail the screen asks
    for meanwhile (a cold load's first rows) is read on the texts' connection, at once."""
    cache, summaries, _ = open_cache
    first = summaries[0]
    article = cache.article(first.id)
    assert article is not None and "banana" in article.body
    assert answers_while_held(cache._lock, lambda: cache.article(first.id), 2) == [article]
