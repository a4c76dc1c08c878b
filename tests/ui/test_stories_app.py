"""Stories in the app: one row per story with a `+N` badge, `z` and its memory, the detail's
other outlets, marks on the whole story, a copy arriving by the watch, the filter, the counts.

The feed is the labelled real articles of `tests/fixtures/stories/related` (179 articles, of
which 154 stories), copied so that a test may add a file.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from textual.message import Message
from textual.pilot import Pilot

from app_helpers import (
    app_of,
    article_file,
    make_app,
    notification_texts,
    plain_text,
    recorder_of,
    rest_shown,
    wait_loaded,
    wait_until,
)
from reader.core.stories.rows import StoryIndex, StoryRow
from reader.core.topics import TopicCount
from reader.ui.app import ReaderApp
from reader.ui.feed_sync import grown_stories
from reader.ui.loading import FeedLoader
from reader.ui.messages import CachedLibraryReady, FeedChanged, Shown, StoriesFound
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.watching import WatchTimes
from reader.ui.widgets.article_list import ArticleList, columns_for
from reader.ui.widgets.feed_header import FeedHeader
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.story_outlets import StoryOutlets
from reader.ui.widgets.topic_sidebar import LABEL_KEPT, TopicSidebar, count_text, label_of

STORIES = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "related"
ARTICLES = 179


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    shutil.copytree(STORIES, folder)
    return folder


def an_app(feed: Path, tmp_path: Path, **options: object) -> ReaderApp:
    return make_app(
        feed, state_path=tmp_path / "state.db", cache_path=tmp_path / "index.db", **options
    )


def listed(pilot: Pilot[None]) -> ArticleList:
    return app_of(pilot).feed.query_one(ArticleList)


async def stories_shown(pilot: Pilot[None]) -> ArticleList:
    """Wait for the load and its stories; the list, showing them."""
    await wait_loaded(pilot)
    articles = listed(pilot)
    await wait_until(
        pilot,
        lambda: articles.stories is not None and bool(articles.stories.stories.by_article),
        "the stories grouped",
    )
    return articles


def a_story_row(articles: ArticleList, wanted: Callable[[StoryRow], bool] | None = None) -> int:
    """The index of the first row of a story of several outlets (and `wanted`)."""
    assert articles.stories is not None
    return next(
        index
        for index, row in enumerate(articles.stories)
        if row.others and (wanted is None or wanted(row))
    )


def another_outlets_copy(source: Path) -> str:
    """The article of `source` as another outlet runs it: its provider and URL changed."""
    _, front, body = source.read_text("utf-8").split("---\n", 2)
    data = yaml.safe_load(front)
    data["provider"] = {"name": "Copies Daily", "domain": "copies.example"}
    data["webUrl"] = "https://copies.example/the-copy"
    return f"---\n{yaml.safe_dump(data, sort_keys=False)}---\n{body}"


async def to_row(pilot: Pilot[None], index: int) -> None:
    listed(pilot).move_cursor(index)
    await rest_shown(pilot)


async def test_a_story_is_one_row_badged_with_its_other_outlets_and_counted(
    feed: Path, tmp_path: Path
) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        assert articles.stories is not None
        stories = len(articles.stories)
        assert stories < ARTICLES and len(articles.articles) == stories
        index = a_story_row(articles)
        row = articles.stories[index]
        drawn = articles.render_row(index, 100).plain
        assert f"+{len(row.others)} {row.lead.title[:20]}" in drawn
        facts = app_of(pilot).feed.query_one(FeedHeader).facts
        assert facts is not None and facts.stories == stories and facts.shown == ARTICLES
        header = plain_text(app_of(pilot).feed.query_one(FeedHeader))
        assert f"{stories} stories · {ARTICLES} / {ARTICLES} articles" in header
        assert articles.border_title == f"Stories {stories} · articles {ARTICLES} / {ARTICLES}"


async def test_z_shows_every_article_and_the_choice_outlives_a_restart(
    feed: Path, tmp_path: Path
) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        sidebar = pilot.app.query_one(TopicSidebar)
        assert sidebar.entries[0].stories == len(articles.stories or ())
        assert str(sidebar.border_subtitle).startswith("stories")
        await pilot.press("z")
        assert articles.stories is None and len(articles.articles) == ARTICLES
        assert "Every article on its own row" in notification_texts(app_of(pilot))
        await pilot.pause()
        assert all(entry.stories is None for entry in sidebar.entries)
        assert sidebar.border_subtitle == "unread/all"
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        await wait_loaded(pilot)
        articles = listed(pilot)
        assert articles.stories is None and len(articles.articles) == ARTICLES
        await pilot.press("z")
        assert articles.stories is not None and len(articles.articles) < ARTICLES


async def test_group_stories_false_in_the_config_shows_every_article_and_z_says_why(
    feed: Path, tmp_path: Path
) -> None:
    from reader.core.config import Settings

    app = an_app(feed, tmp_path, settings=Settings(group_stories=False))
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("z")
        assert listed(pilot).stories is None and len(listed(pilot).articles) == ARTICLES
        assert any("group_stories = false" in text for text in notification_texts(app))


async def test_the_detail_lists_the_other_outlets_and_enter_jumps_to_one(
    feed: Path, tmp_path: Path
) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        index = a_story_row(articles)
        await to_row(pilot, index)
        assert articles.stories is not None
        row = articles.stories[index]
        outlets = app_of(pilot).feed.query_one(StoryOutlets)
        await wait_until(pilot, lambda: outlets.outlets == row.others, "the outlets listed")
        assert outlets.display
        heading = plain_text(app_of(pilot).feed.query_one("#outlets-heading"))
        assert heading.startswith("Also reported by")
        drawn = outlets.render_row(0, 80).plain
        assert row.others[0].provider_name[:10] in drawn and row.others[0].title[:10] in drawn
        outlets.focus()
        await pilot.press("enter")
        await rest_shown(pilot)
        screen = app_of(pilot).feed
        target = row.others[0]
        # The story's row is led by the outlet jumped to, and the detail shows it.
        assert articles.current == target and screen.selected is not None
        assert screen.selected.id == target.id
        assert row.lead in outlets.outlets


async def test_m_marks_the_whole_story_and_u_takes_it_all_back(feed: Path, tmp_path: Path) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        index = a_story_row(articles)
        await to_row(pilot, index)
        assert articles.stories is not None
        row = articles.stories[index]
        store = app_of(pilot).feed.store
        await pilot.press("m")
        assert set(row.ids) <= store.read_ids()
        assert articles.is_read(row.lead)
        await pilot.press("U")
        assert not set(row.ids) & store.read_ids()
        assert articles.is_unread(row.lead)
        await pilot.press("enter")  # opening the lead reads its story too
        assert set(row.ids) <= store.read_ids()


async def test_a_story_is_unread_while_any_of_its_articles_is(feed: Path, tmp_path: Path) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        index = a_story_row(articles)
        assert articles.stories is not None
        row = articles.stories[index]
        app_of(pilot).feed.store.set_read(row.lead.id)
        articles.set_marks(app_of(pilot).feed.store.read_ids(), frozenset())
        assert articles.is_unread(row.lead)
        app_of(pilot).feed.store.set_read_many(row.ids)
        articles.set_marks(app_of(pilot).feed.store.read_ids(), frozenset())
        assert articles.is_read(row.lead)


async def test_a_filter_matching_only_another_outlet_shows_the_story_led_by_it(
    feed: Path, tmp_path: Path
) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)

        def other_outlet_apart(row: StoryRow) -> bool:
            domain = row.others[-1].provider_domain
            return bool(domain) and domain not in (row.lead.provider_domain or "")

        assert articles.stories is not None
        row = articles.stories[a_story_row(articles, other_outlet_apart)]
        outlet = row.others[-1]
        await pilot.press("slash", *f'provider:"{outlet.provider_domain}"', "enter")
        await rest_shown(pilot)
        assert app_of(pilot).feed.query_one(FilterBar).error is None
        led = [shown for shown in articles.stories if outlet.id in shown.ids]
        assert [shown.lead.id for shown in led] == [outlet.id]
        assert row.lead in led[0].others


async def test_a_copy_arriving_by_the_watch_makes_its_story_unread_and_says_so(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        FeedScreen, "WATCH_TIMES", WatchTimes(debounce_ms=300, ready_ms=100, start_ms=0)
    )
    app = an_app(feed, tmp_path, watch=True)
    async with app.run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        screen = app_of(pilot).feed
        await wait_until(pilot, screen.load_view.watch_ready.is_set, "the watch in place")
        index = a_story_row(articles)
        assert articles.stories is not None
        row = articles.stories[index]
        screen.store.set_read_many(row.ids)
        screen.refresh_marks()
        assert articles.is_read(row.lead)
        copy = another_outlets_copy(Path(row.lead.path))
        temporary = feed / ".copy.tmp"
        temporary.write_text(copy, "utf-8")
        temporary.replace(feed / "zz-copy.md")
        await wait_until(
            pilot, lambda: any("+1 outlet" in t for t in notification_texts(app)), "the notice"
        )
        story = screen.library.stories.story_of(row.lead.id)
        assert len(story) == len(row.ids) + 1
        lead = next(a for a in articles.articles if a.id in story)
        assert articles.is_unread(lead)


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_a_narrow_list_keeps_the_badge_and_cuts_the_title(
    feed: Path, tmp_path: Path, size: tuple[int, int]
) -> None:
    async with an_app(feed, tmp_path).run_test(size=size) as pilot:
        articles = await stories_shown(pilot)
        index = a_story_row(articles)
        assert articles.stories is not None
        badge = f"+{len(articles.stories[index].others)} "
        await to_row(pilot, index)
        width = articles.scrollable_content_region.width
        drawn = articles.render_row(index, width).plain
        assert drawn.lstrip("● ★").startswith(badge)
        title = columns_for(width).title  # a title longer than its column is cut, not the rest
        cut = len(badge + articles.stories[index].lead.title) > title
        assert len(drawn) <= width and ("…" in drawn) == cut
        published = articles.stories[index].lead.published
        assert published is not None and str(published.year) in drawn  # the date stays whole


async def test_n_finds_a_story_unread_by_a_copy(feed: Path, tmp_path: Path) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        screen = app_of(pilot).feed
        index = a_story_row(articles, lambda row: articles.articles.index(row.lead) > 0)
        assert articles.stories is not None
        row = articles.stories[index]
        everything = {summary.id for summary in screen.library.summaries}
        screen.store.set_read_many(everything - {row.others[0].id})
        screen.refresh_marks()
        await to_row(pilot, 0)
        await pilot.press("n")  # every lead is read: the story is unread by its copy
        assert articles.cursor == index


async def test_m_all_marks_every_article_of_the_stories_shown(feed: Path, tmp_path: Path) -> None:
    async with an_app(feed, tmp_path).run_test(size=(140, 45)) as pilot:
        await stories_shown(pilot)
        screen = app_of(pilot).feed
        await pilot.press("M", "y")
        assert screen.store.read_ids() >= {summary.id for summary in screen.library.summaries}
        await pilot.press("U")
        assert not screen.store.read_ids()


def test_a_story_grown_since_the_last_grouping_is_told_and_a_new_one_is_not() -> None:
    before = StoryIndex([("a", "b")])
    known = frozenset({"a", "b", "c", "x"})
    grown = grown_stories(before, known, [("a", "b", "n"), ("c", "x"), ("p", "q")])
    # a+b gained n; c and x, apart before, are one story now (x joined c's); p+q are new.
    assert grown == [("a", 1), ("c", 1)]


def test_the_loader_posts_the_stories_when_they_change_only(feed: Path, tmp_path: Path) -> None:
    loader = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
    posted: list[Message] = []

    def draw(message: Message) -> None:
        posted.append(message)
        if isinstance(message, Shown):
            message.handled.set()

    loader.run(draw, lambda: False, rows_shown=False)
    [found] = [message for message in posted if isinstance(message, StoriesFound)]
    assert len(found.groups) > 10
    posted.clear()
    (feed / "lonely.md").write_text(article_file("A lonely note", "https://n.example/1"), "utf-8")
    loader.resync(draw, lambda: False)
    assert [type(message) for message in posted] == [FeedChanged]  # the stories are as they were
    loader.close()


def test_a_warm_start_shows_the_cached_rows_as_stories_at_once(feed: Path, tmp_path: Path) -> None:
    def load() -> list[Message]:
        loader = FeedLoader(feed, tmp_path / "index.db", use_cache=True)
        posted: list[Message] = []

        def draw(message: Message) -> None:
            posted.append(message)
            if isinstance(message, Shown):
                message.handled.set()

        loader.run(draw, lambda: False, rows_shown=False)
        loader.close()
        return posted

    first = [m.groups for m in load() if isinstance(m, StoriesFound)]
    posted = load()
    [cached] = [m.library for m in posted if isinstance(m, CachedLibraryReady)]
    assert first and set(cached.stories.by_article) == {i for g in first[0] for i in g}
    assert not [m for m in posted if isinstance(m, StoriesFound)]  # nothing new to post


async def test_o_on_another_outlet_opens_it_and_reads_the_story(feed: Path, tmp_path: Path) -> None:
    app = an_app(feed, tmp_path)
    async with app.run_test(size=(140, 45)) as pilot:
        articles = await stories_shown(pilot)
        index = a_story_row(articles, lambda row: bool(row.others[0].url))
        await to_row(pilot, index)
        assert articles.stories is not None
        row = articles.stories[index]
        outlets = app.feed.query_one(StoryOutlets)
        await wait_until(pilot, lambda: outlets.outlets == row.others, "the outlets listed")
        outlets.focus()
        await pilot.press("o")
        await wait_until(pilot, lambda: bool(recorder_of(app).urls), "the browser asked")
        assert recorder_of(app).urls == [row.others[0].url]
        await wait_until(pilot, lambda: set(row.ids) <= app.feed.store.read_ids(), "the story read")


def test_the_sidebar_counts_in_the_fullest_form_that_leaves_every_label_its_room() -> None:
    entries = [
        TopicCount("all", "All articles", 179, 170, 146),
        TopicCount("unread", "Unread", 170, None, 140),
        TopicCount("topic:ai", "AI", 12, 3, 9),
    ]
    sidebar = TopicSidebar()
    sidebar.entries = entries
    assert count_text(entries[0], sidebar.form(40)) == "146 · 170/179"
    assert count_text(entries[1], sidebar.form(40)) == "140 · 170"
    assert count_text(entries[0], sidebar.form(17)) == "146·179"  # a narrow sidebar's room
    for width in range(12, 40):
        form = sidebar.form(width)
        room = [len(count_text(e, form)) + 1 + min(len(label_of(e)), LABEL_KEPT) for e in entries]
        assert max(room) <= width or form == sidebar.form(0)
        if form > 0:  # the fuller form did not fit
            fuller = [len(count_text(e, form - 1)) + 1 + min(len(label_of(e)), LABEL_KEPT)
                      for e in entries]  # fmt: skip
            assert max(fuller) > width
