"""What a list shows of stories: one row per story, its lead and its other outlets.

A story's row is led by its best article in the list's order among those the list shows
(the filter and the topic apply to articles; a story is shown when any of its articles is);
its other articles are all the story's others in the feed, in the same order. A story is
unread while any of its articles is, and marking its lead marks them all (`ids`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import overload

from reader.core.model import ArticleSummary, plural

# The grouped articles of a list by id, in its order, and their places in it.
Members = tuple[dict[str, ArticleSummary], dict[str, int]]


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
        # The story of every article that has others: what `story_rows` looks up.
        self.by_article = {member: group for group in groups for member in group}
        # `members_in`'s last answer, with the list it was made from (held: no id reused).
        self._members: tuple[Sequence[ArticleSummary], Members] | None = None

    def story_of(self, article_id: str) -> tuple[str, ...]:
        """The ids of the article's story, sorted (the article alone when it has none)."""
        return self.by_article.get(article_id, (article_id,))

    def members_in(self, in_order: Sequence[ArticleSummary]) -> Members:
        """The grouped articles of `in_order` by id, in its order, and their places in it.

        Made once per order of the feed: every filter's rows ask it (a pass over the whole
        feed, which a keystroke would else pay for).
        """
        memo = self._members
        if memo is None or memo[0] is not in_order:
            grouped = self.by_article
            members = {a.id: a for a in in_order if a.id in grouped}
            position = {article_id: at for at, article_id in enumerate(members)}
            memo = self._members = (in_order, (members, position))
        return memo[1]


def story_rows(
    shown: Sequence[ArticleSummary], stories: StoryIndex, in_order: Sequence[ArticleSummary]
) -> StoryRows:
    """One row per story with an article in `shown` (a list in some order), in that order.

    Args:
        shown: The articles the list shows, in its order.
        stories: The feed's stories.
        in_order: The whole feed in the same order: where a lead's other articles come from.
    """
    # The articles shown now (a list the library grows in place stops at its length now).
    found = _leads_in(islice(shown, len(shown)), stories.by_article)
    return StoryRows([], stories, in_order, found)


def _leads_in(
    shown: Iterable[ArticleSummary], by_article: dict[str, tuple[str, ...]]
) -> Iterator[ArticleSummary]:
    """The first article of each story in `shown`, in its order."""
    get, seen = by_article.get, set()
    for article in shown:  # one pass, no object per row: 100,000 articles take milliseconds
        story = get(article.id)
        if story is None:
            yield article
        elif story[0] not in seen:
            seen.add(story[0])
            yield article


class StoryRows(Sequence[StoryRow]):
    """The rows of `story_rows`, each made when it is asked for (a list draws a screenful).

    The leads too are found as far as the rows asked for need (`rest`: those not found
    yet): `reader list --stories --limit 20` walks the list only to its 20th story; its
    length, or `leads`, walks it all.
    """

    def __init__(
        self,
        leads: list[ArticleSummary],
        stories: StoryIndex,
        in_order: Sequence[ArticleSummary],
        rest: Iterator[ArticleSummary] | None = None,
    ) -> None:
        self._leads, self.stories = leads, stories
        self._in_order = in_order
        self._rest = rest

    @property
    def leads(self) -> list[ArticleSummary]:
        """Every row's lead, in order."""
        if self._rest is not None:
            self._leads.extend(self._rest)
            self._rest = None
        return self._leads

    def _found(self, count: int) -> list[ArticleSummary]:
        """The leads, found at least up to the first `count` (all if there are fewer)."""
        missing = count - len(self._leads)
        if self._rest is not None and missing > 0:
            self._leads.extend(islice(self._rest, missing))
            if len(self._leads) < count:
                self._rest = None  # walked to the end
        return self._leads

    def __len__(self) -> int:
        return len(self.leads)

    @overload
    def __getitem__(self, index: int) -> StoryRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[StoryRow]: ...
    def __getitem__(self, index: int | slice) -> StoryRow | list[StoryRow]:
        if isinstance(index, slice):
            ahead = (index.start or 0) >= 0 and index.stop is not None and index.stop >= 0
            leads = self._found(index.stop) if ahead and (index.step or 1) > 0 else self.leads
            return [self._row(lead) for lead in leads[index]]
        leads = self._found(index + 1) if index >= 0 else self.leads
        return self._row(leads[index])

    def _row(self, lead: ArticleSummary) -> StoryRow:
        story = self.stories.story_of(lead.id)
        if len(story) == 1:
            return StoryRow(lead)
        members, position = self.stories.members_in(self._in_order)
        others = sorted(
            (m for m in story if m != lead.id and m in members), key=position.__getitem__
        )
        return StoryRow(lead, tuple(members[m] for m in others))


def leads_by_article(rows: StoryRows) -> dict[str, str]:
    """Each article of the rows' stories, by id, with its story's lead's id."""
    story_of = rows.stories.story_of
    return {article_id: lead.id for lead in rows.leads for article_id in story_of(lead.id)}


def story_counts(rows: Sequence[StoryRow], articles: int) -> str:
    """The header's counts: `58 stories · 71 articles` (the articles the list shows)."""
    return f"{plural(len(rows), 'story', 'stories')} · {plural(articles, 'article')}"
