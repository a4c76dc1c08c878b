"""The running app shares marks through the sync folder: another machine's show within seconds.

Another "machine" is a reading state of its own (a `StateStore` with a `SyncFolder` in the
test, or `reader mark` in a process of its own) on the same folder, as a sync tool would
carry it. Every wait is for a condition, with a deadline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot

import test_signals
from app_helpers import (
    REPO,
    app_of,
    article_file,
    loaded_app,
    make_app,
    notification_texts,
    wait_until,
    write_feed,
)
from reader.core.config import SYNC_ENV, Settings
from reader.core.storage.state import StateStore
from reader.core.storage.state_check import LaterCheck
from reader.core.sync import SyncFolder
from reader.ui.app import ReaderApp
from reader.ui.feed.shared_marks import SyncTimes
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.widgets.article_list import ArticleList
from state_helpers import damage

WAIT = 10.0
STAR = "★".encode()
# The real app on a pseudo-terminal (see tests/test_signals.py), with a pull that never
# ends: it holds the store's lock, as a pull of a large backlog does for a while.
PULL_NEVER_ENDS = """
import os, time
from reader.core.sync.folder import SyncFolder
def pull(self):
    with self.store.lock:
        open(os.environ["PULL_STARTED"], "w").close()
        time.sleep(600)
    return []
SyncFolder.pull = pull
"""
# Polled only far beyond any test's wait: what shows came through the folder's watch.
WATCHED = SyncTimes(poll_seconds=600.0, tick_ms=100, debounce_ms=50, step_ms=10)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shared = tmp_path / "sync"
    shared.mkdir()
    return shared


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    titles = ("Alpha", "Bravo", "Charlie", "Delta")
    return write_feed(
        tmp_path / "feed",
        (
            article_file(t, f"https://sync.example/{t}", quality=90 - i)
            for i, t in enumerate(titles)
        ),
    )


@pytest.fixture(autouse=True)
def watched(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(FeedScreen, "SYNC_TIMES", WATCHED)


@contextmanager
def other_machine(tmp_path: Path, folder: Path, name: str = "other") -> Iterator[SyncFolder]:
    """A second machine: its own reading state, tied to the same folder."""
    store = StateStore.open(tmp_path / f"{name}.db")
    sync = SyncFolder.open(store, folder)
    try:
        yield sync
    finally:
        sync.close()
        store.close()


def sharing_app(feed: Path, tmp_path: Path, folder: Path, **settings: object) -> ReaderApp:
    return make_app(
        feed,
        state_path=tmp_path / "state.db",
        cache_path=tmp_path / "index.db",
        settings=Settings(sync_folder=folder, **settings),  # type: ignore[arg-type]
    )


async def following(pilot: Pilot[None]) -> ReaderApp:
    """The app, once it follows the sync folder."""
    app = app_of(pilot)
    shared = app.feed.shared_marks
    await wait_until(pilot, shared.ready.is_set, "the sync folder followed", WAIT)
    return app


def ids_by_title(app: ReaderApp) -> dict[str, str]:
    return {summary.title: summary.id for summary in app.feed.library.summaries}


def rows(app: ReaderApp) -> list[str]:
    return [summary.title for summary in app.feed.query_one(ArticleList).articles]


def current_title(app: ReaderApp) -> str | None:
    current = app.feed.current_summary()
    return current.title if current else None


async def test_a_star_made_on_another_machine_shows_with_one_notice(
    tmp_path: Path, folder: Path, feed: Path
) -> None:
    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        articles = app.feed.query_one(ArticleList)
        with other_machine(tmp_path, folder) as other:
            other.store.set_marks("starred", [ids["Charlie"]], True)
            other.store.set_marks("read", [ids["Delta"], ids["Bravo"]], True)
        await wait_until(
            pilot, lambda: ids["Bravo"] in (articles.read_ids or ()), "the marks", WAIT
        )
        assert articles.starred_ids == {ids["Charlie"]}
        assert articles.read_ids == {ids["Bravo"], ids["Delta"]}
        assert app.store.is_starred(ids["Charlie"])
        assert app.feed.view.unread_total() == 2  # the header's and sidebar's counts too
        assert current_title(app) == "Alpha"  # the cursor did not move
        said = [text for text in notification_texts(app) if "machine" in text]
        assert said == ["3 marks from another machine"]


async def test_an_article_read_elsewhere_stays_selected_until_the_user_moves(
    tmp_path: Path, folder: Path, feed: Path
) -> None:
    async with loaded_app(sharing_app(feed, tmp_path, folder, hide_read=True)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        await pilot.press("j")
        assert current_title(app) == "Bravo"
        with other_machine(tmp_path, folder) as other:
            other.store.set_marks("read", [ids["Bravo"], ids["Alpha"]], True)
        await wait_until(pilot, lambda: app.store.is_read(ids["Bravo"]), "the read mark", WAIT)
        await pilot.pause()
        # Alpha, read elsewhere and not selected, leaves; Bravo stays under the cursor.
        assert rows(app) == ["Bravo", "Charlie", "Delta"]
        assert current_title(app) == "Bravo"
        assert app.feed.selected is not None and app.feed.selected.title == "Bravo"
        await pilot.press("j")
        assert rows(app) == ["Charlie", "Delta"]
        assert current_title(app) == "Charlie"


async def test_the_apps_own_marks_reach_its_log_and_another_machine(
    tmp_path: Path, folder: Path, feed: Path
) -> None:
    async with loaded_app(sharing_app(feed, tmp_path, folder, read_after_seconds=0)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        await pilot.press("f", "j", "m")
        assert app.store.is_starred(ids["Alpha"]) and app.store.is_read(ids["Bravo"])
        with other_machine(tmp_path, folder) as other:
            changes = other.pull()
            assert {(c.article_id, c.field, c.value) for c in changes} == {
                (ids["Alpha"], "starred", True),
                (ids["Bravo"], "read", True),
            }
            assert other.store.is_starred(ids["Alpha"]) and other.store.is_read(ids["Bravo"])
        logs = [path.name for path in folder.iterdir()]
        assert len(logs) == 2  # the app's and the other's, each writing its own
        # Its own marks, logged by itself, are not "from another machine".
        assert not [text for text in notification_texts(app) if "machine" in text]


async def test_a_torn_log_and_a_foreign_file_lose_nothing_and_are_said_once(
    tmp_path: Path, folder: Path, feed: Path
) -> None:
    foreign = folder / "reader-0123456789abcdef.jsonl"
    foreign.write_bytes(b"my shopping list\n")
    notes = folder / "notes.txt"
    notes.write_bytes(b"not the reader's\n")
    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        # The other machine writes elsewhere; its log arrives here torn, then whole.
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        with other_machine(tmp_path, elsewhere) as other:
            other.store.set_marks("starred", [ids["Alpha"]], True)
            other.store.set_marks("starred", [ids["Delta"]], True)
            whole = other.log_path.read_bytes()
        copy = folder / other.log_path.name
        copy.write_bytes(whole[:-20])  # mid-copy: the last line cut
        await wait_until(pilot, lambda: app.store.is_starred(ids["Alpha"]), "the whole line", WAIT)
        assert not app.store.is_starred(ids["Delta"])
        copy.write_bytes(whole)
        await wait_until(pilot, lambda: app.store.is_starred(ids["Delta"]), "the rest", WAIT)
        said = [text for text in notification_texts(app) if foreign.name in text]
        assert len(said) == 1, notification_texts(app)
        assert str(foreign) in said[0]
    assert foreign.read_bytes() == b"my shopping list\n"
    assert notes.read_bytes() == b"not the reader's\n"


async def test_with_nothing_changed_nothing_changes_by_itself(
    tmp_path: Path, folder: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(FeedScreen, "SYNC_TIMES", SyncTimes(poll_seconds=0.05, tick_ms=20))
    pulls: list[int] = []
    pull = SyncFolder.pull

    def counted(self: SyncFolder) -> list[object]:
        changes = pull(self)
        pulls.append(len(changes))
        return changes  # type: ignore[return-value]

    monkeypatch.setattr(SyncFolder, "pull", counted)
    with other_machine(tmp_path, folder) as other:
        other.store.set_marks("read", ["not-in-the-feed"], True)
    async with loaded_app(sharing_app(feed, tmp_path, folder, hide_read=True)) as pilot:
        app = await following(pilot)
        await pilot.press("j")
        before = (rows(app), current_title(app), app.store.read_ids(), app.store.starred_ids())
        told = notification_texts(app)
        seen = len(pulls)
        await wait_until(pilot, lambda: len(pulls) >= seen + 10, "ten more polls", WAIT)
        after = (rows(app), current_title(app), app.store.read_ids(), app.store.starred_ids())
        assert after == before
        assert notification_texts(app) == told
        assert pulls[seen:] == [0] * (len(pulls) - seen)


async def test_the_app_answers_while_a_pull_holds_the_reading_state(
    tmp_path: Path, folder: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    holding, release, left = threading.Event(), threading.Event(), threading.Event()

    def long_pull(self: SyncFolder) -> list[object]:
        with self.store.lock:  # as a pull of a large backlog does, for a second or more
            holding.set()
            release.wait(WAIT)
            left.set()
        return []

    monkeypatch.setattr(SyncFolder, "pull", long_pull)
    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = app_of(pilot)
        await wait_until(pilot, holding.is_set, "the pull under way", WAIT)
        try:
            # The filter and the list redraw (asking for the marks) while the lock is held;
            # only a write (a mark, a setting) waits for the pull.
            await pilot.press("slash", *"charlie")
            await wait_until(pilot, lambda: rows(app) == ["Charlie"], "the filtered list", WAIT)
            assert not left.is_set(), "the app waited for the pull"
        finally:
            release.set()


async def test_without_notifications_the_folder_is_polled(
    tmp_path: Path, folder: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_watch(*args: object, **kwargs: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr("watchfiles.watch", no_watch)
    monkeypatch.setattr(FeedScreen, "SYNC_TIMES", SyncTimes(poll_seconds=0.05))
    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        with other_machine(tmp_path, folder) as other:
            other.store.set_marks("starred", [ids["Bravo"]], True)
        await wait_until(pilot, lambda: app.store.is_starred(ids["Bravo"]), "the star", WAIT)
        assert not [text for text in notification_texts(app) if "inotify" in text]


async def test_a_missing_sync_folder_is_one_notice_and_the_marks_stay_here(
    tmp_path: Path, feed: Path
) -> None:
    missing = tmp_path / "not-mounted"
    async with loaded_app(sharing_app(feed, tmp_path, missing)) as pilot:
        app = app_of(pilot)
        said = f"Marks are not shared: the sync folder {missing} does not exist or is not a folder"
        await wait_until(pilot, lambda: said in notification_texts(app), "the notice", WAIT)
        await pilot.press("f")
        assert app.store.is_starred(ids_by_title(app)["Alpha"])
        assert [text for text in notification_texts(app) if "shared" in text] == [said]
    assert not missing.exists()


async def test_a_star_by_reader_mark_in_another_process_shows_in_the_app(
    tmp_path: Path, folder: Path, feed: Path
) -> None:
    """End to end: the running app and two `reader mark` and `reader list` processes."""
    env = os.environ | {SYNC_ENV: str(folder), "PYTHONPATH": str(REPO)}
    other = ["--state", str(tmp_path / "other.db")]

    def reader(*argv: str) -> str:
        command = [sys.executable, "-m", "reader", *argv]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        await pilot.press("f")  # the app stars Alpha
        assert reader("mark", "--star", ids["Charlie"], *other) == "starred 1 article (1 changed)\n"
        await wait_until(pilot, lambda: app.store.is_starred(ids["Charlie"]), "the star", WAIT)
        assert ids["Charlie"] in app.feed.query_one(ArticleList).starred_ids
        listed = json.loads(reader("list", str(feed), "--format", "json", "--no-cache", *other))
        starred = {record["title"] for record in listed if record["starred"]}
        assert starred == {"Alpha", "Charlie"}


async def test_sync_now_merges_at_once_and_answers(
    tmp_path: Path, folder: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_watch(*args: object, **kwargs: object) -> None:
        raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr("watchfiles.watch", no_watch)  # and a poll far off: only S pulls
    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = await following(pilot)
        ids = ids_by_title(app)
        with other_machine(tmp_path, folder) as other:
            other.store.set_marks("starred", [ids["Delta"]], True)
        await pilot.press("S")
        await wait_until(pilot, lambda: app.store.is_starred(ids["Delta"]), "the star", WAIT)
        await wait_until(
            pilot, lambda: "1 mark from another machine" in notification_texts(app), "said", WAIT
        )
        await pilot.press("S")
        await wait_until(
            pilot,
            lambda: "No new marks from other machines" in notification_texts(app),
            "the answer",
            WAIT,
        )


async def test_sync_now_without_a_sync_folder_says_how_to_set_one(tmp_path: Path) -> None:
    async with loaded_app(make_app(state_path=tmp_path / "state.db")) as pilot:
        await pilot.press("S")
        assert notification_texts(app_of(pilot))[-1] == (
            "Marks are not shared: no sync folder is set (sync_folder in the config)"
        )


@contextmanager
def app_on_a_terminal(tmp_path: Path) -> Iterator[test_signals.Terminal]:
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "one.md").write_text(article_file("Shared story"), "utf-8")
    term = test_signals.Terminal(tmp_path / "feed", tmp_path / "app.db", tmp_path / "index.db")
    try:
        term.wait_for(lambda: b"Shared story" in term.output, "the article on screen")
        yield term
    finally:
        term.close()


def reader_process(env: dict[str, str], *argv: str) -> str:
    command = [sys.executable, "-m", "reader", *argv]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.slow
def test_the_real_app_shows_a_star_made_by_reader_mark(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SYNC_ENV, str(folder))
    env = os.environ | {"PYTHONPATH": str(REPO)}
    other = ["--state", str(tmp_path / "other.db")]
    with app_on_a_terminal(tmp_path) as term:
        [record] = json.loads(reader_process(env, "list", str(tmp_path / "feed"), "--format",
                                             "json", "--no-cache", *other))  # fmt: skip
        assert STAR not in term.output
        reader_process(env, "mark", "--star", record["id"], *other)
        term.wait_for(lambda: STAR in term.output, "the star drawn")
        assert test_signals._starred(tmp_path / "app.db") == [record["id"]]
        term.type(b"q")
        assert term.ends_within(test_signals.END_WAIT)


@pytest.mark.slow
def test_quitting_during_a_pull_ends_the_app(
    tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = tmp_path / "pull-started"
    monkeypatch.setenv(SYNC_ENV, str(folder))
    monkeypatch.setenv("PULL_STARTED", str(started))
    code = PULL_NEVER_ENDS + test_signals.AS_TERMINAL_APP
    monkeypatch.setattr(test_signals, "AS_TERMINAL_APP", code)
    with app_on_a_terminal(tmp_path) as term:
        term.wait_for(started.exists, "the pull under way")
        term.type(b"q")
        assert term.ends_within(test_signals.END_WAIT), term.tail()
        assert term.process.returncode == 0


async def test_the_marks_of_a_state_found_damaged_at_the_start_are_not_shared(
    tmp_path: Path, folder: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state file's check comes after the first frame, and the folder is compared with
    the marks only after it: those of a damaged file go aside with it, as they did when the
    check came first, and are not logged as this machine's (a slow check, here)."""
    check = LaterCheck._check

    def slow_check(self: LaterCheck) -> str | None:
        time.sleep(0.5)
        return check(self)

    monkeypatch.setattr(LaterCheck, "_check", slow_check)
    async with loaded_app(sharing_app(feed, tmp_path / "first", folder)) as pilot:
        ids = sorted(ids_by_title(app_of(pilot)).values())
    for log in folder.iterdir():
        log.unlink()
    damage(tmp_path / "state.db", ids)
    async with loaded_app(sharing_app(feed, tmp_path, folder)) as pilot:
        app = await following(pilot)
        await wait_until(
            pilot, lambda: any("moved to" in t for t in notification_texts(app)), "a notice", WAIT
        )
        assert app.store.read_ids() == set()
        with other_machine(tmp_path, folder) as other:
            assert other.pull() == [] and other.store.read_ids() == set()
