"""Following the feed folder: the loader's quiet resync, the change filter, and one Pilot
test in which files appear and vanish while the app runs, with no key pressed."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.message import Message
from textual.pilot import Pilot
from watchfiles import Change

from app_helpers import SIZE, app_of, article_file, make_app, notification_texts, write_feed
from reader.ui.loading import FeedLoader
from reader.ui.messages import FeedChanged, Shown
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.watching import FeedChangeFilter, WatchTimes, follow_feed
from reader.ui.widgets.article_list import ArticleList

WAIT_SECONDS = 10.0


def a_feed(folder: Path, count: int = 3) -> Path:
    return write_feed(
        folder, (article_file(f"Story {i}", f"https://watch.example/{i}") for i in range(count))
    )


def resync(loader: FeedLoader) -> list[Message]:
    posted: list[Message] = []
    loader.resync(posted.append, lambda: False)
    return posted


@pytest.mark.parametrize("use_cache", [True, False])
def test_a_resync_posts_the_feed_only_when_files_changed(tmp_path: Path, use_cache: bool) -> None:
    feed = a_feed(tmp_path / "feed")
    loader = FeedLoader(feed, tmp_path / "index.db", use_cache=use_cache)

    def draw(message: Message) -> None:
        if isinstance(message, Shown):
            message.handled.set()

    loader.run(draw, lambda: False, rows_shown=False)
    if use_cache:
        assert resync(loader) == []  # nothing changed: nothing to fold in
    (feed / "new.md").write_text(article_file("Fresh", "https://watch.example/new"), "utf-8")
    (feed / "000.md").unlink()
    [changed] = resync(loader)
    assert isinstance(changed, FeedChanged)
    assert sorted(s.title for s in changed.summaries) == ["Fresh", "Story 1", "Story 2"]
    loader.close()


def test_the_filter_keeps_article_files_and_drops_hidden_ones(tmp_path: Path) -> None:
    keep = FeedChangeFilter(tmp_path)
    (tmp_path / "notes.json").write_text("{}", "utf-8")
    assert keep(Change.added, str(tmp_path / "a.md"))
    assert keep(Change.added, str(tmp_path / "sub" / "gone-folder"))
    assert not keep(Change.added, str(tmp_path / ".import-x.tmp"))
    assert not keep(Change.added, str(tmp_path / ".git" / "a.md"))
    assert not keep(Change.added, str(tmp_path / "notes.json"))


def test_a_feed_of_one_file_is_followed_through_every_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given relatively, and saved the way editors save (a new file renamed over the old).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "one.md").write_text(article_file("First", "https://one.example/"), "utf-8")
    changes = threading.Semaphore(0)
    stop, ready = threading.Event(), threading.Event()
    times = WatchTimes(debounce_ms=200, step_ms=20, ready_ms=200, start_ms=0)
    thread = threading.Thread(
        target=follow_feed, args=(Path("one.md"), changes.release, stop, ready, times)
    )
    thread.start()
    try:
        assert ready.wait(WAIT_SECONDS) and changes.acquire(timeout=WAIT_SECONDS)  # catch-up
        for title in ("Second", "Third"):
            (tmp_path / "new.tmp").write_text(article_file(title, "https://one.example/"))
            os.replace(tmp_path / "new.tmp", tmp_path / "one.md")
            assert changes.acquire(timeout=WAIT_SECONDS), f"the save of {title} went unseen"
        (tmp_path / "other.md").write_text(article_file("Not the feed", None), "utf-8")
        assert not changes.acquire(timeout=0.6)  # another file beside it is not the feed
    finally:
        stop.set()
        thread.join(WAIT_SECONDS)


async def until(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Let the app run until `condition` holds (its messages come from other threads)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


def write_atomically(path: Path, text: str) -> None:
    temporary = path.parent / f".{path.name}.tmp"
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


async def test_files_appear_and_vanish_while_the_cursor_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        FeedScreen, "WATCH_TIMES", WatchTimes(debounce_ms=300, ready_ms=100, start_ms=0)
    )
    feed = a_feed(tmp_path / "feed", count=4)
    app = make_app(feed, state_path=tmp_path / "state.db", cache_path=tmp_path / "i.db", watch=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = app_of(pilot).feed
        articles = screen.query_one(ArticleList)
        await until(pilot, screen.load_view.watch_ready.is_set, "the watch to be in place")
        # The first load done: a file written during it is part of it, not "new".
        await until(pilot, lambda: screen.loaded, "the first load to end")
        await pilot.press("j", "j")
        chosen = articles.current
        assert chosen is not None and articles.cursor == 2
        # Best of all by quality: it goes above the cursor, which stays on its article.
        write_atomically(
            feed / "top.md", article_file("Breaking", "https://w.example/top", quality=999)
        )
        await until(pilot, lambda: len(articles.articles) == 5, "the new file to show")
        assert articles.articles[0].title == "Breaking"
        assert articles.current == chosen and articles.cursor == 3
        # The notice follows the redraw (on a loaded machine, a few frames later).
        await until(pilot, lambda: "1 new article" in notification_texts(app), "the notice")
        # The selected article's file is deleted: it stays readable until the user moves.
        Path(chosen.path).unlink()
        await until(
            pilot, lambda: screen.load_view.sync.vanished == chosen.id, "the deletion to be seen"
        )
        assert articles.current == chosen and screen.selected is not None
        assert screen.selected.id == chosen.id
        await pilot.press("k")
        assert chosen.id not in {a.id for a in articles.articles}
        assert len(articles.articles) == 4
