"""Two of the feed screen's parts without the app: the read timer's clock and the words the
header and an empty list say (`reader.ui.feed.read_timer`, `reader.ui.feed.presenter`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from textual.timer import Timer

from app_helpers import SAMPLE_FEED
from reader.core.marks import Marks
from reader.core.storage.state import StateStore
from reader.core.topics import ALL, UNREAD
from reader.ui.feed import load_view
from reader.ui.feed.presenter import ViewFacts, empty_text, header_facts
from reader.ui.feed.read_timer import ReadTimer
from reader.ui.loading import FeedLoader, LoadState
from reader.ui.watching import WatchTimes


class Clock:
    """Timers held until the test runs them out."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, Callable[[], object], list[bool]]] = []

    def set_timer(self, delay: float, callback: Callable[[], object]) -> Timer:
        stopped = [False]
        self.timers.append((delay, callback, stopped))

        class Held:
            def stop(self) -> None:
                stopped[0] = True

        return cast(Timer, Held())

    def run_out(self) -> None:
        for _, callback, stopped in self.timers:
            if not stopped[0]:
                callback()


def timer(shown: str | None, read_after: float = 2.0) -> tuple[ReadTimer, Clock, list[str]]:
    clock, read = Clock(), list[str]()
    marks = Marks(StateStore())
    dwell = ReadTimer(
        clock, marks, read_after, is_shown=lambda article: article == shown, on_read=read.append
    )
    return dwell, clock, read


def test_an_article_stayed_on_is_read_once_its_time_is_up() -> None:
    dwell, clock, read = timer("a")
    dwell.start("a")
    assert [delay for delay, _, _ in clock.timers] == [2.0] and read == []
    clock.run_out()
    assert read == ["a"] and dwell.marks.store.is_read("a")


def test_moving_on_or_stopping_drops_the_dwell_under_way() -> None:
    dwell, clock, read = timer("b")
    dwell.start("a")
    dwell.start("b")
    dwell.stop()
    clock.run_out()
    assert read == [] and not dwell.marks.store.read_ids()


def test_no_dwell_at_zero_seconds_nor_on_an_article_no_longer_shown() -> None:
    dwell, clock, read = timer("a", read_after=0)
    dwell.start("a")
    assert clock.timers == []
    dwell, clock, read = timer(None)
    dwell.start("a")
    clock.run_out()
    assert read == [] and not dwell.marks.store.is_read("a")


FACTS = ViewFacts(
    feed_name="news",
    shown=3,
    total=10,
    unread=7,
    order="newest",
    topic=ALL,
    loaded=True,
    hide_read=False,
    query_text="",
    query_refused=False,
    search_error=None,
)


def test_the_header_says_what_is_going_on_in_order() -> None:
    assert header_facts(FACTS).status == ""
    busy = replace(FACTS, loaded=False, work_status=("Importing x…",), hide_read=True)
    assert header_facts(busy).status == "loading… · Importing x… · read hidden"
    assert header_facts(replace(FACTS, query_text="ai")).status == "filter: ai"
    refused = replace(FACTS, query_text="ai", query_refused=True)
    assert header_facts(refused).status == "query not valid: showing “ai”"
    assert header_facts(replace(FACTS, query_refused=True)).status == (
        "query not valid: showing everything"
    )


def test_an_empty_list_says_why_with_the_keys_in_force() -> None:
    empty = replace(FACTS, shown=0)
    assert empty_text(FACTS, {}) == ""
    assert empty_text(replace(empty, loaded=False), {}) == "Loading the feed…"
    assert "press R to reload" in empty_text(replace(empty, total=0), {"feed.reload": "R"})
    assert empty_text(replace(empty, search_error=("Vision", "bad")), {}).startswith(
        "The saved search “Vision” does not parse: bad"
    )
    assert empty_text(replace(empty, hide_read=True), {}).startswith("Every article is read. u")
    assert empty_text(replace(empty, query_text="ai"), {}).startswith("No article matches")
    other = empty_text(replace(empty, topic=UNREAD, hide_read=True), {})
    assert other.startswith("No article here.")


class FakeClock:
    """`time.monotonic` and `time.sleep` of a clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept = 0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept += 1
        self.now += seconds


def test_a_sync_waits_while_keys_are_typed_but_never_past_its_deadline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`LoadView.yield_to_typing`, which a sync calls between the folders of its check: no
    wait without typing, a rest's worth after the last key, MAX_TYPING_PAUSE at most while
    keys keep coming, none once the app is quitting."""
    clock = FakeClock()
    monkeypatch.setattr(time, "monotonic", clock.monotonic)
    monkeypatch.setattr(time, "sleep", clock.sleep)
    loader = FeedLoader(SAMPLE_FEED, tmp_path / "index.db", use_cache=False)
    view = load_view.LoadView(
        cast(Any, SimpleNamespace(view=None)), loader, follow=False, watch_times=WatchTimes()
    )
    assert loader.pause == view.yield_to_typing
    view.yield_to_typing()
    assert clock.slept == 0  # nothing typed
    view.words.typed_at = clock.now
    view.yield_to_typing()
    assert load_view.REST_DELAY <= clock.now - view.words.typed_at < 2 * load_view.REST_DELAY
    started = clock.now
    real_sleep = clock.sleep

    def typing_meanwhile(seconds: float) -> None:
        real_sleep(seconds)
        view.words.typed_at = clock.now  # a key at every look

    monkeypatch.setattr(time, "sleep", typing_meanwhile)
    view.words.typed_at = clock.now
    view.yield_to_typing()
    waited = clock.now - started
    assert load_view.MAX_TYPING_PAUSE <= waited < load_view.MAX_TYPING_PAUSE + load_view.REST_DELAY
    view.watch_stop.set()  # quitting
    view.words.typed_at = started = clock.now
    view.yield_to_typing()
    assert clock.now == started


def test_the_watch_starts_at_a_pause_in_the_keys_and_not_at_all_when_quitting_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setting the OS watch up holds the interpreter lock: it waits until no key has come
    for `start_ms` (the first keys come right after the load); a quit meanwhile ends the
    wait, and no watch is made."""
    started: list[float] = []
    monkeypatch.setattr(load_view, "follow_feed", lambda *_: started.append(time.monotonic()))
    loader = FeedLoader(SAMPLE_FEED, tmp_path / "index.db", use_cache=False)
    host = cast(Any, SimpleNamespace(view=None))
    view = load_view.LoadView(host, loader, follow=True, watch_times=WatchTimes(start_ms=50))
    began = time.monotonic()
    view.follow_folder(lambda: began + 0.05)  # a key came 50 ms after the load
    assert len(started) == 1 and started[0] - began >= 0.1
    waiting = load_view.LoadView(host, loader, follow=True, watch_times=WatchTimes(start_ms=60_000))
    worker = threading.Thread(target=waiting.follow_folder)
    worker.start()
    waiting.watch_stop.set()  # the app quits during the wait
    worker.join(timeout=5)
    assert not worker.is_alive() and len(started) == 1


def test_a_streamed_refresh_is_paced_by_its_cost_drawing_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drawing after a streamed refresh is much of its cost: the next one waits for a
    fifth of the time both took, not the refresh's part alone."""
    clock = FakeClock()
    monkeypatch.setattr(time, "monotonic", clock.monotonic)
    after_frame: list[Callable[[], object]] = []

    def refresh_view() -> None:
        clock.now += 0.1  # the view's work

    host = SimpleNamespace(
        view=None, refresh_view=refresh_view, call_after_refresh=after_frame.append
    )
    loader = FeedLoader(SAMPLE_FEED, tmp_path / "index.db", use_cache=False)
    view = load_view.LoadView(cast(Any, host), loader, follow=False, watch_times=WatchTimes())
    view.sync.load_state = LoadState.STREAMING
    view.refresh_streamed()
    assert view.sync.stream_delay(clock.now) == pytest.approx(1.0)  # a cheap refresh so far
    clock.now += 0.4  # the frame is drawn
    for callback in after_frame:
        callback()
    assert view.sync.stream_delay(clock.now) == pytest.approx(2.5)  # five times 0.5 s
