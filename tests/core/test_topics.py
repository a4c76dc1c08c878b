"""Sidebar counts, without a terminal."""

from __future__ import annotations

from reader.core.model import ArticleSummary
from reader.core.topics import (
    ALL,
    NO_TOPIC,
    STARRED,
    UNREAD,
    count_topics,
    sidebar_entries,
    topic_key,
)


def summary(article_id: str, *topics: str) -> ArticleSummary:
    return ArticleSummary(
        article_id, f"{article_id}.md", article_id, None, "", "", None, None, None, topics, ""
    )


ARTICLES = [
    summary("a", "AI", "Space"),
    summary("b", "ai"),
    summary("c", "Space"),
    summary("d"),
    summary("e", "AI", "Space"),
]


def test_entries_count_all_unread_starred_and_each_topic() -> None:
    entries = {
        e.key: e for e in sidebar_entries(ARTICLES, read_ids={"a", "d"}, starred_ids={"c", "e"})
    }
    assert (entries[ALL].count, entries[ALL].unread) == (5, 3)
    assert entries[UNREAD].count == 3
    assert entries[STARRED].count == 2
    assert (entries[topic_key("AI")].count, entries[topic_key("AI")].unread) == (3, 2)
    assert entries[topic_key("AI")].label == "AI"  # the spelling seen first
    assert (entries[topic_key("Space")].count, entries[topic_key("Space")].unread) == (3, 2)
    assert (entries[NO_TOPIC].count, entries[NO_TOPIC].unread) == (1, 0)


def test_order_is_fixed_entries_then_count_then_name_with_no_topic_last() -> None:
    keys = [e.key for e in sidebar_entries(ARTICLES)]
    assert keys == [ALL, UNREAD, STARRED, topic_key("AI"), topic_key("Space"), NO_TOPIC]


def test_without_reading_state_there_are_no_unread_counts() -> None:
    topics = count_topics(ARTICLES)
    assert all(entry.unread is None for entry in topics)
    assert topics[0].key == topic_key("AI")


def test_an_empty_feed_has_zero_counts() -> None:
    assert [e.count for e in sidebar_entries([])] == [0, 0, 0]
