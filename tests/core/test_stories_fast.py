"""The grouping's fast paths held to the plain answer: the candidate pairs (the feed's rare
words weighed once, not each word of each article), the remembered word weights, the word
ids the keys hold (made per token, remembered) and the story keys read back from the index
cache."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_stories import labelled

from examples import examples
from reader.core.model import Article, RelatedLink
from reader.core.stories import features
from reader.core.stories.features import (
    StoryKeys,
    Word,
    keys_from_row,
    keys_of,
    keys_to_row,
    normal_title,
    row_of,
    word_id,
    word_ids,
    words_in_row,
    words_of,
)
from reader.core.stories.grouping import (
    Pair,
    _neighbours,
    candidates,
    document_frequencies,
    group,
    group_feed,
)
from reader.core.stories.rule import RARE_IDF, Idf, idf_from

WORDS = [word_id(f"w{n}") for n in range(30)]


def plain_candidates(
    keys: Collection[StoryKeys], idf: Idf, only: Collection[str] = ()
) -> set[Pair]:
    """`candidates` as first written: each word of each article weighed where it stands."""
    by_word: defaultdict[Word, list[tuple[float, str]]] = defaultdict(list)
    for item in keys:
        if item.day is None:
            continue
        for word in item.words:
            if idf(word) >= RARE_IDF:
                by_word[word].append((item.day, item.article_id))
    pairs: set[Pair] = set()
    for dated in by_word.values():
        if len(dated) > 1:
            pairs.update(_neighbours(sorted(dated), only))
    return pairs


def plain_idf(counts: dict[Word, int], total: int) -> Idf:
    size = 2 ** (round(math.log2(max(total, 1)) * 5) / 5)
    return lambda word: math.log((size + 1) / (counts.get(word, 0) + 1))


def test_the_candidates_of_labelled_real_articles_are_the_plain_ones() -> None:
    articles, _ = labelled()
    keys = [keys_of(a) for a in articles.values()]
    counts = dict(document_frequencies(keys))
    idf = idf_from(counts, len(keys))
    found = candidates(keys, idf)
    assert found == plain_candidates(keys, plain_idf(counts, len(keys))) and found
    some = sorted(articles)[::5]
    assert candidates(keys, idf, some) == plain_candidates(keys, idf, some)


def test_the_remembered_weights_are_the_formula_s() -> None:
    common, rare, absent = (word_id(word) for word in ("common", "rare", "absent"))
    counts = {common: 40, rare: 1}
    for total in (1, 50, 1_000, 123_456):
        idf, plain = idf_from(counts, total), plain_idf(counts, total)
        for word in (common, rare, absent, common):
            assert idf(word) == plain(word)


def test_story_keys_read_back_from_the_cache_are_the_ones_made() -> None:
    articles, _ = labelled()
    for article in articles.values():
        made = keys_of(article)
        label, ids = keys_to_row(made)
        assert keys_from_row(made.article_id, made.day, label, ids) == made
        assert sorted(words_in_row(ids)) == sorted(made.words)


def read_back(article: Article) -> StoryKeys:
    """The keys a parse worker stores of the article (`row_of`), read back from the row."""
    return keys_from_row(article.id, *row_of(article))


def test_the_keys_a_parse_worker_stores_of_labelled_real_articles_are_the_plain_ones() -> None:
    articles, _ = labelled()
    for article in articles.values():
        assert read_back(article) == keys_of(article) == plain_keys(article)


def plain_keys(article: Article) -> StoryKeys:
    """`keys_of` as first written: each text folded on its own, word strings, then ids."""
    title_words = frozenset(words_of(article.title))
    made = keys_of(article)
    return StoryKeys(
        article_id=article.id,
        title=normal_title(article.title),
        day=made.day,
        provider=made.provider,
        title_words=frozenset(map(word_id, title_words)),
        words=frozenset(map(word_id, title_words | set(words_of(article.excerpt)))),
        numbers=frozenset(word for word in normal_title(article.title).split() if word.isdigit()),
        links=made.links,
        related=made.related,
    )


def test_the_keys_of_labelled_real_articles_are_the_plain_ones() -> None:
    articles, _ = labelled()
    for article in articles.values():
        assert keys_of(article) == plain_keys(article)


# Letters that fold, apostrophes, amounts, plurals, stopwords, digits and punctuation.
# ..., and characters that fold into letters, digits or marks: a ligature, a circled digit,
# the Kelvin sign, a sharp s, a combining accent, a dotted capital I, a spacing acute.
PIECES = [*"aeisS\u00c9\u00e9'\u2019$ 01bn-.\n", "news", "the", "chips", "companies",
          *"\ufb01\u2460\u212a\u00df\u0301\u0130\u00b4_`"]  # fmt: skip
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@settings(max_examples=examples(100), deadline=None)
@given(title=texts, excerpt=texts, related=texts)
def test_the_word_ids_are_those_of_the_plain_words_for_any_text(
    title: str, excerpt: str, related: str
) -> None:
    assert word_ids(title) == frozenset(map(word_id, words_of(title)))
    assert word_ids(title) == word_ids(title)  # again, from the remembered tokens
    links = (RelatedLink(related, "https://a.test/"), RelatedLink(title))
    article = Article(id="x", path="x.md", title=title, excerpt=excerpt, related=links)
    made = keys_of(article)
    assert made == plain_keys(article)
    assert keys_from_row("x", made.day, *keys_to_row(made)) == made
    assert read_back(article) == made


@settings(max_examples=examples(200), deadline=None)
@given(text=st.text(), title=st.text(), related=st.text())
def test_the_word_ids_of_any_unicode_text_are_those_of_its_plain_words(
    text: str, title: str, related: str
) -> None:
    assert word_ids(text) == frozenset(map(word_id, words_of(text)))
    links = (RelatedLink(related), RelatedLink(title, "https://a.test/"))
    article = Article(id="x", path="x.md", title=title, excerpt=text, related=links)
    assert read_back(article) == plain_keys(article)
    assert read_back(article) == read_back(article)  # again, from the remembered pieces


def test_a_word_s_id_is_the_same_in_every_run() -> None:
    # Stored in the index cache: an id that changed between runs would split every story.
    assert word_id("izanagi") == 6545967273346562272


keys_strategy = st.builds(
    lambda n, day, words: StoryKeys(
        f"a{n}", "", day, "", frozenset(), frozenset(words), frozenset(), frozenset(), frozenset()
    ),
    st.integers(0, 10_000),
    st.none() | st.floats(0, 30),
    st.sets(st.sampled_from(WORDS), max_size=8),
)


@settings(max_examples=examples(60), deadline=None)
@given(keys=st.lists(keys_strategy, max_size=60, unique_by=lambda k: k.article_id))
def test_the_candidates_are_the_plain_ones_for_any_feed(keys: list[StoryKeys]) -> None:
    counts = dict(document_frequencies(keys))
    plain = plain_idf(counts, len(keys))
    assert candidates(keys, idf_from(counts, len(keys))) == plain_candidates(keys, plain)
    only = [item.article_id for item in keys[::3]]
    assert candidates(keys, plain, only) == plain_candidates(keys, plain, only)


def feed_grouping(keys: list[StoryKeys]) -> tuple[list[tuple[str, ...]], dict[Word, int]]:
    """`group_feed` over these keys, as the index cache asks it (the last of an id kept)."""
    by_id = {item.article_id: item for item in keys}

    def day_words() -> Iterator[tuple[str, float | None, list[Word]]]:
        for item in by_id.values():
            yield item.article_id, item.day, list(item.words)

    found, counts = group_feed(day_words, by_id)
    return found, dict(counts)


def test_the_whole_feed_s_grouping_is_the_plain_one_on_labelled_real_articles() -> None:
    articles, _ = labelled()
    keys = [keys_of(a) for a in articles.values()]
    found, counts = feed_grouping(keys)
    assert found == group(keys) and len(found) > 10
    assert counts == dict(document_frequencies(keys))


# Articles about one of some events (its words, some dropped, a few of the feed's added),
# titled by some of their words, in three outlets, over ten days: the rule joins some.
EVENTS = [[word_id(f"e{n}w{m}") for m in range(6)] for n in range(30)]


def event_keys(n: int, day: float | None, event: int, kept: int, noise: set[Word],
               cut: int, outlet: str) -> StoryKeys:  # fmt: skip
    words = set(EVENTS[event][:kept]) | noise
    title = frozenset(sorted(words)[:cut])
    return StoryKeys(f"a{n}", "", day, outlet, title, frozenset(words), frozenset(),
                     frozenset(), frozenset())  # fmt: skip


titled_keys = st.builds(
    event_keys, st.integers(0, 120), st.none() | st.floats(0, 10), st.integers(0, 29),
    st.integers(2, 6), st.sets(st.sampled_from(WORDS), max_size=3), st.integers(1, 8),
    st.sampled_from(["", "wire", "paper"]),
)  # fmt: skip


@settings(max_examples=examples(60), deadline=None)
@given(keys=st.lists(titled_keys, min_size=64, max_size=90))
def test_the_whole_feed_s_grouping_is_the_plain_one_for_any_feed(keys: list[StoryKeys]) -> None:
    unique = list({item.article_id: item for item in keys}.values())
    assert feed_grouping(keys) == (group(keys), dict(document_frequencies(unique)))


@settings(max_examples=examples(100), deadline=None)
@given(title=texts, excerpt=texts, related=texts)
def test_the_keys_past_the_bound_of_remembered_pieces_are_the_plain_ones(
    title: str, excerpt: str, related: str
) -> None:
    """A piece met once the caches are full is not remembered: its ids are made each time
    (and one of several words is told apart from one of one, see `features._PieceIds`)."""
    links = (RelatedLink(related, "https://a.test/"),)
    article = Article(id="x", path="x.md", title=title, excerpt=excerpt, related=links)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(features, "_KNOWN_MAX", 0)
        patch.setattr(features, "_PIECE_IDS", features._PieceIds())
        patch.setattr(features, "_SEVERAL_IDS", {})
        patch.setattr(features, "_PIECE_NORMAL", features._PieceNormal())
        assert read_back(article) == plain_keys(article)
        assert not features._PIECE_IDS and not features._SEVERAL_IDS
