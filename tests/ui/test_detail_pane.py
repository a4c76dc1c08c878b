"""Pilot tests of the detail pane: the metadata grid, the short link, headings, the body's
links, the pager keys and the query highlights."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.widget import Widget
from textual.widgets import Static
from textual.widgets._markdown import MarkdownH2, MarkdownParagraph

from app_helpers import (
    app_of,
    article_file,
    loaded_app,
    make_app,
    notification_texts,
    plain_text,
    recorder_of,
    rendered_text,
    settle,
    write_feed,
)
from reader.ui.app import ReaderApp
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.related_links import BODY_LINKS_HEADING, CUT_AFTER, RelatedLinks, short_url

LABEL_WIDTH = len("Published ")
LONG_URL = "https://www.example.com/science/2024/robots-learn-to-fold-laundry-in-record-time?utm_source=rss&utm_medium=feed#comments"
TOPICS = [
    "Robotics",
    "Artificial Intelligence",
    "Household Appliances",
    "Machine Learning",
    "Laundry",
    "Research",
]
REPORT_URL = "https://report.example/full"
BETA_URL = "https://news.example/beta"
GAMMA_URL = "https://news.example/gamma"
WIDE = (160, 40)  # every link row fits its line (with the detail pane widened once)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


def widget_lines(widget: Widget) -> list[str]:
    return [rendered_text(widget, y) for y in range(widget.content_region.height)]


def meta_lines(app: ReaderApp) -> list[str]:
    return widget_lines(app.query_one("#detail-meta", Static))


def segments(widget: Widget, y: int = 0) -> list[Segment]:
    return [segment for segment in widget.render_line(y) if segment.text]


def segment_with(widget: Widget, text: str, y: int = 0) -> Segment:
    return next(segment for segment in segments(widget, y) if text in segment.text)


def style_of(segment: Segment) -> Style:
    """A drawn segment's style (Rich allows a segment none: that fails the test)."""
    assert segment.style is not None, segment
    return segment.style


# --- 1. the metadata grid ----------------------------------------------------------------


async def test_a_wrapped_metadata_value_stays_under_the_value_column(
    tmp_path: Path, state_path: Path
) -> None:
    provider = "The Extremely Long Named Provider Of Daily Science News"
    feed = write_feed(
        tmp_path / "feed", [article_file("Robots", LONG_URL, provider=provider, topics=TOPICS)]
    )
    async with loaded_app(make_app(feed, state_path=state_path)) as pilot:
        lines = meta_lines(app_of(pilot))
        labels = ("Provider", "Published", "Quality", "Topics", "Link")
        starts = [i for i, text in enumerate(lines) if text.startswith(labels)]
        assert [lines[i].split()[0] for i in starts] == list(labels)
        continued = [text for i, text in enumerate(lines) if i not in starts and text.strip()]
        assert continued, "the provider and topics are too long for one line: they must wrap"
        assert all(text.startswith(" " * LABEL_WIDTH) for text in continued), lines
        topics = [text[LABEL_WIDTH:].strip() for text in lines[starts[3] : starts[4]]]
        assert len(topics) > 1 and " ".join(topics) == ", ".join(TOPICS)
        # The unwrapped rows are still the widget's text, one line a row.
        assert (
            f"Topics    {', '.join(TOPICS)}"
            in plain_text(pilot.app.query_one("#detail-meta", Static)).splitlines()
        )


# --- 2. the link: host + path, cut after a separator; o and y use the whole URL --------------


async def test_the_link_is_host_and_path_cut_to_the_pane_and_o_y_use_the_full_url(
    tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = write_feed(tmp_path / "feed", [article_file("Robots", LONG_URL)])
    app = make_app(feed, state_path=state_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with loaded_app(app) as pilot:
        meta = app.query_one("#detail-meta", Static)
        link = next(text.rstrip() for text in meta_lines(app) if text.startswith("Link"))
        shown = link[LABEL_WIDTH:]
        short = "www.example.com/science/2024/robots-learn-to-fold-laundry-in-record-time"
        assert shown.endswith("…") and short.startswith(shown[:-1]), link
        assert shown[-2] in CUT_AFTER  # cut after a separator, never inside a word
        assert cell_len(link) <= meta.content_region.width
        assert "https" not in link and "utm" not in link
        assert f"Link      {short}" in plain_text(meta).splitlines()
        await pilot.press("y", "o")
        await settle(pilot)
        assert copied == [LONG_URL]
        assert recorder_of(app).urls == [LONG_URL]
    assert (
        short_url("https://shop.example/item?id=42") == "shop.example/item?id=42"
    )  # a short query stays
    assert short_url("https://user:secret@host.example/") == "host.example"


def test_the_link_shown_starts_with_the_host_it_really_goes_to() -> None:
    assert short_url("https://bank.example@evil.example/login") == "evil.example/login"
    assert short_url("https://evil.example\\@bank.example/") == "evil.example"


# --- 3. ## headings are headings, not links ---------------------------------------------------


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "ansi-dark"])
async def test_a_markdown_heading_is_bold_and_not_drawn_like_a_link(
    tmp_path: Path, state_path: Path, theme: str
) -> None:
    body = "Intro.\n\n## Section heading\n\nA [link](https://x.example/l) here."
    feed = write_feed(tmp_path / "feed", [article_file("Headings", body=body)])
    app = make_app(feed, state_path=state_path)
    async with loaded_app(app) as pilot:
        app.theme = theme
        await pilot.pause()
        heading = segment_with(app.query_one(MarkdownH2), "Section heading")
        paragraph = app.query_one("#detail-body").query(MarkdownParagraph).last()
        text, link = segment_with(paragraph, "A "), segment_with(paragraph, "link")
        assert style_of(link).underline  # how this theme draws a link...
        heading_style = style_of(heading)
        assert heading_style.bold and not heading_style.underline  # ...and the heading is not that
        assert heading_style.color == style_of(text).color  # the text's colour, not the primary one


# --- 4. every link in the body is a row of the links list --------------------------------------


def links_feed(tmp_path: Path, body: str) -> Path:
    related = [{"title": "Gamma in feed", "webUrl": GAMMA_URL}]
    return write_feed(
        tmp_path / "links",
        [
            article_file(
                "Alpha story", "https://news.example/alpha", quality=90, related=related, body=body
            ),
            article_file("Beta story", BETA_URL, quality=80),
            article_file("Gamma story", GAMMA_URL, quality=70),
        ],
    )


async def test_the_bodys_links_are_rows_under_a_heading_that_the_keyboard_reaches(
    tmp_path: Path, state_path: Path
) -> None:
    body = (
        f"Read [the *full* report]({REPORT_URL}) and [Beta]({BETA_URL}).\n\n"
        f"Also https://bare.example/page, [opt](-new-window) and [gamma again]({GAMMA_URL})."
    )
    app = make_app(links_feed(tmp_path, body), state_path=state_path)
    async with loaded_app(app, WIDE) as pilot:
        await pilot.press("less_than_sign")  # a wider detail pane: each link on its line
        links = app.query_one(RelatedLinks)
        rows = [rendered_text(links, y).rstrip() for y in range(links.row_count)]
        assert rows[0].startswith("↪ Gamma in feed")
        assert rows[1] == BODY_LINKS_HEADING
        assert rows[2] == "  the full report  report.example/full"
        assert rows[3] == "↪ Beta  news.example/beta"  # an article of this feed
        assert rows[4] == "  https://bare.example/page  bare.example/page"
        assert rows[5] == "  opt  -new-window"
        assert len(rows) == 6  # gamma again: already a related link
        await pilot.press("tab", "tab", "j")  # the links, then over the heading
        link = links.current
        assert app.focused is links and link is not None and link.url == REPORT_URL
        await pilot.press("enter")
        await settle(pilot)
        assert recorder_of(app).urls == [REPORT_URL]
        await pilot.press("j", "j", "j", "enter")
        await pilot.pause()
        assert "Not opened: it starts with '-'" in notification_texts(app)  # the app's gate
        await pilot.press("k", "k", "k", "k")
        assert links.cursor == 0  # back over the heading
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        current = app.query_one(ArticleList).current
        assert current is not None and current.title == "Beta story"


async def test_a_body_link_text_is_literal_and_without_actions(
    tmp_path: Path, state_path: Path
) -> None:
    body = "No related links, one [x [/] [@click=app.quit]quit[/]](https://ok.example/a) link."
    feed = write_feed(tmp_path / "feed", [article_file("Markup link", body=body)])
    async with loaded_app(make_app(feed, state_path=state_path), WIDE) as pilot:
        await pilot.press("less_than_sign")  # a wider detail pane: the link on its line
        app = pilot.app
        assert plain_text(app.query_one("#related-heading", Static)) == BODY_LINKS_HEADING
        links = app.query_one(RelatedLinks)
        assert links.row_count == 1
        assert rendered_text(links, 0).startswith("  x [/] [@click=app.quit]quit[/]  ok.example/a")
        assert all(
            "@click" not in (segment.style.meta if segment.style else {})
            for segment in links.render_line(0)
        )


# --- 5. pager keys ----------------------------------------------------------------------------


async def test_pager_keys_scroll_the_detail_by_pages_and_half_pages(
    tmp_path: Path, state_path: Path
) -> None:
    body = "\n\n".join(f"Paragraph {i}." for i in range(120))
    feed = write_feed(tmp_path / "feed", [article_file("Long read", body=body)])
    async with loaded_app(make_app(feed, state_path=state_path)) as pilot:
        detail = pilot.app.query_one(DetailPane)
        await pilot.press("enter")
        assert pilot.app.focused is detail
        page = detail.scrollable_content_region.height - 1
        half = detail.scrollable_content_region.height // 2
        expected = [
            ("space", page), ("space", 2 * page), ("ctrl+b", page), ("ctrl+f", 2 * page),
            ("pageup", page), ("pagedown", 2 * page),
            ("ctrl+u", 2 * page - half), ("ctrl+d", 2 * page),
        ]  # fmt: skip
        seen = []
        for key, _ in expected:
            await pilot.press(key)
            seen.append((key, round(detail.scroll_y)))
        assert seen == expected
        await pilot.press("G")
        await pilot.wait_for_scheduled_animations()
        assert detail.scroll_y == detail.max_scroll_y > 2 * page
        await pilot.press("g")
        await pilot.wait_for_scheduled_animations()
        assert detail.scroll_y == 0


# --- 6. query words highlighted in the title and excerpt ---------------------------------------


def contrast(style: Style) -> float:
    """The WCAG contrast ratio of a segment's text on its background."""

    def luminance(color: Color) -> float:
        channels = [c / 255 for c in color.get_truecolor()]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    assert style.color is not None and style.bgcolor is not None, style
    high, low = sorted((luminance(style.color), luminance(style.bgcolor)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_query_words_are_highlighted_in_the_title_and_excerpt(
    tmp_path: Path, state_path: Path
) -> None:
    feed = write_feed(
        tmp_path / "feed",
        [
            article_file("Robots fold laundry", "https://example.com/robots", quality=90),
            article_file("Cafe robots serve tea", "https://example.com/cafe", quality=80),
        ],
    )
    async with loaded_app(make_app(feed, state_path=state_path)) as pilot:
        app = pilot.app
        detail = app.query_one(DetailPane)
        title = app.query_one("#detail-title", Static)
        detail.set_highlight(["robot"])
        await pilot.pause()
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            word, rest = segment_with(title, "Robot"), segment_with(title, "s fold")
            assert word.text == "Robot" and style_of(word).bgcolor != style_of(rest).bgcolor, theme
            assert contrast(style_of(word)) >= 4.5, theme  # readable on either theme
        await pilot.press("j")  # the next article keeps the words highlighted
        await pilot.pause()
        assert segment_with(title, "robot").text == "robot"
        detail.set_highlight([])
        await pilot.pause()
        assert segment_with(title, "robot").text == "Cafe robots serve tea"


async def test_query_words_are_highlighted_in_the_excerpt(tmp_path: Path, state_path: Path) -> None:
    text = (
        "---\ntitle: Tea\nexcerpt: The robots serve tea to robot fans\n"
        "publishedDateTime: 2024-01-01T12:00:00Z\n"
        "webUrl: https://example.com/a\n---\n\nBody.\n"
    )
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "a.md").write_text(text, encoding="utf-8")
    async with loaded_app(make_app(feed, state_path=state_path)) as pilot:
        await pilot.press("less_than_sign")  # a wider detail pane: the excerpt on one line
        pilot.app.query_one(DetailPane).set_highlight(["robot"])
        await pilot.pause()
        excerpt = pilot.app.query_one("#detail-excerpt", Static)
        marked = [
            s.text
            for s in segments(excerpt)
            if style_of(s).bgcolor != style_of(segment_with(excerpt, "The")).bgcolor
        ]
        assert marked == ["robot", "robot"]
