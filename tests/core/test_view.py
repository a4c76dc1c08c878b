"""FeedView: what the list shows, the sidebar and the header counts, without a terminal.

The reference functions below are the code paths FeedView replaces, as they were: the
app's `filtered_articles`, `visible_articles`, `topic_entries` and `unread_total`, and the
filtering of `reader list`, with two later rules: hide-read leaves starred articles, and
the sidebar's topics keep their order in the whole feed. FeedView must give the same
answers on the sample feed.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.library import Library
from reader.core.loader import load_feed
from reader.core.model import Article, ArticleSummary, summarize
from reader.core.ordering import SORT_ORDERS, sort_articles
from reader.core.query import Query, parse_query
from reader.core.storage.state import StateStore
from reader.core.topics import (
    ALL,
    NO_TOPIC,
    STARRED,
    UNREAD,
    TopicCount,
    in_topic,
    sidebar_entries,
    topic_key,
)
from reader.core.view import FeedView, ViewCounts

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_feed"
NOW = datetime(2024, 7, 1, tzinfo=UTC)
QUERIES = [
    "",
    "robot",
    "-topic:ai",
    "quality>=100",
    "is:unread",
    "is:starred OR quality<60",
    '"computer vision"',
    "after:2024-01-01 -is:read",
    "provider:harbor OR space",
    "no-article-says-this",
]
TOPICS = [
    ALL,
    UNREAD,
    STARRED,
    NO_TOPIC,
    topic_key("AI"),
    topic_key("security"),
    topic_key("Computer Vision"),
]


# --- the code paths FeedView replaces ------------------------------------------------------


def old_filtered(
    library: Library, store: StateStore, order: str, query: Query | None, hide_read: bool
) -> list[ArticleSummary]:
    articles = library.sorted(order)
    if query is not None and not query.is_empty:
        articles = query.filter(articles, store, library.search_index(order))
    if hide_read:
        read, starred = store.read_ids(), store.starred_ids()
        articles = [a for a in articles if a.id not in read or a.id in starred]
    return articles


def old_in_entry(store: StateStore, article: ArticleSummary, key: str) -> bool:
    if key == UNREAD:
        return not store.is_read(article.id)
    if key == STARRED:
        return store.is_starred(article.id)
    return in_topic(article, key)


def old_visible(
    library: Library,
    store: StateStore,
    order: str,
    topic: str,
    filtered: list[ArticleSummary],
    pinned: str | None,
) -> tuple[list[ArticleSummary], bool, str | None]:
    """The list, pin_hidden and pinned afterwards."""
    visible = filtered if topic == ALL else [a for a in filtered if old_in_entry(store, a, topic)]
    if pinned is None or any(a.id == pinned for a in visible):
        return visible, False, pinned
    if library.summary(pinned) is None:
        return visible, False, None
    keep = {a.id for a in visible}
    keep.add(pinned)
    return [a for a in library.sorted(order) if a.id in keep], True, pinned


def old_sidebar(
    library: Library, store: StateStore, filtered: list[ArticleSummary]
) -> list[TopicCount]:
    """The sidebar's entries, the topics in their order of the whole feed (most articles
    first, then by name), whatever the filters leave of each."""
    entries = sidebar_entries(filtered, store.read_ids(), store.starred_ids())
    feed_order = [e.key for e in sidebar_entries(library.sorted("quality"))[3:]]
    return [*entries[:3], *sorted(entries[3:], key=lambda e: feed_order.index(e.key))]


def old_unread(library: Library, store: StateStore) -> int:
    read = store.read_ids()
    return sum(1 for a in library.summaries if a.id not in read)


def old_cli_list(articles: list[Article], store: StateStore, order: str, query: Query) -> list[str]:
    return [
        s.id for s in query.filter(sort_articles([summarize(a) for a in articles], order), store)
    ]


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> list[Article]:
    return load_feed(SAMPLE).articles


def library_of(articles: list[Article]) -> Library:
    library = Library()
    library.add_articles(articles)
    return library


def marked_store(articles: list[Article]) -> StateStore:
    """A state kept in memory: every third article read, every fifth starred."""
    store = StateStore()
    ids = sorted(a.id for a in articles)
    store.set_read_many(ids[::3])
    for article_id in ids[::5]:
        store.set_starred(article_id)
    return store


def test_the_cases_below_are_not_trivial(sample: list[Article]) -> None:
    library, store = library_of(sample), marked_store(sample)
    sizes = {
        text: len(old_filtered(library, store, "quality", parse_query(text, now=NOW), False))
        for text in QUERIES
    }
    assert sizes[""] == len(sample) == 48 and sizes["no-article-says-this"] == 0
    assert all(
        0 < size < len(sample)
        for text, size in sizes.items()
        if text not in ("", "no-article-says-this")
    )
    assert all(library.select(topic=key) for key in TOPICS if key not in (UNREAD, STARRED))


# --- the same answers as before ---------------------------------------------------------


@pytest.mark.parametrize("text", QUERIES)
def test_same_list_sidebar_and_counts_as_the_app_had(sample: list[Article], text: str) -> None:
    library, store = library_of(sample), marked_store(sample)
    query = parse_query(text, now=NOW)
    view = FeedView(library, store)
    for order, topic, hide_read in itertools.product(SORT_ORDERS, TOPICS, (False, True)):
        view.order, view.topic, view.query, view.hide_read = order, topic, query, hide_read
        filtered = old_filtered(library, store, order, query, hide_read)
        expected, _, _ = old_visible(library, store, order, topic, filtered, None)
        where = (order, topic, hide_read)
        assert [a.id for a in view.articles()] == [a.id for a in expected], where
        assert view.sidebar() == old_sidebar(library, store, filtered), where
        assert view.counts() == ViewCounts(
            len(expected), len(sample), old_unread(library, store)
        ), where


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("order", SORT_ORDERS)
def test_same_list_as_reader_list_had(sample: list[Article], text: str, order: str) -> None:
    store = marked_store(sample)
    query = parse_query(text, now=NOW)
    view = FeedView(library_of(sample), store, order=order, query=query)
    assert [a.id for a in view.articles()] == old_cli_list(sample, store, order, query)


def test_no_query_and_the_empty_query_show_everything(sample: list[Article]) -> None:
    library, store = library_of(sample), marked_store(sample)
    for query in (None, parse_query("")):
        assert FeedView(library, store, query=query).articles() == library.sorted("quality")


# --- the pinned article -----------------------------------------------------------------------


def test_a_pinned_article_the_filters_hide_is_shown_in_its_place(sample: list[Article]) -> None:
    library, store = library_of(sample), marked_store(sample)
    read = sorted(store.read_ids() - store.starred_ids())[0]
    view = FeedView(library, store, hide_read=True, pinned=read)
    shown = view.articles()
    assert view.pin_hidden and read in [a.id for a in shown]
    expected, hidden, pinned = old_visible(
        library, store, "quality", ALL, old_filtered(library, store, "quality", None, True), read
    )
    assert (shown, view.pin_hidden, view.pinned) == (expected, hidden, pinned)
    assert [a.id for a in shown] == [
        a.id for a in library.sorted("quality") if a.id in {s.id for s in shown}
    ]


def test_a_pinned_article_already_shown_is_not_hidden(sample: list[Article]) -> None:
    library, store = library_of(sample), marked_store(sample)
    view = FeedView(library, store, pinned=library.sorted("quality")[3].id)
    assert view.articles() == library.sorted("quality") and not view.pin_hidden


def test_a_pinned_article_gone_from_the_feed_is_unpinned(sample: list[Article]) -> None:
    library, store = library_of(sample), marked_store(sample)
    query = parse_query("robot")
    matching = {a.id for a in old_filtered(library, store, "quality", query, False)}
    hidden = next(a.id for a in library.sorted("quality") if a.id not in matching)
    view = FeedView(library, store, query=query, pinned=hidden)
    assert hidden in [a.id for a in view.articles()] and view.pin_hidden
    library.replace_all([s for s in library.summaries if s.id != hidden])
    shown = view.articles()
    assert view.pinned is None and not view.pin_hidden
    assert shown == old_filtered(library, store, "quality", query, False)


# --- answers follow what they depend on -----------------------------------------------------


def test_a_mark_change_is_seen_when_the_view_depends_on_marks(sample: list[Article]) -> None:
    library, store = library_of(sample), marked_store(sample)
    view = FeedView(library, store, hide_read=True)
    first = view.articles()
    store.set_read(first[0].id)
    assert first[0] not in view.articles()
    assert view.counts().unread == old_unread(library, store)
    view.hide_read, view.topic = False, STARRED
    starred = view.articles()
    store.set_starred(first[0].id)
    assert (
        view.articles()
        == [a for a in library.sorted("quality") if store.is_starred(a.id)]
        != starred
    )


def test_a_mark_change_costs_nothing_when_the_list_does_not_depend_on_it(
    sample: list[Article],
) -> None:
    library, store = library_of(sample), marked_store(sample)
    view = FeedView(library, store, query=parse_query("-topic:ai"))
    first, sidebar = view.articles(), view.sidebar()
    store.set_read(first[0].id)
    assert view.articles() is first  # not filtered again
    # but counted again
    assert view.sidebar() != sidebar and view.sidebar() == old_sidebar(library, store, first)


def test_answers_follow_the_library_and_the_settings(sample: list[Article]) -> None:
    library, store = library_of(sample[:10]), marked_store(sample)
    view = FeedView(library, store, query=parse_query("-robot"))
    assert view.articles() == old_filtered(library, store, "quality", view.query, False)
    assert view.counts() == ViewCounts(len(view.articles()), 10, old_unread(library, store))
    library.add_articles(sample[10:])  # grows the same summaries list in place
    assert view.articles() == old_filtered(library, store, "quality", view.query, False)
    assert view.counts() == ViewCounts(
        len(view.articles()), len(sample), old_unread(library, store)
    )
    view.order = "title"
    assert view.articles() == old_filtered(library, store, "title", view.query, False)
    view.query = parse_query("robot")
    assert view.articles() == old_filtered(library, store, "title", view.query, False)
    view.topic = topic_key("ai")
    assert view.articles() == [
        a
        for a in old_filtered(library, store, "title", view.query, False)
        if in_topic(a, view.topic)
    ]


def test_uses_marks_says_when_a_mark_change_can_change_the_list(sample: list[Article]) -> None:
    view = FeedView(library_of(sample), marked_store(sample))
    assert not view.uses_marks()
    for setting, value in (
        ("hide_read", True),
        ("topic", UNREAD),
        ("topic", STARRED),
        ("query", parse_query("is:read")),
    ):
        other = FeedView(view.library, view.state)
        setattr(other, setting, value)
        assert other.uses_marks(), setting
    view.query = parse_query("robot -topic:ai")
    assert not view.uses_marks()


# --- the command line asks the view ---------------------------------------------------------


def test_reader_list_prints_what_the_view_shows(
    sample: list[Article], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.db"
    with StateStore.open(state) as store:
        store.set_read_many(sorted(a.id for a in sample)[::2])
    assert (
        main(
            [
                "list",
                str(SAMPLE),
                "--state",
                str(state),
                "--sort",
                "newest",
                "-q",
                "is:unread -topic:ai",
                "--format",
                "json",
            ]
        )
        == 0
    )
    printed = [entry["id"] for entry in json.loads(capsys.readouterr().out)]
    with StateStore.open(state) as store:
        view = FeedView(
            library_of(sample), store, order="newest", query=parse_query("is:unread -topic:ai")
        )
        assert printed == [a.id for a in view.articles()] and 0 < len(printed) < len(sample)


# --- hide-read and the sidebar, as a reader meets them ---------------------------------------


def test_hide_read_leaves_the_starred_articles_and_their_count(sample: list[Article]) -> None:
    library, store = library_of(sample), StateStore()
    kept = [a.id for a in library.sorted("quality")[:2]]
    store.set_read_many(kept)
    for article_id in kept:
        store.set_starred(article_id)
    view = FeedView(library, store, hide_read=True)
    assert set(kept) <= {a.id for a in view.articles()}
    assert next(e for e in view.sidebar() if e.key == STARRED).count == 2
    view.topic = STARRED
    assert [a.id for a in view.articles()] == kept


def test_topics_keep_their_place_as_their_articles_are_read(sample: list[Article]) -> None:
    library, store = library_of(sample), StateStore()
    view = FeedView(library, store, hide_read=True)
    before = [e.key for e in view.sidebar()[3:]]
    first = before[0]
    in_first = [a.id for a in library.sorted("quality") if in_topic(a, first)]
    store.set_read_many(in_first[1:])  # the reader goes through the biggest topic
    after = [e.key for e in view.sidebar()[3:]]
    assert next(e for e in view.sidebar() if e.key == first).count == 1
    assert after == [key for key in before if key in after] and after[0] == first


def test_the_entry_shown_is_named(sample: list[Article]) -> None:
    view = FeedView(library_of(sample), StateStore())
    assert view.entry_name(ALL) is None
    assert (view.entry_name(UNREAD), view.entry_name(STARRED)) == ("Unread", "Starred")
    assert view.entry_name(topic_key("computer vision")) == "Computer Vision"
