"""The view's fast paths give the answers of the plain code they stand in for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from query_helpers import art
from reader.core.model import ArticleSummary
from reader.core.stories.rows import StoryIndex, story_rows
from reader.core.view import rows_of_stories

FEED = [art(f"a{number}", f"Title {number}") for number in range(30)]


@st.composite
def stories_and_shown(draw: st.DrawFn) -> tuple[StoryIndex, list[ArticleSummary]]:
    """Disjoint stories of two articles or more over FEED, and some of FEED in some order."""
    ids = draw(st.permutations([a.id for a in FEED]))
    groups: list[tuple[str, ...]] = []
    start = 0
    sizes = draw(st.lists(st.integers(min_value=2, max_value=5), max_size=8))
    for size in sizes if draw(st.booleans()) else ():  # a feed without stories, half the time
        if start + size > len(ids):
            break
        groups.append(tuple(sorted(ids[start : start + size])))
        start += size
    shown = draw(st.lists(st.sampled_from(FEED), unique_by=lambda a: a.id, max_size=len(FEED)))
    return StoryIndex(groups), shown


@settings(max_examples=300, deadline=None)
@given(stories_and_shown())
def test_the_views_story_rows_are_story_rows(
    case: tuple[StoryIndex, list[ArticleSummary]],
) -> None:
    stories, shown = case
    expected = story_rows(shown, stories, FEED)
    found = rows_of_stories(shown, stories, FEED)
    assert [a.id for a in found.leads] == [a.id for a in expected.leads]
    assert all(a is b for a, b in zip(found.leads, expected.leads, strict=True))
    assert found.leads is not shown  # a list of its own, as story_rows makes
    assert list(found) == list(expected)


def test_without_stories_every_article_shown_leads_its_row() -> None:
    shown = [FEED[i] for i in (7, 1, 2)]
    rows = rows_of_stories(shown, StoryIndex(), FEED)
    assert rows.leads == shown
    assert [row.others for row in rows] == [(), (), ()]
