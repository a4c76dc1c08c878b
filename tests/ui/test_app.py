"""Pilot tests of the reader app: keys, focus, topics, the browser gate, palette, layout.

Every test drives a headless app (`run_test`) whose browser is a recorder, and whose
reading state lives in tmp_path. Small feeds written per test keep the file fast; the
sample feed is used where its size or its topics matter.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Markdown, Static

from app_helpers import (
    SAMPLE_COUNT,
    SAMPLE_FEED,
    BrowserRecorder,
    app_of,
    article_file,
    loaded_app,
    make_app,
    notification_texts,
    palette_prompts,
    plain_text,
    recorder_of,
    rendered_text,
    settle,
    write_feed,
)
from reader.core.loader import load_feed
from reader.core.ordering import SORT_ORDERS, sort_articles
from reader.core.storage.state import STATE_ENV
from reader.core.topics import ALL, NO_TOPIC
from reader.ui.app import ReaderApp
from reader.ui.commands import COMMANDS
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.related_links import RelatedLinks
from reader.ui.widgets.topic_sidebar import TopicSidebar

NAV_COUNT = 60
ALPHA_URL = "https://news.example/alpha"
BETA_URL = "https://news.example/beta"
GAMMA_URL = "https://news.example/gamma"
OUTSIDE_URL = "https://elsewhere.example/outside"
MARKUP_TITLE = "[@click=app.quit]click me[/]"


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_real_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even an app built without a state path must not touch the user's folder."""
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "env-state.db"))


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture(scope="module")
def nav_feed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 short articles; by quality, row i is `Article i` (quality falls with i)."""
    folder = tmp_path_factory.mktemp("nav")
    return write_feed(
        folder,
        (
            article_file(f"Article {i:02d}", f"https://nav.example/{i}", quality=100 - i)
            for i in range(NAV_COUNT)
        ),
    )


@pytest.fixture
def related_feed(tmp_path: Path) -> Path:
    """Alpha (row 0) links to Gamma (row 2, in the feed) and to an outside story."""
    related = [
        {"title": "Gamma in feed", "webUrl": GAMMA_URL},
        {"title": "Outside story", "webUrl": OUTSIDE_URL},
    ]
    return write_feed(
        tmp_path / "related",
        [
            article_file("Alpha story", ALPHA_URL, quality=90, topics=["Space"], related=related),
            article_file("Beta story", BETA_URL, quality=80, topics=["Space"]),
            article_file("Gamma story", GAMMA_URL, quality=70, topics=["Energy"]),
        ],
    )


@pytest.fixture
def markup_feed(tmp_path: Path) -> Path:
    """One article whose title, provider and topic look like Textual markup."""
    return write_feed(
        tmp_path / "markup", [article_file(MARKUP_TITLE, provider="[/]", topics=["a[/"])]
    )


def one_article_feed(tmp_path: Path, url: str) -> Path:
    return write_feed(tmp_path / "one", [article_file("Only story", url)])


def sample_ids_in_order(order: str) -> list[str]:
    """The sample feed's article ids in `order`, computed without the app."""
    return [a.id for a in sort_articles(load_feed(SAMPLE_FEED).articles, order)]


def sidebar_index(app: ReaderApp, label: str) -> int:
    entries = app.query_one(TopicSidebar).entries
    return next(i for i, entry in enumerate(entries) if entry.label == label)


async def choose_topic(pilot: Pilot[None], label: str) -> None:
    """Focus the sidebar, walk to the entry with `label` and press enter."""
    app = app_of(pilot)
    app.query_one(TopicSidebar).focus()
    await pilot.pause()
    await pilot.press(*["j"] * sidebar_index(app, label), "enter")


def detail_title(app: ReaderApp) -> str:
    return plain_text(app.query_one("#detail-title", Static))


# --- on open ----------------------------------------------------------------------------


async def test_open_focuses_the_list_on_its_first_row(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app):
        articles = app.query_one(ArticleList)
        assert app.focused is articles
        assert articles.cursor == 0
        assert articles.row_count == SAMPLE_COUNT


async def test_open_detail_shows_the_first_article(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app):
        first = load_feed(SAMPLE_FEED).articles
        expected = sort_articles(first, "quality")[0].title
        assert expected in detail_title(app)
        shown = app.query_one(DetailPane).article
        assert shown is not None and shown.title == expected


async def test_open_header_counts_every_article(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app):
        assert f"{SAMPLE_COUNT} / {SAMPLE_COUNT}" in plain_text(app.query_one("#header"))


# --- list keys --------------------------------------------------------------------------


async def test_j_and_down_move_to_the_next_row_and_the_detail_follows(
    nav_feed: Path, state_path: Path
) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("j")
        assert app.query_one(ArticleList).cursor == 1
        assert detail_title(app) == "Article 01"
        await pilot.press("down")
        assert app.query_one(ArticleList).cursor == 2
        assert detail_title(app) == "Article 02"


async def test_k_and_up_move_back(nav_feed: Path, state_path: Path) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("j", "j", "j", "k")
        assert app.query_one(ArticleList).cursor == 2
        await pilot.press("up")
        assert app.query_one(ArticleList).cursor == 1
        assert detail_title(app) == "Article 01"


async def test_G_and_end_go_to_the_last_row(nav_feed: Path, state_path: Path) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("G")
        assert app.query_one(ArticleList).cursor == NAV_COUNT - 1
        assert detail_title(app) == f"Article {NAV_COUNT - 1}"
        await pilot.press("k", "end")
        assert app.query_one(ArticleList).cursor == NAV_COUNT - 1


async def test_g_and_home_go_to_the_first_row(nav_feed: Path, state_path: Path) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("j", "j", "g")
        assert app.query_one(ArticleList).cursor == 0
        assert detail_title(app) == "Article 00"
        await pilot.press("j", "home")
        assert app.query_one(ArticleList).cursor == 0


async def test_pagedown_moves_by_a_page(nav_feed: Path, state_path: Path) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        articles = app.query_one(ArticleList)
        page = articles.scrollable_content_region.height - 1
        assert page > 10  # a page is more than a few rows at 120x40
        await pilot.press("pagedown")
        assert articles.cursor == page
        assert detail_title(app) == f"Article {page:02d}"


async def test_pageup_moves_back_by_a_page(nav_feed: Path, state_path: Path) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        articles = app.query_one(ArticleList)
        page = articles.scrollable_content_region.height - 1
        await pilot.press("end", "pageup")
        assert articles.cursor == NAV_COUNT - 1 - page
        await pilot.press("pageup")
        assert articles.cursor == 0


# --- focus ------------------------------------------------------------------------------


async def test_tab_moves_focus_sidebar_list_detail(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        app.query_one(TopicSidebar).focus()
        await pilot.pause()
        await pilot.press("tab")
        assert isinstance(app.focused, ArticleList)
        await pilot.press("tab")
        assert isinstance(app.focused, DetailPane)


async def test_shift_tab_moves_focus_detail_list_sidebar(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        app.query_one(DetailPane).focus()
        await pilot.pause()
        await pilot.press("shift+tab")
        assert isinstance(app.focused, ArticleList)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, TopicSidebar)


async def test_enter_on_an_article_focuses_the_detail(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("enter")
        assert isinstance(app.focused, DetailPane)


async def test_escape_in_the_detail_goes_back_to_the_list(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("enter", "escape")
        assert isinstance(app.focused, ArticleList)


# --- sidebar ----------------------------------------------------------------------------


async def test_sidebar_starts_with_all_articles(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app):
        first = app.query_one(TopicSidebar).entries[0]
        assert (first.key, first.label, first.count) == (ALL, "All articles", SAMPLE_COUNT)
        assert rendered_text(app.query_one(TopicSidebar), 0).startswith("All articles")


async def test_sidebar_topics_by_count_then_name_and_no_topic(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app):
        entries = app.query_one(TopicSidebar).entries
        topics = [(e.label, e.count) for e in entries if e.key.startswith("topic:")]
        counts = Counter(t.casefold() for a in load_feed(SAMPLE_FEED).articles for t in a.topics)
        assert sorted(c for _, c in topics) == sorted(counts.values())
        assert topics == sorted(topics, key=lambda t: (-t[1], t[0].casefold()))
        no_topic = [e for e in entries if e.key == NO_TOPIC]
        assert [(e.label, e.count) for e in no_topic] == [("No topic", 2)]


async def test_topics_differing_only_in_case_are_one_entry(
    tmp_path: Path, state_path: Path
) -> None:
    feed = write_feed(
        tmp_path / "case",
        [
            article_file("One", "https://case.example/1", topics=["AI"]),
            article_file("Two", "https://case.example/2", topics=["ai"]),
            article_file("Three", "https://case.example/3", topics=["Ai", "Robots"]),
        ],
    )
    app = make_app(feed, state_path=state_path)
    async with loaded_app(app):
        ai = [e for e in app.query_one(TopicSidebar).entries if e.label.casefold() == "ai"]
        assert [(e.label, e.count) for e in ai] == [("AI", 3)]


async def test_enter_on_a_topic_shows_only_its_articles(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app) as pilot:
        await choose_topic(pilot, "Security")
        shown = app.query_one(ArticleList).articles
        assert len(shown) == 8
        assert all("security" in {t.casefold() for t in a.topics} for a in shown)


async def test_enter_on_a_topic_focuses_the_list(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await choose_topic(pilot, "Energy")
        assert isinstance(app.focused, ArticleList)
        assert [a.title for a in app.query_one(ArticleList).articles] == ["Gamma story"]


async def test_header_count_follows_the_topic(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await choose_topic(pilot, "Space")
        assert "2 / 3" in plain_text(app.query_one("#header"))


# --- the browser gate -------------------------------------------------------------------


async def test_o_opens_the_selected_article(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert recorder_of(app).urls == [ALPHA_URL]
        assert any("Opened" in text for text in notification_texts(app))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "only http and https"),
        ("-https://news.example/a", "starts with '-'"),
        ("file:///etc/passwd", "only http and https"),
    ],
    ids=["javascript", "dash", "file"],
)
async def test_o_refuses_an_unsafe_feed_url(
    tmp_path: Path, state_path: Path, url: str, reason: str
) -> None:
    """Refused by the loader (the URL is dropped with a warning) or by the gate: never opened,
    always said."""
    app = make_app(one_article_feed(tmp_path, url), state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert recorder_of(app).urls == []
        told = notification_texts(app)
        assert any(text.startswith("Not opened") for text in told), told
        assert reason in " ".join(told), told


UNSAFE_URLS = {
    "javascript:alert(1)": "only http and https",
    "-https://news.example/a": "starts with '-'",
    "file:///etc/passwd": "only http and https",
    "https://news.example/a b": "spaces",
    "https://news.example/a\tb": "spaces or control",
    "https://news.example/a\nb": "spaces or control",
    "https:///no-host": "no host",
}


async def test_the_gate_refuses_each_unsafe_url_and_says_why(
    related_feed: Path, state_path: Path
) -> None:
    """`open_link` is the one gate (the `o` key, related links, body links all use it)."""
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        for url, reason in UNSAFE_URLS.items():
            app.clear_notifications()
            app.open_link(url)
            await settle(pilot)
            refusals = [text for text in notification_texts(app) if text.startswith("Not opened")]
            assert len(refusals) == 1 and reason in refusals[0], (url, refusals)
        assert recorder_of(app).urls == []


async def test_a_failing_browser_is_notified_and_the_app_keeps_running(
    related_feed: Path, state_path: Path
) -> None:
    def broken_browser(url: str) -> bool:
        raise RuntimeError("no display")

    app = make_app(related_feed, state_path=state_path, browser=broken_browser)
    async with loaded_app(app) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert any("The browser failed: no display" in text for text in notification_texts(app))
        assert app.is_running
        await pilot.press("j")
        assert app.query_one(ArticleList).cursor == 1


async def test_a_browser_that_cannot_start_is_notified(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path, browser=BrowserRecorder(result=False))
    async with loaded_app(app) as pilot:
        await pilot.press("o")
        await settle(pilot)
        assert any("No browser could be started" in text for text in notification_texts(app))


# --- related links ----------------------------------------------------------------------


async def test_tab_reaches_the_related_links(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("tab", "tab")
        related = app.query_one(RelatedLinks)
        assert app.focused is related
        link = related.current
        assert link is not None and link.title == "Gamma in feed"


async def test_enter_on_an_in_feed_related_link_jumps_to_it(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("tab", "tab", "enter")
        await settle(pilot)
        articles = app.query_one(ArticleList)
        current = articles.current
        assert current is not None and current.title == "Gamma story"
        assert articles.cursor == 2
        assert detail_title(app) == "Gamma story"
        assert recorder_of(app).urls == []


async def test_jump_to_an_article_hidden_by_the_topic_shows_it_in_the_topic(
    related_feed: Path, state_path: Path
) -> None:
    """The topic stays; the target is shown (pinned) and selected, and the toast says so."""
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await choose_topic(pilot, "Space")  # Gamma is in Energy, hidden now
        await pilot.press("tab", "tab", "enter")
        assert app.feed.view.topic != ALL
        current = app.query_one(ArticleList).current
        assert current is not None and current.title == "Gamma story"
        assert any("hides it" in text for text in notification_texts(app))


async def test_enter_on_an_external_related_link_opens_it(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("tab", "tab", "j", "enter")
        await settle(pilot)
        assert recorder_of(app).urls == [OUTSIDE_URL]
        assert app.query_one(ArticleList).cursor == 0


async def test_o_on_an_in_feed_related_link_opens_the_browser(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("tab")
        await pilot.pause()
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, RelatedLinks)
        await pilot.press("o")
        await settle(pilot)
        assert recorder_of(app).urls == [GAMMA_URL]
        assert app.query_one(ArticleList).cursor == 0


# --- links in the Markdown body ---------------------------------------------------------


async def test_a_javascript_body_link_is_refused(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        body = app.query_one("#detail-body", Markdown)
        body.post_message(Markdown.LinkClicked(body, "javascript:alert(1)"))
        await settle(pilot)
        assert recorder_of(app).urls == []
        assert any(text.startswith("Not opened") for text in notification_texts(app))


async def test_an_https_body_link_is_opened(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        body = app.query_one("#detail-body", Markdown)
        body.post_message(Markdown.LinkClicked(body, "https://body.example/page"))
        await settle(pilot)
        assert recorder_of(app).urls == ["https://body.example/page"]


async def test_open_url_refuses_javascript(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        app.open_url("javascript:x")
        await settle(pilot)
        assert recorder_of(app).urls == []
        assert any(text.startswith("Not opened") for text in notification_texts(app))


async def test_open_url_opens_https_through_the_recorder(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        app.open_url("https://body.example/page")
        await settle(pilot)
        assert recorder_of(app).urls == ["https://body.example/page"]


# --- copy -------------------------------------------------------------------------------


async def test_y_copies_the_article_url(
    related_feed: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(related_feed, state_path=state_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with loaded_app(app) as pilot:
        await pilot.press("y")
        assert copied == [ALPHA_URL]


async def test_y_refuses_to_copy_an_unsafe_url(
    tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(one_article_feed(tmp_path, "javascript:alert(1)"), state_path=state_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with loaded_app(app) as pilot:
        await pilot.press("y")
        await pilot.pause()
        assert copied == []
        assert any(text.startswith("Not copied") for text in notification_texts(app))


# --- help and quit ----------------------------------------------------------------------


async def test_question_mark_shows_help_with_every_key(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(plain_text(static) for static in app.screen.query(Static))
        missing = [
            command.id
            for command in COMMANDS
            if ", ".join(command.key_names) not in text or command.help not in text
        ]
        assert missing == []


async def test_escape_closes_help(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("question_mark", "escape")
        assert not isinstance(app.screen, HelpScreen)
        assert isinstance(app.focused, ArticleList)


async def test_q_quits(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code in (0, None)
    assert app.return_value is None


# --- command palette --------------------------------------------------------------------


async def test_palette_offers_show_topic_for_each_topic(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app) as pilot:
        labels = [
            e.label for e in app.query_one(TopicSidebar).entries if e.key.startswith("topic:")
        ]
        prompts = await palette_prompts(pilot, "topic")
        assert isinstance(app.screen, CommandPalette)
        missing = [label for label in labels if f"Show topic: {label}" not in prompts]
        assert missing == []
        assert "Show topic: No topic" in prompts


async def test_palette_offers_every_sort_order(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        prompts = await palette_prompts(pilot, "sort")
        assert {f"Sort by {order}" for order in SORT_ORDERS} <= set(prompts)


async def test_palette_show_topic_command_shows_the_topic(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        prompts = await palette_prompts(pilot, "energy")
        assert prompts[0] == "Show topic: Energy"
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert app.feed.view.topic == "topic:energy"
        assert [a.title for a in app.query_one(ArticleList).articles] == ["Gamma story"]


async def test_palette_sort_command_sorts(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        prompts = await palette_prompts(pilot, "title")
        assert prompts[0] == "Sort by title"
        await pilot.press("enter")
        await settle(pilot)
        assert app.feed.view.order == "title"
        assert "sorted by title" in plain_text(app.query_one("#header"))
        assert [a.title for a in app.query_one(ArticleList).articles] == [
            "Alpha story",
            "Beta story",
            "Gamma story",
        ]


async def test_palette_with_markup_topic_does_not_crash(
    markup_feed: Path, state_path: Path
) -> None:
    app = make_app(markup_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        prompts = await palette_prompts(pilot, "Show topic")
        assert "Show topic: a[/" in prompts
        assert app.is_running


# --- sort -------------------------------------------------------------------------------


async def test_s_cycles_the_order_and_the_list_follows(state_path: Path) -> None:
    app = make_app(state_path=state_path)
    async with loaded_app(app) as pilot:
        articles = app.query_one(ArticleList)
        assert app.feed.view.order == "quality"
        seen = []
        for expected in ("newest", "oldest", "provider", "title", "quality"):
            await pilot.press("s")
            seen.append(app.feed.view.order)
            assert [a.id for a in articles.articles] == sample_ids_in_order(expected), expected
            assert f"sorted by {expected}" in plain_text(app.query_one("#header"))
        assert seen == ["newest", "oldest", "provider", "title", "quality"]


# --- mouse ------------------------------------------------------------------------------


async def test_clicking_a_row_selects_it(nav_feed: Path, state_path: Path) -> None:
    app = make_app(nav_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        app.query_one(TopicSidebar).focus()
        await pilot.pause()
        await pilot.click(ArticleList, offset=(4, 2 + 3))  # +2: the border and the column header
        await pilot.pause()
        assert app.query_one(ArticleList).cursor == 3
        assert isinstance(app.focused, ArticleList)
        assert detail_title(app) == "Article 03"


async def test_clicking_a_topic_shows_it_and_keeps_the_sidebar_focused(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        index = sidebar_index(app, "Energy")
        await pilot.click(TopicSidebar, offset=(4, 1 + index))
        await pilot.pause()
        sidebar = app.query_one(TopicSidebar)
        assert app.focused is sidebar
        entry = sidebar.current
        assert entry is not None and entry.label == "Energy"
        # One click shows the topic, as a mouse user expects.
        articles = app.query_one(ArticleList).articles
        assert articles and all("Energy" in a.topics for a in articles)


async def test_double_clicking_a_topic_shows_it(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        index = sidebar_index(app, "Energy")
        await pilot.double_click(TopicSidebar, offset=(4, 1 + index))
        await pilot.pause()
        assert app.feed.view.topic == "topic:energy"
        assert [a.title for a in app.query_one(ArticleList).articles] == ["Gamma story"]


# --- narrow terminal --------------------------------------------------------------------

NARROW = (80, 24)


async def test_narrow_terminal_gets_the_narrow_layout(related_feed: Path, state_path: Path) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app, size=NARROW) as pilot:
        await pilot.pause()
        assert app.screen.has_class("-narrow")
        assert app.is_running
        for widget in (app.query_one(ArticleList), app.query_one(DetailPane)):
            assert widget.region.width > 0 and widget.region.height > 0, widget


async def test_narrow_terminal_list_and_detail_fit_the_screen(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app, size=NARROW) as pilot:
        await pilot.pause()
        screen = app.screen.region
        for widget in (app.query_one(ArticleList), app.query_one(DetailPane)):
            assert screen.contains_region(widget.region), (widget, widget.region)


async def test_resizing_the_terminal_switches_the_narrow_layout(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        assert not app.screen.has_class("-narrow")
        await pilot.resize_terminal(*NARROW)
        assert app.screen.has_class("-narrow")
        await pilot.resize_terminal(120, 40)
        assert not app.screen.has_class("-narrow")


async def test_resizing_under_the_help_screen_reaches_the_main_screen(
    related_feed: Path, state_path: Path
) -> None:
    app = make_app(related_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("question_mark")
        await pilot.resize_terminal(*NARROW)
        await pilot.resize_terminal(*NARROW)  # twice: rule out the one-resize-late fault above
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        assert app.screen.has_class("-narrow")


# --- markup in the feed is text ---------------------------------------------------------


async def test_markup_title_is_literal_in_the_list(markup_feed: Path, state_path: Path) -> None:
    app = make_app(markup_feed, state_path=state_path)
    async with loaded_app(app):
        row = rendered_text(app.query_one(ArticleList), 0)
        assert "[@click=app.quit]cl" in row
        assert "[/]" in row  # the provider, also literal


async def test_markup_title_is_literal_in_the_detail(markup_feed: Path, state_path: Path) -> None:
    app = make_app(markup_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.press("less_than_sign")  # a wider detail pane: the title on one line
        title = app.query_one("#detail-title", Static)
        assert rendered_text(title, 0).strip() == MARKUP_TITLE
        meta = plain_text(app.query_one("#detail-meta", Static))
        assert "Provider  [/]" in meta
        assert "a[/" in meta


async def test_markup_topic_is_literal_in_the_sidebar(markup_feed: Path, state_path: Path) -> None:
    app = make_app(markup_feed, state_path=state_path)
    async with loaded_app(app):
        sidebar = app.query_one(TopicSidebar)
        rows = [rendered_text(sidebar, y) for y in range(len(sidebar.entries))]
        assert any(row.startswith("a[/ ") for row in rows), rows


async def test_clicking_a_markup_title_does_not_quit(markup_feed: Path, state_path: Path) -> None:
    app = make_app(markup_feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        await pilot.click("#detail-title", offset=(2, 0))
        await pilot.click(ArticleList, offset=(4, 1))
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.focused, ArticleList)
