"""Library: a feed added in many batches (a streamed load) equals the same feed added at once.

The batches keep the lookups and the sorted lists up to date instead of remaking them; these
tests compare every order, the lookups and the view's counts with a single add.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from reader.core.library import Library
from reader.core.model import ArticleSummary
from reader.core.ordering import SORT_ORDERS, sort_articles
from reader.core.storage.state import StateStore
from reader.core.view import FeedView

START = datetime(2024, 1, 1, tzinfo=UTC)


def make_summaries(count: int, seed: int) -> list[ArticleSummary]:
    """Summaries with many equal keys (titles, dates, qualities, providers, URLs) and gaps."""
    rng = random.Random(seed)
    summaries = []
    for number in range(count):
        day = rng.randrange(6)
        summaries.append(
            ArticleSummary(
                id=f"id-{number}",
                path=f"{rng.randrange(count):05}.md",
                title=rng.choice(["Alpha", "alpha", "Beta", "", "Gamma"]),
                url=rng.choice([None, f"https://x.test/{rng.randrange(count)}", "https://x.test/"]),
                provider_name=rng.choice(["", "Harbor", "harbor", "Quay"]),
                provider_domain="x.test",
                published=None if day == 0 else START + timedelta(days=day),
                quality=rng.choice([None, 10, 50, 50, 120]),
                heat=None,
                topics=tuple(rng.sample(["ai", "space", "security"], rng.randrange(3))),
                search_text="",
            )
        )
    return summaries


def batches(items: list[ArticleSummary], seed: int) -> list[list[ArticleSummary]]:
    """`items` cut into batches of random sizes (some of one, some empty)."""
    rng = random.Random(seed)
    cut, start = [], 0
    while start < len(items):
        size = rng.choice([0, 1, 2, 7, 30])
        cut.append(items[start : start + size])
        start += size
    return cut


def streamed(items: list[ArticleSummary], seed: int, orders: tuple[str, ...]) -> Library:
    """A library fed `items` in batches, its sorted lists and lookups used between batches."""
    library = Library()
    for batch in batches(items, seed):
        library.add_summaries(batch)
        for order in orders:
            library.sorted(order)
        library.summary(items[0].id)
        library.id_for_url("https://x.test/")
    return library


def assert_same(library: Library, expected: Library) -> None:
    assert library.summaries == expected.summaries
    for order in SORT_ORDERS:
        assert library.sorted(order) == sort_articles(expected.summaries, order)
    for article in expected.summaries:
        assert library.summary(article.id) == expected.summary(article.id)
        assert library.id_for_url(article.url) == expected.id_for_url(article.url)


@pytest.mark.parametrize("seed", range(6))
def test_batches_give_the_single_add_s_order_and_lookups(seed: int) -> None:
    items = make_summaries(300, seed)
    whole = Library()
    whole.add_summaries(items)
    # The default order only (what the screen keeps sorted), then every order.
    assert_same(streamed(items, seed, ("quality",)), whole)
    assert_same(streamed(items, seed, SORT_ORDERS), whole)


@pytest.mark.parametrize("seed", range(4))
def test_the_streamed_summaries_handed_back_keep_what_was_made_of_them(seed: int) -> None:
    """The end of a streamed load: the very summaries again (the cache's own) keep the sorted
    lists and lookups, which give the single add's answers; any other list remakes them."""
    items = make_summaries(300, seed)
    whole = Library()
    whole.add_summaries(items)
    library = streamed(items, seed, ("quality", "newest"))
    kept = library.sorted("quality")
    library.replace_all(list(items))
    assert library.sorted("quality") is kept and not library.streaming
    assert_same(library, whole)
    equal_copies = [replace(item) for item in items]  # equal, but not the same objects
    library.replace_all(equal_copies)
    assert library.sorted("quality") is not kept
    assert_same(library, whole)
    fewer = items[1:]  # the same objects, one merged away (a duplicate)
    library = streamed(items, seed, ("quality",))
    library.replace_all(fewer)
    expected = Library()
    expected.add_summaries(fewer)
    assert_same(library, expected)


def test_a_merged_list_is_a_new_list() -> None:
    """Views remember answers by the list's identity: a batch must give another list."""
    items = make_summaries(40, 1)
    library = Library()
    library.add_summaries(items[:20])
    before = library.sorted("newest")
    library.add_summaries(items[20:])
    assert library.sorted("newest") is not before
    assert len(before) == 20


def test_a_batch_that_replaces_articles_gives_the_single_add_s_answers() -> None:
    items = make_summaries(120, 2)
    changed = [replace(item, title="Zeta", quality=999) for item in items[:30:3]]
    library = streamed(items, 2, SORT_ORDERS)
    library.add_summaries(changed)
    expected = Library()
    expected.add_summaries([s for s in items if s.id not in {c.id for c in changed}] + changed)
    assert_same(library, expected)


def test_the_view_counts_after_batches_equal_a_single_add_s(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    items = make_summaries(200, 3)
    state = StateStore(tmp_path_factory.mktemp("state") / "state.db")
    state.set_read(items[5].id, True)
    whole = Library()
    whole.add_summaries(items)
    library = Library()
    view = FeedView(library, state)
    for batch in batches(items, 3):
        library.add_summaries(batch)
        view.articles()
        view.sidebar()
    expected = FeedView(whole, state)
    assert view.articles() == expected.articles()
    assert view.sidebar() == expected.sidebar()
    assert view.counts() == expected.counts()
