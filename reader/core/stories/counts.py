"""The sidebar's story counts: how many stories each entry's articles make.

A story belongs to a sidebar entry (a topic, Unread, Starred, a saved search) when any of
its articles shown there does, as a story is shown when any of its articles matches the
filter: an entry's story count is the number of rows the list shows when it is chosen.
Only the stories with two articles or more among those counted cost anything (every other
article is a story of its own), and what does not depend on the marks is kept until the
articles or the stories change: reading an article recounts Unread and Starred only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from reader.core.model import ArticleSummary
from reader.core.stories.rows import StoryIndex
from reader.core.topics import ALL, STARRED, UNREAD, TopicCount, topic_keys

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
    ) -> list[TopicCount]:
        """The entries (counting the `filtered` articles) with their `stories` filled in, when
        some story groups two or more of those articles; else they are left as they are (as
        the header counts stories only where they group some articles). `marks`: the read
        and the starred ids."""
        members = self._grouped(filtered, stories)
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
