"""What a list shows of stories: one row per story, its lead and its other outlets.

A story's row is led by its best article in the list's order among those the list shows
(the filter and the topic apply to articles; a story is shown when any of its articles is);
its other articles are all the story's others in the feed, in the same order. A story is
unread while any of its articles is, and marking its lead marks them all (`ids`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reader.core.model import ArticleSummary, plural


@dataclass(frozen=True, slots=True)
class StoryRow:
    """One row of the grouped list: the lead and the story's other articles."""

    lead: ArticleSummary
    others: tuple[ArticleSummary, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        """Every article of the story, the lead first: what marking the lead marks."""
        return (self.lead.id, *(other.id for other in self.others))

    def is_unread(self, read: frozenset[str] | set[str]) -> bool:
        """Unread while any of the story's articles is."""
        return any(article_id not in read for article_id in self.ids)


class StoryIndex:
    """The feed's stories by article id (an article in none is a story of its own)."""

    def __init__(self, groups: Iterable[tuple[str, ...]] = ()) -> None:
        self._story = {member: group for group in groups for member in group}

    def story_of(self, article_id: str) -> tuple[str, ...]:
        """The ids of the article's story, sorted (the article alone when it has none)."""
        return self._story.get(article_id, (article_id,))

    def grouped(self) -> frozenset[str]:
        """The ids of the articles that are in a story with others."""
        return frozenset(self._story)


def story_rows(
    shown: Sequence[ArticleSummary], stories: StoryIndex, in_order: Sequence[ArticleSummary]
) -> list[StoryRow]:
    """One row per story with an article in `shown` (a list in some order), in that order.

    Args:
        shown: The articles the list shows, in its order.
        stories: The feed's stories.
        in_order: The whole feed in the same order: where a lead's other articles come from.
    """
    grouped = stories.grouped()
    if not grouped:
        return [StoryRow(article) for article in shown]
    members = {a.id: a for a in in_order if a.id in grouped}
    position = {article_id: at for at, article_id in enumerate(members)}
    rows, seen = [], set()
    for article in shown:
        story = stories.story_of(article.id)
        if len(story) == 1:
            rows.append(StoryRow(article))
        elif story[0] not in seen:
            seen.add(story[0])
            others = sorted(
                (m for m in story if m != article.id and m in members), key=position.__getitem__
            )
            rows.append(StoryRow(article, tuple(members[m] for m in others)))
    return rows


def leads_by_article(rows: Iterable[StoryRow]) -> dict[str, str]:
    """Each article of the rows' stories, by id, with its story's lead's id."""
    return {article_id: row.lead.id for row in rows for article_id in row.ids}


def story_counts(rows: Sequence[StoryRow], articles: int) -> str:
    """The header's counts: `58 stories · 71 articles` (the articles the list shows)."""
    return f"{plural(len(rows), 'story', 'stories')} · {plural(articles, 'article')}"
