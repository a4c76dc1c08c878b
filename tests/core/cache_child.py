"""A reader building the index cache, for tests/core/test_cache_kill.py and the concurrency test.

Usage:
    cache_child.py build FEED CACHE KILL_AFTER between|inside
        Syncs with batches of BATCH files; after KILL_AFTER batches are committed it kills
        itself with SIGKILL: `between` batches (the next not begun), or `inside` the next
        batch's write transaction, its rows written but not committed.
    cache_child.py sync FEED CACHE [STATE] [--wait]
        Opens the reading state STATE (if given) and the cache as the app does, syncs, and
        prints one JSON line: files parsed, article ids, every notice. With --wait it prints
        "ready" and waits for a line on stdin first, so that several start together.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from reader.core.storage.cache import feed_cache
from reader.core.storage.cache.feed_cache import FeedCache
from reader.core.storage.state import StateStore

BATCH = 100


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def build(feed: Path, cache_path: Path, kill_after: int, where: str) -> int:
    feed_cache.BATCH_SIZE = BATCH
    committed = 0
    real_write = FeedCache._write

    def write(
        self: FeedCache, work: Callable[[sqlite3.Connection], None], changes_files: bool = True
    ) -> None:
        def work_then_maybe_die(conn: sqlite3.Connection) -> None:
            work(conn)
            if where == "inside" and committed == kill_after:
                _die()  # rows written, COMMIT not reached

        real_write(self, work_then_maybe_die, changes_files)

    def progressed(done: int, total: int) -> None:
        nonlocal committed
        committed = done // BATCH  # every batch but the last is BATCH files
        if where == "between" and committed == kill_after:
            _die()

    FeedCache._write = write  # type: ignore[method-assign]
    with FeedCache.open(cache_path, feed) as cache:
        cache.sync(workers=1, on_progress=progressed)
    return 1  # not reached: the kill comes first


def sync(feed: Path, cache_path: Path, state_path: Path | None, wait: bool) -> int:
    if wait:
        print("ready", flush=True)
        sys.stdin.readline()
    store = StateStore.open(state_path) if state_path else StateStore()
    with store, FeedCache.open(cache_path, feed) as cache:
        result = cache.sync(workers=1)
        report = {
            "parsed": result.parsed,
            "ids": [s.id for s in result.summaries],
            "notices": cache.notices + (store.notices if state_path else []),
            "in_memory": cache.path is None or (state_path is not None and store.read_only),
        }
    print(json.dumps(report), flush=True)
    return 0


def main(argv: list[str]) -> int:
    command, feed, cache_path = argv[1], Path(argv[2]), Path(argv[3])
    if command == "build":
        return build(feed, cache_path, int(argv[4]), argv[5])
    rest = [arg for arg in argv[4:] if arg != "--wait"]
    return sync(feed, cache_path, Path(rest[0]) if rest else None, "--wait" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
