"""How fast a large feed opens, cold and warm, through the index cache (reader/core/storage/cache).

For each size N (default 10,000 and 100,000) a feed is generated with
`benchmarks/generate_feed.py` into /tmp/reader-bench-N (reused when it holds N articles),
and a fresh cache file is made in a temporary folder. Then it prints:

(a) cold: wall time of `FeedCache.open` + `sync()` on the empty cache, every file parsed
    (in worker processes when there are many), beside the floor: ONE process reading
    every file and parsing its front matter with `yaml.load(..., Loader=yaml.CSafeLoader)`
    and nothing else; and the ratio cold / floor. The files were just written or read,
    so both run from the OS page cache. Then one parse worker's CPU time per file (what
    the cold parse costs, less noisy than its wall time on a busy machine), as `reader
    list` parses (the sync above) and as the app parses (no listing, see `listing_rows`).
(b) warm: `FeedCache.open` + `cached_summaries()` (no file touched), what the app does
    before its first paint; then a no-change `sync()` (every file stat'ed, none parsed).
(c) peak RSS (`resource.getrusage`, ru_maxrss) of the warm process once it holds the N
    summaries, and its RSS before it read them.

Cold and warm each run in a fresh interpreter (`python -c`), as the app starts; the time
to import `reader.core.storage.cache` is printed apart, not counted. The load average is
printed too: on a shared machine other work slows the cold parse most.

Nothing is asserted; the numbers depend on the machine (its cores are printed).

    .venv/bin/python benchmarks/bench_load.py [--sizes 10000 100000] [--workers W]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from generate_feed import generate_feed  # noqa: E402
from reader.core.storage.cache import usable_cores  # noqa: E402

SEED = 1
WORKER_FILES = 4000  # files the worker CPU is measured on

# Cold and warm runs each get a fresh interpreter, as the app would: nothing is already
# imported or cached in memory, and the RSS figures are the child's. (Linux carries the
# parent's peak RSS across exec, so this parent stays small: it holds no summaries.)
CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from pathlib import Path
from reader.core.storage.cache import FeedCache

def rss_now_kib():
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * resource.getpagesize() // 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

mode, db, root = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
workers = int(sys.argv[4]) or None
imported = time.perf_counter()
out = {"import": imported - started}
if mode == "cold":
    with FeedCache.open(db, root) as cache:
        result = cache.sync(workers=workers)
    out.update(cold=time.perf_counter() - imported, parsed=result.parsed, workers=result.workers)
else:
    out["rss_before_kib"] = rss_now_kib()
    cpu = time.process_time()
    cache = FeedCache.open(db, root)
    opened = time.perf_counter()
    summaries = cache.cached_summaries()
    listed = time.perf_counter()
    out.update(open=opened - imported, summaries=listed - opened, count=len(summaries))
    out["cpu"] = time.process_time() - cpu
    out["rss_peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = cache.sync()
    out.update(sync=time.perf_counter() - listed, parsed=result.parsed, notices=cache.notices)
print(json.dumps(out))
"""


def feed_for(count: int) -> Path:
    """/tmp/reader-bench-N, generated unless a complete one is there (marked so, or holding
    N articles, as `bench_start.py` and `compare.py` leave it: then it is used as it is)."""
    root = Path(f"/tmp/reader-bench-{count}")
    marker = root / f".complete-seed-{SEED}"  # a dot file: discover_files skips it
    if not marker.exists() and sum(1 for _ in root.rglob("*.md")) != count:
        shutil.rmtree(root, ignore_errors=True)
        started = time.perf_counter()
        generate_feed(root, count, SEED)
        marker.touch()
        print(f"  generated {count:,} files in {time.perf_counter() - started:.1f} s")
    return root


def floor(root: Path) -> tuple[float, int]:
    """Seconds for one process to read every file and YAML-parse its front matter."""
    started = time.perf_counter()
    parsed = 0
    for folder, _, names in os.walk(root):
        for name in names:
            if name.startswith("."):
                continue
            with open(os.path.join(folder, name), "rb") as handle:
                text = handle.read().decode("utf-8")
            front = text.split("---\n", 2)[1]
            yaml.load(front, Loader=yaml.CSafeLoader)
            parsed += 1
    return time.perf_counter() - started, parsed


# One parse worker's CPU time per file: `parse_task` over the first files of the feed, in
# tasks of CHUNK_SIZE as a first build hands them out, in a fresh interpreter (best of 5).
WORKER_CPU = """
import inspect, json, sys, time
from pathlib import Path
from reader.core.storage.cache import pool
from reader.core.storage.cache.codec import path_prefix
from reader.core.storage.cache.scan import scan

root, count = Path(sys.argv[1]), int(sys.argv[2])
unstamped = "known is None" in inspect.getsource(pool)  # the parser takes stamps
found = zip(range(count), scan(root, path_prefix(root)))
items = [(n, rel, path, None if unstamped else stamp) for n, (rel, path, stamp) in found]
as_app = sys.argv[3] == "app" and "listings" in inspect.signature(pool.tasks_for).parameters
tasks = pool.tasks_for(1, root, items, listings=False) if as_app else pool.tasks_for(1, root, items)
pool.parse_task(tasks[0])  # imports, first calls
runs = []
for _ in range(5):
    cpu = time.process_time()
    for task in tasks[1:]:
        pool.parse_task(task)
    runs.append((time.process_time() - cpu) / sum(len(task.items) for task in tasks[1:]))
print(json.dumps({"best": min(runs), "median": sorted(runs)[2]}))
"""


def worker_cpu(root: Path, count: int, parser: str = "list") -> dict[str, float]:
    """CPU seconds per file of one parse worker, over the feed's first `count` files, as
    `reader list` parses them (`parser` "list") or as the app does ("app": no listing)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", WORKER_CPU, str(root), str(count), parser]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=REPO)
    measured: dict[str, float] = json.loads(done.stdout)
    return measured


def child(mode: str, db: Path, root: Path, workers: int | None) -> dict[str, Any]:
    """Run CHILD in a fresh interpreter and return what it measured."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", CHILD, mode, str(db), str(root), str(workers or 0)]
    measured: dict[str, Any] = json.loads(
        subprocess.run(args, env=env, capture_output=True, text=True, check=True).stdout
    )
    return measured


def run(count: int, workers: int | None) -> None:
    root = feed_for(count)
    print(f"\nN = {count:,}  (load average {os.getloadavg()[0]:.2f})")
    with tempfile.TemporaryDirectory(prefix="reader-bench-cache-") as folder:
        db = Path(folder) / "index.db"
        cold = child("cold", db, root, workers)
        floor_s, floor_n = floor(root)
        print(
            f"  (a) cold  open+sync          {cold['cold']:8.2f} s   "
            f"({cold['parsed']:,} files parsed, {cold['workers']} process(es))"
        )
        print(f"      floor 1 process, yaml    {floor_s:8.2f} s   ({floor_n:,} files)")
        print(f"      ratio cold / floor       {cold['cold'] / floor_s:8.2f}")
        for parser in ("list", "app"):
            per_file = worker_cpu(root, min(count, WORKER_FILES), parser)
            print(
                f"      one worker's CPU a file  {per_file['best'] * 1000:8.3f} ms  (as {parser} "
                f"parses; best of 5; median {per_file['median'] * 1000:.3f}; "
                f"first {min(count, WORKER_FILES):,} files)"
            )
        warm = child("warm", db, root, workers)
        first = warm["open"] + warm["summaries"]
        print(
            f"  (b) warm  open+cached_summaries {first:6.3f} s   "
            f"(CPU {warm['cpu']:.3f} s; open {warm['open']:.3f} + "
            f"summaries {warm['summaries']:.3f}; {warm['count']:,} summaries; "
            f"import {warm['import']:.3f} s more)"
        )
        print(f"      no-change sync             {warm['sync']:6.3f} s   ({warm['parsed']} parsed)")
        peak, before = warm["rss_peak_kib"] / 1024, warm["rss_before_kib"] / 1024
        print(
            f"  (c) peak RSS holding {warm['count']:,} summaries: {peak:.0f} MiB "
            f"(RSS before reading them: {before:.0f} MiB)"
        )
        print(f"      cache file {db.stat().st_size / 2**20:.0f} MiB")
        if warm["notices"]:
            print(f"      notices: {warm['notices']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=None, help="processes for the cold parse")
    args = parser.parse_args()
    print(f"Python {platform.python_version()}, {usable_cores()} usable core(s)")
    for count in args.sizes:
        run(count, args.workers)


if __name__ == "__main__":
    main()
