"""The recorded walk (cache/walk.py): a sync of an unchanged feed lists no folder, and every
change the full scan finds is still found through it, an edit in place included."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.core.storage.cache import FeedCache, scan, walk
from reader.core.storage.cache.scan import Changes

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """The sample feed with a subfolder holding a few of its files."""
    root = Path(shutil.copytree(REPO / "sample_feed", tmp_path / "feed"))
    (root / "sub").mkdir()
    for path in sorted(root.glob("*.md"))[:3]:
        path.rename(root / "sub" / path.name)
    return root


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every folder counts as settled (made long enough before the scan): they were all
    made a moment ago, and the test must not wait for the margin to pass."""
    monkeypatch.setattr(walk, "SETTLED_NS", -60 * 10**9)


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders the loader lists, as they are listed."""
    listed: list[str] = []
    real = os.scandir

    def counting(path: str) -> object:
        listed.append(path)
        return real(path)

    monkeypatch.setattr(os, "scandir", counting)  # as the loader calls it
    return listed


def _compare(cache: FeedCache, root: Path) -> Changes:
    found = scan.compare(cache._conn, cache._lock, cache._feed, root, cache._prefix)
    return Changes(found.stale, sorted(found.moved), sorted(found.gone))


def _full_compare(cache: FeedCache, root: Path, monkeypatch: pytest.MonkeyPatch) -> Changes:
    with monkeypatch.context() as patch:
        patch.setattr(walk, "read", lambda conn, lock, feed: (None, None))  # no walk: the scan
        return _compare(cache, root)


def _rewrite_in_place(path: Path) -> None:
    """New text of the same size, the mtime put back: only the ctime tells."""
    info = path.stat()
    text = path.read_bytes()
    path.write_bytes(text[:-2] + (b"xy" if text[-2:] != b"xy" else b"zw"))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _md(root: Path) -> list[Path]:
    return sorted(root.glob("*.md"))


MUTATIONS: dict[str, Callable[[Path], object]] = {
    "nothing": lambda root: None,
    "one rewritten in place, same size and mtime": lambda root: _rewrite_in_place(_md(root)[4]),
    "one in a subfolder appended to": lambda root: (
        (root / "sub" / _md(root / "sub")[1].name).open("a").write("\nMore.\n")
    ),
    "one deleted": lambda root: _md(root)[2].unlink(),
    "one added": lambda root: (root / "zzz.md").write_text("---\ntitle: Z\n---\n"),
    "one added to the subfolder": lambda root: (root / "sub" / "a.md").write_text("---\n---\n"),
    "one renamed": lambda root: _md(root)[5].rename(root / "renamed.md"),
    "one moved over another": lambda root: _md(root)[5].replace(_md(root)[6]),
    "one made unreadable": lambda root: _md(root)[3].chmod(0o200),
    "the subfolder removed": lambda root: shutil.rmtree(root / "sub"),
    "a folder added": lambda root: shutil.copytree(root / "sub", root / "more"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_change_is_found_through_the_walk_as_the_full_scan_finds_it(
    mutation: str, feed: Path, settled: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        cache.sync(workers=1)
        assert _compare(cache, feed) == Changes([], [], [])  # the full scan: the walk kept
        assert walk.read(cache._conn, cache._lock, cache._feed)[1] is not None
        MUTATIONS[mutation](feed)
        through_walk = _compare(cache, feed)
        full = _full_compare(cache, feed, monkeypatch)
    assert through_walk == full
    assert (through_walk == Changes([], [], [])) == (mutation == "nothing")


def test_an_unchanged_feed_is_synced_without_listing_a_folder(
    feed: Path, settled: None, listings: list[str]
) -> None:
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        first = cache.sync(workers=1)
        cache.sync(workers=1)  # finds no change: keeps the walk
        listings.clear()
        again = cache.sync(workers=1)
    assert listings == []
    assert [s.path for s in again.summaries] == [s.path for s in first.summaries]
    assert (again.added, again.changed, again.removed) == (0, 0, 0)


def test_an_edit_in_place_is_synced_through_the_walk(
    feed: Path, settled: None, listings: list[str]
) -> None:
    target = _md(feed)[4]
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        cache.sync(workers=1)
        cache.sync(workers=1)
        text = target.read_text(encoding="utf-8")
        target.write_text(text.replace("title:", "title: Edited", 1), encoding="utf-8")
        result = cache.sync(workers=1)
    assert result.changed == 1
    assert any(s.title.startswith("Edited") for s in result.summaries)


def test_folders_changed_a_moment_ago_are_listed_again(feed: Path, listings: list[str]) -> None:
    # Within a clock tick of its mtime a folder may gain an entry and keep its mtime.
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        cache.sync(workers=1)
        cache.sync(workers=1)
        assert walk.read(cache._conn, cache._lock, cache._feed)[1] is None
        listings.clear()
        cache.sync(workers=1)
    assert sorted(listings) == sorted([str(feed), str(feed / "sub")])


def test_a_feed_with_a_symbolic_link_is_listed_at_every_sync(
    feed: Path, settled: None, listings: list[str]
) -> None:
    # The link's target may turn from a file into a folder and leave every mtime alone.
    target = feed.parent / "elsewhere.md"
    target.write_text("---\ntitle: Linked\n---\n", encoding="utf-8")
    (feed / "sub" / "linked.md").symlink_to(target)
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        cache.sync(workers=1)
        cache.sync(workers=1)
        listings.clear()
        cache.sync(workers=1)
    assert str(feed / "sub") in listings


def test_a_walk_kept_before_another_reader_wrote_the_feed_is_not_used(
    feed: Path, settled: None, listings: list[str]
) -> None:
    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        cache.sync(workers=1)
        cache.sync(workers=1)
        with FeedCache.open(feed.parent / "index.db", feed) as other:
            (feed / "new.md").write_text("---\ntitle: New\n---\n", encoding="utf-8")
            other.sync(workers=1)
        assert walk.read(cache._conn, cache._lock, cache._feed)[1] is None
        listings.clear()
        result = cache.sync(workers=1)
    assert str(feed) in listings
    assert any(s.title == "New" for s in result.summaries)


def test_checking_through_the_walk_never_holds_the_whole_record(
    tmp_path: Path, settled: None, listings: list[str]
) -> None:
    # At 100,000 files the record is ~10 MB: held whole (and every folder's names split
    # out of it at once) it raised the warm start's peak memory by ~28 MB.
    root = tmp_path / "feed"
    for folder in range(20):
        (root / f"{folder:02}").mkdir(parents=True)
        for number in range(100):
            name = f"{number:03}-{'long-name-' * 20}.md"
            (root / f"{folder:02}" / name).write_text("---\ntitle: T\n---\n", encoding="utf-8")
    with FeedCache.open(tmp_path / "index.db", root) as cache:
        cache.sync(workers=1)
        assert _compare(cache, root) == Changes([], [], [])  # the full scan: the walk kept
        (row,) = cache._conn.execute("SELECT length(data) FROM walks").fetchone()
        listings.clear()
        tracemalloc.start()
        try:
            found = _compare(cache, root)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert (found, listings) == (Changes([], [], []), [])  # answered through the walk
    assert row > 400_000  # 2,000 names of 200 characters and their stamps
    assert peak < row // 2  # was over twice the record


def test_the_check_that_nothing_changed_pauses_before_each_folder(
    feed: Path, tmp_path: Path, settled: None
) -> None:
    """The app's sync waits there while keys are typed (`LoadView.yield_to_typing`): the
    check of a recorded walk calls the cache's `pause` once per folder, and answers as it
    would without."""
    with FeedCache.open(tmp_path / "index.db", feed) as cache:
        cache.sync(workers=1)
        cache.sync(workers=1)  # records the walk
    paused: list[int] = []
    with FeedCache.open(tmp_path / "index.db", feed) as cache:
        cache.pause = lambda: paused.append(1)
        result = cache.sync(workers=1)
    assert result.parsed == 0 and result.removed == 0
    assert len(paused) == 2  # the feed's folder and its subfolder
