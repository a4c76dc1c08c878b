"""Topic counts for the sidebar: topics that differ only in case are one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from reader.model import ArticleSummary

ALL = "all"
NO_TOPIC = "none"
UNREAD = "unread"
STARRED = "starred"


@dataclass(frozen=True, slots=True)
class TopicCount:
    """One sidebar entry: `key` selects it, `label` shows it."""

    key: str
    label: str
    count: int
    unread: int | None = None


def topic_key(topic: str) -> str:
    """The key that makes `AI` and `ai` one topic."""
    return "topic:" + topic.casefold()


def count_topics(articles: Iterable[ArticleSummary], read_ids: frozenset[str] | set[str] | None = None) -> list[TopicCount]:
    """Every topic with its article count, most articles first, then by name.

    The label is the spelling seen first. With `read_ids`, each entry also counts unread.
    """
    return sidebar_entries(articles, read_ids)[3:]


def sidebar_entries(
    articles: Iterable[ArticleSummary],
    read_ids: frozenset[str] | set[str] | None = None,
    starred_ids: frozenset[str] | set[str] = frozenset(),
) -> list[TopicCount]:
    """All articles, Unread, Starred, then every topic ("No topic" last), in one pass.

    Unread counts are given only with `read_ids` (no reading state: no unread).
    """
    # Articles share few distinct topic tuples: count per tuple first (one dict operation
    # per article), then spread each tuple's counts over its topics.
    per_tuple: dict[tuple[str, ...], list[int]] = {}
    for article in articles:
        entry = per_tuple.get(article.topics)
        if entry is None:
            entry = per_tuple[article.topics] = [0, 0, 0]
        entry[0] += 1
        if read_ids is not None and article.id not in read_ids:
            entry[1] += 1
        if article.id in starred_ids:
            entry[2] += 1
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for topics, (total, unread, _) in per_tuple.items():
        for key in {topic_key(t) for t in topics} or {NO_TOPIC}:
            entry = counts.setdefault(key, [0, 0])
            entry[0] += total
            entry[1] += unread
        for topic in topics:
            labels.setdefault(topic_key(topic), topic)
    with_unread = read_ids is not None
    entries = [
        TopicCount(key, labels.get(key, "No topic"), total, unread if with_unread else None)
        for key, (total, unread) in counts.items()
    ]
    # "No topic" always goes last; the others by count, then name.
    entries.sort(key=lambda e: (e.key == NO_TOPIC, -e.count, e.label.casefold()))
    total, unread, starred = (sum(column) for column in zip(*per_tuple.values())) if per_tuple else (0, 0, 0)
    return [
        TopicCount(ALL, "All articles", total, unread if with_unread else None),
        TopicCount(UNREAD, "Unread", unread),
        TopicCount(STARRED, "Starred", starred),
        *entries,
    ]


def in_topic(article: ArticleSummary, key: str) -> bool:
    """Whether the article belongs to the sidebar entry `key` (a topic, all or none)."""
    if key == ALL:
        return True
    if key == NO_TOPIC:
        return not article.topics
    return any(topic_key(t) == key for t in article.topics)
