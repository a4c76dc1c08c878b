"""The freshness scan's shortcut (files compared with their rows as they come, stopping at
the first chunk that differs) finds the same changes as the scan table alone."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reader.core import loader
from reader.core.loader import discover_files
from reader.core.storage.cache import FeedCache, pool, scan
from reader.core.storage.cache.codec import stamp_of
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


def test_a_first_build_stamps_each_file_in_its_parser_not_in_the_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scan of a first build stats no file (the parser's own stat is the stamp), and the
    rows hold the files' stamps all the same: the next sync finds nothing to parse."""
    root = Path(shutil.copytree(REPO / "sample_feed", tmp_path / "feed"))
    (root / "vanishing.md").write_text("---\ntitle: Gone\n---\n")
    real_stat, real_parse = os.stat, loader.parse_file
    parsing: list[str | Path] = []
    stat_outside_parser: list[str] = []

    def counting_stat(path: str, *args: Any, **kwargs: Any) -> os.stat_result:
        if str(path).endswith(".md") and not parsing:
            stat_outside_parser.append(str(path))
        return real_stat(path, *args, **kwargs)

    def parse_but_first_vanish(path: str | Path, *args: Any) -> Any:
        if Path(path).name == "vanishing.md":  # (given the walk's string, see pool._parsed)
            os.unlink(path)  # after the scan found it, before its parser reads it
        parsing.append(path)
        try:
            return real_parse(path, *args)
        finally:
            parsing.pop()

    monkeypatch.setattr(os, "stat", counting_stat)

    monkeypatch.setattr(pool, "parse_file", parse_but_first_vanish)
    with FeedCache.open(tmp_path / "index.db", root) as cache:
        first = cache.sync(workers=1)
        assert stat_outside_parser == []
        files = list(discover_files(root))
        assert first.parsed == len(files) + 1
        stamps = {rel: tuple(stamp) for rel, *stamp in cache._conn.execute(
            "SELECT rel, size, mtime_ns, ctime_ns FROM files")}  # fmt: skip
        assert stamps.pop("vanishing.md") == (
            -1,
            -1,
            -1,
        )  # as the scan stamps a file it cannot stat
        assert stamps == {p.relative_to(root).as_posix(): stamp_of(p.stat()) for p in files}
        monkeypatch.undo()
        again = cache.sync(workers=1)
    assert (again.parsed, again.removed) == (0, 1)
