"""The feed kept in step on its own: `FeedSync.fold` fed message sequences, no screen.

The messages are the load pipeline's own (a `FeedLoader` run, or built as it builds them):
the cold stream, the warm cache, a reload, the watcher's changes with the article being
read deleted, a feed that is gone, and the pace of the streamed refresh.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.message import Message

from app_helpers import article_file, write_feed
from reader.core.library import Library
from reader.core.model import Problem, Severity
from reader.core.ordering import DEFAULT_ORDER, next_order
from reader.core.storage.state import StateStore
from reader.core.view import FeedView
from reader.ui.feed_sync import MIN_TIMER_SECONDS, FeedSync, Fold
from reader.ui.loading import FeedLoader, LoadState
from reader.ui.messages import (
    BatchParsed,
    CachedLibraryReady,
    FeedChanged,
    FeedGone,
    FeedLoaded,
    HeadReady,
    LoadConfirmed,
    LoadProgressed,
    Shown,
)

COUNT = 4


def a_feed(tmp_path: Path, count: int = COUNT) -> Path:
    articles = (article_file(f"Story {i}", f"https://sync.example/{i}") for i in range(count))
    return write_feed(tmp_path / "feed", articles)


def run(loader: FeedLoader, rows_shown: bool = False) -> list[Message]:
    posted: list[Message] = []

    def post(message: Message) -> None:
        posted.append(message)
        if isinstance(message, Shown):
            message.handled.set()

    loader.run(post, lambda: False, rows_shown=rows_shown)
    return posted


def a_sync(loader: FeedLoader) -> FeedSync:
    return FeedSync(FeedView(Library(), StateStore()), loader)


def state_of(sync: FeedSync) -> LoadState:
    """Read afresh (mypy keeps the state an earlier assert narrowed)."""
    return sync.load_state


def fold_all(sync: FeedSync, messages: list[Message]) -> list[Fold]:
    return [sync.fold(message) for message in messages]


def test_a_cold_load_streams_then_completes(tmp_path: Path) -> None:
    loader = FeedLoader(a_feed(tmp_path), tmp_path / "index.db", use_cache=True)
    sync = a_sync(loader)
    posted = run(loader)
    folds = fold_all(sync, posted)
    streamed = [fold for message, fold in zip(posted, folds, strict=True)
                if isinstance(message, BatchParsed)]  # fmt: skip
    assert streamed and all(fold.streamed for fold in streamed)
    assert any(fold.progress for fold in folds)
    last = folds[-1]
    assert isinstance(posted[-1], FeedLoaded)
    assert last.ended and last.complete and last.redraw and not last.notices
    assert sync.load_state is LoadState.COMPLETE and len(sync.library) == COUNT
    # A batch or a progress arriving late is dropped: the whole feed is shown.
    late = posted[1:]
    assert not sync.fold(next(m for m in late if isinstance(m, BatchParsed))).streamed
    assert sync.fold(LoadProgressed(1, 2)).progress is None
    assert len(sync.library) == COUNT


def test_a_streamed_batch_is_kept_from_the_collector_and_marks_the_library_streaming(
    tmp_path: Path,
) -> None:
    """Each batch's summaries are frozen out of the garbage collector's walks (a cold load
    of 100,000 spent seconds in them), and the library counts plainly until the whole feed
    comes (see `Library.counting_columns`)."""
    loader = FeedLoader(a_feed(tmp_path), tmp_path / "index.db", use_cache=True)
    sync = a_sync(loader)
    posted = run(loader)
    batch = next(message for message in posted if isinstance(message, BatchParsed))
    gc.unfreeze()
    try:
        assert sync.fold(batch).streamed
        assert gc.get_freeze_count() > 0
        assert sync.library.streaming and sync.library.counting_columns() is None
        fold_all(sync, [m for m in posted if m is not batch and not isinstance(m, BatchParsed)])
        assert not sync.library.streaming and sync.library.counting_columns() is not None
    finally:
        gc.unfreeze()


def test_a_warm_cache_shows_its_head_and_rows_then_confirms_them(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    cache = tmp_path / "index.db"
    run(FeedLoader(feed, cache, use_cache=True))
    loader = FeedLoader(feed, cache, use_cache=True)
    sync = a_sync(loader)
    head = loader.head_now(5.0)
    assert head is not None
    shown = sync.fold(HeadReady(*head))
    assert shown.head == head and sync.load_state is LoadState.WARM and not sync.loaded
    folds = fold_all(sync, run(loader))
    assert any(fold.redraw for fold in folds[:-1])  # the cached rows
    assert folds[-1].complete and folds[-1].header and not folds[-1].redraw
    assert state_of(sync) is LoadState.COMPLETE and len(sync.library) == COUNT


def test_the_head_waits_for_the_feed_in_another_order(tmp_path: Path) -> None:
    sync = a_sync(FeedLoader(a_feed(tmp_path), None, use_cache=False))
    sync.view.order = next_order(DEFAULT_ORDER)
    assert sync.fold(HeadReady([], COUNT)).head is None
    assert sync.load_state is LoadState.STREAMING


def test_a_cached_library_becomes_the_views(tmp_path: Path) -> None:
    sync = a_sync(FeedLoader(a_feed(tmp_path), None, use_cache=False))
    library = Library()
    assert sync.fold(CachedLibraryReady(library)).redraw
    assert sync.view.library is library and sync.load_state is LoadState.WARM


def test_a_reload_says_what_changed_and_a_first_load_does_not(tmp_path: Path) -> None:
    sync = a_sync(FeedLoader(a_feed(tmp_path), None, use_cache=False))
    first = sync.fold(FeedLoaded([], [], (), None, "2 new"))
    assert not first.notices
    sync.reload()
    assert sync.reloading and sync.load_state is LoadState.STREAMING
    again = sync.fold(LoadConfirmed([], "nothing changed"))
    assert [notice.text for notice in again.notices] == ["Reloaded: nothing changed"]
    assert not sync.reloading


def test_problems_are_said_once_in_one_sentence(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    sync = a_sync(FeedLoader(feed, None, use_cache=False))
    bad = Problem(str(feed / "bad.md"), Severity.ERROR, "no title")
    loaded = sync.fold(FeedLoaded([], [bad], (), None, None))
    assert [(n.text, n.severity) for n in loaded.notices] == [
        ("1 file skipped in bad.md: no title (reader check lists every problem)", "error")
    ]
    worse = Problem(str(feed / "worse.md"), Severity.WARNING, "odd date")
    changed = sync.fold(FeedChanged([], [bad, worse], (), None))
    assert [n.text for n in changed.notices] == [
        "1 warning in worse.md: odd date (reader check lists every problem)"
    ]  # the error already said is not said again


def test_the_article_being_read_stays_when_its_file_is_deleted(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    loader = FeedLoader(feed, None, use_cache=False)
    sync = a_sync(loader)
    fold_all(sync, run(loader))
    read = sync.library.sorted()[0]
    article = sync.library.article(read.id)
    other = sync.library.sorted()[1].id
    next(path for path in feed.iterdir() if read.title in path.read_text()).unlink()
    posted: list[Message] = []
    loader.resync(posted.append, lambda: False)
    changed = sync.fold(posted[0], read, article)
    assert changed.redraw and changed.keep_id == read.id
    assert sync.vanished == read.id and sync.library.summary(read.id) is not None
    assert not sync.moved_to(read.id)  # still on it
    assert sync.moved_to(other) and sync.library.summary(read.id) is None
    assert sync.vanished is None and len(sync.library) == COUNT - 1


def test_a_file_deleted_under_the_cursor_but_not_read_leaves_at_once(tmp_path: Path) -> None:
    loader = FeedLoader(a_feed(tmp_path), None, use_cache=False)
    sync = a_sync(loader)
    fold_all(sync, run(loader))
    current, shown = sync.library.sorted()[:2]
    rest = [s for s in sync.library.summaries if s.id != current.id]
    sync.fold(FeedChanged(rest, [], (), None), current, sync.library.article(shown.id))
    assert sync.vanished is None and sync.library.summary(current.id) is None


def test_changes_on_disk_tell_the_new_articles_and_wait_for_a_load(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    loader = FeedLoader(feed, None, use_cache=False)
    sync = a_sync(loader)
    early = FeedChanged([], [], (), None)
    assert sync.fold(early) == Fold() and sync.load_state is LoadState.STREAMING
    fold_all(sync, run(loader))
    for number in (7, 8):
        text = article_file(f"New {number}", f"https://sync.example/new{number}")
        (feed / f"new{number}.md").write_text(text, encoding="utf-8")
    posted: list[Message] = []
    loader.resync(posted.append, lambda: False)
    changed = sync.fold(posted[0])
    assert [n.text for n in changed.notices] == ["2 new articles"]
    assert len(sync.library) == COUNT + 2


def test_a_feed_gone_is_said_and_what_is_shown_is_kept(tmp_path: Path) -> None:
    feed = a_feed(tmp_path)
    loader = FeedLoader(feed, None, use_cache=False)
    sync = a_sync(loader)
    fold_all(sync, run(loader))
    sync.reload()
    gone = sync.fold(FeedGone([]))
    assert gone.ended and not gone.complete and gone.header
    assert [(n.text, n.severity) for n in gone.notices] == [
        (f"The feed folder {feed} no longer exists; the articles shown are kept", "error")
    ]
    assert sync.load_state is LoadState.FAILED and sync.loaded and not sync.reloading
    assert len(sync.library) == COUNT


def test_the_streamed_refresh_is_paced_by_its_cost(tmp_path: Path) -> None:
    sync = a_sync(FeedLoader(a_feed(tmp_path), None, use_cache=False))
    assert sync.stream_delay(100.0) == MIN_TIMER_SECONDS  # nothing drawn yet: at once
    sync.stream_refreshed(100.0, 100.1)  # a cheap refresh: once a second
    assert sync.stream_delay(100.5) == pytest.approx(0.6)
    sync.stream_refreshed(200.0, 200.5)  # a costly one: a fifth of the time at most
    assert sync.stream_delay(201.0) == pytest.approx(2.0)
    assert sync.stream_delay(300.0) == MIN_TIMER_SECONDS  # overdue: at once, never 0


def test_a_message_not_of_the_load_is_refused(tmp_path: Path) -> None:
    sync = a_sync(FeedLoader(a_feed(tmp_path), None, use_cache=False))
    with pytest.raises(TypeError, match="not a load message"):
        sync.fold(Message())
