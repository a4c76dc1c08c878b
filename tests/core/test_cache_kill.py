"""`kill -9` in the middle of a cold cache build, then a new start: nothing missing or doubled.
And two readers and a `reader list` started together on a cold cache and state.

The build runs in a child process that kills itself with SIGKILL at a point made exact by
a hook (tests/core/cache_child.py): after two committed batches, either before the third
begins or inside its write transaction (rows written, COMMIT not reached).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from reader.core.storage.cache import FeedCache
from reader.core.storage.cache.feed_cache import BATCH_SIZE
from reader.core.storage.cache.pool import CHUNK_SIZE

pytestmark = pytest.mark.slow  # child processes killed mid-build

CHILD = Path(__file__).resolve().parent / "cache_child.py"
REPO = Path(__file__).resolve().parents[2]
FILES = 350  # batches of 100: two committed, a third cut short, a fourth never begun
ENV = os.environ | {"PYTHONPATH": str(REPO)}


def run_child(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )


def make_feed(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        (folder / f"{n:04}.md").write_text(
            f"---\ntitle: Article {n}\nwebUrl: https://news.example/{n}\n---\nBody {n}.\n"
        )
    return folder


def committed_rows(cache: Path) -> int:
    with contextlib.closing(sqlite3.connect(cache)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count: int = conn.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        return count


@pytest.mark.parametrize("where", ["between", "inside"])
def test_a_build_killed_midway_resumes_from_what_was_committed(tmp_path: Path, where: str) -> None:
    feed, cache = make_feed(tmp_path / "feed", FILES), tmp_path / "index.db"
    killed = run_child("build", str(feed), str(cache), "2", where)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert committed_rows(cache) == 200  # the cut batch left nothing half-written

    resumed = run_child("sync", str(feed), str(cache))
    assert resumed.returncode == 0, resumed.stderr
    report = json.loads(resumed.stdout)
    assert report["notices"] == [] and not report["in_memory"]
    assert report["parsed"] == FILES - 200  # only what was not committed is parsed again
    assert len(report["ids"]) == len(set(report["ids"])) == FILES  # each article once

    again = json.loads(run_child("sync", str(feed), str(cache)).stdout)
    assert again["parsed"] == 0 and sorted(again["ids"]) == sorted(report["ids"])
    assert committed_rows(cache) == FILES


def test_two_readers_and_a_list_started_together_on_a_cold_cache_all_agree(
    tmp_path: Path,
) -> None:
    """The two readers are the app's load path (state, cache, sync) in child processes,
    not whole terminal apps; `reader list` is the real command."""
    feed, cache, state = (
        make_feed(tmp_path / "feed", FILES),
        tmp_path / "index.db",
        tmp_path / "s.db",
    )
    readers = [
        subprocess.Popen(
            [sys.executable, str(CHILD), "sync", str(feed), str(cache), str(state), "--wait"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for _ in range(2)
    ]
    for reader in readers:
        assert reader.stdout is not None and reader.stdout.readline() == "ready\n"
    for reader in readers:  # released together, the list started at the same moment
        assert reader.stdin is not None
        reader.stdin.write("go\n")
        reader.stdin.flush()
    command = [sys.executable, "-m", "reader", "list", str(feed), "--state", str(state)]
    listed = subprocess.run(
        [*command, "--format", "json"],
        capture_output=True,
        text=True,
        env=ENV | {"READER_CACHE": str(cache)},
        timeout=120,
        check=False,
    )
    outputs = [reader.communicate(timeout=120) for reader in readers]

    assert listed.returncode == 0 and "locked" not in listed.stderr, listed.stderr
    listed_ids = sorted(article["id"] for article in json.loads(listed.stdout))
    for reader, (out, err) in zip(readers, outputs, strict=True):
        assert reader.returncode == 0 and "locked" not in err, err
        report = json.loads(out)
        assert report["notices"] == [] and not report["in_memory"]
        assert sorted(report["ids"]) == listed_ids
    assert len(listed_ids) == len(set(listed_ids)) == FILES
    assert committed_rows(cache) == FILES


def test_a_cancelled_build_stops_after_one_task_not_one_batch(tmp_path: Path) -> None:
    """Quitting (or SIGTERM) during a cold build waits for one pool task, not a whole batch."""
    feed = make_feed(tmp_path / "feed", BATCH_SIZE + CHUNK_SIZE)
    with FeedCache.open(tmp_path / "index.db", feed) as cache:
        result = cache.sync(workers=1, is_cancelled=lambda: True)
    assert result.cancelled and result.parsed == CHUNK_SIZE < BATCH_SIZE
    assert committed_rows(tmp_path / "index.db") == CHUNK_SIZE  # what was parsed is kept


def _parser_modules_loaded() -> bool:
    return "reader.core.yaml_fast" in sys.modules and "yaml" in sys.modules


def test_a_parsing_process_starts_with_the_yaml_parsers_imported() -> None:
    """Each worker of the pool comes from the fork server with the parsers already imported,
    not importing them at its first file."""
    from reader.core.storage.cache import pool

    workers = pool._new_pool(1)
    try:
        assert workers.submit(_parser_modules_loaded).result(timeout=60)
    finally:
        workers.shutdown(wait=True, cancel_futures=True)
