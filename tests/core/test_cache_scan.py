"""The freshness scan's shortcut (files compared with their rows as they come, stopping at
the first chunk that differs) finds the same changes as the scan table alone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.core.storage.cache import FeedCache, scan
from reader.core.storage.cache.scan import Changes

REPO = Path(__file__).resolve().parents[2]


def _changes(cache: FeedCache, root: Path) -> Changes:
    found = scan.compare(cache._conn, cache._lock, cache._feed, root, cache._prefix)
    return Changes(found.stale, sorted(found.moved), sorted(found.gone))


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.md"))


def _edit(path: Path) -> None:
    path.write_text(path.read_text() + "\nMore.\n")
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


MUTATIONS: dict[str, Callable[[Path], object]] = {
    "nothing": lambda root: None,
    "one changed in the middle": lambda root: _edit(_files(root)[9]),
    "the last deleted": lambda root: _files(root)[-1].unlink(),
    "one in the middle deleted": lambda root: _files(root)[9].unlink(),
    "one added at the end": lambda root: (root / "zzz.md").write_text("---\ntitle: Z\n---\n"),
    "one added first": lambda root: (root / "000.md").write_text("---\ntitle: A\n---\n"),
    "one made unreadable": lambda root: _files(root)[3].chmod(0o200),
    "one renamed": lambda root: _files(root)[5].rename(root / "renamed.md"),
}


@pytest.mark.parametrize("mutation", MUTATIONS)
@pytest.mark.parametrize("chunk", [7, 2000])
def test_the_shortcut_finds_what_the_scan_table_finds(
    mutation: str, chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = Path(shutil.copytree(REPO / "sample_feed", tmp_path / "feed"))
    monkeypatch.setattr(scan, "_SCAN_CHUNK", chunk)
    with FeedCache.open(tmp_path / "index.db", root) as cache:
        cache.sync(workers=1)
        assert _changes(cache, root) == Changes([], [], [])
        MUTATIONS[mutation](root)
        fast = _changes(cache, root)
        monkeypatch.setattr(scan, "_unchanged", lambda *args: (0, []))  # the table alone
        slow = _changes(cache, root)
    assert fast == slow
    assert (fast == Changes([], [], [])) == (mutation == "nothing")
