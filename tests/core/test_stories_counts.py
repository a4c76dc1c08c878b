"""The sidebar's story counts: each entry counts the stories the list shows when it is chosen.

A story belongs to an entry when any of its articles shown there does (as a story is shown
when any of its articles matches the filter), so the count of every entry is checked
against the rows the view gives with that entry chosen: the reference is the list itself.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from examples import examples
from reader.core.config import SavedSearch
from reader.core.library import Library
from reader.core.loader import load_feed
from reader.core.model import Article
from reader.core.query import parse_query
from reader.core.storage.state import StateStore
from reader.core.view import FeedView

SAMPLE = Path(__file__).resolve().parents[2] / "sample_feed"
ARTICLES: list[Article] = load_feed(SAMPLE).articles
IDS = sorted(article.id for article in ARTICLES)
SEARCHES = (SavedSearch("Robots", "robot"), SavedSearch("Broken", "(("))
QUERIES = ("", "robot", "-topic:ai", "quality>=100", "is:unread OR space")


def view_of(stories: list[tuple[str, ...]], read: set[str], starred: set[str]) -> FeedView:
    library = Library()
    library.add_articles(ARTICLES)
    library.set_stories(stories)
    store = StateStore()
    store.set_read_many(sorted(read))
    for article_id in sorted(starred):
        store.set_starred(article_id)
    view = FeedView(library, store, searches=SEARCHES)
    view.count_stories = True
    return view


def assert_counts_are_the_lists(view: FeedView) -> None:
    for entry in view.sidebar():
        view.topic = entry.key
        assert entry.count == len(view.articles()), entry
        # Not counted: no story groups two of the articles, each is a story of its own.
        stories = entry.count if entry.stories is None else entry.stories
        assert stories == len(view.story_rows()), entry


def partition(order: list[int], cuts: list[int]) -> list[tuple[str, ...]]:
    """The sample's ids, shuffled by `order`, cut into groups; the groups of two or more."""
    shuffled = [IDS[i] for i in order]
    bounds = sorted({0, len(shuffled), *cuts})
    groups = [tuple(sorted(shuffled[a:b])) for a, b in itertools.pairwise(bounds)]
    return [group for group in groups if len(group) > 1]


def test_each_entry_counts_the_stories_its_list_shows() -> None:
    # Stories across topics: every third article with the next two, some read and starred.
    stories = [tuple(IDS[at : at + 3]) for at in range(0, len(IDS) - 2, 6)]
    view = view_of(stories, set(IDS[::4]), set(IDS[1::5]))
    entries = view.sidebar()
    assert any(e.stories is not None and e.stories < e.count for e in entries)
    assert_counts_are_the_lists(view)


def test_without_stories_the_sidebar_counts_articles_only() -> None:
    view = view_of([tuple(IDS[:2])], {IDS[0]}, set())
    view.count_stories = False
    assert all(entry.stories is None for entry in view.sidebar())
    view.count_stories = True
    assert view.sidebar()[0].stories == len(IDS) - 1
    view.hide_read = True  # the story's other article is a story alone: nothing to count
    assert all(entry.stories is None for entry in view.sidebar())


@settings(max_examples=examples(40), deadline=None)
@given(
    order=st.permutations(range(len(IDS))),
    cuts=st.lists(st.integers(0, len(IDS)), max_size=len(IDS)),
    read=st.sets(st.sampled_from(IDS)),
    starred=st.sets(st.sampled_from(IDS)),
    query=st.sampled_from(QUERIES),
    hide_read=st.booleans(),
)
def test_the_counts_hold_for_any_stories_marks_and_filter(
    order: list[int], cuts: list[int], read: set[str], starred: set[str], query: str,
    hide_read: bool,
) -> None:  # fmt: skip
    view = view_of(partition(order, cuts), read, starred)
    view.query = parse_query(query) if query else None
    view.hide_read = hide_read
    assert_counts_are_the_lists(view)
