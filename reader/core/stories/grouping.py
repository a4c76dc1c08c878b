"""Stories from story keys: candidate pairs, the rule on each, and the connected groups.

Candidates are the pairs that share a rare word and lie within `rule.COPY_DAYS` of each
other: each rare word's articles are sorted by time and only neighbours within the window
are paired. A word with more than `CROWDED` articles in one window is not rare there (it is
the week's topic), and pairing its articles would cost the square of their number, so it
proposes no pair. The rule then decides each candidate; the stories are the connected
groups of the pairs it accepts, grown by the pairs that may only join an article to a story
already made (`rule.attaches`). Nothing depends on the order the keys come in: the same
articles always give the same stories.

This does what MinHash LSH would, exactly rather than approximately, and without its
tables in memory: a feed's rare words are few per article.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from itertools import chain

from reader.core.stories.features import StoryKeys, Word
from reader.core.stories.rule import (
    ATTACH_OVERLAP,
    COMPATIBLE_SHARE,
    COPY_DAYS,
    CORE_HELD,
    CORE_STORY,
    RARE_IDF,
    VOUCHERS,
    Idf,
    attaches,
    attaches_alone,
    compatible,
    count_weight,
    idf_from,
    near_identical,
    strength,
)

CROWDED = 40  # articles sharing one word within one window: the word is the week's topic

Pair = tuple[str, str]
Scored = tuple[float, Pair]


def document_frequencies(keys: Iterable[StoryKeys]) -> Counter[Word]:
    """How many articles hold each word."""
    counts: Counter[Word] = Counter()
    for item in keys:
        counts.update(item.words)
    return counts


def candidates(keys: Collection[StoryKeys], idf: Idf, only: Collection[str] = ()) -> set[Pair]:
    """Pairs (smaller id first) sharing a rare word within the window; with `only`, just the
    pairs with at least one article of those ids."""
    # The rare words of the whole feed, weighed once each: an article's are then one set
    # intersection, not a weight asked for each of its words.
    vocabulary: set[Word] = set().union(*(item.words for item in keys))
    rare = {word for word in vocabulary if idf(word) >= RARE_IDF}
    return pairs_sharing(((item.article_id, item.day, item.words & rare) for item in keys), only)


def pairs_sharing(
    rare_words: Iterable[tuple[str, float | None, Iterable[Word]]], only: Collection[str] = ()
) -> set[Pair]:
    """The pairs (smaller id first) of the articles (id, day, rare words) that share a rare
    word within the window (see `candidates`)."""
    by_word: defaultdict[Word, list[tuple[float, str]]] = defaultdict(list)
    for article_id, day, words in rare_words:
        if day is None:
            continue
        for word in words:
            by_word[word].append((day, article_id))
    pairs: set[Pair] = set()
    for dated in by_word.values():
        if len(dated) > 1:
            pairs.update(_neighbours(sorted(dated), only))
    return pairs


def _neighbours(dated: list[tuple[float, str]], only: Collection[str]) -> Iterator[Pair]:
    """The pairs of a time-sorted list lying within the window, unless it is crowded."""
    start = 0
    for end, (day, article_id) in enumerate(dated):
        while dated[start][0] < day - COPY_DAYS:
            start += 1
        if end - start >= CROWDED:
            continue
        for _, other in dated[start:end]:
            if other != article_id and (not only or other in only or article_id in only):
                yield (other, article_id) if other < article_id else (article_id, other)


def story_pairs(
    keys: Collection[StoryKeys], idf: Idf | None = None, only: Collection[str] = ()
) -> list[Scored]:
    """The candidate pairs the rule calls one story with their strength, strongest first
    (ties by ids; see `candidates` for `only`)."""
    return scored_pairs(keys, idf, only)[0]


def scored_pairs(
    keys: Collection[StoryKeys], idf: Idf | None = None, only: Collection[str] = ()
) -> tuple[list[Scored], list[Scored]]:
    """The candidate pairs the rule calls one story, and those that may only join a story
    already made (`rule.attaches`), each list strongest first (ties by ids)."""
    if idf is None:
        idf = idf_from(document_frequencies(keys), len(keys))
    by_id = {item.article_id: item for item in keys}
    return judged(candidates(keys, idf, only), by_id, idf)


def judged(
    pairs: Iterable[Pair], keys: Mapping[str, StoryKeys], idf: Idf
) -> tuple[list[Scored], list[Scored]]:
    """The pairs the rule calls one story, and those that may only join a story already
    made (`rule.attaches`), each list strongest first (ties by ids)."""
    making, joining = [], []
    for a, b in pairs:
        found = strength(keys[a], keys[b], idf)
        if found is not None:
            making.append((found, (a, b)))
        elif (weaker := attaches(keys[a], keys[b], idf)) is not None:
            joining.append((weaker, (a, b)))
    return _strongest_first(making), _strongest_first(joining)


def _strongest_first(pairs: list[Scored]) -> list[Scored]:
    return sorted(pairs, key=lambda item: (-item[0], item[1]))


def joined(
    pairs: Iterable[Scored],
    keys: Mapping[str, StoryKeys],
    idf: Idf,
    attaching: Iterable[Scored] = (),
) -> list[tuple[str, ...]]:
    """The groups the pairs join, strongest pair first, then those the `attaching` pairs
    grow (such a pair joins nothing to nothing: one side must be a story already), then the
    articles still alone that several of one story's articles vouch for (`_vouched`); two
    groups join only when most of their cross pairs are `compatible` (one doubtful pair
    does not chain two stories). Each group sorted, two articles or more; the groups sorted."""
    group_of: dict[str, list[str]] = {}
    weaker = list(attaching)
    enough = [
        (share, (a, b))
        for share, (a, b) in weaker
        if share >= ATTACH_OVERLAP and attaches_alone(keys[a], keys[b], idf)
    ]
    for making, scored in ((True, pairs), (False, enough)):
        for _, (a, b) in scored:
            first, second = group_of.get(a, [a]), group_of.get(b, [b])
            if first is second or (not making and len(first) == len(second) == 1):
                continue
            if _may_join(first, second, keys, idf):
                _join(first, second, group_of)
    _vouched(weaker, group_of, keys, idf)
    _core_held(weaker, group_of, keys, idf)
    unique = {id(members): members for members in group_of.values()}
    return sorted(tuple(sorted(members)) for members in unique.values())


def _join(first: list[str], second: list[str], group_of: dict[str, list[str]]) -> None:
    first.extend(second)
    for member in first:
        group_of[member] = first


def _vouched(
    weaker: list[Scored], group_of: dict[str, list[str]], keys: Mapping[str, StoryKeys], idf: Idf
) -> None:
    """Each article still alone joins the story with the most of its `attaching` pairs (the
    first by its smallest id on a tie), when they are `VOUCHERS` at least and the story's
    articles could mostly sit beside it: two reports that each share less than one needs
    (`rule.VOUCHED_OVERLAP`) still vouch for it together; copies of one text vouch once
    (`_distinct`). In the order of the ids."""
    partners: defaultdict[str, list[str]] = defaultdict(list)
    for _, (a, b) in weaker:
        partners[a].append(b)
        partners[b].append(a)
    for article in sorted(partners.keys() - group_of.keys()):
        by_story: defaultdict[str, list[StoryKeys]] = defaultdict(list)
        for partner in sorted(partners[article]):
            if partner in group_of:
                by_story[min(group_of[partner])].append(keys[partner])
        votes = {first: _distinct(vouchers) for first, vouchers in by_story.items()}
        if not votes:
            continue
        best, count = min(votes.items(), key=lambda item: (-item[1], item[0]))
        story = group_of[best]
        if count >= VOUCHERS and _may_join([article], story, keys, idf):
            _join(story, [article], group_of)


def _distinct(vouchers: list[StoryKeys]) -> int:
    """How many texts the vouchers are (see `_texts`): copies of one text bring no more
    evidence than one (among the related entries alone, Atlanta's police test was vouched
    into the airport wire story by its two copies)."""
    return len(_texts(vouchers))


def _texts(items: Iterable[StoryKeys]) -> list[StoryKeys]:
    """The items that are not copies (`rule.near_identical`) of one before them."""
    kept: list[StoryKeys] = []
    for item in items:
        if not any(near_identical(item, other) for other in kept):
            kept.append(item)
    return kept


def _core_held(
    weaker: list[Scored], group_of: dict[str, list[str]], keys: Mapping[str, StoryKeys], idf: Idf
) -> None:
    """Each article still alone joins a story of `CORE_STORY` texts or more (its copies
    count once) that one of its `attaching` pairs reaches, when it holds `CORE_HELD` of the
    story's core (the rare words most of its texts hold, by weight) and could sit beside
    half its articles (`rule.compatible`): a report in its own words that names what the
    story is about (the Met, London), where a neighbouring news of one subject lacks it
    (New York's bill beside New Jersey's ban lacks "Jersey"). The stories are taken as they
    stand before any joins here, the articles in the order of their ids; an article reaching
    several joins the one whose core it holds most of (the first by its smallest id on a tie)."""
    partners: defaultdict[str, set[str]] = defaultdict(set)
    for _, (a, b) in weaker:
        partners[a].add(b)
        partners[b].add(a)
    cores: dict[str, tuple[set[Word], float]] = {}
    joins: list[tuple[str, list[str]]] = []
    for article in sorted(partners.keys() - group_of.keys()):
        reached = {min(group_of[p]): group_of[p] for p in partners[article] if p in group_of}
        best: tuple[float, str] | None = None
        for first, story in sorted(reached.items()):
            if len(story) < CORE_STORY:
                continue
            if first not in cores:
                cores[first] = _core(story, keys, idf)
            held = _held(keys[article], story, cores[first], keys, idf)
            if held is not None and (best is None or held > best[0]):
                best = (held, first)
        if best is not None:
            joins.append((article, reached[best[1]]))
    for article, story in joins:
        _join(story, [article], group_of)


def _held(
    article: StoryKeys,
    story: list[str],
    core: tuple[set[Word], float],
    keys: Mapping[str, StoryKeys],
    idf: Idf,
) -> float | None:
    """The share of the story's core the article holds, when it is enough to join it."""
    words, weight = core
    held = sum(map(idf, words & article.words)) / weight if weight else 0.0
    if held < CORE_HELD:
        return None
    fits = sum(1 for member in story if compatible(article, keys[member], idf))
    return held if 2 * fits >= len(story) else None


def _core(story: list[str], keys: Mapping[str, StoryKeys], idf: Idf) -> tuple[set[Word], float]:
    """The rare words more than half the story's texts hold (its copies count once, see
    `_texts`), and their summed weight; nothing for a story of fewer than `CORE_STORY`."""
    texts = _texts(keys[member] for member in sorted(story))
    if len(texts) < CORE_STORY:
        return set(), 0.0
    held = Counter(w for text in texts for w in text.words if idf(w) >= RARE_IDF)
    core = {word for word, count in held.items() if 2 * count > len(texts)}
    return core, sum(map(idf, core))


def _may_join(first: list[str], second: list[str], keys: Mapping[str, StoryKeys], idf: Idf) -> bool:
    if len(first) == 1 and len(second) == 1:
        return True  # the pair itself passed the rule
    cross = [(a, b) for a in first for b in second]
    fits = sum(1 for a, b in cross if compatible(keys[a], keys[b], idf))
    return fits > COMPATIBLE_SHARE * len(cross)


def group(keys: Iterable[StoryKeys]) -> list[tuple[str, ...]]:
    """The stories of the whole feed: each a sorted tuple of two article ids or more."""
    unique = {item.article_id: item for item in keys}
    return group_keys(unique, idf_from(document_frequencies(unique.values()), len(unique)))


def group_keys(keys: Mapping[str, StoryKeys], idf: Idf) -> list[tuple[str, ...]]:
    """The stories among these articles (by id), words weighed by `idf` (the feed's)."""
    making, joining = scored_pairs(list(keys.values()), idf)
    return joined(making, keys, idf, joining)


DayWords = Callable[[], Iterator[tuple[str, float | None, Sequence[Word]]]]


def group_feed(
    day_words: DayWords, keys: Mapping[str, StoryKeys]
) -> tuple[list[tuple[str, ...]], Counter[Word]]:
    """The stories of the whole feed, and its word counts, as `group` finds them, from each
    article's id, day and words (`day_words` gives them, each time it is called, once per
    article) and its keys (`keys`, asked only for the articles of candidate pairs): the
    first grouping of a feed of 100,000 makes the keys of those, not of every article."""
    counts = Counter(chain.from_iterable(words for _, _, words in day_words()))
    idf = idf_from(counts, len(keys))
    weight = count_weight(len(keys))
    rare_counts = {count for count in set(counts.values()) if weight(count) >= RARE_IDF}
    rare = {word for word, count in counts.items() if count in rare_counts}
    pairs = pairs_sharing((id_, day, rare.intersection(words)) for id_, day, words in day_words())
    making, joining = judged(pairs, keys, idf)
    return joined(making, keys, idf, joining), counts
