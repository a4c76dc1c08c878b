"""Search texts kept out of memory (model.StoredSummary, cache/search_texts.py): the filter
gives the same answers as over summaries holding their texts, and reads only what it must."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_search_index import SETTINGS, articles, grammarish, marks, query

from examples import examples
from query_helpers import NOW, FakeMarks, art
from reader.core.loader import load_feed
from reader.core.model import ArticleSummary, StoredSummary, held_texts, summarize
from reader.core.query import Query, QueryError, SearchIndex, parse_query
from reader.core.query.kept_texts import matcher
from reader.core.storage.cache import FeedCache

REPO = Path(__file__).resolve().parents[2]


class FakeKept:
    """Texts kept by path, counting the texts read."""

    def __init__(self, arts: Sequence[ArticleSummary]) -> None:
        self.texts = {a.path: a.search_text for a in arts}
        self.read = self.calls = 0

    def texts_of(self, paths: Sequence[str]) -> list[str]:
        self.read += len(paths)
        self.calls += 1
        return [self.texts.get(path, "") for path in paths]


class FakeStore(FakeKept):
    """Texts kept by path that keep a word index too (as `CacheTexts`), in memory."""

    def __init__(self, arts: Sequence[ArticleSummary]) -> None:
        super().__init__(arts)
        self.stored: dict[tuple[str, ...], bytes] = {}

    def stored_words(self, paths: Sequence[str]) -> tuple[bytes | None, int | None]:
        return self.stored.get(tuple(paths)), 0

    def store_words(self, paths: Sequence[str], data: bytes, version: int) -> bool:
        self.stored[tuple(paths)] = data
        return True


def kept(
    arts: Sequence[ArticleSummary], held: Sequence[bool] = (), where: FakeKept | None = None
) -> list[ArticleSummary]:
    """The summaries with their texts kept in a FakeKept (those `held` says keep theirs)."""
    where = FakeKept(arts) if where is None else where
    return [
        StoredSummary(
            **{f.name: getattr(a, f.name) for f in dataclasses.fields(ArticleSummary)}
            | ({} if i < len(held) and held[i] else {"search_text": where})
        )
        for i, a in enumerate(arts)
    ]


class FakeFullTexts:
    """Stored full texts (a `TextMatcher`): page URL or article id -> folded text."""

    generation = 1

    def __init__(self, texts: dict[str, str]) -> None:
        self.texts = texts

    def matching(self, needle: str, spaced: bool = False) -> frozenset[str]:
        test = matcher((needle, spaced))
        return frozenset(key for key, text in self.texts.items() if test(text))


def parsed_queries(texts: list[str]) -> list[Query]:
    found = []
    for text in texts:
        try:
            found.append(parse_query(text, now=NOW))
        except QueryError:
            continue
    return found


@settings(SETTINGS, max_examples=examples(60))  # four filters an example
@given(
    articles(),
    st.lists(st.booleans(), max_size=8),
    st.lists(query | grammarish, min_size=1, max_size=6),
    marks,
    st.integers(min_value=0, max_value=6),
    st.dictionaries(st.sampled_from(["a0", "a3", "a5"]), st.sampled_from(["robot", "climate"])),
)
def test_kept_texts_give_the_answers_of_held_ones(
    arts: list[ArticleSummary],
    held: list[bool],
    queries: list[str],
    state: FakeMarks,
    words_after: int,
    full: dict[str, str],
) -> None:
    """Words, phrases, substrings, negations, field terms and ORs, with the word index made
    after some of the queries, with and without stored full texts; some summaries holding
    their texts beside those that keep theirs."""
    stored = kept(arts, held)
    assert [a.search_text for a in stored] == [a.search_text for a in arts]
    index, full_texts = SearchIndex(stored), FakeFullTexts(full)
    for number, parsed in enumerate(parsed_queries(queries)):
        if number == words_after:
            assert index.build_words()
        expected = [a.id for a in parsed.filter(arts, state)]
        assert [a.id for a in parsed.filter(stored, state, index)] == expected
        assert [a.id for a in parsed.filter(stored, state)] == expected  # no index
        with_full = [a.id for a in parsed.filter(arts, state, texts=full_texts)]
        assert [a.id for a in parsed.filter(stored, state, index, full_texts)] == with_full


@SETTINGS
@given(articles(), st.lists(query | grammarish, min_size=1, max_size=6), marks)
def test_a_stored_word_index_gives_the_answers_of_a_built_one_and_of_the_scan(
    arts: list[ArticleSummary], queries: list[str], state: FakeMarks
) -> None:
    """The first index over the texts builds the word index and stores it; the second, over
    summaries read again (another list, as at the next start), reads it back."""
    store = FakeStore(arts)
    built, again = SearchIndex(kept(arts, where=store)), SearchIndex(kept(arts, where=store))
    assert built.build_words() and len(store.stored) == (1 if arts else 0)  # none: no texts
    store.store_words = lambda paths, data, version: pytest.fail("stored twice")  # type: ignore[method-assign]
    assert again.build_words() and again.words is not None and built.words is not None
    assert again.words.words == built.words.words
    for parsed in parsed_queries(queries):
        expected = [a.id for a in parsed.filter(arts, state)]  # the scan, texts held
        assert [a.id for a in parsed.filter(again.articles, state, again)] == expected
        assert [a.id for a in parsed.filter(built.articles, state, built)] == expected


@SETTINGS
@given(articles(), query, st.integers(min_value=0, max_value=40), marks)
def test_kept_texts_typed_key_by_key(
    arts: list[ArticleSummary], text: str, ready_at: int, state: FakeMarks
) -> None:
    stored = kept(arts)
    index = SearchIndex(stored)
    for typed in range(1, len(text) + 1):
        if typed == ready_at:
            assert index.build_words()
        for parsed in parsed_queries([text[:typed]]):
            expected = [a.id for a in parsed.filter(arts, state)]
            assert [a.id for a in parsed.filter(stored, state, index)] == expected


def test_with_the_word_index_a_word_reads_no_text_and_a_phrase_only_its_candidates() -> None:
    arts = [
        art(f"a{i}", f"climate change {i}" if i % 10 == 0 else f"robot {i}") for i in range(100)
    ]
    stored = kept(arts)
    assert isinstance(stored[0], StoredSummary)
    where = stored[0].kept_in
    assert isinstance(where, FakeKept)
    index = SearchIndex(stored)
    assert index.build_words()
    where.read = 0
    assert len(parse_query("robot").filter(stored, index=index)) == 90
    assert len(parse_query("-clim").filter(stored, index=index)) == 90
    assert where.read == 0
    assert len(parse_query('"climate change"').filter(stored, index=index)) == 10
    # Only the 10 articles with `climate` are read: tested for `change` (fewer than
    # READ_AT_MOST: cheaper than its answer over all), then for the phrase.
    assert where.read == 20


def test_terms_the_index_cannot_take_are_looked_up_not_read_one_by_one() -> None:
    arts = [art(f"a{i}", f"robot {i}", topics=("AI",) if i % 3 else ()) for i in range(100)]
    stored = kept(arts)
    assert isinstance(stored[0], StoredSummary)
    where = stored[0].kept_in
    assert isinstance(where, FakeKept)
    or_field = parse_query("robot OR topic:ai")  # no plan: the whole query is compiled
    rest = parse_query("rob -topic:ai robot OR q>50")  # the OR is the plan's rest
    # Without an index, the texts are read in blocks, not one call per article.
    assert ids(or_field.filter(stored)) == ids(or_field.filter(arts))
    assert ids(rest.filter(stored)) == ids(rest.filter(arts))
    assert 0 < where.calls <= 3
    index = SearchIndex(stored)
    assert index.build_words()
    where.read = 0
    assert ids(or_field.filter(stored, index=index)) == ids(or_field.filter(arts))
    assert ids(rest.filter(stored, index=index)) == ids(rest.filter(arts))
    assert where.read == 0


def ids(arts: Sequence[ArticleSummary]) -> list[str]:
    return [a.id for a in arts]


def test_summaries_of_the_cache_keep_their_texts_in_it(tmp_path: Path) -> None:
    root = Path(shutil.copytree(REPO / "sample_feed", tmp_path / "feed"))
    odd = root / "huge.md"  # a quality SQLite cannot hold: its row has no text
    odd.write_text("---\ntitle: Huge robot\nquality: 1180591620717411303424\n---\nBody\n")
    expected = sorted((summarize(a) for a in load_feed(root).articles), key=lambda a: a.path)
    with FeedCache.open(tmp_path / "index.db", root) as cache:
        cache.sync(workers=1)
    with FeedCache.open(tmp_path / "index.db", root) as cache:
        summaries = cache.cached_summaries()  # from the snapshot
    assert held_texts(summaries) is None
    assert all(isinstance(a, StoredSummary) and a.kept_in is not None for a in summaries)
    # Read back after the cache is closed: the texts are those the files give.
    assert sorted(summaries, key=lambda a: a.path) == expected
    assert [a.search_text for a in sorted(summaries, key=lambda a: a.path)] == [
        a.search_text for a in expected
    ]
    index = SearchIndex(summaries)
    for text in ["robot", "huge", '"huge robot"', "-the", "body OR topic:ai"]:
        parsed = parse_query(text, now=NOW)
        assert sorted(a.path for a in parsed.filter(summaries, index=index)) == sorted(
            a.path for a in parsed.filter(expected)
        )


NASTY = {
    "nul.md": "---\ntitle: odd\x00text with robot\n---\n",
    "accent.md": "---\ntitle: Fiesta en Málaga\n---\nCrónica\ttab\n",
    # A quality SQLite cannot hold: the row has no text, the article's is read.
    "huge.md": "---\ntitle: Huge robot\nquality: 1180591620717411303424\n---\n",
    "plain.md": "---\ntitle: Robots learn\ntopics: [AI]\n---\nclimate\u2028change\n",
}


@given(st.lists(st.sampled_from(["robot", "rob", "o", "malaga", "á", "a", "cronica", "\x00",
                                 "odd\x00t", "tab", "huge", "ai", "e\u2028c", "zzz", "ó", ""]),
                min_size=1, max_size=4))  # fmt: skip
def test_a_word_looked_for_in_the_cache_is_found_as_in_the_texts(
    tmp_path_factory: pytest.TempPathFactory, needles: list[str]
) -> None:
    """Before the word index, a word is looked for by SQLite in the rows (see
    `CacheTexts.paths_containing`): the same articles as `needle in search_text`."""
    summaries, expected = cached_nasty_feed(tmp_path_factory)
    index = SearchIndex(summaries)
    for needle in needles:
        found = {summaries[i].path for i in index.candidates((needle, False))}
        assert found == {a.path for a in expected if needle in a.search_text}


_NASTY: list[tuple[list[ArticleSummary], list[ArticleSummary]]] = []


def cached_nasty_feed(
    factory: pytest.TempPathFactory,
) -> tuple[list[ArticleSummary], list[ArticleSummary]]:
    """The NASTY feed's summaries from its cache's snapshot, and as loaded (made once)."""
    if not _NASTY:
        root = factory.mktemp("nasty") / "feed"
        root.mkdir()
        for name, text in NASTY.items():
            (root / name).write_text(text, encoding="utf-8")
        with FeedCache.open(root.parent / "index.db", root) as cache:
            cache.sync(workers=1)
        with FeedCache.open(root.parent / "index.db", root) as cache:
            summaries = cache.cached_summaries()
        assert held_texts(summaries) is None
        _NASTY.append((summaries, [summarize(a) for a in load_feed(root).articles]))
    return _NASTY[0]
