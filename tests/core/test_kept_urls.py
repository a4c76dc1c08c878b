"""URLs kept out of memory (model.StoredSummary, cache/snapshot.py, cache/search_texts.py):
each reads back right, and what finds articles by URL (the lookup by URL, the search index's
stored-text hits, the filter with stored texts) answers as over summaries holding theirs."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_cache import SAMPLE, article, open_cache, write
from test_search_index import SETTINGS, articles, query
from test_search_kept import FakeFullTexts

from query_helpers import NOW
from reader.core.library import Library
from reader.core.loader import load_feed
from reader.core.model import ArticleSummary, KeptUrlHits, StoredSummary, held_url, hold_urls
from reader.core.query import QueryError, SearchIndex, parse_query
from reader.core.storage.cache import search_texts

ODD_URL = "https://odd.example.com/a"


def kept_feed(tmp_path: Path) -> Path:
    """The sample feed, an article without a URL, and one with a value SQLite cannot hold
    (a heat past 64 bits: its row keeps no columns, its URL is in its detail)."""
    root = Path(shutil.copytree(SAMPLE, tmp_path / "feed"))
    write(root, "extra/no-url.txt", article("No link here"))
    write(
        root, "extra/odd.txt", article("Odd", "heat: 99999999999999999999", f'webUrl: "{ODD_URL}"')
    )
    return root


@pytest.mark.parametrize("batch", [search_texts.BATCH, 2])  # 2: many batches, one walk
def test_a_warm_start_keeps_no_url_and_reads_each_one_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(search_texts, "BATCH", batch)
    root = kept_feed(tmp_path)
    loaded = load_feed(root).articles
    url_at = {a.path: a.url for a in loaded}
    assert None in url_at.values() and ODD_URL in url_at.values()
    with open_cache(tmp_path, root) as cache:
        cache.sync()
    with open_cache(tmp_path, root) as cache:
        summaries = cache.cached_summaries()
        assert len(summaries) == len(loaded)
        assert all(held_url(s) is not None and type(held_url(s)) is not str for s in summaries)
        assert {s.path: s.url for s in summaries} == url_at
        library = Library()
        library.add_summaries(summaries)
        for a in loaded:
            assert library.id_for_url(a.url) == (a.id if a.url else None)
        assert library.id_for_url("https://not.in.the.feed/") is None
        index = SearchIndex(summaries)
        for s_at, s in enumerate(summaries):
            if s.url:
                assert index.positions_of(frozenset((s.url,))) == {s_at}
        hold_urls(summaries[1:])  # read in batches (or a walk of the rows), then held
        assert all(type(held_url(s)) in (str, type(None)) for s in summaries[1:])
        assert held_url(summaries[0]) is not None and type(held_url(summaries[0])) is not str
        assert {s.path: s.url for s in summaries} == url_at


class FakeUrls:
    """URLs kept by path (as `CacheTexts` keeps them), counting the reads."""

    def __init__(self, arts: Sequence[ArticleSummary]) -> None:
        self.urls = {a.path: (a.url, a.id) for a in arts}
        self.reads = 0

    def urls_of(self, paths: Sequence[str]) -> list[str | None]:
        self.reads += 1
        return [self.urls[path][0] if path in self.urls else None for path in paths]

    def rows_at_urls(self, urls: Iterable[str]) -> set[tuple[str, str]]:
        self.reads += 1
        wanted = set(urls)
        return {(path, i) for path, (url, i) in self.urls.items() if url in wanted}


URLS = st.none() | st.sampled_from([f"https://example.com/{n}" for n in range(4)])


@st.composite
def with_urls(draw: st.DrawFn) -> tuple[list[ArticleSummary], list[ArticleSummary], FakeUrls]:
    """Summaries holding their URLs (a few shared, some none, ids repeated too), and the
    same with some URLs kept in a FakeUrls."""
    arts = draw(articles())
    held = [
        dataclasses.replace(a, url=draw(URLS), id=draw(st.sampled_from([a.id, "same"])))
        for a in arts
    ]
    place = FakeUrls(held)
    kept: list[ArticleSummary] = []
    for a in held:
        fields = {f.name: getattr(a, f.name) for f in dataclasses.fields(ArticleSummary)}
        kept.append(StoredSummary(**(fields | ({"url": place} if draw(st.booleans()) else {}))))
    return held, kept, place


@SETTINGS
@given(with_urls(), st.lists(URLS, max_size=4))
def test_finding_by_url_answers_as_over_held_urls(
    found: tuple[list[ArticleSummary], list[ArticleSummary], FakeUrls], asked: list[str | None]
) -> None:
    held, kept, _ = found
    reference = {s.url: s.id for s in held if s.url}
    library = Library()
    library.add_summaries(kept)
    keys = frozenset(url for url in asked if url)
    for url in [*asked, "https://example.com/none"]:
        assert library.id_for_url(url) == (reference.get(url) if url else None)
    assert SearchIndex(kept).positions_of(keys) == SearchIndex(held).positions_of(keys)
    has_url = KeptUrlHits(keys)
    assert [has_url(s) for s in kept] == [s.url in keys for s in held]


@SETTINGS
@given(with_urls(), st.lists(st.lists(URLS | st.sampled_from(["same", "a0"]), max_size=5)))
def test_stored_text_hits_typed_key_by_key_answer_as_asked_afresh(
    found: tuple[list[ArticleSummary], list[ArticleSummary], FakeUrls],
    asked: list[list[str | None]],
) -> None:
    """One index asked for hit after hit (each key a new set, as typed) remembers each URL's
    articles and looks each key up once: its answers are a new index's, and held URLs'."""
    held, kept, place = found
    index = SearchIndex(kept)
    asked_of_place: list[str] = []
    rows_at_urls = place.rows_at_urls

    def recorded(urls: Iterable[str]) -> set[tuple[str, str]]:
        wanted = list(urls)
        asked_of_place.extend(wanted)
        return rows_at_urls(wanted)

    place.rows_at_urls = recorded  # type: ignore[method-assign]
    for keys in (frozenset(key for key in hit if key) for hit in asked):
        assert index.positions_of(keys) == SearchIndex(held).positions_of(keys)
    assert len(asked_of_place) == len(set(asked_of_place))  # each key looked up once
    looked_up = frozenset(key for hit in asked for key in hit if key)
    assert set(index._kept_url_positions) <= looked_up


@SETTINGS
@given(with_urls(), query, st.sampled_from(["id", "url"]))
def test_filtering_with_stored_texts_answers_as_over_held_urls(
    found: tuple[list[ArticleSummary], list[ArticleSummary], FakeUrls], text: str, by: str
) -> None:
    held, kept, place = found
    stored = FakeFullTexts({getattr(s, by) or "-": s.search_text[::-1] for s in held})
    try:
        parsed = parse_query(text, now=NOW)
    except QueryError:
        return
    expected = [s.path for s in parsed.filter(held, texts=stored)]
    place.reads = 0
    assert [s.path for s in parsed.filter(kept, texts=stored)] == expected
    index = SearchIndex(kept)
    assert [s.path for s in parsed.filter(kept, index=index, texts=stored)] == expected
    assert place.reads <= 4 * max(1, len(text.split()))  # asked per term, not per article


def test_finding_by_url_reads_through_indexes_not_the_whole_table(tmp_path: Path) -> None:
    """A lookup by URL (a related link shown, say) reads a few rows: a scan of the rows
    would cost ~1 s at 100,000 articles on the UI thread."""
    root = kept_feed(tmp_path)
    with open_cache(tmp_path, root) as cache:
        cache.sync()
    conn = sqlite3.connect(tmp_path / "index.db")
    try:
        # Each through the index that holds only the rows it wants (not all of the feed's),
        # for one value and for a batch of them.
        marks = ",".join("?" * search_texts.BATCH)
        for sql, args, index in (
            (search_texts._UNSURE_SQL, (1,), "files_inexact"),
            (search_texts._AT_URLS_SQL.format(marks="?"), (1, ODD_URL), "files_url"),
            (
                search_texts._AT_URLS_SQL.format(marks=marks),
                (1, *[ODD_URL] * search_texts.BATCH),
                "files_url",
            ),
            (search_texts._URLS_OF_SQL.format(marks="?"), (1, "a"), "(feed=? AND rel=?)"),
            (
                search_texts._URLS_OF_SQL.format(marks=marks),
                (1, *"a" * search_texts.BATCH),
                "(feed=? AND rel=?)",
            ),
        ):
            plan = " ".join(row[-1] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
            assert f"USING INDEX {index} " in plan or index in plan, plan
    finally:
        conn.close()
