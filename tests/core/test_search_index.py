"""The search index: its answers, what it remembers, and that queries find the same with it."""

from __future__ import annotations

import re
from array import array
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from examples import examples
from query_helpers import NOW, FakeMarks, art
from reader.core.library import Library
from reader.core.model import ArticleSummary, Picked, fold
from reader.core.query import QueryError, parse_query
from reader.core.query.index import Key, SearchIndex, implies, phrase_pattern
from reader.core.query.words import WordIndex, build_word_index, indexable, words_from_bytes

ARTICLES = [
    art("robot", "Robots learn", excerpt="A new robot.", topics=("AI",), quality=120,
        published=datetime(2024, 6, 15, 9, 0, tzinfo=UTC)),
    art("malaga", "Fiesta en Málaga", body="Crónica de la feria.", topics=("Culture",),
        quality=40, published=datetime(2021, 4, 1, tzinfo=UTC)),
    art("newline", "Computer\nvision", excerpt="climate\t\tchange", topics=("AI",)),
    art("linesep", "climate\u2028change and more", quality=60),
    art("ends", "The last word is rob", excerpt="and then climate"),  # next starts "ot", "change"
    art("starts", "ot change everything", provider="Le Monde", quality=10),
    art("zurich", "Zürich café", body="naïve résumé", published=datetime(2020, 1, 1, tzinfo=UTC)),
    art("nul", "odd\x00text with robot"),
]  # fmt: skip
MARKS = FakeMarks(read={"robot", "zurich"}, starred={"newline"})


def both(
    query: str, articles: list[ArticleSummary] = ARTICLES, index: SearchIndex | None = None
) -> list[str]:
    """The ids found, checked to be the same with and without an index."""
    parsed = parse_query(query, now=NOW)
    plain = parsed.filter(articles, MARKS)
    indexed = parsed.filter(articles, MARKS, index if index is not None else SearchIndex(articles))
    assert indexed == plain
    return [a.id for a in plain]


ALL = [a.id for a in ARTICLES]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ALL),
        ("robot", ["robot", "nul"]),
        ("ROBOTS", ["robot"]),
        ("malaga", ["malaga"]),
        ("MÁLAGA", ["malaga"]),
        ("cronica", ["malaga"]),
        ("zurich cafe", ["zurich"]),
        ("naive resume", ["zurich"]),
        ("rob", ["robot", "ends", "nul"]),
        # a needle or a phrase spanning two articles never matches
        ("robot -robots", ["nul"]),
        ("rob -robot", ["ends"]),
        ('"rob ot"', []),
        ('"is rob ot change"', []),
        ('"climate change"', ["newline", "linesep"]),  # tabs, a line separator; not ends+starts
        ('"computer vision"', ["newline"]),
        ('"CLIMATE   change"', ["newline", "linesep"]),
        ('"te ch"', ["newline", "linesep"]),
        ('"climate change" -"computer vision"', ["linesep"]),
        ('-"climate change"', ["robot", "malaga", "ends", "starts", "zurich", "nul"]),
        ("climate OR feria", ["malaga", "newline", "linesep", "ends"]),
        ('robot OR "te ch" OR zzz', ["robot", "newline", "linesep", "nul"]),
        ("robot OR topic:culture", ["robot", "malaga", "nul"]),
        ("-robot -climate", ["malaga", "starts", "zurich"]),
        ("odd", ["nul"]),
        ("robot topic:ai is:read", ["robot"]),
        ("climate quality>=50", ["linesep"]),
        ("climate -is:starred", ["linesep", "ends"]),
        ("after:2021-01-01 robot", ["robot"]),
        ('""', ALL),
        ('robot ""', ["robot", "nul"]),
        ('-""', []),
        ("foo:bar OR robot", ["robot", "nul"]),
        ("or", ["linesep", "ends"]),  # more, word
        # no words: the index is not used, and changes nothing
        ("topic:ai", ["robot", "newline"]),
        ("quality<50 -is:read", ["malaga", "starts"]),
        ("provider:monde", ["starts"]),
        ("before:2021-01-01", ["zurich"]),
    ],
)
def test_table(query: str, expected: list[str]) -> None:
    assert both(query) == expected


def test_one_index_answers_many_queries() -> None:
    index = SearchIndex(ARTICLES)
    for query in ["r", "ro", "rob", "robo", "robot", "robot c", "robot cl", "-rob",
                  '"climate change"', "climate", '"climate change"', "climate OR rob", "", "e",
                  "-e"]:  # fmt: skip
        both(query, index=index)
    assert index.remembered > 0


def test_a_word_in_every_article_gives_them_all_in_a_list_of_its_own() -> None:
    everywhere = [art(f"x{number}", f"Title {number} here") for number in range(5)]
    for index in (SearchIndex(everywhere), with_words(everywhere)):
        found = parse_query("e").filter(everywhere, None, index)
        assert found == everywhere
        assert found is not everywhere  # the caller's list is never handed back
        found.pop()
        assert len(everywhere) == 5


def test_an_index_over_another_sequence_is_ignored() -> None:
    index = SearchIndex(ARTICLES)
    other = list(reversed(ARTICLES))
    assert not index.covers(other)
    assert not index.covers(list(ARTICLES))  # equal, but not the same object
    assert index.covers(ARTICLES)
    query = parse_query("robot")
    assert query.filter(other, None, index) == query.filter(other) == [ARTICLES[-1], ARTICLES[0]]
    grown = list(ARTICLES)
    grown_index = SearchIndex(grown)
    grown.append(art("late", "robot"))
    assert not grown_index.covers(grown)
    assert [a.id for a in query.filter(grown, None, grown_index)] == ["robot", "nul", "late"]


def test_candidates_are_positions_and_remembered() -> None:
    index = SearchIndex(ARTICLES)
    assert len(index) == len(ARTICLES)
    assert list(index.candidates(("rob", False))) == [0, 4, 7]
    assert list(index.candidates(("climate change", True))) == [2, 3]
    assert index.remembered == 2
    assert index.candidates(("rob", False)) is index.candidates(("rob", False))
    index.clear()
    assert index.remembered == 0
    assert list(index.candidates(("nothing at all", False))) == []


def test_a_new_word_is_scanned_within_a_remembered_one(monkeypatch: pytest.MonkeyPatch) -> None:
    index = SearchIndex(ARTICLES)
    index.candidates(("rob", False))
    scanned: list[tuple[Key, Sequence[int] | None]] = []
    scan = index._scan

    def spy(key: Key, positions: Sequence[int] | None) -> array[int]:
        scanned.append((key, positions))
        return scan(key, positions)

    def last_scan() -> tuple[Key, Sequence[int] | None]:
        # A call, not `scanned[-1]`: mypy would keep the type one assert narrowed it to.
        return scanned[-1]

    monkeypatch.setattr(index, "_scan", spy)
    assert list(index.candidates(("robot", False))) == [0, 7]
    assert scanned == [(("robot", False), index.candidates(("rob", False)))]
    assert list(index.candidates(("new robot", True))) == [0]  # within "robot", the smaller
    assert last_scan() == (("new robot", True), index.candidates(("robot", False)))
    assert list(index.candidates(("zz", False))) == []
    assert last_scan() == (("zz", False), None)  # nothing it implies: all scanned


def test_remembered_answers_stay_within_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    articles = [art(f"a{i}", "robot and climate") for i in range(100)]
    index = SearchIndex(articles)
    monkeypatch.setattr(index, "_budget", 250)
    for word in ["robot", "climate", "and", "obo"]:
        assert len(index.candidates((word, False))) == 100
    assert index.remembered == 2  # 400 positions do not fit in 250: the oldest went
    assert index._held == 200
    assert both("robot climate", articles, index) == [a.id for a in articles]


def test_phrase_pattern_is_the_querys() -> None:
    assert phrase_pattern("climate change").pattern == r"climate\s+change"
    assert phrase_pattern("a.b c").search("xa.b\n\tc")
    assert not phrase_pattern("a.b c").search("axb c")


@pytest.mark.parametrize(
    ("key", "other", "expected"),
    [
        (("robot", False), ("rob", False), True),
        (("robot", False), ("robot", False), True),
        (("rob", False), ("robot", False), False),
        (("robot", False), ("ro bot", True), False),
        (("climate change", True), ("mate", False), True),
        (("climate change", True), ("e c", False), False),
        (("climate change", True), ("climate change", True), True),
        (("climate change", True), ("mate ch", True), True),
        (("climate change now", True), ("change now", True), True),
        (("climate change now", True), ("climate now", True), False),
        (("climate change", True), ("change climate", True), False),
        (("a b", True), ("a b c", True), False),
        (("x", False), ("", False), True),
    ],
)
def test_implies(key: Key, other: Key, expected: bool) -> None:
    assert implies(key, other) is expected


# --- Library ----------------------------------------------------------------------------


def test_library_makes_an_index_per_order_until_the_articles_change() -> None:
    library = Library()
    library.add_summaries(ARTICLES[:4])
    index = library.search_index("newest")
    assert index is library.search_index("newest")
    assert index.covers(library.sorted("newest"))
    assert library.search_index("quality").covers(library.sorted("quality"))
    library.add_summaries(ARTICLES[4:])
    fresh = library.search_index("newest")
    assert (
        fresh is not index
        and fresh.covers(library.sorted("newest"))
        and len(fresh) == len(ARTICLES)
    )
    library.replace_all(ARTICLES[:2])
    assert len(library.search_index("newest")) == 2
    query = parse_query("robot OR feria")
    articles = library.sorted("newest")
    assert query.filter(articles, None, library.search_index("newest")) == query.filter(articles)


# --- Properties -------------------------------------------------------------------------

FRAGMENTS = ["robot", "rob", "ot", "Málaga", "malaga", "climate", "change", "open", "model",
             "ai", "x", "é", "e\u0301", "OR", "or", "foo:bar", "c"]  # fmt: skip
GAPS = [" ", "\n", "\t", "  ", "\u2028", "\u00a0", "", ". "]
TOPICS = ["AI", "Climate", "Économie"]


@st.composite
def texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(GAPS)), max_size=6))
    return "".join(word + gap for word, gap in parts)


@st.composite
def articles(draw: st.DrawFn) -> list[ArticleSummary]:
    count = draw(st.integers(min_value=0, max_value=8))
    return [
        art(
            f"a{index}",
            draw(texts()),
            body=draw(texts()),
            topics=tuple(draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True))),
            quality=draw(st.none() | st.integers(min_value=0, max_value=100)),
        )
        for index in range(count)
    ]


WORDS = ["robot", "rob", "ot", "bot", "malaga", "MÁLAGA", "climate", "change", "e", "c", "x",
         "te", "foo:bar", "or", "é", "zzz"]  # fmt: skip
positive = st.one_of(
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(
        lambda words: f'"{" ".join(words)}"'
    ),
    st.sampled_from(['""', '"te ch"', '"rob ot"', '"climate  change"', '"ot change"']),
    st.sampled_from(["topic:ai", "topic:climate", "quality>=50", "q<20", "is:read", "is:starred"]),
)
term = st.tuples(st.sampled_from(["", "", "-"]), positive).map("".join)
query = st.lists(st.lists(term, min_size=1, max_size=3).map(" OR ".join), max_size=4).map(" ".join)
GRAMMAR_PIECES = [
    '"', "-", " ", "OR", "rob", "ot", "robot", "climate", "change", "topic:ai", "é", "e", "\n",
    ":", "q>=50",
]  # fmt: skip
grammarish = st.lists(st.sampled_from(GRAMMAR_PIECES), max_size=12).map("".join)
marks = st.builds(
    FakeMarks,
    st.sets(st.sampled_from([f"a{i}" for i in range(8)])),
    st.sets(st.sampled_from([f"a{i}" for i in range(8)])),
)

SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(articles(), st.lists(query | grammarish, min_size=1, max_size=6), marks)
def test_the_same_with_and_without_the_index(
    arts: list[ArticleSummary], queries: list[str], state: FakeMarks
) -> None:
    index = SearchIndex(arts)  # one index for all the queries: what it remembers is shared
    for text in queries:
        try:
            parsed = parse_query(text, now=NOW)
        except QueryError:
            continue
        assert parsed.filter(arts, state, index) == parsed.filter(arts, state)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    articles(), st.lists(st.tuples(st.sampled_from(WORDS), st.booleans()), min_size=1, max_size=8)
)
def test_answers_are_exact(arts: list[ArticleSummary], keys: list[tuple[str, bool]]) -> None:
    index = SearchIndex(arts)
    for word, as_phrase in keys:
        key = (f"{word} {word}", True) if as_phrase else (word.lower(), False)
        if as_phrase:
            expected = [
                i for i, a in enumerate(arts) if phrase_pattern(key[0]).search(a.search_text)
            ]
        else:
            expected = [i for i, a in enumerate(arts) if key[0] in a.search_text]
        assert list(index.candidates(key)) == expected


keys = st.one_of(
    st.text(alphabet="abc", min_size=1, max_size=4).map(lambda t: (t, False)),
    st.lists(st.text(alphabet="abc", min_size=1, max_size=3), min_size=2, max_size=3).map(
        lambda words: (" ".join(words), True)
    ),
)


@settings(max_examples=examples(300), deadline=None)
@given(keys, keys, st.text(alphabet="abc \n", max_size=14))
def test_implies_is_sound(key: Key, other: Key, text: str) -> None:
    def matches(k: Key) -> bool:
        return bool(phrase_pattern(k[0]).search(text)) if k[1] else k[0] in text

    if implies(key, other) and matches(key):
        assert matches(other)


def test_query_words_never_leak_into_the_pattern() -> None:
    assert phrase_pattern("(a b").search("(a  b")
    assert phrase_pattern("a* b").search("a* b") and not phrase_pattern("a* b").search("aaa b")
    assert re.escape("a.b") in phrase_pattern("a.b c").pattern


def test_library_remakes_the_index_when_the_sorted_list_is_another() -> None:
    library = Library()
    library.add_summaries(ARTICLES)
    index = library.search_index("newest")
    library._sorted["newest"] = list(library.sorted("newest"))  # as a cached order might be set
    fresh = library.search_index("newest")
    assert fresh is not index and fresh.covers(library.sorted("newest"))


# --- the word index -----------------------------------------------------------------------

NEEDLES = [*WORDS, "rob", "o", "a", "bar", "o:b", ".", "e\u0301", "\u00e9", "ﬁ", "a\u00a8b"]


def with_words(arts: Sequence[ArticleSummary], dense_share: int = 32) -> SearchIndex:
    index = SearchIndex(arts)
    words = build_word_index(index._texts, dense_share=dense_share)
    assert words is not None
    index._words = words
    return index


@settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(texts(), max_size=40),
    st.lists(st.sampled_from(NEEDLES) | st.text(alphabet="robtcé.: ", max_size=4), max_size=8),
    st.sampled_from([0, 2, 32, 10**6]),
    st.sampled_from([1, 3, 8192]),
)
def test_word_index_finds_what_the_scan_finds(
    raw: list[str], needles: list[str], dense_share: int, block: int
) -> None:
    """Rare words as arrays, common ones as bitsets (dense_share 0: all arrays), and both;
    texts read in blocks of one, three, or all; and the same index stored as bytes and read
    back (as the index cache keeps it)."""
    folded = [fold(text) for text in raw]
    words = build_word_index(folded, dense_share=dense_share, block=block)
    assert words is not None
    stored = words_from_bytes(words.to_bytes(), len(folded))
    assert stored is not None and stored.words == words.words
    for needle in map(fold, needles):
        if not indexable(needle):
            continue  # the scan answers those: see the next tests
        expected = [i for i, t in enumerate(folded) if needle in t]
        assert list(words.positions(needle)) == expected
        assert list(stored.positions(needle)) == expected


@SETTINGS
@given(
    articles(),
    st.lists(query | grammarish, min_size=1, max_size=6),
    marks,
    st.sampled_from([0, 2, 32]),
)
def test_the_same_with_the_word_index(
    arts: list[ArticleSummary], queries: list[str], state: FakeMarks, dense_share: int
) -> None:
    index = with_words(arts, dense_share)
    for text in queries:
        try:
            parsed = parse_query(text, now=NOW)
        except QueryError:
            continue
        assert parsed.filter(arts, state, index) == parsed.filter(arts, state)


@SETTINGS
@given(articles(), query, st.integers(min_value=0, max_value=40), marks)
def test_typed_key_by_key_the_same_before_and_after_the_word_index(
    arts: list[ArticleSummary], text: str, ready_at: int, state: FakeMarks
) -> None:
    """Every prefix of a query as typed, the word index arriving after `ready_at` keys."""
    index = SearchIndex(arts)
    for typed in range(1, len(text) + 1):
        if typed == ready_at:
            assert index.build_words()
        try:
            parsed = parse_query(text[:typed], now=NOW)
        except QueryError:
            continue
        assert parsed.filter(arts, state, index) == parsed.filter(arts, state)


@pytest.mark.parametrize(
    "query",
    ["rob", "robot", "-robot", "MÁLAGA", "cafe", "e", '"climate change"', '"te ch"',
     '"rob ot"', "climate OR feria", "-\"climate change\" robot", "o\u0308dd", "\u00a8", "ﬁ",
     "a\u00a8b", '"ot change"', "text"],
)  # fmt: skip
def test_table_with_the_word_index(query: str) -> None:
    assert both(query, index=with_words(ARTICLES)) == both(query)


def test_word_index_answers_without_scanning(monkeypatch: pytest.MonkeyPatch) -> None:
    index = with_words(ARTICLES)
    monkeypatch.setattr(index, "_scan", lambda key, positions: pytest.fail(f"scanned {key}"))
    assert list(index.candidates(("robot", False))) == [0, 7]
    assert list(index.candidates(("rob", False))) == [0, 4, 7]


def test_a_needle_with_whitespace_in_it_is_scanned() -> None:
    """NFKD makes `¨` a space and a mark: the folded needle has a space, no word holds it."""
    arts = [art("a", "a\u00a8b"), art("b", "a b"), art("c", "ab")]
    needle = fold("a\u00a8b")
    assert " " in needle and not indexable(needle)
    assert list(with_words(arts).candidates((needle, False))) == [0, 1]


def test_building_the_word_index_stops_when_cancelled() -> None:
    index = SearchIndex(ARTICLES)
    assert not index.build_words(go_on=lambda: False)
    assert index.words is None
    assert both("robot", index=index) == ["robot", "nul"]  # the scan answers
    assert index.build_words() and index.words is not None
    assert both("robot", index=index) == ["robot", "nul"]


# --- A stored full text's hits, as positions ---------------------------------------------

KEYS = ["a", "b", "c", "https://x.example/1", "https://x.example/2", "gone"]


@settings(max_examples=examples(200), deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(KEYS[:3]), st.sampled_from([None, *KEYS[3:5]]))),
    st.frozensets(st.sampled_from(KEYS)),
)
def test_the_positions_of_hits_are_the_articles_with_that_id_or_url(
    pairs: list[tuple[str, str | None]], keys: frozenset[str]
) -> None:
    """Ids and URLs each one article's (the quick map) or shared by several (the lists)."""
    articles = [art(f"id-{article_id}") for article_id, _ in pairs]
    articles = [
        replace(summary, id=article_id, url=url)
        for summary, (article_id, url) in zip(articles, pairs, strict=True)
    ]
    expected = {i for i, a in enumerate(articles) if a.id in keys or (a.url and a.url in keys)}
    index = SearchIndex(articles)
    assert index.positions_of(keys) == expected
    assert index.positions_of(keys) == expected  # the map made once, asked again


# --- broad words answered as bitsets ------------------------------------------------------

word_keys = st.lists(st.sampled_from(NEEDLES).map(lambda w: (fold(w), False)), max_size=3)


@SETTINGS
@given(
    articles(),
    word_keys,
    st.lists(word_keys.filter(bool), max_size=2),
    word_keys,
    st.sampled_from([0, 2, 32]),
)
def test_a_bitset_answer_is_selects(
    arts: list[ArticleSummary],
    every: list[Key],
    any_of: list[list[Key]],
    none_of: list[Key],
    dense_share: int,
) -> None:
    """`select_bits`, when it answers, has the very positions `select` gives; and what a
    query picks with it has the positions of the articles picked (the sidebar counts them)."""
    index = with_words(arts, dense_share)
    bits = index.select_bits(every, any_of, none_of)
    if bits is not None:
        expected = list(with_words(arts, dense_share).select(every, any_of, none_of))
        assert [i for i in range(len(arts)) if bits >> i & 1] == expected
    words = [text for text, _ in every if text and indexable(text)]
    parsed = parse_query(" ".join(f'"{w}"' if ":" in w else w for w in words), now=NOW)
    picked = parsed.filter(arts, MARKS, index)
    assert picked == parsed.filter(arts, MARKS)
    if isinstance(picked, Picked) and words:
        assert [arts[i] for i in picked.positions] == picked


def test_a_word_in_most_articles_is_picked_without_its_positions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first letters of a word match most articles: their positions (a list as long as
    the feed) are not made while typing, only the mask of them."""
    arts = [art(f"a{i}", f"robot number {i}" if i % 3 else f"storm {i}") for i in range(90)]
    index = with_words(arts)
    monkeypatch.setattr(WordIndex, "positions", lambda *_: pytest.fail("positions made"))
    for typed in ("r", "ro", "rob", "robot", "o", "robot n", "robot -storm", "robot OR storm"):
        parsed = parse_query(typed, now=NOW)
        found = parsed.filter(arts, MARKS, index)
        assert found == [a for a in arts if parsed.matches(a, MARKS)], typed
