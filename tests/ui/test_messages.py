"""What the reader says, as a person meets it: the palette's screenshot, the copy's notice,
messages that wrap instead of being cut, the empty folder's words, the provider's."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from rich.color import Color
from textual.pilot import Pilot

from app_helpers import (
    app_of,
    article_file,
    loaded_app,
    make_app,
    notification_texts,
    type_text,
    wait_until,
    write_feed,
)
from reader.ui import clipboard
from reader.ui.text import NOT_GIVEN
from reader.ui.widgets.article_list import MARKS_WIDTH, ArticleList

SMALL = (80, 24)


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "state.db"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of the test's own (no Downloads in it), never the real one."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    return folder


async def take_screenshot(pilot: Pilot[None]) -> None:
    """The palette's Screenshot, as a person picks it; waits for its notice."""
    app = app_of(pilot)
    await pilot.press("ctrl+p")
    await type_text(pilot, "screenshot")
    await pilot.pause(0.2)
    await pilot.press("enter")
    await wait_until(
        pilot,
        lambda: any("creenshot" in text for text in notification_texts(app)),
        "the screenshot's notice",
    )


# --- 1. the screenshot ---------------------------------------------------------------------


async def test_screenshot_makes_a_missing_downloads_folder_and_says_where(
    home: Path, state_path: Path
) -> None:
    async with loaded_app(make_app(state_path=state_path), size=SMALL) as pilot:
        await take_screenshot(pilot)
        saved = list((home / "Downloads").glob("*.svg"))
        assert len(saved) == 1, notification_texts(app_of(pilot))
        assert "<svg" in saved[0].read_text(encoding="utf-8")
        assert f"Screenshot saved to {saved[0]}" in notification_texts(app_of(pilot))


async def test_screenshot_goes_to_the_temporary_folder_when_downloads_cannot_be_made(
    tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A home that is a file: no folder can be made in it.
    home_file = tmp_path / "home-file"
    home_file.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("HOME", str(home_file))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    async with loaded_app(make_app(state_path=state_path), size=SMALL) as pilot:
        await take_screenshot(pilot)
        saved = list(temporary.glob("*.svg"))
        assert len(saved) == 1, notification_texts(app_of(pilot))
        [notice] = [text for text in notification_texts(app_of(pilot)) if "creenshot" in text]
        assert notice.startswith(f"Screenshot saved to {saved[0]} (not in {home_file}/Downloads")
        assert "Not a directory" in notice
    assert home_file.read_text(encoding="utf-8") == "not a folder"


def test_a_second_screenshot_in_the_same_second_never_overwrites_the_first(
    tmp_path: Path,
) -> None:
    from reader.ui.screenshot import write_new

    first = write_new(tmp_path, "reader now.svg", "one")
    second = write_new(tmp_path, "reader now.svg", "two")
    assert (first.name, second.name) == ("reader now.svg", "reader now (2).svg")
    assert first.read_text(encoding="utf-8") == "one"


def test_a_screenshot_nowhere_says_every_folder_and_why(tmp_path: Path) -> None:
    from reader.ui import screenshot

    class Recorder:
        is_web = False
        title = "reader"

        def __init__(self) -> None:
            self.notices: list[tuple[str, str]] = []

        def export_screenshot(self) -> str:
            return "<svg/>"

        def notify(self, message: str, *, severity: str, **_: object) -> None:
            self.notices.append((message, severity))

    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    app = Recorder()
    assert screenshot.save_screenshot(app, [blocker / "a", blocker / "b"]) is None  # type: ignore[arg-type]
    [(message, severity)] = app.notices
    assert severity == "error"
    assert message.startswith(f"Screenshot not saved: {blocker}/a: ")
    assert f"; {blocker}/b: " in message


# --- 2. the copy's notice ------------------------------------------------------------------

COPY_URL = "https://example.com/a"


@pytest.fixture
def one_article(tmp_path: Path) -> Path:
    return write_feed(tmp_path / "feed", [article_file("One", COPY_URL)])


def fake_tmux(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None) -> None:
    """A `tmux` on the PATH that answers `show-options` with `setting` (None: no tmux at
    all), and the environment of a shell inside tmux."""
    folder = tmp_path / "bin"
    folder.mkdir()
    if setting is not None:
        script = folder / "tmux"
        script.write_text(f"#!/bin/sh\necho {setting}\n", encoding="utf-8")
        script.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1234,0")


async def copy_notice(one_article: Path, state_path: Path) -> tuple[str, str]:
    """Press `y` and return the notice (its text and severity); the URL was sent."""
    app = make_app(one_article, state_path=state_path)
    async with loaded_app(app, size=SMALL) as pilot:
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(app._notifications), "the copy's notice")
        assert app.clipboard == COPY_URL
        [notice] = list(app._notifications)
        return notice.message, notice.severity


async def test_copy_inside_tmux_that_keeps_it_says_not_copied_and_the_fix(
    one_article: Path, state_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "external")
    message, severity = await copy_notice(one_article, state_path)
    assert message.startswith("Not copied: tmux drops an application's copy (its set-clipboard")
    assert "external); `set -g set-clipboard on` in ~/.tmux.conf lets it through." in message
    assert message.endswith(f"The URL: {COPY_URL}")
    assert severity == "warning"


async def test_copy_inside_tmux_that_passes_it_on_says_copied(
    one_article: Path, state_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, "on")
    message, severity = await copy_notice(one_article, state_path)
    assert message == f"Copied {COPY_URL} (through tmux, as OSC 52)"
    assert severity == "information"


async def test_copy_inside_a_tmux_that_does_not_answer_says_what_was_sent(
    one_article: Path, state_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_tmux(tmp_path, monkeypatch, None)
    message, _ = await copy_notice(one_article, state_path)
    assert (
        message
        == f"Sent {COPY_URL} as OSC 52; tmux passes it on only with `set -g set-clipboard on`"
    )


async def test_a_tmux_slow_to_answer_holds_neither_the_keys_nor_the_notice_past_its_deadline(
    tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tmux asked about its clipboard while the keys go on: `j` moves at once, and the
    notice comes when the deadline ends the question (tmux here would take a minute)."""
    feed = write_feed(
        tmp_path / "feed", [article_file("One", COPY_URL), article_file("Two", COPY_URL + "2")]
    )
    sleep = shutil.which("sleep")  # found now: the PATH below holds the fake tmux only
    fake_tmux(tmp_path, monkeypatch, "on")
    (tmp_path / "bin" / "tmux").write_text(f"#!/bin/sh\nexec {sleep} 60\n", encoding="utf-8")
    monkeypatch.setattr(clipboard, "TMUX_DEADLINE_SECONDS", 1.5)
    app = make_app(feed, state_path=state_path)
    async with loaded_app(app, size=SMALL) as pilot:
        articles = app.query_one(ArticleList)
        assert articles.cursor == 0
        await pilot.press("y", "j")
        assert articles.cursor == 1  # the key after `y` was not held
        assert not app._notifications  # tmux has not answered yet
        await wait_until(pilot, lambda: bool(app._notifications), "the copy's notice")
        [notice] = list(app._notifications)
        assert notice.message.startswith(f"Sent {COPY_URL} as OSC 52")


async def test_copy_outside_tmux_says_it_went_as_osc_52(
    one_article: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    message, _ = await copy_notice(one_article, state_path)
    assert message.startswith(f"Copied {COPY_URL} (sent to the terminal as OSC 52")


# --- 3 and 4. what an empty list and the filter say, whole ---------------------------------

SIZES = [(140, 45), (80, 24), (60, 20)]


def screen_text(pilot: Pilot[None]) -> str:
    """Every line the screen shows now, borders included."""
    return "\n".join(strip.text for strip in pilot.app.screen._compositor.render_strips())


def shown_lines(pilot: Pilot[None], selector: str) -> list[str]:
    """The lines the screen shows in the widget `selector` names, inside its border."""
    region = pilot.app.screen.query_one(selector).region
    strips = pilot.app.screen._compositor.render_strips()
    return [
        strips[y].crop(region.x, region.right).text.strip("│")
        for y in range(region.y, region.bottom)
    ]


def shown_words(pilot: Pilot[None], selector: str) -> str:
    """The words the screen shows in the widget `selector` names, its lines joined (a
    wrapped sentence reads whole)."""
    return " ".join(" ".join(shown_lines(pilot, selector)).split())


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("watch", [True, False])
async def test_an_empty_folder_says_files_appear_while_watched_else_press_r(
    tmp_path: Path, state_path: Path, size: tuple[int, int], watch: bool
) -> None:
    feed = tmp_path / "empty"
    feed.mkdir()
    app = make_app(feed, state_path=state_path, watch=watch)
    async with loaded_app(app, size=size) as pilot:
        words = shown_words(pilot, "#articles")
        if watch:
            assert "No articles in empty: add .md files; they show here as they land." in words
            assert "press r" not in words
        else:
            assert "No articles in empty: add .md files, then press r to reload." in words
        assert "…" not in screen_text(pilot)


async def test_an_empty_folder_whose_watch_failed_says_press_r(
    tmp_path: Path, state_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reader.ui.feed import load_view

    def no_watch(*args: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(load_view, "follow_feed", no_watch)
    feed = tmp_path / "empty"
    feed.mkdir()
    async with loaded_app(make_app(feed, state_path=state_path, watch=True), SMALL) as pilot:
        await wait_until(
            pilot, lambda: "press r" in shown_words(pilot, "#articles"), "the empty text's r"
        )
        assert "as they land" not in shown_words(pilot, "#articles")


async def test_an_empty_list_starts_where_the_titles_do(tmp_path: Path, state_path: Path) -> None:
    feed = tmp_path / "empty"
    feed.mkdir()
    async with loaded_app(make_app(feed, state_path=state_path), size=SMALL) as pilot:
        [row] = [text for text in screen_text(pilot).splitlines() if "No articles" in text]
        # The rows' marks column, then the text, where the titles start.
        assert row.startswith("│" + " " * MARKS_WIDTH + "No articles"), row


@pytest.mark.parametrize("size", SIZES)
async def test_the_filter_says_its_whole_reason_at_every_width(
    one_article: Path, state_path: Path, size: tuple[int, int]
) -> None:
    async with loaded_app(make_app(one_article, state_path=state_path), size=size) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "topic:ai after:yesterday")
        await pilot.pause()
        reason = (
            "after: needs a date (YYYY-MM-DD) or an age like 7d, got 'yesterday' (at column 16)"
        )
        assert reason in shown_words(pilot, "FilterBar")


# --- 5. the provider, one way ---------------------------------------------------------------


def no_provider_feed(folder: Path) -> Path:
    """One article without a provider, one with only a domain."""
    folder.mkdir()
    (folder / "a.md").write_text(
        "---\ntitle: Nobody's\nwebUrl: https://a.example/1\nquality: 90\n---\nBody.\n", "utf-8"
    )
    (folder / "b.md").write_text(
        "---\ntitle: Domain only\nwebUrl: https://b.example/1\nquality: 10\n"
        "provider:\n  domain: b.example\n---\nBody.\n",
        "utf-8",
    )
    return folder


async def test_a_missing_provider_reads_the_same_in_the_list_and_the_detail(
    tmp_path: Path, state_path: Path
) -> None:
    app = make_app(no_provider_feed(tmp_path / "feed"), state_path=state_path)
    async with loaded_app(app, size=(200, 60)) as pilot:  # wide enough for a provider column
        for title, provider in (("Nobody's", NOT_GIVEN), ("Domain only", "b.example")):
            await wait_until(pilot, lambda: app.feed.selected is not None, "a selection")
            assert app.feed.selected is not None
            assert app.feed.selected.title == title
            [row] = [text for text in shown_lines(pilot, "#articles") if title in text]
            assert f"  {provider}  " in row, row  # the list's provider column
            assert f"Provider {provider} Published" in shown_words(pilot, "#detail")
            assert "Unknown" not in shown_words(pilot, "#detail")
            await pilot.press("j")
            await pilot.pause()


# --- 6. polish: the header, the filter box, the help, the scrollbars, the body -------------


@pytest.mark.parametrize("size", SIZES)
async def test_the_header_shows_whole_phrases_at_every_width(
    one_article: Path, state_path: Path, size: tuple[int, int]
) -> None:
    async with loaded_app(make_app(one_article, state_path=state_path), size=size) as pilot:
        for query in ("", "one"):
            await pilot.press("slash", *query, "enter")
            await pilot.pause()
            [header] = shown_lines(pilot, "#header")
            words = header.strip()
            assert words.startswith("reader  feed   1 / 1 articles"), words
            if "sorted" in words:
                assert "sorted by quality" in words, words
            if query:
                assert words.endswith("· filter: one"), words  # kept before the order
            else:
                assert words.endswith(("articles", "unread", "quality")), words
            if size[0] >= 80:
                assert "1 unread" in words, words


def test_a_header_too_narrow_for_its_status_cuts_the_status_only() -> None:
    from reader.ui.widgets.feed_header import HeaderFacts, header_line

    facts = HeaderFacts("feed", 1, 1, 1, "quality", "filter: a long query typed here")
    assert header_line(facts, 200).plain.endswith(
        "sorted by quality · filter: a long query typed here"
    )
    assert header_line(facts, 52).plain == "reader  feed   1 / 1 articles · filter: a long…"
    assert header_line(facts, 40).plain == "reader  feed   1 / 1 articles · filter…"
    assert header_line(facts, 20).plain == "reader  feed   1 / …"


def left_edge(pilot: Pilot[None], selector: str, row: int) -> tuple[str, object]:
    """The character and colour the screen draws at the left edge of row `row` of a widget."""
    region = pilot.app.screen.query_one(selector).region
    strip = pilot.app.screen._compositor.render_strips()[region.y + row]
    segment = next(iter(strip.crop(region.x, region.x + 1)))
    return segment.text, segment.style.color if segment.style else None


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_filter_box_is_one_row_drawn_like_the_panels(
    state_path: Path, theme: str
) -> None:
    async with loaded_app(make_app(state_path=state_path), size=SMALL) as pilot:
        pilot.app.theme = theme
        await pilot.press("slash", "a", "i")
        await pilot.pause()
        assert pilot.app.screen.query_one("#filter-input").region.height == 1
        listed = [row for row in shown_lines(pilot, "#articles") if row.startswith("●")]
        assert len(listed) >= 7, listed  # the tall box left 5
        focused_edge = left_edge(pilot, "#filter-input", 0)
        await pilot.press("enter")  # to the list: the box stays, unfocused
        await pilot.pause()
        assert left_edge(pilot, "#filter-input", 0) == left_edge(pilot, "#detail", 1)
        assert focused_edge[0] == "│"
        assert focused_edge == left_edge(pilot, "#articles", 1)  # the focused panel's colour


def scrollbar_look(pilot: Pilot[None], selector: str) -> tuple[int, set[Color | None]]:
    """The width of a pane's vertical scrollbar, and the colours it is drawn in on screen."""
    scrollbar = pilot.app.screen.query_one(selector).vertical_scrollbar
    region = scrollbar.region
    strips = pilot.app.screen._compositor.render_strips()
    colours = {
        segment.style.bgcolor if segment.style else None
        for y in range(region.y, region.bottom)
        for segment in strips[y].crop(region.x, region.right)
    }
    return region.width, colours


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
async def test_the_list_and_the_detail_have_one_scrollbar_style(
    state_path: Path, theme: str
) -> None:
    async with loaded_app(make_app(state_path=state_path), size=SMALL) as pilot:
        pilot.app.theme = theme
        await pilot.pause()
        list_width, list_colours = scrollbar_look(pilot, "#articles")
        detail_width, detail_colours = scrollbar_look(pilot, "#detail")
        assert (list_width, detail_width) == (1, 1)
        assert len(list_colours) == 2, list_colours  # a track and a thumb: both scroll
        assert list_colours == detail_colours


@pytest.mark.parametrize("size", SIZES)
async def test_the_help_gives_its_words_the_room_at_every_width(
    state_path: Path, size: tuple[int, int]
) -> None:
    async with loaded_app(make_app(state_path=state_path), size=size) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        lines = shown_lines(pilot, "#help-body")
        [row] = [text for text in lines if "this help: every key" in text]
        words_at = row.index("this help")
        if size[0] < 70:  # under the key, in from it
            assert row.strip().startswith("this help: every key and the query language"), row
            assert words_at <= 4, row
        else:  # beside the key
            assert row.strip().startswith("?"), row
            assert words_at == row.index("?") + 28, row


def blank_lines_between(lines: list[str], above: str, below: str) -> int:
    """How many blank lines the screen shows between the line with `above` and the one
    with `below`."""
    start = next(i for i, text in enumerate(lines) if above in text)
    end = next(i for i, text in enumerate(lines) if below in text)
    assert all(not text.strip() for text in lines[start + 1 : end]), lines[start:end]
    return end - start - 1


@pytest.mark.parametrize(
    ("excerpt", "body", "above"),
    [
        ("The summary.", "## The heading it began with", "The summary"),  # one line of it
        ("The summary.", "> A quote it began with", "The summary"),
        ("", "### The heading it began with", "Link "),
    ],
)
async def test_one_blank_line_before_the_body_of_an_imported_article(
    tmp_path: Path, state_path: Path, excerpt: str, body: str, above: str
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    front = "title: Imported\nwebUrl: https://example.com/a\n"
    front += f"excerpt: {excerpt}\n" if excerpt else ""
    (feed / "a.md").write_text(f"---\n{front}---\n\n{body}\n\nThe first paragraph.\n", "utf-8")
    async with loaded_app(make_app(feed, state_path=state_path), size=(140, 45)) as pilot:
        await wait_until(
            pilot,
            lambda: any("it began with" in text for text in shown_lines(pilot, "#detail")),
            "the body drawn",
        )
        lines = shown_lines(pilot, "#detail")
        assert blank_lines_between(lines, above, "it began with") == 1, lines
