"""Hostile input in the app: article files are untrusted, so what the screen shows of them is
literal text with no control characters, no escape sequence reaches the terminal, markup in a
title is never an action, and no unsafe URL reaches the browser.

The fixture folder is `fixtures/hostile/` (see `core/test_hostile_core.py` for what each file
holds). The property test builds one app and swaps the library's contents between examples, so
that an example costs a refresh, not an app start.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.drivers import headless_driver
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Markdown, Static

from app_helpers import (
    app_of,
    loaded_app,
    make_app,
    notification_texts,
    palette_prompts,
    plain_text,
    recorder_of,
    rendered_text,
    settle,
    wait_loaded,
    write_feed,
)
from examples import examples
from reader.core.model import Article, Provider, RelatedLink, summarize
from reader.core.sanitize import clean_line, clean_text, is_safe_url
from reader.ui.app import ReaderApp
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.widgets.article_list import MARKS_WIDTH, ArticleList, columns_for
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.related_links import RelatedLinks
from reader.ui.widgets.topic_sidebar import TopicSidebar

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
# The folder and one file are named to set the window title, as an attacker would name them.
FEED_NAME = "hostile_\x1b]0;pwned\x07_\x9b"
ESCAPE_FILE = "name_\x1b]0;pwned\x07_\x9b.md"
LOADABLE_TITLES = {
    "[bold red]Not bold[/] [/] and [@click=app.quit]click me[/]",
    "title [/] [@click=app.quit]click me[/] [link=https://evil.example]x[/link] a[/ [b]bold[/b]",
    "Merge keys nested nine deep",
    "Written on Windows",
    "Window title ]0;pwned and colours [31mred[0m",
    "Links that must never open",
    "One long string repeated through aliases",
    "Structures that contain themselves",
    "Dates and numbers Python cannot hold",
    "Every field of the wrong type",
    "Caf\ufffd in M\ufffdlaga",
}
MARKUP_TITLE = "[bold red]Not bold[/] [/] and [@click=app.quit]click me[/]"
MARKUP = "[/] [@click=app.quit]click me[/] [link=https://evil.example]x[/link] a[/ [b]bold[/b]"
EVERY_FIELD_TITLE = f"title {MARKUP}"
SIZE = (120, 40)
WIDE = (300, 50)  # every hostile title fits its list row

# ESC, BEL and every other C0 control, DEL, the C1 range, and the bidi overrides and isolates:
# none may be drawn (a rendered line has no newline or tab either).
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# (URL, what the refusal says): none of these may reach the browser.
BAD_URLS = [
    ("javascript:alert(1)", "scheme: 'javascript:'"),
    ("JavaScript:alert(1)", "scheme: 'javascript:'"),
    ("file:///etc/passwd", "scheme: 'file:'"),
    ("data:text/html,<script>alert(1)</script>", "scheme: 'data:'"),
    ("vbscript:msgbox(1)", "scheme: 'vbscript:'"),
    ("-new-window", "starts with '-'"),
    ("--remote-debugging-port=9222", "starts with '-'"),
    ("https://ok.example/\nfoo", "spaces or control characters"),
    ("java\tscript:alert(1)", "spaces or control characters"),
    ("https://ok.example/a b", "spaces or control characters"),
    ("  https://ok.example/", "spaces or control characters"),
    ("https://ok.example/\x1b]0;pwned\x07", "spaces or control characters"),
    ("https://ok.example/\u202eevil", "spaces or control characters"),
    ("http:///x", "no host"),
    ("https://ok.example:99999/", "malformed"),
    ("ok.example/no-scheme", "scheme: none"),
]


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "s.db"


@pytest.fixture
def hostile_feed(tmp_path: Path) -> Path:
    """A copy of the fixtures in a folder whose name, like one file's, holds an escape sequence."""
    feed = tmp_path / FEED_NAME
    shutil.copytree(HOSTILE, feed)
    (feed / ESCAPE_FILE).write_text("A file whose name sets the window title.\n")
    return feed


@pytest.fixture
def empty_feed(tmp_path: Path) -> Path:
    return write_feed(tmp_path / "empty", [])


@asynccontextmanager
async def open_app(app: ReaderApp, size: tuple[int, int]) -> AsyncIterator[Pilot[None]]:
    """`loaded_app`, then `exit()` before the test's app shuts down.

    `run_test` shuts the app down without `exit()`, so a timer that is due then (the 1.5 s
    read timer) still fires, into an app whose widgets are gone (`NoMatches`). After `exit()`,
    Textual's timers stand still.
    """
    async with loaded_app(app, size) as pilot:
        try:
            yield pilot
        finally:
            app.exit()


# --- what is on the screen -------------------------------------------------------------------


def widget_lines(widget: Widget) -> list[str]:
    """Every content line of a widget, as drawn."""
    return [widget.render_line(y).text for y in range(widget.content_region.height)]


def screen_widgets(app: ReaderApp) -> Iterator[Widget]:
    """Every widget of the current screen that takes up room."""
    for widget in app.screen.walk_children(Widget, with_self=True):
        if widget.display and widget.region.area:
            yield widget


def unsafe_on_screen(app: ReaderApp) -> list[tuple[str, str]]:
    """(widget, line) for each line of the screen that holds a control character."""
    found = []
    for widget in screen_widgets(app):
        texts = widget_lines(widget)
        if isinstance(widget, Static):
            texts += plain_text(widget).split("\n")  # a Static's own newlines are its lines
        found += [(repr(widget), text) for text in texts if UNSAFE.search(text)]
    return found


def strip_metas(strip: Strip) -> list[dict[str, Any]]:
    """The style metadata of a drawn line (where an `@click` action would live)."""
    return [dict(segment.style.meta) for segment in strip if segment.style and segment.style.meta]


def click_actions(widget: Widget) -> list[str]:
    """Every `@click` action on the lines of a widget."""
    return [
        str(meta["@click"])
        for y in range(widget.content_region.height)
        for meta in strip_metas(widget.render_line(y))
        if "@click" in meta
    ]


def locate(widget: Widget, text: str, line_with: str = "") -> tuple[int, int]:
    """The offset (relative to the widget, as `pilot.click` takes it) where `text` is drawn
    (on the first line that also holds `line_with`)."""
    for y, drawn in enumerate(widget_lines(widget)):
        x = drawn.find(text)
        if x >= 0 and line_with in drawn:
            content = widget.content_region.offset - widget.region.offset
            return content.x + cell_len(drawn[:x]), content.y + y
    raise AssertionError(f"{text!r} is not drawn in {widget!r}: {widget_lines(widget)}")


def body_lines(app: ReaderApp) -> list[str]:
    """The lines of the Markdown body, block by block."""
    body = app.query_one("#detail-body", Markdown)
    return [text for block in body.query("*") for text in widget_lines(block)]


def row_index(app: ReaderApp, title: str) -> int:
    return [a.title for a in app.query_one(ArticleList).articles].index(title)


async def select(pilot: Pilot[None], title: str) -> None:
    """Put the list's cursor on the article titled `title` and let the detail follow."""
    pilot.app.query_one(ArticleList).move_cursor(row_index(app_of(pilot), title))
    await pilot.pause()
    await pilot.pause()  # the Markdown body mounts its blocks one message later


async def until(pilot: Pilot[None], condition: Callable[[], bool], tries: int = 50) -> None:
    """Let the app handle messages until `condition` holds (a bubbling message takes a hop a
    pause)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError("the condition never held")


def collapse(text: str) -> str:
    """Whitespace runs as one space, as `clean_line` makes them."""
    return re.sub(r"\s+", " ", text).strip()


# --- the hostile folder opens, and every article can be read ---------------------------------


async def test_every_article_is_selected_with_j_and_shown_without_control_characters(
    hostile_feed: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with open_app(app, SIZE) as pilot:
        header = rendered_text(app.query_one("#header"), 0)
        assert "reader  hostile_]0;pwned_ " in header  # the folder's name, without its ESC, BEL, C1
        articles = app.query_one(ArticleList)
        assert articles.row_count == len(LOADABLE_TITLES)
        shown = []
        for index in range(articles.row_count):
            assert articles.cursor == index
            article, current = app.query_one("#detail", DetailPane).article, articles.current
            assert article is not None and current is not None and article.id == current.id
            assert plain_text(app.query_one("#detail-title", Static)) == article.title
            assert unsafe_on_screen(app) == [], article.title
            shown.append(article.title)
            app.feed.action_copy_url()  # y
            await pilot.press("j")
            await pilot.pause()
        assert set(shown) == LOADABLE_TITLES
        assert copied and all(is_safe_url(url) for url in copied)
        assert "https://hostile.example/escape-sequences" in copied
        assert "Not copied: the article has no URL" in notification_texts(app)  # bad_urls.md
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)
        assert unsafe_on_screen(app) == []
        await pilot.press("escape")
        assert [text for text in notification_texts(app) if UNSAFE.search(text)] == []
        assert app.is_running


async def test_the_escape_sequence_article_is_drawn_without_its_escapes(
    hostile_feed: Path, state_path: Path
) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    async with open_app(app, WIDE) as pilot:
        await select(pilot, "Window title ]0;pwned and colours [31mred[0m")
        row = rendered_text(app.query_one(ArticleList), app.query_one(ArticleList).cursor)
        assert "Window title ]0;pwned and colours [31mred[0m" in row
        assert "Provider [5mblink…" in row
        assert "Provider  Provider [5mblink[0m (escape.example)" in plain_text(
            app.query_one("#detail-meta", Static)
        )
        excerpt = widget_lines(app.query_one("#detail-excerpt", Static))
        assert "Clipboard write ]52;c;aGVsbG8=, C1 CSI 2J, DEL , bidi evil" in " ".join(excerpt)
        sidebar = widget_lines(app.query_one(TopicSidebar))
        assert any(text.startswith("]0;topic ") for text in sidebar), sidebar
        assert "Body with a raw escape ]0;pwned" in " ".join(body_lines(app))
        await pilot.press("tab", "tab")  # the related links
        assert rendered_text(app.query_one(RelatedLinks), 0).startswith(
            "  Related ]8;;https://evil.example\\hyperlink"
        )
        assert unsafe_on_screen(app) == []


class RecordingDriver(headless_driver.HeadlessDriver):
    """The headless driver, but it says it is a terminal, so the app writes what it would draw."""

    written: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.written.append(data)


async def test_no_escape_sequence_from_a_file_reaches_the_terminal(
    hostile_feed: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[str] = []
    monkeypatch.setattr(RecordingDriver, "written", written)
    monkeypatch.setattr(headless_driver, "HeadlessDriver", RecordingDriver)
    app = make_app(hostile_feed, state_path=state_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with open_app(app, SIZE) as pilot:
        assert not app.is_headless
        await select(pilot, "Window title ]0;pwned and colours [31mred[0m")
        await pilot.press("enter", "tab")  # the detail, then its related links (an OSC 8 title)
        await select(pilot, EVERY_FIELD_TITLE)
        await select(pilot, "Links that must never open")
        await pilot.press("y")  # refused: the loader dropped its javascript: URL
        await until(pilot, lambda: "Not copied: the article has no URL" in notification_texts(app))
    output = "".join(written)
    assert "]0;pwned" in output  # the title was drawn, as text...
    assert "\x1b]0;" not in output  # ...but no window title was set
    assert "\x1b]52;" not in output and copied == []  # no clipboard write
    assert "\x1b]8;" not in output  # no hyperlink
    assert set(re.findall(r"\x1b\].{0,3}", output)) <= {
        "\x1b]22;"
    }  # Textual's own pointer shape only
    assert (
        "\x1b[5m" not in output and "\x1b[2J" not in output
    )  # blink, clear screen: from the files
    assert [ch for ch in output if "\x80" <= ch <= "\x9f" or ch == "\x7f"] == []


# --- markup in a file is text ----------------------------------------------------------------


async def test_markup_titles_are_literal_in_their_rows(
    hostile_feed: Path, state_path: Path
) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    async with open_app(app, WIDE):
        articles = app.query_one(ArticleList)
        markup_row = rendered_text(articles, row_index(app, MARKUP_TITLE))
        assert markup_row[MARKS_WIDTH:].startswith(
            f"{MARKUP_TITLE}  "
        )  # after the unread and star marks
        every_row = rendered_text(articles, row_index(app, EVERY_FIELD_TITLE))
        assert every_row[MARKS_WIDTH:].startswith(f"{EVERY_FIELD_TITLE}  ")
        assert "provider [/] [@cl…" in every_row
        assert click_actions(articles) == []


async def test_markup_in_every_detail_field_is_literal(
    hostile_feed: Path, state_path: Path
) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    async with open_app(app, WIDE) as pilot:
        await pilot.press(*["less_than_sign"] * 3)  # the widest detail pane: every line fits
        await select(pilot, EVERY_FIELD_TITLE)
        title = app.query_one("#detail-title", Static)
        assert plain_text(title) == EVERY_FIELD_TITLE
        assert "".join(widget_lines(title)).replace(" ", "") == EVERY_FIELD_TITLE.replace(" ", "")
        meta = plain_text(app.query_one("#detail-meta", Static)).splitlines()
        assert f"Provider  provider {MARKUP} ([/]evil.example)" in meta
        assert (
            "Topics    [/], [@click=app.quit]click me[/], [link=https://evil.example]x[/link], a[/"
            in meta
        )
        assert plain_text(app.query_one("#detail-excerpt", Static)) == f"excerpt {MARKUP}"
        body = collapse(" ".join(body_lines(app)))
        assert "[@click=app.quit]click me[/]" in body and "a[/" in body and "[b]bold[/b]" in body
        assert "a link with [/] inside" in body and "[@click=app.quit]code[/]" in body
        related = rendered_text(app.query_one(RelatedLinks), 0)
        assert related.startswith(f"  related title {MARKUP}  re")
        sidebar = widget_lines(app.query_one(TopicSidebar))
        for label in ("[/]", "a[/", "[@click=app.quit]clic…", "[link=https://evil.ex…"):
            assert any(row.startswith(f"{label} ") for row in sidebar), (label, sidebar)
        for widget in (
            title,
            app.query_one("#detail-meta"),
            app.query_one("#detail-excerpt"),
            app.query_one(RelatedLinks),
        ):
            assert click_actions(widget) == []
        # The body's only actions are its Markdown links (which the app gates): its real link and
        # the bare URL inside `[link=https://evil.example]`, which Markdown makes a link.
        actions = [
            action
            for block in app.query_one("#detail-body").query("*")
            for action in click_actions(block)
        ]
        assert sorted(set(actions)) == [
            "link('https://evil.example')",
            "link('https://hostile.example/body-link')",
        ]


async def test_clicking_a_markup_title_does_not_quit(
    hostile_feed: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    exits: list[object] = []
    real_exit = app.exit

    def recording_exit(*args: Any, **kwargs: Any) -> None:
        exits.append((args, kwargs))
        real_exit(*args, **kwargs)

    monkeypatch.setattr(app, "exit", recording_exit)
    async with open_app(app, WIDE) as pilot:
        articles = app.query_one(ArticleList)
        index = row_index(app, MARKUP_TITLE)
        await pilot.click(articles, offset=locate(articles, "[@click=app.quit]", MARKUP_TITLE))
        await pilot.pause()
        assert articles.cursor == index
        await pilot.double_click(articles, offset=locate(articles, "click me[/]", MARKUP_TITLE))
        await pilot.pause()
        title = app.query_one("#detail-title", Static)
        assert plain_text(title) == MARKUP_TITLE
        await pilot.click(title, offset=locate(title, "[@click=app.quit]"))
        await pilot.pause()
        assert app.is_running and exits == [] and app.return_code is None
        await pilot.press("escape", "j")  # still answering keys
        await pilot.pause()
        assert articles.cursor == index + 1


async def test_palette_shows_markup_topics_literally(hostile_feed: Path, state_path: Path) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    async with open_app(app, SIZE) as pilot:
        assert "Show topic: [/]" in await palette_prompts(pilot, "[/]")
        await pilot.press("escape")
        await pilot.pause()
        prompts = await palette_prompts(pilot, "@cl")
        assert prompts == ["Show topic: [@click=app.quit]click me[/]"]
        assert unsafe_on_screen(app) == []
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.feed.view.topic == "topic:[@click=app.quit]click me[/]"
        assert [a.title for a in app.query_one(ArticleList).articles] == [EVERY_FIELD_TITLE]
        assert app.is_running


# --- notifications say article text literally ------------------------------------------------


def _article(article_id: str, title: str, url: str | None = None, **fields: Any) -> Article:
    return Article(id=article_id, path=f"/feed/{article_id}.md", title=title, url=url, **fields)


def _show(app: ReaderApp, *articles: Article) -> None:
    """Swap the app's articles for these (as a reload would) and redraw."""
    app.feed.library.replace_all([summarize(a) for a in articles], articles)
    app.feed.refresh_view()


HOSTILE_TITLE = "[@click=app.quit]x [/] a[/ \x1b]0;pwned\x07 \x9b2J [b]"


async def test_a_jump_notification_shows_the_title_literally(
    empty_feed: Path, state_path: Path
) -> None:
    app = make_app(empty_feed, state_path=state_path)
    target = _article("b", HOSTILE_TITLE, "https://in.example/b")
    source = _article(
        "a",
        "Aaa source",
        "https://in.example/a",
        related=(RelatedLink("to b", url="https://in.example/b"),),
    )
    async with open_app(app, WIDE) as pilot:
        app.feed.view_settings.set_order("title")
        _show(app, source, target)
        await pilot.pause()
        await select(pilot, "Aaa source")
        await pilot.press("tab", "tab", "enter")
        await pilot.pause()
        current = app.query_one(ArticleList).current
        assert current is not None and current.id == "b"
        expected = "Jumped to “[@click=app.quit]x [/] a[/ ]0;pwned 2J [b]”"
        await until(pilot, lambda: any(expected in text for text in notification_texts(app)))
        await pilot.pause()  # the toast is drawn
        drawn = [text for widget in screen_widgets(app) for text in widget_lines(widget)]
        assert any("[@click=app.quit]x [/] a[/ ]0;pwned 2J [b]" in text for text in drawn), drawn
        assert app.is_running and unsafe_on_screen(app) == []


# --- the browser gate ------------------------------------------------------------------------


def _refusals(app: ReaderApp) -> list[str]:
    return [text for text in notification_texts(app) if text.startswith("Not opened: ")]


async def test_o_refuses_each_bad_article_url_and_says_why(
    empty_feed: Path, state_path: Path
) -> None:
    app = make_app(empty_feed, state_path=state_path)
    async with open_app(app, SIZE) as pilot:
        for index, (url, reason) in enumerate(BAD_URLS):
            app.clear_notifications()
            _show(app, _article(f"a{index}", f"Bad {index}", url))
            await pilot.press(
                "o"
            )  # a refusal is said at once; only an accepted URL starts a worker
            await until(pilot, lambda: bool(_refusals(app)))
            assert len(_refusals(app)) == 1 and reason in _refusals(app)[0], (
                url,
                notification_texts(app),
            )
        app.clear_notifications()
        _show(app, _article("none", "No URL at all", None))
        await pilot.press("o", "y")
        await settle(pilot)
        assert notification_texts(app) == [
            "Not opened: the article has no URL",
            "Not copied: the article has no URL",
        ]
        assert recorder_of(app).urls == []


async def test_related_links_refuse_each_bad_url_on_enter_and_o(
    empty_feed: Path, state_path: Path
) -> None:
    app = make_app(empty_feed, state_path=state_path)
    links = tuple(RelatedLink(f"link {i}", url=url) for i, (url, _) in enumerate(BAD_URLS))
    async with open_app(app, SIZE) as pilot:
        _show(app, _article("a", "With bad related links", "https://ok.example/a", related=links))
        await pilot.pause()
        await pilot.press("tab", "tab")
        related = app.query_one(RelatedLinks)
        assert related.has_focus and related.row_count == len(BAD_URLS)
        for index, (url, reason) in enumerate(BAD_URLS):
            related.move_cursor(index)
            key = ("enter", "o")[index % 2]  # both keys, half the presses (each costs ~0.1 s)
            app.clear_notifications()
            await pilot.press(key)
            await until(pilot, lambda: bool(_refusals(app)))
            assert len(_refusals(app)) == 1 and reason in _refusals(app)[0], (
                key,
                url,
                notification_texts(app),
            )
        await settle(pilot)
        assert recorder_of(app).urls == []
        assert unsafe_on_screen(app) == []


async def test_body_links_and_open_url_refuse_each_bad_url(
    empty_feed: Path, state_path: Path
) -> None:
    app = make_app(empty_feed, state_path=state_path)
    async with open_app(app, SIZE) as pilot:
        _show(
            app,
            _article(
                "a", "A body", "https://ok.example/a", body="Some [text](https://ok.example/t)."
            ),
        )
        await pilot.pause()
        body = app.query_one("#detail-body", Markdown)
        for url, reason in BAD_URLS:
            app.clear_notifications()
            body.post_message(Markdown.LinkClicked(body, url))
            await until(pilot, lambda: bool(_refusals(app)))  # the message bubbles up to the app
            app.open_url(url)
            await until(pilot, lambda: len(_refusals(app)) > 1)  # a notification is a message too
            assert len(_refusals(app)) == 2 and all(reason in text for text in _refusals(app)), (
                url,
                notification_texts(app),
            )
        assert recorder_of(app).urls == []
        body.post_message(Markdown.LinkClicked(body, "https://ok.example/fine"))
        await settle(pilot)
        assert recorder_of(app).urls == [
            "https://ok.example/fine"
        ]  # the gate is not shut for good links


async def test_the_bad_urls_fixture_opens_only_its_one_good_link(
    hostile_feed: Path, state_path: Path
) -> None:
    app = make_app(hostile_feed, state_path=state_path)
    async with open_app(app, WIDE) as pilot:
        await select(pilot, "Links that must never open")
        app.clear_notifications()
        await pilot.press("o")
        await settle(pilot)
        assert notification_texts(app) == ["Not opened: the article has no URL"]
        # Real clicks on the body's two real links: `-new-window` is refused, `ok` opens.
        blocks = list(app.query_one("#detail-body").query("*"))
        block = next(b for b in blocks if "opt" in " ".join(widget_lines(b)))
        await pilot.click(block, offset=locate(block, "opt,"))
        await until(pilot, lambda: "Not opened: it starts with '-'" in notification_texts(app))
        assert recorder_of(app).urls == []
        await pilot.click(block, offset=locate(block, "ok."))
        await settle(pilot)
        assert recorder_of(app).urls == ["https://ok.example/body"]
        # Every related link, then the body's links (below their heading): only the good ones open.
        app.query_one(ArticleList).focus()
        await pilot.press("tab", "tab")
        related = app.query_one(RelatedLinks)
        assert related.has_focus
        assert [link.url for link in related.body_links] == [
            "-new-window",
            "https://ok.example/body",
        ]
        for _ in range(len(related.links) + len(related.body_links)):
            await pilot.press("enter", "j")  # j steps over the heading
            await settle(pilot)
        assert recorder_of(app).urls == [
            "https://ok.example/body",
            "https://ok.example/fine",
            "https://ok.example/body",
        ]
        assert notification_texts(app).count("Not opened: the article has no URL") == len(
            related.links
        )  # 7 + `o`
        assert (
            notification_texts(app).count("Not opened: it starts with '-'") == 2
        )  # the click, then its row


# --- any text at all, in any field -----------------------------------------------------------

T = TypeVar("T")

TOKENS = [
    "[/]",
    "[@click=app.quit]",
    "[b]",
    "[link=https://evil.example]",
    "a[/",
    "[",
    "]",
    "\\",
    "\x1b",
    "\x1b]0;",
    "\x1b]52;c;",
    "\x07",
    "\x9b",
    "\x7f",
    "\x00",
    "\r",
    "\n",
    "\t",
    "\u202e",
    "\u2066",
    "\u2028",
    " ",
    "  ",
    "…",
    "é",
    "日本",
    "👍🏽",
    "\u0301",
    "\u200b",
    "*",
    "`",
    "#",
    "<script>",
    "](javascript:x)",
    "\ufeff",
]
TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(TOKENS) | st.text(max_size=4), max_size=15).map("".join),
)


@st.composite
def hostile_articles(draw: st.DrawFn) -> Article:
    """An article straight from the model, not the loader: nothing in it has been cleaned."""
    related = RelatedLink(
        draw(TEXT), url=draw(TEXT), excerpt=draw(TEXT), provider=Provider(draw(TEXT))
    )
    return Article(
        id="fuzzed",
        path="/feed/fuzzed.md",
        title=draw(TEXT),
        excerpt=draw(TEXT),
        body=draw(TEXT),
        url=draw(st.one_of(st.none(), TEXT, st.sampled_from([url for url, _ in BAD_URLS]))),
        provider=Provider(draw(TEXT), draw(TEXT)),
        topics=tuple(draw(st.lists(TEXT, max_size=3))),
        related=(related,),
        quality=draw(st.none() | st.integers(-(10**6), 10**6)),
    )


class RunningApp:
    """One app, run headless in its own thread and loop, that a sync test drives step by step.

    Hypothesis tests are sync; this lets every example reuse one app (started once) instead of
    starting one each. Each step is a coroutine run inside the app's own task, so Textual's
    context (the active app) is set while it runs.
    """

    def __init__(self, app: ReaderApp, size: tuple[int, int]) -> None:
        self.app, self.size = app, size
        self.ready = threading.Event()
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[
            tuple[Callable[[Pilot[None]], Awaitable[Any]], concurrent.futures.Future[Any]] | None
        ]
        self.failure: BaseException | None = None
        self.copied: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as error:  # noqa: BLE001 - reported by `__exit__`
            self.failure = error
            self.ready.set()
        finally:
            self.loop.close()

    async def _serve(self) -> None:
        self.queue = asyncio.Queue()
        async with self.app.run_test(size=self.size) as pilot:
            await wait_loaded(pilot)
            self.ready.set()
            while (item := await self.queue.get()) is not None:
                step, result = item
                try:
                    result.set_result(await step(pilot))
                except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
                    result.set_exception(error)
            self.app.exit()  # see `open_app`

    def __enter__(self) -> RunningApp:
        self.thread.start()
        assert self.ready.wait(20), "the app did not start"
        if self.failure:
            raise self.failure
        return self

    def run(self, step: Callable[[Pilot[None]], Awaitable[T]]) -> T:
        """Run `step(pilot)` in the app's task and return what it returns (or raise what it
        raised)."""
        result: concurrent.futures.Future[T] = concurrent.futures.Future()
        self.loop.call_soon_threadsafe(self.queue.put_nowait, (step, result))
        return result.result(timeout=30)

    def __exit__(self, *exc: object) -> None:
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.queue.put_nowait, None)
        self.thread.join(20)
        if self.failure and exc[0] is None:
            raise self.failure


@pytest.fixture
def running(
    empty_feed: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningApp]:
    app = make_app(empty_feed, state_path=state_path)
    copied: list[str] = []
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    with RunningApp(app, SIZE) as running:
        running.copied = copied
        yield running


async def _render(pilot: Pilot[None], article: Article) -> None:
    """Swap in the article, draw everything, and try the browser and the clipboard on it."""
    app = app_of(pilot)
    app.clear_notifications()
    _show(app, article)
    # pause(0): no waiting for the CPU to idle (Toasts and the body keep it busy ~0.1 s a time).
    await pilot.pause(0)
    await pilot.pause(0)  # the Markdown body mounts its blocks one message later
    app.feed.action_open_selected()
    app.feed.action_copy_url()
    related = app.query_one(RelatedLinks)
    related.focus()
    await pilot.pause(0)
    app.feed.action_open_selected()  # o on the related link under the cursor
    # enter on it (a posted Chosen could outlive the last example's app)
    app.feed.opening.related_chosen()
    app.query_one(ArticleList).focus()
    await app.workers.wait_for_complete()
    await pilot.pause(0)
    assert app.is_running and app._exception is None


def _check_row_title(articles: ArticleList, y: int, title: str) -> None:
    """The row shows the cleaned title, or as much of it as fits followed by an ellipsis."""
    title_width = columns_for(articles.scrollable_content_region.width).title
    slot = (
        articles.render_line(y).crop(0, MARKS_WIDTH + title_width).text[MARKS_WIDTH:]
    )  # after the marks
    expected, shown = clean_line(title), collapse(slot)
    if shown == expected:
        return
    assert shown.endswith("…"), (slot, expected)
    assert expected.startswith(shown[:-1].rstrip()), (slot, expected)
    one_line = clean_text(title).replace("\n", " ").replace("\t", " ")
    assert cell_len(one_line) > title_width, (slot, expected)  # cut only when it does not fit


# Each example runs the app: 25 in an ordinary run, 250 under `make test-deep`.
@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(article=hostile_articles())
def test_any_text_in_any_field_renders_cleanly(running: RunningApp, article: Article) -> None:
    running.run(lambda pilot: _render(pilot, article))
    assert all(is_safe_url(url) for url in running.copied)
    app = running.app
    articles = app.query_one(ArticleList)
    assert articles.row_count == 1
    _check_row_title(articles, 0, article.title)
    title = app.query_one("#detail-title", Static)
    assert collapse(plain_text(title)) == clean_line(article.title)
    drawn = "".join(widget_lines(title))
    assert re.sub(r"\s", "", drawn) == re.sub(r"\s", "", clean_line(article.title))
    assert collapse(plain_text(app.query_one("#detail-excerpt", Static))) == collapse(
        clean_line(article.excerpt)
    )
    unsafe = [
        (name, text)
        for name, widget in [
            ("list", articles),
            ("sidebar", app.query_one(TopicSidebar)),
            ("header", app.query_one("#header")),
            ("related", app.query_one(RelatedLinks)),
            *[
                (f"#{name}", app.query_one(f"#{name}"))
                for name in ("detail-title", "detail-meta", "detail-excerpt")
            ],
        ]
        for text in widget_lines(widget)
        + (plain_text(widget).split("\n") if isinstance(widget, Static) else [])
        if UNSAFE.search(text)
    ]
    assert unsafe == []
    assert [text for text in notification_texts(app) if UNSAFE.search(text)] == []
    assert all(is_safe_url(url) for url in recorder_of(app).urls)
    for widget in (articles, title, app.query_one("#detail-meta"), app.query_one(RelatedLinks)):
        assert click_actions(widget) == []


async def test_a_body_is_drawn_without_control_characters(
    empty_feed: Path, state_path: Path
) -> None:
    app = make_app(empty_feed, state_path=state_path)
    async with open_app(app, SIZE) as pilot:
        _show(
            app,
            _article(
                "b",
                "Body",
                body="Raw \x1b]0;pwned\x07 title, \x9b2J clear, \x1b[5mblink\x1b[0m, DEL \x7f",
            ),
        )
        await pilot.pause()
        await pilot.pause()
        assert "Raw ]0;pwned title, 2J clear, [5mblink[0m, DEL" in collapse(
            " ".join(body_lines(app))
        )
        assert [text for text in body_lines(app) if UNSAFE.search(text)] == []
