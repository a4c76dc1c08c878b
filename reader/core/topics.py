"""Topic counts for the sidebar: topics that differ only in case are one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

from reader.core.model import ArticleSummary

ALL = "all"
NO_TOPIC = "none"
UNREAD = "unread"
STARRED = "starred"
SEARCH_PREFIX = "search:"  # a saved search's entry: "search:" and its place in the config


def search_key(index: int) -> str:
    return f"{SEARCH_PREFIX}{index}"


def is_search_key(key: str) -> bool:
    return key.startswith(SEARCH_PREFIX)


@dataclass(frozen=True, slots=True)
class TopicCount:
    """One sidebar entry: `key` selects it, `label` shows it; `count` and `unread` are of
    articles, `stories` is the stories they make (None: the list shows every article)."""

    key: str
    label: str
    count: int
    unread: int | None = None
    stories: int | None = None


def topic_key(topic: str) -> str:
    """The key that makes `AI` and `ai` one topic."""
    return "topic:" + topic.casefold()


def count_topics(
    articles: Iterable[ArticleSummary], read_ids: frozenset[str] | set[str] | None = None
) -> list[TopicCount]:
    """Every topic with its article count, most articles first, then by name.

    The label is the spelling seen first. With `read_ids`, each entry also counts unread.
    """
    return sidebar_entries(articles, read_ids)[3:]


def sidebar_entries(
    articles: Iterable[ArticleSummary],
    read_ids: frozenset[str] | set[str] | None = None,
    starred_ids: frozenset[str] | set[str] = frozenset(),
) -> list[TopicCount]:
    """All articles, Unread, Starred, then every topic ("No topic" last).

    Unread counts are given only with `read_ids` (no reading state: no unread).
    """
    articles = articles if isinstance(articles, list) else list(articles)
    merged = _counts_per_tuple(articles, read_ids, starred_ids)
    with_unread = read_ids is not None
    total, unread, starred = (
        (sum(column) for column in zip(*merged.values(), strict=True)) if merged else (0, 0, 0)
    )
    return [
        TopicCount(ALL, "All articles", total, unread if with_unread else None),
        TopicCount(UNREAD, "Unread", unread),
        TopicCount(STARRED, "Starred", starred),
        *_topic_entries(merged, with_unread),
    ]


Counts = dict[tuple[str, ...], tuple[int, int, int]]  # topics tuple -> total, unread, starred


def _counts_per_tuple(
    articles: list[ArticleSummary],
    read_ids: frozenset[str] | set[str] | None,
    starred_ids: frozenset[str] | set[str],
) -> Counts:
    """Articles, unread and starred per distinct topics tuple.

    Counted with Counter (its counting loop is in C): 100,000 articles share a few
    thousand tuples, whose counts are then spread over their topics.
    """
    totals = Counter(map(_TOPICS, articles))
    if read_ids is None:
        unread_counts: Counter[tuple[str, ...]] = Counter()
    elif not read_ids:
        unread_counts = totals  # nothing read yet: every article is unread
    else:
        unread_counts = Counter([a.topics for a in articles if a.id not in read_ids])
    starred_counts = (
        Counter([a.topics for a in articles if a.id in starred_ids]) if starred_ids else Counter()
    )
    return {
        topics: (total, unread_counts[topics], starred_counts[topics])
        for topics, total in totals.items()
    }


_TOPICS = attrgetter("topics")
# topics tuple -> its keys (each once, "No topic" for none) with the first spelling of each:
# the sidebar is counted at every keystroke of the filter, over the same few thousand tuples.
_KEYS: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
_KEYS_KEPT = 1 << 16


def topic_keys(topics: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The sidebar keys of an article's topics, each once with its first label ("No topic"
    for none), remembered: a feed's articles share a few thousand topic tuples."""
    found = _KEYS.get(topics)
    if found is None:
        keys: dict[str, str] = {}
        for topic in topics:
            keys.setdefault(topic_key(topic), topic)
        found = tuple(keys.items()) if keys else ((NO_TOPIC, ""),)
        if len(_KEYS) >= _KEYS_KEPT:
            _KEYS.clear()
        _KEYS[topics] = found
    return found


def _topic_entries(merged: Counts, with_unread: bool) -> list[TopicCount]:
    """One entry per topic (case folded), most articles first, "No topic" last."""
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for topics, (total, unread, _) in merged.items():
        for key, label in topic_keys(topics):
            entry = counts.get(key)
            if entry is None:
                counts[key] = [total, unread]
                if key != NO_TOPIC:
                    labels[key] = label
            else:
                entry[0] += total
                entry[1] += unread
    entries = [
        TopicCount(key, labels.get(key, "No topic"), total, unread if with_unread else None)
        for key, (total, unread) in counts.items()
    ]
    # "No topic" always goes last; the others by count, then name.
    entries.sort(key=lambda e: (e.key == NO_TOPIC, -e.count, e.label.casefold()))
    return entries


def in_feed_order(entries: list[TopicCount], ranks: dict[str, int]) -> list[TopicCount]:
    """Topic entries in the order of `ranks` (a topic's place in the whole feed, see
    `FeedView.topic_ranks`), those it lacks after them by name; "No topic" last."""
    unranked = len(ranks)
    return sorted(
        entries,
        key=lambda e: (e.key == NO_TOPIC, ranks.get(e.key, unranked), e.label.casefold()),
    )


def in_topic(article: ArticleSummary, key: str) -> bool:
    """Whether the article belongs to the sidebar entry `key` (a topic, all or none)."""
    if key == ALL:
        return True
    if key == NO_TOPIC:
        return not article.topics
    return any(topic_key(t) == key for t in article.topics)
