"""The sidebar's story counts: how many stories each entry's articles make.

A story belongs to a sidebar entry (a topic, Unread, Starred, a saved search) when any of
its articles shown there does, as a story is shown when any of its articles matches the
filter: an entry's story count is the number of rows the list shows when it is chosen.
Only the articles of stories cost anything: every other article is a story of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from reader.core.model import ArticleSummary
from reader.core.stories.rows import StoryIndex
from reader.core.topics import ALL, NO_TOPIC, STARRED, UNREAD, TopicCount, topic_key

# The keys of the entries an article is counted in (All, a topic, a saved search, ...).
EntryKeys = Callable[[ArticleSummary], Iterable[str]]


def with_story_counts(
    entries: Sequence[TopicCount],
    filtered: Sequence[ArticleSummary],
    stories: StoryIndex,
    keys_of: EntryKeys,
) -> list[TopicCount]:
    """The entries with their `stories` filled in, when some story groups two or more of
    the `filtered` articles (else they are left as they are, as the header counts stories
    only where they group some articles).

    Args:
        entries: The sidebar's entries, counting the `filtered` articles.
        filtered: The articles the sidebar counts.
        stories: The feed's stories.
        keys_of: The keys of every entry an article is counted in.
    """
    by_article = stories.by_article
    grouped: defaultdict[str, int] = defaultdict(int)  # entry key -> its articles in stories
    leads: defaultdict[str, set[str]] = defaultdict(set)  # entry key -> those stories
    for article in filtered:
        story = by_article.get(article.id)
        if story is None:
            continue  # a story of its own: counted as the article is
        for key in keys_of(article):
            grouped[key] += 1
            leads[key].add(story[0])
    counted = [
        replace(entry, stories=entry.count - grouped[entry.key] + len(leads[entry.key]))
        for entry in entries
    ]
    if all(entry.stories == entry.count for entry in counted):
        return list(entries)  # no story groups two of them: the articles are the stories
    return counted


def entry_keys(
    read: frozenset[str] | set[str],
    starred: frozenset[str] | set[str],
    searches: Sequence[tuple[str, frozenset[str]]],
) -> EntryKeys:
    """The `keys_of` of the sidebar's entries: All, Unread, Starred, the saved searches (each
    key with the ids it matches) and the article's topics ("No topic" for none)."""

    def keys_of(article: ArticleSummary) -> Iterable[str]:
        keys = [ALL]
        if article.id not in read:
            keys.append(UNREAD)
        if article.id in starred:
            keys.append(STARRED)
        keys += [key for key, hits in searches if article.id in hits]
        topics = {topic_key(topic) for topic in article.topics}
        return keys + (sorted(topics) if topics else [NO_TOPIC])

    return keys_of
