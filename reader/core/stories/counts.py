"""The sidebar's story counts: how many stories each entry's articles make.

A story belongs to a sidebar entry (a topic, Unread, Starred, a saved search) when any of
its articles shown there does, as a story is shown when any of its articles matches the
filter: an entry's story count is the number of rows the list shows when it is chosen.
Only the stories with two articles or more among those counted cost anything (every other
article is a story of its own), and what does not depend on the marks is kept until the
articles or the stories change: reading an article recounts Unread and Starred only.
"""

from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from itertools import compress, repeat
from operator import and_, itemgetter, mod
from typing import Any

from reader.core.model import ArticleSummary, Picked
from reader.core.query.words import bits_mask
from reader.core.stories.rows import StoryIndex
from reader.core.topics import ALL, STARRED, UNREAD, TopicColumns, TopicCount, topic_keys

Ids = frozenset[str] | set[str]
Hits = Sequence[tuple[str, frozenset[str]]]  # each saved search's key and the ids it matches
Fewer = dict[str, int]  # entry key -> how many fewer stories than articles it counts


class StoryCounts:
    """Fills in the sidebar entries' `stories`, remembering what it can (see the module)."""

    def __init__(self) -> None:
        # (filtered, stories) -> the articles of each story with two or more of them
        self._members: tuple[tuple[Any, ...], list[list[ArticleSummary]]] | None = None
        # (members, the searches' hits) -> what All, the searches and the topics count fewer
        self._fixed: tuple[tuple[Any, ...], Fewer] | None = None

    def counted(
        self,
        entries: Sequence[TopicCount],
        filtered: Sequence[ArticleSummary],
        stories: StoryIndex,
        marks: tuple[Ids, Ids],
        hits: Hits,
        columns: StoryColumns | None = None,
    ) -> list[TopicCount]:
        """The entries (counting the `filtered` articles) with their `stories` filled in, when
        some story groups two or more of those articles; else they are left as they are (as
        the header counts stories only where they group some articles). `marks`: the read
        and the starred ids. With `columns` (of `stories`) covering `filtered`, counted by
        position (see `StoryColumns`): the same counts."""
        if columns is not None and columns.stories is stories and columns.topics.covers(filtered):
            fewer = columns.fewer(filtered, marks, hits)
            if not fewer[ALL]:
                return list(entries)
            return [replace(e, stories=e.count - fewer.get(e.key, 0)) for e in entries]
        members = self._grouped(filtered, stories) if stories.by_article else []
        if not members:
            return list(entries)  # no story groups two of them: the articles are the stories
        fewer = dict(self._fixed_fewer(members, hits))
        read, starred = marks
        fewer[UNREAD] = _fewer_where(members, lambda article_id: article_id not in read)
        fewer[STARRED] = _fewer_where(members, starred.__contains__)
        return [replace(entry, stories=entry.count - fewer.get(entry.key, 0)) for entry in entries]

    def _grouped(
        self, filtered: Sequence[ArticleSummary], stories: StoryIndex
    ) -> list[list[ArticleSummary]]:
        memo = self._members
        if memo is None or memo[0][0] is not filtered or memo[0][1] is not stories:
            memo = self._members = ((filtered, stories), grouped_members(filtered, stories))
        return memo[1]

    def _fixed_fewer(self, members: list[list[ArticleSummary]], hits: Hits) -> Fewer:
        objects = (members, *(found for _, found in hits))
        memo = self._fixed
        if (
            memo is None
            or len(memo[0]) != len(objects)
            or any(a is not b for a, b in zip(memo[0], objects, strict=True))
        ):
            memo = self._fixed = (objects, fixed_fewer(members, hits))
        return memo[1]


def grouped_members(
    filtered: Sequence[ArticleSummary], stories: StoryIndex
) -> list[list[ArticleSummary]]:
    """The `filtered` articles of each story that has two or more of them."""
    by_article = stories.by_article
    by_story: defaultdict[str, list[ArticleSummary]] = defaultdict(list)
    for article in [a for a in filtered if a.id in by_article]:
        by_story[by_article[article.id][0]].append(article)
    return [members for members in by_story.values() if len(members) > 1]


def fixed_fewer(members: Iterable[list[ArticleSummary]], hits: Hits) -> Fewer:
    """How many fewer stories than articles All, each saved search and each topic count: an
    entry holding n of a story's articles counts them as one story, n - 1 fewer."""
    fewer: defaultdict[str, int] = defaultdict(int)
    for story in members:
        fewer[ALL] += len(story) - 1
        for key, found in hits:
            inside = sum(1 for article in story if article.id in found)
            fewer[key] += max(inside - 1, 0)
        seen: set[str] = set()
        for article in story:
            for key, _ in topic_keys(article.topics):
                if key in seen:
                    fewer[key] += 1
                else:
                    seen.add(key)
    return fewer


def _fewer_where(members: Iterable[list[ArticleSummary]], holds: Callable[[str], bool]) -> int:
    """How many fewer stories than articles an entry of the articles that `holds` counts."""
    fewer = 0
    for story in members:
        inside = sum(1 for article in story if holds(article.id))
        fewer += max(inside - 1, 0)
    return fewer


class StoryColumns:
    """The grouped articles of one sorted sequence (a `TopicColumns`'), by position.

    An entry holding n articles of a story counts n - 1 fewer stories than articles: over
    all stories, the articles it holds that are grouped minus the stories they are in. With
    the positions of the grouped articles, their story's number, the sequence's codes
    (unread, starred) and each grouped article's (story, topic key) pairs as numbers, that is
    a few C loops over arrays, not a walk over the filtered summaries and their topics
    (~150-240 ms at 100,000 after every pause in typing).
    """

    def __init__(self, topics: TopicColumns, stories: StoryIndex) -> None:
        self.topics, self.stories = topics, stories
        by_article, numbers = stories.by_article, dict[tuple[str, ...], int]()
        grouped = [
            (at, numbers.setdefault(by_article[a.id], len(numbers)))
            for at, a in enumerate(topics.articles)
            if a.id in by_article
        ]
        self.positions = array("i", [at for at, _ in grouped])
        self.numbers = array("i", [number for _, number in grouped])
        self._pairs_of_topics()

    def _pairs_of_topics(self) -> None:
        """Each grouped article's (story, topic key) pairs as story * keys + key number, and
        which grouped article (its place in `positions`) each pair is of."""
        keys: dict[str, int] = {}
        per_tuple = [
            [keys.setdefault(key, len(keys)) for key, _ in topic_keys(t)]
            for t in self.topics.tuples
        ]
        tuple_at = self.topics.tuple_numbers
        width = self._width = max(len(keys), 1)
        pairs, owners = array("q"), array("i")
        for place, (at, story) in enumerate(zip(self.positions, self.numbers, strict=True)):
            for key in per_tuple[tuple_at[at]]:
                pairs.append(story * width + key)
                owners.append(place)
        self._pairs, self._owners, self._keys = pairs, owners, list(keys)

    def fewer(self, picked: Sequence[ArticleSummary], marks: tuple[Ids, Ids], hits: Hits) -> Fewer:
        """How many fewer stories than articles each entry counts of `picked`."""
        flags = self._flags(picked)
        positions: Sequence[int] = self.positions
        numbers: Sequence[int] = self.numbers
        if flags is not None:
            positions, numbers = list(compress(positions, flags)), list(compress(numbers, flags))
        read, starred = marks
        topics = self.topics
        codes = _at(topics.codes_for(read, starred), positions)
        fewer = {
            ALL: _fewer_of(numbers),
            UNREAD: _fewer_of(compress(numbers, map(and_, codes, repeat(1)))),
            STARRED: _fewer_of(compress(numbers, map(and_, codes, repeat(2)))),
        }
        for key, found in hits:
            fewer[key] = _fewer_of(compress(numbers, _at(topics.hits_column(found), positions)))
        fewer.update(self._topics_fewer(flags))
        return fewer

    def _flags(self, picked: Sequence[ArticleSummary]) -> Sequence[int] | None:
        """Which grouped articles `picked` holds (1 or 0 each, in `positions`' order); None
        when it holds the whole sequence."""
        topics = self.topics
        if picked is topics.articles or len(picked) == len(topics.articles):
            return None
        assert isinstance(picked, Picked)
        size = len(topics.articles)
        if picked.bits is not None:  # the filter's bitset as a mask: no positions made
            return _at(bits_mask(picked.bits).ljust(size, b"\0"), self.positions)
        shown = bytearray(size)
        for at in picked.positions:
            shown[at] = 1
        return _at(shown, self.positions)

    def _topics_fewer(self, flags: Sequence[int] | None) -> Fewer:
        """Per topic key: its grouped articles held minus the stories they are in."""
        pairs: Iterable[int] = self._pairs
        if flags is not None:
            pairs = list(compress(pairs, _at(flags, self._owners)))
        width, keys = self._width, self._keys
        articles = Counter(map(mod, pairs, repeat(width)))
        stories = Counter(map(mod, set(pairs), repeat(width)))
        return {keys[key]: count - stories[key] for key, count in articles.items()}


def _fewer_of(numbers: Iterable[int]) -> int:
    """Articles minus the distinct stories they are in."""
    chosen = list(numbers)
    return len(chosen) - len(set(chosen))


def _at(column: Sequence[int], positions: Sequence[int]) -> Sequence[int]:
    """The column's values at these positions: one C call (itemgetter)."""
    if len(positions) == len(column):
        return column
    if len(positions) < 2:
        return [column[i] for i in positions]
    return itemgetter(*positions)(column)  # type: ignore[no-any-return]
