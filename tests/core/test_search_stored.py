"""The filter's word index kept in the index cache (cache/search_texts.py `store_words`):
made once over a snapshot's summaries, read back at the next start for exactly those
summaries in that order, and made again whenever what is stored cannot be trusted."""

from __future__ import annotations

import shutil
import sqlite3
import zlib
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from test_search_kept_faults import built, make_feed, swap_feed_numbers

from reader.core.model import ArticleSummary
from reader.core.ordering import DEFAULT_ORDER, SORT_ORDERS, sort_articles
from reader.core.query import SearchIndex, parse_query
from reader.core.query import index as index_module
from reader.core.query import words as words_module
from reader.core.query.words import WordIndex, build_word_index, words_from_bytes
from reader.core.storage.cache import FeedCache, search_texts
from reader.core.storage.cache.schema import open_memory
from reader.core.storage.cache.search_texts import CacheTexts

REPO = Path(__file__).resolve().parents[2]
QUERIES = ["robot", "rob", "climate", "-the", "e", '"climate change"', "ai OR zzz", "é"]
Builds = list[int]
EDITED = "2024-06-18-humanoid-robot-start-up-shows-two-armed-model-folding-20-shirts-an-hour.md"
OTHER_ORDER = next(order for order in SORT_ORDERS if order != DEFAULT_ORDER)


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    return Path(shutil.copytree(REPO / "sample_feed", tmp_path / "feed"))


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Builds:
    """How many word indexes were built (not read back), one entry per build."""
    made: Builds = []

    def counted(texts: Sequence[str], go_on: Callable[[], bool] = lambda: True) -> WordIndex | None:
        made.append(len(texts))
        return build_word_index(texts, go_on)

    monkeypatch.setattr(index_module, "build_word_index", counted)
    return made


def warm_start(feed: Path, order: str = DEFAULT_ORDER, sync: bool = True) -> SearchIndex:
    """As the app: sync the feed, then the cached summaries (sorted) and their word index."""
    db = feed.parent / "index.db"
    if sync:
        with FeedCache.open(db, feed) as cache:
            cache.sync(workers=1)
    with FeedCache.open(db, feed) as cache:
        summaries = cache.cached_sorted() if order == DEFAULT_ORDER else None
        if summaries is None:
            summaries = sort_articles(cache.cached_summaries(), order)
    index = SearchIndex(summaries)
    assert index.keeps_texts  # from the snapshot: the case the stored index is for
    assert index.build_words()
    return index


def answers(index: SearchIndex) -> list[list[str]]:
    """Each query's ids, checked to be the scan's (no word index) over the same summaries."""
    found = []
    for text in QUERIES:
        parsed = parse_query(text)
        with_words = [a.id for a in parsed.filter(index.articles, index=index)]
        assert with_words == [a.id for a in parsed.filter(index.articles)]
        found.append(with_words)
    return found


def stored_rows(feed: Path) -> list[tuple[str, int, bytes]]:
    conn = sqlite3.connect(feed.parent / "index.db")
    try:
        return conn.execute("SELECT sequence, generation, data FROM word_indexes").fetchall()
    finally:
        conn.close()


def set_stored(feed: Path, change: Callable[[bytes], bytes]) -> None:
    conn = sqlite3.connect(feed.parent / "index.db")
    try:
        for sequence, _, data in stored_rows(feed):
            conn.execute(
                "UPDATE word_indexes SET data = ? WHERE sequence = ?", (change(data), sequence)
            )
        conn.commit()
    finally:
        conn.close()


def test_a_warm_start_reads_the_word_index_kept_by_the_last(feed: Path, builds: Builds) -> None:
    first = warm_start(feed)
    assert len(builds) == 1
    again = warm_start(feed)
    assert len(builds) == 1  # read back, not built
    assert again.words is not None and first.words is not None
    assert again.words.words == first.words.words
    assert answers(again) == answers(first)
    assert len(stored_rows(feed)) == 1  # not written again


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data[:-1],
        lambda data: data[:100] + bytes([data[100] ^ 1]) + data[101:],  # a bit flipped
        lambda data: data + b"\0",
        lambda data: b"",
        lambda data: b"\x80\x05N.",  # a pickle of None: foreign
        lambda data: data.replace(b"reader-words-1", b"reader-words-9"),  # another format
    ],
)
def test_a_damaged_or_foreign_stored_index_is_made_again(
    feed: Path, builds: Builds, damage: Callable[[bytes], bytes]
) -> None:
    expected = answers(warm_start(feed))
    set_stored(feed, damage)
    again = warm_start(feed, sync=False)
    assert len(builds) == 2  # built again, not read
    assert answers(again) == expected


def test_a_stored_index_of_another_size_is_refused(feed: Path) -> None:
    index = warm_start(feed)
    assert index.words is not None
    data = index.words.to_bytes()
    assert words_from_bytes(data, len(index)) is not None
    assert words_from_bytes(data, len(index) + 1) is None
    assert words_from_bytes(data, len(index) - 1) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda feed: (feed / EDITED).write_text((feed / EDITED).read_text() + "\nzebra\n"),
        lambda feed: (feed / "added.md").write_text("---\ntitle: Zebra climate\n---\nBody\n"),
        lambda feed: (feed / EDITED).unlink(),
    ],
    ids=["edited", "added", "removed"],
)
def test_a_changed_feed_makes_its_word_index_again(
    feed: Path, builds: Builds, change: Callable[[Path], object]
) -> None:
    warm_start(feed)
    change(feed)
    again = warm_start(feed)
    assert len(builds) == 2
    answers(again)  # the scan's answers over the feed as it is now
    assert len(stored_rows(feed)) == 1  # the old generation's index replaced
    assert parse_query("zebra").filter(again.articles, index=again) == parse_query("zebra").filter(
        again.articles
    )
    third = warm_start(feed)
    assert len(builds) == 2  # the new one is read back
    assert answers(third) == answers(again)


def test_another_order_has_a_word_index_of_its_own(feed: Path, builds: Builds) -> None:
    warm_start(feed)
    other = warm_start(feed, order=OTHER_ORDER)
    assert len(builds) == 2 and len(stored_rows(feed)) == 2
    answers(other)
    warm_start(feed, order=OTHER_ORDER)
    warm_start(feed)
    assert len(builds) == 2


def test_an_index_made_while_the_feed_changed_is_not_stored(feed: Path) -> None:
    """Texts read after another reader rewrote the rows may be newer than others read
    before: the index is kept only if the feed is still at the generation it was when the
    build began."""
    db = feed.parent / "index.db"
    with FeedCache.open(db, feed) as cache:
        cache.sync(workers=1)
    with FeedCache.open(db, feed) as cache:
        summaries: list[ArticleSummary] = cache.cached_summaries()  # from the snapshot
        where = getattr(summaries[0], "kept_in", None)
        assert isinstance(where, CacheTexts)
        paths = [a.path for a in summaries]
        stored, generation = where.stored_words(paths)
        assert stored is None and generation is not None
        (feed / "added.md").write_text("---\ntitle: Zebra\n---\n")
        with FeedCache.open(db, feed) as other:  # another reader syncs meanwhile
            other.sync(workers=1)
        assert not where.store_words(paths, b"data", generation)
        assert stored_rows(feed) == []
        _, now = where.stored_words(paths)
        assert now is not None and now > generation
        assert where.store_words(paths, b"data", now)
        assert where.stored_words(paths) == (b"data", now)


def test_a_cache_in_memory_keeps_no_word_index(feed: Path) -> None:
    conn = open_memory()  # a session whose cache file could not be used
    try:
        texts = CacheTexts(conn, 1, str(feed))
        assert not texts.store_words(["a"], b"data", 0)
        assert texts.stored_words(["a"]) == (None, None)
    finally:
        conn.close()


def test_a_cache_of_the_schema_before_the_word_index_is_rebuilt_once(feed: Path) -> None:
    warm_start(feed)
    conn = sqlite3.connect(feed.parent / "index.db")
    conn.execute("DROP TABLE word_indexes")
    conn.execute("PRAGMA user_version = 5")
    conn.commit()
    conn.close()
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        assert any("schema version 5" in n and "rebuilt" in n for n in cache.notices)
        cache.sync(workers=1)
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        assert cache.notices == []
    warm_start(feed, sync=False)
    assert len(stored_rows(feed)) == 1  # the rebuilt cache keeps the word index again


def test_a_write_waits_for_another_writer_at_most_its_timeout(
    feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another reader holding the write lock (a long sync): the index is not kept this time,
    and the thread that made it is not held up past WRITE_TIMEOUT."""
    warm_start(feed)
    db = feed.parent / "index.db"
    with FeedCache.open(db, feed) as cache:
        summaries = cache.cached_summaries()
        where = getattr(summaries[0], "kept_in", None)
        assert isinstance(where, CacheTexts)
        paths = [a.path for a in reversed(summaries)]  # a sequence not kept yet
        _, generation = where.stored_words(paths)
        assert generation is not None
        monkeypatch.setattr(search_texts, "WRITE_TIMEOUT", 0.05)
        other = sqlite3.connect(db, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            assert not where.store_words(paths, b"data", generation)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert where.store_words(paths, b"data", generation)


def crafted(size: int, words: list[str], counts: list[int], postings: bytes) -> bytes:
    """A stored index made by hand, with a right checksum: only its content can be wrong."""
    joined = "\n".join(words).encode("utf-8")
    body = joined + array("i", counts).tobytes() + postings
    header = words_module._HEADER.pack(size, len(counts), len(joined), zlib.crc32(body))
    return words_module._STORED_TAG + header + body


def test_a_stored_index_that_does_not_fit_is_refused() -> None:
    good = crafted(8, ["a", "b"], [1, -1], array("i", [3]).tobytes() + (0b101).to_bytes(1))
    found = words_from_bytes(good, 8)
    assert found is not None and list(found.positions("b")) == [0, 2]
    assert words_from_bytes(crafted(8, ["a"], [], b""), 8) is None  # bytes of no word
    assert words_from_bytes(crafted(8, ["b", "a"], [1, 1], array("i", [1, 2]).tobytes()), 8) is None
    assert words_from_bytes(crafted(8, ["a", "a"], [1, 1], array("i", [1, 2]).tobytes()), 8) is None
    assert words_from_bytes(crafted(8, ["a"], [1], array("i", [8]).tobytes()), 8) is None
    assert words_from_bytes(crafted(8, ["a"], [1], array("i", [-1]).tobytes()), 8) is None
    assert words_from_bytes(crafted(4, ["a"], [-1], (0b10000).to_bytes(1)), 4) is None
    assert words_from_bytes(crafted(8, ["a"], [2], array("i", [1]).tobytes()), 8) is None


def test_a_cache_file_rebuilt_in_place_keeps_no_index_for_another_feed(tmp_path: Path) -> None:
    """Another reader empties the file and builds it again in place, numbering its feeds
    anew: this feed's number is another's, maybe at the same generation. Nothing is kept
    under it, and nothing kept for the other feed is read back as this one's."""
    apple, banana = make_feed(tmp_path / "apple", "apple"), make_feed(tmp_path / "banana", "banana")
    cache_file = tmp_path / "index.db"
    built(cache_file, apple, banana)  # feeds 1 and 2
    with FeedCache.open(cache_file, banana) as cache:
        summaries = cache.cached_summaries()
        where = getattr(summaries[0], "kept_in", None)
        assert isinstance(where, CacheTexts)
        paths = [a.path for a in summaries]
        _, generation = where.stored_words(paths)
        assert generation is not None
        swap_feed_numbers(
            cache_file, ("files", "feeds"), f"UPDATE feeds SET generation = {generation};"
        )
        assert not where.store_words(paths, b"data", generation)
        assert where.stored_words(paths) == (None, None)


def synced_index(feed: Path) -> SearchIndex:
    """As the app after a sync that parsed files: its summaries hold their texts, and the
    cache says where their word index may be kept (and their version)."""
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        result = cache.sync(workers=1)
        assert result.parsed
        in_order = sort_articles(result.summaries, DEFAULT_ORDER)
        index = SearchIndex(in_order, cache.kept_words(result.generation))
        assert not index.keeps_texts  # held: a sync's summaries
        assert index.build_words()
    return index


def test_the_word_index_of_a_syncs_summaries_is_read_back_at_the_next_start(
    feed: Path, builds: Builds
) -> None:
    """The first start after the feed changed keeps the index it made (from the texts it
    holds), so the next start reads it back instead of making it from the cache's texts."""
    synced = synced_index(feed)
    assert len(builds) == 1 and len(stored_rows(feed)) == 1
    warm = warm_start(feed, sync=False)
    assert len(builds) == 1  # read back, not built
    assert answers(warm) == answers(synced)


def test_a_syncs_index_is_not_kept_when_the_feed_changed_since(feed: Path, builds: Builds) -> None:
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        result = cache.sync(workers=1)
        in_order = sort_articles(result.summaries, DEFAULT_ORDER)
        (feed / "added.md").write_text("---\ntitle: Zebra\n---\n")
        with FeedCache.open(feed.parent / "index.db", feed) as other:
            other.sync(workers=1)  # another reader: the summaries held are of the feed before
        index = SearchIndex(in_order, cache.kept_words(result.generation))
        assert index.build_words()
    assert stored_rows(feed) == []
    warm_start(feed, sync=False)
    assert len(builds) == 2
