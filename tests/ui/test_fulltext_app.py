"""The full text in the app: `F` fetches the selected article's page (served on loopback by
the test), the detail shows the text and its reading time, the list marks it, the filter
searches it; `fetch = "on-open"`; the palette forgets; a quit ends a fetch under way at once;
and the text, untrusted like an article file, reaches the screen only as plain text.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Markdown

from app_helpers import (
    app_of,
    article_file,
    loaded_app,
    make_app,
    notification_texts,
    plain_text,
    recorder_of,
    rest_shown,
    settle,
    type_text,
    wait_until,
    write_feed,
)
from reader.core.config import Settings
from reader.core.fulltext.store import TextStore, default_texts_path
from reader.ui.app import ReaderApp
from reader.ui.widgets.article_list import TEXT_MARK, ArticleList
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.feed_header import FeedHeader

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fulltext"
BRIDGE_PAGE = (FIXTURES / "harbour-bridge.html").read_bytes()
ONLY_IN_THE_TEXT = "natarajan"  # the engineer's name: in the page, not in the article file
QUIT_SECONDS = 3.0  # what a quit during a fetch may take (the fetch's own deadline is 20 s)


@dataclass
class Site:
    """A loopback server: /bridge a news page, /gone a 404, /silent never answers."""

    base: str
    asked: list[str] = field(default_factory=list)
    silent_asked: threading.Event = field(default_factory=threading.Event)
    silent_closed: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        site = self.server.site
        site.asked.append(self.path)
        if self.path == "/silent":
            self.stay_silent(site)
        elif self.path == "/bridge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(BRIDGE_PAGE)))
            self.end_headers()
            self.wfile.write(BRIDGE_PAGE)
        else:
            self.send_error(404)

    def stay_silent(self, site: Site) -> None:
        """Answer nothing; note when the reader hangs up (a cancelled fetch shuts its socket)."""
        site.silent_asked.set()
        self.connection.settimeout(0.05)
        while not site.release.is_set():
            try:
                if self.connection.recv(1) == b"":
                    site.silent_closed.set()
                    return
            except TimeoutError:
                continue
            except OSError:
                site.silent_closed.set()
                return

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.site = Site(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    monkeypatch.setenv("READER_FETCH_ALLOW", "127.0.0.1")
    yield server.site
    server.site.release.set()
    server.shutdown()
    server.server_close()


def feed_of(folder: Path, site: Site) -> Path:
    """Three articles, best first: the bridge (a page), a gone page, a silent server."""
    return write_feed(
        folder,
        [
            article_file("Bridge closes", f"{site.base}/bridge", quality=90, body="Cracks."),
            article_file("Gone page", f"{site.base}/gone", quality=80),
            article_file("Silent server", f"{site.base}/silent", quality=70),
        ],
    )


@asynccontextmanager
async def reader(
    tmp_path: Path, site: Site, settings: Settings | None = None, size: tuple[int, int] = (120, 40)
) -> AsyncIterator[Pilot[None]]:
    app = make_app(feed_of(tmp_path / "feed", site), state_path=tmp_path / "state.db",
                   settings=settings)  # fmt: skip
    async with loaded_app(app, size) as pilot:
        await wait_until(pilot, lambda: detail(pilot).parts_mounted, "the detail's parts")
        yield pilot


def detail(pilot: Pilot[None]) -> DetailPane:
    return app_of(pilot).feed.query_one(DetailPane)


def shown_text(pilot: Pilot[None]) -> str:
    """The stored text the detail shows ("" when none): the Markdown it was given."""
    pane = detail(pilot)
    if not pane.query_one("#detail-text-column").display:
        return ""
    return pane.query_one("#detail-text", Markdown).source


def screen_text(app: ReaderApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def fetched(pilot: Pilot[None]) -> None:
    """Wait until no fetch is under way and its outcome is drawn."""
    app = app_of(pilot)
    await wait_until(pilot, lambda: not app.feed.fulltext.under_way, "the fetch's end")
    await settle(pilot)


async def test_f_fetches_the_text_the_detail_shows_it_with_its_reading_time(
    tmp_path: Path, site: Site
) -> None:
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        assert not default_texts_path().exists()  # nothing kept, no file made, until asked
        assert shown_text(pilot) == ""
        await pilot.press("F")
        await fetched(pilot)
        assert site.asked == ["/bridge"]
        with TextStore.open() as texts:
            [stored] = [texts.get(f"{site.base}/bridge")]
        assert stored is not None and ONLY_IN_THE_TEXT in stored.markdown.lower()
        assert shown_text(pilot) == stored.markdown
        heading = plain_text(detail(pilot).query_one("#detail-text-heading"))
        assert heading == f"Full text · {stored.reading_minutes} min read"
        assert f"Full text kept: {stored.words} words" in notification_texts(app)[-1]
        # The list marks it, and only it.
        article_list = app.feed.query_one(ArticleList)
        assert article_list.text_ids == {article_list.articles[0].id}
        assert TEXT_MARK in article_list.render_row(0, 80).plain
        assert TEXT_MARK not in article_list.render_row(1, 80).plain
        # o still opens the page.
        await pilot.press("o")
        await settle(pilot)
        assert recorder_of(app).urls == [f"{site.base}/bridge"]


async def test_the_text_is_a_centred_column_of_at_most_80_cells(tmp_path: Path, site: Site) -> None:
    # Under 100 columns the detail goes below the list, the whole width: wider than 80.
    async with reader(tmp_path, site, size=(99, 60)) as pilot:
        await pilot.press("F")
        await fetched(pilot)
        pane = detail(pilot)
        text = pane.query_one("#detail-text", Markdown)
        assert text.region.width == 80
        room = pane.scrollable_content_region
        left, right = text.region.x - room.x, room.right - text.region.right
        assert abs(left - right) <= 1 and left >= 5


async def test_a_failing_page_says_why_and_keeps_nothing(tmp_path: Path, site: Site) -> None:
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        await pilot.press("j", "F")
        await fetched(pilot)
        assert site.asked == ["/gone"]
        [said] = [n for n in notification_texts(app) if n.startswith("No full text")]
        assert f"{site.base}/gone" in said and "404" in said
        assert not default_texts_path().exists() and shown_text(pilot) == ""
        assert not app.feed.query_one(ArticleList).text_ids


async def test_fetch_on_open_fetches_an_article_opened_with_enter(
    tmp_path: Path, site: Site
) -> None:
    async with reader(tmp_path, site, Settings(fetch="on-open")) as pilot:
        await pilot.press("enter")
        await fetched(pilot)
        assert site.asked == ["/bridge"]
        assert ONLY_IN_THE_TEXT in shown_text(pilot).lower()
        await pilot.press("q", "j", "k", "enter")  # a kept text is not asked for again
        await fetched(pilot)
        assert site.asked == ["/bridge"]


async def test_manual_fetches_nothing_unasked(tmp_path: Path, site: Site) -> None:
    async with reader(tmp_path, site) as pilot:
        await pilot.press("enter", "q", "j", "enter", "q", "o")
        await settle(pilot)
        assert site.asked == [] and not default_texts_path().exists()


async def test_the_filter_finds_a_word_only_in_the_stored_text(tmp_path: Path, site: Site) -> None:
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        article_list = app.feed.query_one(ArticleList)
        await pilot.press("slash")
        await type_text(pilot, ONLY_IN_THE_TEXT)
        await rest_shown(pilot)
        assert article_list.row_count == 0
        await pilot.press("escape", "escape", "F")
        await fetched(pilot)
        await wait_until(pilot, lambda: app.feed.fulltext.words_ready, "the texts' word index")
        await pilot.press("slash")
        await type_text(pilot, ONLY_IN_THE_TEXT)
        await rest_shown(pilot)
        assert [a.title for a in article_list.articles] == ["Bridge closes"]


async def test_a_second_f_while_fetching_says_so_and_the_header_shows_the_fetch(
    tmp_path: Path, site: Site
) -> None:
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        await pilot.press("j", "j", "F")
        await wait_until(pilot, site.silent_asked.is_set, "the silent server asked")
        header = app.feed.query_one(FeedHeader)
        await wait_until(
            pilot, lambda: "Fetching" in getattr(header.facts, "status", ""), "the header's status"
        )
        await pilot.press("F")
        assert "being fetched already" in notification_texts(app)[-1]
        assert site.asked == ["/silent"]


async def test_quitting_during_a_fetch_ends_it_at_once(tmp_path: Path, site: Site) -> None:
    started = 0.0
    async with reader(tmp_path, site) as pilot:
        await pilot.press("j", "j", "F")
        await wait_until(pilot, site.silent_asked.is_set, "the silent server asked")
        started = time.monotonic()
        await pilot.press("Q")
    assert time.monotonic() - started < QUIT_SECONDS
    # The reader hung up at once: the fetch does not linger until its own deadline.
    assert site.silent_closed.wait(QUIT_SECONDS)


async def test_forget_in_the_palette_asks_then_removes_every_text(
    tmp_path: Path, site: Site
) -> None:
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        await pilot.press("F")
        await fetched(pilot)
        await pilot.press("X", "n")
        await settle(pilot)
        assert ONLY_IN_THE_TEXT in shown_text(pilot).lower()
        await pilot.press("ctrl+p")
        await type_text(pilot, "forget stor")  # the top hit: "Forget stored full texts"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Forget the 1 stored full text?" in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert "1 stored text removed" in notification_texts(app)
        assert shown_text(pilot) == "" and not app.feed.query_one(ArticleList).text_ids
        with TextStore.open() as texts:
            assert len(texts) == 0


HOSTILE_TEXT = (
    "Clean start.\x1b]0;pwned\x07 Title set\x9b?\n\n"
    "[@click=app.quit]Not an action[/] and a [bad link](javascript:alert(1)).\n"
)


async def test_a_hostile_text_reaches_the_screen_only_as_plain_text(
    tmp_path: Path, site: Site
) -> None:
    with TextStore.open() as texts:
        texts.put(f"{site.base}/bridge", "unused", HOSTILE_TEXT, f"{site.base}/bridge")
    async with reader(tmp_path, site, size=(160, 50)) as pilot:
        app = app_of(pilot)
        await pilot.press("less_than_sign", "less_than_sign")  # a wider pane: the text in view
        await wait_until(pilot, lambda: bool(shown_text(pilot)), "the stored text shown")
        await settle(pilot)
        drawn = screen_text(app)
        assert "Clean start." in drawn and "Not an action" in drawn
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in shown_text(pilot) if c != "\n")
        assert not any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 for c in drawn if c != "\n")
        text = detail(pilot).query_one("#detail-text", Markdown)
        text.post_message(Markdown.LinkClicked(text, "javascript:alert(1)"))
        await settle(pilot)
        assert recorder_of(app).urls == [] and app.is_running
        assert any(n.startswith("Not opened") for n in notification_texts(app))


async def test_an_article_without_a_page_url_says_so(tmp_path: Path, site: Site) -> None:
    feed = write_feed(tmp_path / "feed", [article_file("No page", None, body="Only this.")])
    app = make_app(feed, state_path=tmp_path / "state.db")
    async with loaded_app(app) as pilot:
        await wait_until(pilot, lambda: detail(pilot).parts_mounted, "the detail's parts")
        await pilot.press("F")
        await settle(pilot)
        assert "This article has no page URL to fetch" in notification_texts(app)
        assert site.asked == [] and not app.feed.fulltext.under_way


async def test_a_texts_file_of_someone_else_is_said_and_left_untouched(
    tmp_path: Path, site: Site
) -> None:
    theirs = default_texts_path()
    theirs.write_text("mine\n", encoding="utf-8")
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        [said] = [n for n in notification_texts(app) if n.startswith("Full texts:")]
        assert str(theirs) in said
        await pilot.press("F")
        await fetched(pilot)
        assert site.asked == ["/bridge"]  # fetched, but there is nowhere to keep it
        [refused] = [n for n in notification_texts(app) if "cannot be kept" in n]
        assert str(theirs) in refused and shown_text(pilot) == ""
    assert theirs.read_text(encoding="utf-8") == "mine\n"


def test_a_page_the_extractor_chokes_on_is_a_reason_not_a_crash(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import reader.core.fulltext.fetch
    from reader.core.fulltext.fetch import Cancel, Target
    from reader.core.fulltext.net import Slots
    from reader.ui.workers import FetchDone, FetchProgressed, fetch_text

    def choke(*args: object, **kwargs: object) -> object:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(reader.core.fulltext.fetch, "fetch_one", choke)
    posted: list[object] = []
    target = Target("https://news.example/a", "a1", "a.md")
    fetch_text(target, frozenset(), Slots(), Cancel(), posted.append)
    progressed, done = posted
    assert isinstance(progressed, FetchProgressed) and isinstance(done, FetchDone)
    assert (done.article_id, done.url, done.outcome.markdown) == ("a1", target.url, None)
    assert "maximum recursion depth" in (done.outcome.reason or "")


async def test_a_text_the_disk_will_not_take_is_said(
    tmp_path: Path, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object) -> object:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(TextStore, "put", full)
    async with reader(tmp_path, site) as pilot:
        app = app_of(pilot)
        await pilot.press("F")
        await fetched(pilot)
        [said] = [n for n in notification_texts(app) if "cannot be kept" in n]
        assert "disk is full" in said and app.is_running and shown_text(pilot) == ""


async def test_an_article_with_only_an_original_url_is_fetched_and_marked(
    tmp_path: Path, site: Site
) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "a.md").write_text(
        f"---\ntitle: Bridge, syndicated\noriginalUrl: {site.base}/bridge\n---\n\nCracks.\n",
        encoding="utf-8",
    )
    app = make_app(feed, state_path=tmp_path / "state.db")
    async with loaded_app(app) as pilot:
        await wait_until(pilot, lambda: detail(pilot).parts_mounted, "the detail's parts")
        await pilot.press("F")
        await fetched(pilot)
        assert site.asked == ["/bridge"] and ONLY_IN_THE_TEXT in shown_text(pilot).lower()
        article_list = app.feed.query_one(ArticleList)
        assert article_list.text_ids == {article_list.articles[0].id}
    again = make_app(feed, state_path=tmp_path / "state.db")  # the next start: from the store
    async with loaded_app(again):
        article_list = again.feed.query_one(ArticleList)
        assert article_list.text_ids == {article_list.articles[0].id}
