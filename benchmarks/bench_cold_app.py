"""How long the app takes to load a feed cold (empty index cache), against the sync alone.

For each size N it runs, each in a fresh interpreter: (1) the app headless
(`ReaderApp.run_test`) on /tmp/reader-bench-N with a new cache and state file in a
temporary folder, until `app.feed.loaded`; (2) `FeedCache.open` + `sync()` alone on another
new cache. It prints the wall time of each and the main process's CPU time (all its
threads; the parsing pool's processes are the forkserver's children, not counted).
With `--profile FILE` the app run is profiled with cProfile (slower; the main thread only)
and the stats are written to FILE.N. `--code DIR`: run the reader of another checkout
(a copy of main, to compare). Nothing is asserted.

    .venv/bin/python benchmarks/bench_cold_app.py [--sizes N ...] [--profile FILE] [--code DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CODE = REPO  # the checkout whose `reader` runs (--code: another one, to compare)

APP_CHILD = """
import asyncio, cProfile, json, sys, time
from pathlib import Path
from reader.ui.app import ReaderApp

feed, folder, profile_to = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]

async def main() -> dict:
    app = ReaderApp(feed, cache_path=folder / "index.db", state_path=folder / "state.db",
                    browser=lambda url: True, watch=False)
    async with app.run_test(size=(140, 45)) as pilot:
        wall, cpu = time.perf_counter(), time.process_time()
        while not app.feed.loaded:
            await asyncio.sleep(0.01)
        out = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
        await pilot.pause()
    return out

if __name__ == "__main__":  # the parsing pool's processes must not run this again
    profiler = cProfile.Profile() if profile_to else None
    if profiler:
        profiler.enable()
    out = asyncio.run(main())
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_to)
    print(json.dumps(out))
"""

SYNC_CHILD = """
import json, sys, time
from pathlib import Path
from reader.core.storage.cache import FeedCache

if __name__ == "__main__":
    feed, folder = Path(sys.argv[1]), Path(sys.argv[2])
    wall, cpu = time.perf_counter(), time.process_time()
    with FeedCache.open(folder / "index.db", feed) as cache:
        cache.sync()
    out = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    print(json.dumps(out))
"""


def child(code: str, *args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(CODE)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=CODE,  # `python -c` imports from the current folder first
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


def show(name: str, measured: dict[str, Any]) -> None:
    print(
        f"  {name:<10} wall {measured['wall']:7.2f} s   main process CPU {measured['cpu']:7.2f} s"
    )


def run(count: int, profile: str | None) -> None:
    feed = Path(f"/tmp/reader-bench-{count}")
    print(f"\nN = {count:,}  (load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores)")
    with tempfile.TemporaryDirectory(prefix="stream-") as app_dir:
        profile_to = f"{profile}.{count}" if profile else ""
        show("app cold", child(APP_CHILD, str(feed), app_dir, profile_to))
    with tempfile.TemporaryDirectory(prefix="stream-") as sync_dir:
        show("sync alone", child(SYNC_CHILD, str(feed), sync_dir))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--profile", help="write cProfile stats of the app run to FILE.N")
    parser.add_argument("--code", type=Path, help="run the reader of this checkout instead")
    options = parser.parse_args()
    if options.code:
        global CODE
        CODE = options.code.resolve()
    for count in options.sizes:
        run(count, options.profile)


if __name__ == "__main__":
    main()
