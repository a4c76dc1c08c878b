"""The view's fast paths give the answers of the plain code they stand in for."""

from __future__ import annotations

from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from examples import examples
from query_helpers import art
from reader.core import topics
from reader.core.model import ArticleSummary, Picked
from reader.core.query.words import bitset
from reader.core.stories.counts import StoryColumns, StoryCounts
from reader.core.stories.rows import StoryIndex, StoryRow, StoryRows, story_rows
from reader.core.topics import (
    KEY_SPELLINGS_MAX,
    TopicColumns,
    TopicCount,
    sidebar_entries,
    topic_keys,
)
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


@settings(max_examples=examples(300), deadline=None)
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


def _eager_leads(shown: list[ArticleSummary], stories: StoryIndex) -> list[ArticleSummary]:
    """The plain answer: each story's first article shown, every other article."""
    seen: set[tuple[str, ...]] = set()
    leads = []
    for article in shown:
        story = stories.story_of(article.id)
        if story not in seen:
            seen.add(story)
            leads.append(article)
    return leads


@settings(max_examples=examples(300), deadline=None)
@given(stories_and_shown(), st.data())
def test_story_rows_found_as_far_as_asked_are_the_rows_found_whole(
    case: tuple[StoryIndex, list[ArticleSummary]], data: st.DataObject
) -> None:
    """`reader list --stories --limit N` asks the first rows only: the leads are found up to
    there; whatever is asked, in any order, is what the whole list's rows are."""
    stories, shown = case
    whole = StoryRows(_eager_leads(shown, stories), stories, FEED)
    rows = story_rows(shown, stories, FEED)
    asks = st.one_of(
        st.integers(-len(FEED) - 2, len(FEED) + 2),
        st.builds(slice, st.none() | st.integers(-5, 35), st.none() | st.integers(-5, 35)),
        st.builds(slice, st.none(), st.integers(0, 35), st.sampled_from([None, 1, 2, -1])),
    )
    for ask in data.draw(st.lists(asks, max_size=6)):
        if isinstance(ask, slice):
            assert rows[ask] == whole[ask]
            continue
        expected = whole[ask] if -len(whole) <= ask < len(whole) else None
        try:
            found: StoryRow | None = rows[ask]
        except IndexError:
            found = None
        assert found == expected
    assert len(rows) == len(whole)
    assert [a.id for a in rows.leads] == [a.id for a in whole.leads]


def test_without_stories_every_article_shown_leads_its_row() -> None:
    shown = [FEED[i] for i in (7, 1, 2)]
    rows = rows_of_stories(shown, StoryIndex(), FEED)
    assert rows.leads == shown
    assert [row.others for row in rows] == [(), (), ()]


# --- The sidebar's counts by position (topics.TopicColumns) -----------------------------

TOPIC_NAMES = ["AI", "ai", "Climate", "Économie", "économie"]


@st.composite
def topical_feed(draw: st.DrawFn) -> list[ArticleSummary]:
    count = draw(st.integers(min_value=0, max_value=25))
    pick_topics = st.lists(st.sampled_from(TOPIC_NAMES), max_size=3, unique=True).map(tuple)
    return [art(f"a{number}", topics=draw(pick_topics)) for number in range(count)]


def marks_of(data: st.DataObject, feed: list[ArticleSummary]) -> frozenset[str]:
    ids = [a.id for a in feed] + ["gone"]  # an id the feed no longer has is in marks too
    return frozenset(data.draw(st.lists(st.sampled_from(ids), max_size=len(ids))))


@settings(max_examples=examples(200), deadline=None)
@given(topical_feed(), st.data(), st.sampled_from([KEY_SPELLINGS_MAX, 2]))
def test_the_sidebar_counted_by_position_is_the_sidebar_counted_by_article(
    feed: list[ArticleSummary], data: st.DataObject, spellings_max: int
) -> None:
    """Picked subsets of the feed (with and without their bitset) and the feed itself,
    under marks that change a little (updated in place) and a lot (made again), with and
    without a reading state; and what a saved search's answer holds of them. Counted by
    the key columns' bitsets, and (more spellings than those allow) by the codes."""
    with patch.object(topics, "KEY_SPELLINGS_MAX", spellings_max):
        columns = TopicColumns(feed)
        by_bits = columns.key_columns() is not None
    spellings = {pair for article in feed for pair in topic_keys(article.topics)}
    assert by_bits == (0 < len(spellings) <= spellings_max)
    for _ in range(4):
        read = None if data.draw(st.integers(0, 5)) == 0 else marks_of(data, feed)
        starred = marks_of(data, feed)
        positions = sorted(
            data.draw(st.sets(st.integers(0, max(len(feed) - 1, 0)))) if feed else []
        )
        subset = [feed[i] for i in positions]
        picked = Picked(subset, positions, feed)
        with_bits = Picked(subset, positions, feed, bitset(positions, len(feed)))
        for shown in (picked, with_bits, feed):
            assert columns.covers(shown)
            expected = sidebar_entries(list(shown), read, starred)
            assert sidebar_entries(shown, read, starred, columns) == expected
            hits, marked = marks_of(data, feed), read or frozenset()
            mine = [a.id for a in shown if a.id in hits]
            unread = sum(1 for article_id in mine if article_id not in marked)
            assert columns.in_hits(shown, hits, marked, starred) == (len(mine), unread)


def test_marks_changed_in_place_are_counted_as_made_again() -> None:
    feed = [art(f"a{number}", topics=("AI",) if number % 2 else ()) for number in range(100)]
    columns = TopicColumns(feed)
    read: frozenset[str] = frozenset()
    for number in range(0, 100, 7):  # one more read at a time: each an update in place
        read = read | {f"a{number}"}
        assert sidebar_entries(feed, read, frozenset(), columns) == sidebar_entries(
            list(feed), read, frozenset()
        )


def test_a_list_not_picked_from_the_sequence_is_not_covered() -> None:
    feed = [art(f"a{number}", topics=("AI",)) for number in range(5)]
    columns = TopicColumns(feed)
    assert not columns.covers(list(feed))
    assert not columns.covers(Picked(feed[:2], [0, 1], list(feed)))
    feed.append(art("a5", topics=("AI",)))  # grown since: its columns no longer hold
    assert not columns.covers(Picked(feed[:2], [0, 1], feed))


@settings(max_examples=examples(200), deadline=None)
@given(topical_feed(), st.data())
def test_story_counts_by_position_are_story_counts_by_article(
    feed: list[ArticleSummary], data: st.DataObject
) -> None:
    """The sidebar's story counts (All, Unread, Starred, saved searches, topics) of picked
    subsets (with and without their bitset) and of the whole feed, by position and by article."""
    ids = data.draw(st.permutations([a.id for a in feed]))
    groups, start = [], 0
    for size in data.draw(st.lists(st.integers(min_value=2, max_value=4), max_size=6)):
        groups.append(tuple(sorted(ids[start : start + size])))
        start += size
    stories = StoryIndex([g for g in groups if len(g) > 1])
    columns = StoryColumns(TopicColumns(feed), stories)
    for _ in range(3):
        positions = sorted(
            data.draw(st.sets(st.integers(0, max(len(feed) - 1, 0)))) if feed else []
        )
        marks = (marks_of(data, feed), marks_of(data, feed))
        hits = [("search:0", marks_of(data, feed)), ("search:1", frozenset[str]())]
        subset = [feed[i] for i in positions]
        with_bits = Picked(subset, positions, feed, bitset(positions, len(feed)))
        for shown in (Picked(subset, positions, feed), with_bits, feed):
            entries = sidebar_entries(shown, *marks) + [
                TopicCount(key, key, sum(1 for a in shown if a.id in found)) for key, found in hits
            ]
            by_article = StoryCounts().counted(entries, list(shown), stories, marks, hits)
            assert StoryCounts().counted(entries, shown, stories, marks, hits, columns) == (
                by_article
            )


# --- A streamed load: counted plainly, with no columns made ----------------------------------


@settings(max_examples=examples(100), deadline=None)
@given(topical_feed(), st.data())
def test_a_streamed_feeds_sidebar_is_the_sidebar_of_the_feed_made_at_once(
    feed: list[ArticleSummary], data: st.DataObject
) -> None:
    """Batch by batch, the sidebar of the growing feed is that of a library given the same
    articles at once; no counting columns are made for a list counted once (each batch
    makes a new one) until the whole feed is set; then they are, as before."""
    from reader.core.library import Library
    from reader.core.storage.state import StateStore
    from reader.core.view import FeedView

    store = StateStore()
    store.set_read_many(marks_of(data, feed) - {"gone"})
    streamed = Library()
    view = FeedView(streamed, store)
    cuts = sorted(data.draw(st.sets(st.integers(0, len(feed)), max_size=4)) | {len(feed)})
    start = 0
    for cut in cuts:
        streamed.add_summaries(feed[start:cut], streamed=True)
        start = cut
        whole = Library()
        whole.add_summaries(feed[:cut])
        assert view.sidebar() == FeedView(whole, store).sidebar()
        # The topics' ranks and labels, taken from the sidebar's own count of the feed.
        plain = topics.count_topics(whole.sorted())
        ranks = {e.key: rank for rank, e in enumerate(plain)}, {e.key: e.label for e in plain}
        assert view.topic_ranks() == ranks[0] == FeedView(whole, store).topic_ranks()
        assert [view.entry_name(key) for key in ranks[1]] == list(ranks[1].values())
        assert streamed.counting_columns() is None
    streamed.replace_all(feed)
    assert view.sidebar() == FeedView(streamed, store).sidebar()
    assert streamed.counting_columns() is streamed.topic_columns()
