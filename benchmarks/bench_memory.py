"""The reader's peak memory (VmHWM) at a warm start and after filtering, beside other checkouts.

For each checkout (this one, and each `--against DIR`, another branch exported with
`git archive`), on a cache of its own in `--workdir`: the app is run once in tmux to build
the cache (the cold load), then, `--runs` times and interleaved across checkouts, started
warm until the header counts N / N without `loading…` (VmHWM read then: "loaded"), and
the words typed key by key into the filter, each key a filter (VmHWM read after the last
word: "filtered"). The first warm start writes the folder-walk record, the later ones
only read it. VmHWM is read from /proc/PID/status of the reader's own Python process.

`--tracemalloc` instead loads the feed in another process as the app does (the summaries
from the cache, the search index and its word index, then the index's answers to each
prefix of the words) and prints the traced memory after each phase and its peak within it
(a transient counts: VmHWM is a high-water mark), then the top allocation sites by line,
for the checkout given (`--checkout DIR`, default this one).

Nothing is asserted.

    python benchmarks/bench_memory.py [--size 100000] [--runs 2] [--against DIR ...]
    python benchmarks/bench_memory.py --tracemalloc [--checkout DIR] [--size 100000]
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from bench_start import (  # noqa: E402
    compile_bytecode,
    feed_path,
    fully_loaded,
    header_counts,
    kill_server,
    launch,
    proc_status,
    quit_session,
    reader_pid,
    start_server,
    tmux,
    wait_for,
)

PYTHON = sys.executable
WORDS = ("robot", "storm", "lunar", "solar", "orbit")  # 25 keys: 25 filters
LOAD_TIMEOUT = 900.0


def command(checkout: Path, feed: Path, cache: Path, state: Path) -> str:
    args = [PYTHON, "-m", "reader", str(feed), "--cache", str(cache), "--state", str(state)]
    env = f"PYTHONPATH={shlex.quote(str(checkout))}"
    return f"cd {shlex.quote(str(checkout))} && exec env {env} " + " ".join(map(shlex.quote, args))


def filtered(word: str) -> object:
    def test(text: str) -> bool:
        first = text.splitlines()[0] if text else ""
        return f"filter: {word}" in first and header_counts(first) is not None

    return test


def one_run(session: str, cmd: str, count: int, typing: bool) -> tuple[int, int]:
    """(VmHWM kB once loaded, VmHWM kB after the filters; 0 when not typed)."""
    launch(session, cmd)
    try:
        wait_for(session, fully_loaded(count), LOAD_TIMEOUT, poll=0.1)
        pid = reader_pid(session)
        assert pid is not None
        loaded = proc_status(pid, "VmHWM") or 0
        if not typing:
            return loaded, 0
        tmux("send-keys", "-t", session, "/")
        for word in WORDS:
            for letter in word:
                tmux("send-keys", "-t", session, "-l", letter)
                time.sleep(0.08)
            wait_for(session, filtered(word), 60.0, 0.01)  # type: ignore[arg-type]
            tmux("send-keys", "-t", session, "Escape")  # clears the query, stays in the filter
            wait_for(session, fully_loaded(count), 60.0, 0.01)
        time.sleep(0.5)
        return loaded, proc_status(pid, "VmHWM") or 0
    finally:
        quit_session(session)


def tmux_runs(args: argparse.Namespace) -> None:
    checkouts = [REPO, *(Path(path).resolve() for path in args.against)]
    feed = feed_path(args.size)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="reader-bench-memory-"))
    for checkout in checkouts:
        compile_bytecode(checkout)
    start_server()
    try:
        figures: dict[Path, list[tuple[int, int]]] = {c: [] for c in checkouts}
        for i, checkout in enumerate(checkouts):
            cache, state = work / f"cache-{i}.db", work / f"state-{i}"
            if not cache.exists():
                started = time.perf_counter()
                one_run(f"cold{i}", command(checkout, feed, cache, state), args.size, False)
                print(f"  {checkout}: cache built in {time.perf_counter() - started:.1f} s")
        for run in range(args.runs):
            for i, checkout in enumerate(checkouts):
                cache, state = work / f"cache-{i}.db", work / f"state-{i}"
                cmd = command(checkout, feed, cache, state)
                figures[checkout].append(one_run(f"m{i}-{run}", cmd, args.size, True))
        print(f"\nVmHWM at {args.size:,} articles, load average {os.getloadavg()[0]:.2f}")
        for checkout, runs in figures.items():
            cells = "  ".join(
                f"loaded {a / 1024:.0f} MB, filtered {b / 1024:.0f} MB" for a, b in runs
            )
            print(f"  {checkout}: {cells}")
    finally:
        kill_server()


TRACE_CODE = """
import gc, sys, time, tracemalloc
from pathlib import Path
# A fourth argument, "untraced", builds the cache without tracing (the run before the traced one).
traced = sys.argv[4:] != ["untraced"]
if traced:
    tracemalloc.start(1)
from reader.core.storage.cache import FeedCache
from reader.core.query.index import SearchIndex
feed, cache, words = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",")

def phase(name):
    # The peak within each phase: VmHWM is a high-water mark, so a transient counts.
    current, peak = tracemalloc.get_traced_memory()
    print(f"  {name:<22} traced {current / 2**20:6.1f} MB, peak within {peak / 2**20:6.1f} MB")
    tracemalloc.reset_peak()

with FeedCache.open(cache, feed) as opened:
    phase("imports, open")
    opened.sync(workers=1)
    phase("sync")
    summaries = opened.cached_summaries()
    phase("summaries")
    index = SearchIndex(summaries)
    index.build_words()
    phase("search and word index")
    for word in words:  # each prefix, as typed key by key: what the filter asks the index
        for end in range(1, len(word) + 1):
            index.object_ids((word[:end], False))
    phase("filter answers")
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    print(f"traced now {current / 2**20:.1f} MB")
    top = tracemalloc.take_snapshot().statistics("lineno") if traced else []
    for stat in top[:12]:
        print(f"  {stat.size / 2**20:6.1f} MB {stat.count:>9,} blocks  {stat.traceback[0]}")
"""


def trace(args: argparse.Namespace) -> None:
    checkout = Path(args.checkout).resolve()
    feed = feed_path(args.size)
    work = Path(args.workdir or tempfile.mkdtemp(prefix="reader-bench-memory-"))
    cache = work / f"trace-{checkout.name}.db"
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    code = [PYTHON, "-c", TRACE_CODE, str(feed), str(cache), ",".join(WORDS)]
    if not cache.exists():  # built untraced first: the traced run is a warm one
        subprocess.run(
            [*code, "untraced"], env=env, cwd=checkout, check=True, stdout=subprocess.DEVNULL
        )
    print(f"{checkout}:")
    subprocess.run(code, env=env, cwd=checkout, check=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--against", nargs="*", default=[], help="other checkouts")
    parser.add_argument("--workdir", help="caches and states (default: a new temporary folder)")
    parser.add_argument("--tracemalloc", action="store_true", help="top allocations, in-process")
    parser.add_argument("--checkout", default=str(REPO), help="with --tracemalloc")
    args = parser.parse_args(argv)
    if args.tracemalloc:
        trace(args)
    else:
        tmux_runs(args)


if __name__ == "__main__":
    main()
