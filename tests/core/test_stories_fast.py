"""The grouping's fast paths held to the plain answer: the candidate pairs (the feed's rare
words weighed once, not each word of each article), the remembered word weights and the
story keys read back from the index cache."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection

from hypothesis import given, settings
from hypothesis import strategies as st
from test_stories import labelled

from examples import examples
from reader.core.stories.features import StoryKeys, keys_from_json, keys_of, keys_to_json
from reader.core.stories.grouping import Pair, _neighbours, candidates, document_frequencies
from reader.core.stories.rule import RARE_IDF, Idf, idf_from

WORDS = [f"w{n}" for n in range(30)]


def plain_candidates(
    keys: Collection[StoryKeys], idf: Idf, only: Collection[str] = ()
) -> set[Pair]:
    """`candidates` as first written: each word of each article weighed where it stands."""
    by_word: defaultdict[str, list[tuple[float, str]]] = defaultdict(list)
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


def plain_idf(counts: dict[str, int], total: int) -> Idf:
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
    counts = {"common": 40, "rare": 1}
    for total in (1, 50, 1_000, 123_456):
        idf, plain = idf_from(counts, total), plain_idf(counts, total)
        for word in ("common", "rare", "absent", "common"):
            assert idf(word) == plain(word)


def test_story_keys_read_back_from_the_cache_are_the_ones_made() -> None:
    articles, _ = labelled()
    for article in articles.values():
        made = keys_of(article)
        assert keys_from_json(made.article_id, made.day, keys_to_json(made)) == made


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
