"""The view's fast paths give the answers of the plain code they stand in for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from query_helpers import art
from reader.core.model import ArticleSummary
from reader.core.stories.rows import StoryIndex, story_rows
from reader.core.view import story_leads

FEED = [art(f"a{number}", f"Title {number}") for number in range(30)]


@st.composite
def stories_and_shown(draw: st.DrawFn) -> tuple[StoryIndex, list[ArticleSummary]]:
    """Disjoint stories of two articles or more over FEED, and some of FEED in some order."""
    ids = draw(st.permutations([a.id for a in FEED]))
    groups: list[tuple[str, ...]] = []
    start = 0
    for size in draw(st.lists(st.integers(min_value=2, max_value=5), max_size=8)):
        if start + size > len(ids):
            break
        groups.append(tuple(sorted(ids[start : start + size])))
        start += size
    shown = draw(st.lists(st.sampled_from(FEED), unique_by=lambda a: a.id, max_size=len(FEED)))
    return StoryIndex(groups), shown


@settings(max_examples=300, deadline=None)
@given(stories_and_shown())
def test_story_leads_are_story_rows_leads(case: tuple[StoryIndex, list[ArticleSummary]]) -> None:
    stories, shown = case
    expected = story_rows(shown, stories, FEED).leads
    found = story_leads(shown, stories)
    assert [a.id for a in found] == [a.id for a in expected]
    assert all(a is b for a, b in zip(found, expected, strict=True))


def test_a_later_article_of_a_story_is_left_out() -> None:
    stories = StoryIndex([("a1", "a3"), ("a2", "a5", "a7")])
    shown = [FEED[i] for i in (7, 1, 2, 3, 4, 5, 0)]
    assert [a.id for a in story_leads(shown, stories)] == ["a7", "a1", "a4", "a0"]
