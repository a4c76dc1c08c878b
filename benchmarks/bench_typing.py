"""compare.py's filter row alone: words typed key by key in the reader in tmux.

For each size N the reader runs in tmux on the feed and index cache of `bench_start.py`
(`/tmp/reader-bench-N`, its cache named by READER_BENCH_TAG; warm it with bench_start.py
first), `/` is pressed, then each of `compare.WORDS` (five letters) is typed key by key
`--key-gap` apart, twice (the first round types every word for the first time); the time
from the last key to the header showing the word and its match count is recorded, as in
`compare.py`. Beside it the floor (`bare_app.py --input` echoing the same keys) and the
reader's VmHWM afterwards. Nothing is asserted.

With `--every-key` each key is timed, not only a word's last: after every key the header
is waited for (the prefix typed and its match count), then `--key-gap` passes before the
next key (and after `/`). The first letters of a word match the most articles: they are
the slow keys.
`--settle S` waits S seconds after the load before the first key (the word index is made
in the meantime). `--warm-up S` first runs one untimed session of each checkout, left open
S seconds after the load: a reader that keeps its word index in the cache has kept it then,
and the timed sessions are warm starts that find it (without, the first timed session of
such a reader is the one that makes it). `--checkout DIR` (repeatable) times the reader of
other checkouts in the same run, a session of each in turn, `--rounds` times, so that a
noisy machine weighs on all alike; each on a cache of its own (`bench_start.cache_path`'s
`-against` one): a cache shared by two versions would have its snapshot rebuilt at every
start.

    python benchmarks/bench_typing.py [--sizes 10000 100000] [--key-gap 0.08]
    python benchmarks/bench_typing.py --every-key --sizes 100000 --checkout ../main --rounds 2
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_start  # noqa: E402
import compare  # noqa: E402


def prefix_counts(feed: Path, cache: Path) -> dict[str, int]:
    """How many articles each prefix of each word matches (from the warm cache)."""
    from reader.core.query import parse_query
    from reader.core.storage.cache import FeedCache

    prefixes = {word[:end] for word in compare.WORDS for end in range(1, len(word) + 1)}
    with FeedCache.open(cache, feed) as opened:
        summaries = opened.cached_summaries()
        return {prefix: len(parse_query(prefix).filter(summaries)) for prefix in prefixes}


def reader_in(checkout: Path, feed: Path, cache: Path, state: Path) -> str:
    """The command running the reader of `checkout` on the feed (as compare.reader_command),
    with the checkout first on the path (tmux passes on this process's PYTHONPATH)."""
    args = [compare.PYTHON, "-m", "reader", str(feed), "--cache", str(cache), "--state", str(state)]
    where = shlex.quote(str(checkout))
    return f"cd {where} && PYTHONPATH={where} exec " + " ".join(map(shlex.quote, args))


def every_key(
    command: str, count: int, expected: dict[str, int], gap: float, settle: float = 0.0
) -> tuple[list[tuple[str, float]], int]:
    """Each key's time from sent to its prefix's count in the header; and VmHWM (kB)."""
    session = f"keys{count}"
    times: list[tuple[str, float]] = []
    bench_start.launch(session, command)
    try:
        bench_start.wait_for(session, bench_start.fully_loaded(count), compare.COLD_TIMEOUT, 0.05)
        time.sleep(settle)
        compare.send(session, "/")
        time.sleep(gap)  # `/` is a key too: the first letter comes a key's gap after it
        for word in compare.WORDS * 2:
            for end in range(1, len(word) + 1):
                prefix = word[:end]
                sent = compare.send(session, word[end - 1])
                shown = compare.shows_count(prefix, expected[prefix], count)
                seen, _ = bench_start.wait_for(session, shown, 30.0, 0.002)
                times.append((prefix, seen - sent))
                time.sleep(gap)
            bench_start.tmux("send-keys", "-t", session, "Escape")
            bench_start.wait_for(session, bench_start.fully_loaded(count), 30.0)
        pid = bench_start.reader_pid(session)
        hwm = (bench_start.proc_status(pid, "VmHWM") or 0) if pid else 0
    finally:
        bench_start.quit_session(session)
    return times, hwm


def warm_up(command: str, count: int, seconds: float) -> None:
    """One untimed session: loaded, then left open `seconds` (the word index is made)."""
    session = f"warm{count}"
    bench_start.launch(session, command)
    try:
        bench_start.wait_for(session, bench_start.fully_loaded(count), compare.COLD_TIMEOUT, 0.05)
        time.sleep(seconds)
    finally:
        bench_start.quit_session(session)


def report_keys(name: str, times: list[tuple[str, float]], hwms: list[int]) -> None:
    ms = [seconds * 1000 for _, seconds in times]
    worst = sorted(times, key=lambda pair: -pair[1])[:5]
    by_length = {
        length: max(s for p, s in times if len(p) == length) * 1000 for length in range(1, 6)
    }
    print(
        f"  {name}: {len(ms)} keys, p50 {statistics.median(ms):.0f} ms, "
        f"p95 {compare.p([m / 1000 for m in ms], 0.95) * 1000:.0f}, max {max(ms):.0f}; "
        f"max by letters typed {', '.join(f'{n}: {v:.0f}' for n, v in by_length.items())}; "
        f"worst {', '.join(f'{p} {s * 1000:.0f}' for p, s in worst)}; "
        f"VmHWM {', '.join(f'{h / 1024:.0f}' for h in hwms)} MB",
        flush=True,
    )


def run_every_key(args: argparse.Namespace, work: Path) -> None:
    checkouts = [compare.REPO, *args.checkout]
    for count in args.sizes:
        feed, cache = bench_start.feed_path(count), bench_start.cache_path(count)
        expected = prefix_counts(feed, cache)
        times: dict[Path, list[tuple[str, float]]] = {c: [] for c in checkouts}
        hwms: dict[Path, list[int]] = {c: [] for c in checkouts}
        for checkout in checkouts if args.warm_up else ():
            state = work / f"state-{count}-{checkouts.index(checkout)}.db"
            own = bench_start.cache_path(count, checkout)
            warm_up(reader_in(checkout, feed, own, state), count, args.warm_up)
        for _ in range(args.rounds):
            for checkout in checkouts:
                # A cache of its own: another version's snapshot would be rebuilt at each start.
                own = bench_start.cache_path(count, checkout)
                state = work / f"state-{count}-{checkouts.index(checkout)}.db"
                command = reader_in(checkout, feed, own, state)
                found, hwm = every_key(command, count, expected, args.key_gap, args.settle)
                times[checkout] += found
                hwms[checkout].append(hwm)
        print(f"N = {count:,}, every key ({bench_start.machine_line()}):", flush=True)
        for checkout in checkouts:
            report_keys(str(checkout), times[checkout], hwms[checkout])


def run_last_keys(args: argparse.Namespace, work: Path) -> None:
    for count in args.sizes:
        size = compare.Size(count)
        feed, cache = bench_start.feed_path(count), bench_start.cache_path(count)
        compare.filters(size, feed, cache, work / f"state-{count}.db", args.key_gap)
        typed, first = size.typed, size.typed[: len(compare.WORDS)]
        p50, p95 = compare.p(typed, 0.5) * 1000, compare.p(typed, 0.95) * 1000
        print(
            f"N = {count:,}: typed ms {compare.rounded(typed, 1000)}; "
            f"p50 {p50:.0f}, p95 {p95:.0f}"
            f" (first round p95 {compare.p(first, 0.95) * 1000:.0f}); "
            f"floor p50 {statistics.median(size.typed_floor) * 1000:.0f}; "
            f"VmHWM {size.hwm_kb / 1024:.0f} MB",
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--key-gap", type=float, default=0.08, help="seconds between keys")
    parser.add_argument("--every-key", action="store_true", help="time every key, not the last")
    parser.add_argument("--checkout", type=Path, action="append", default=[])
    parser.add_argument("--rounds", type=int, default=1, help="sessions per checkout")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds from loaded to the first key"
    )
    parser.add_argument(
        "--warm-up", type=float, default=0.0, help="seconds an untimed first session stays open"
    )
    args = parser.parse_args(argv)
    print(bench_start.machine_line(), flush=True)
    bench_start.start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="reader-bench-typing-") as work:
            if args.every_key or args.checkout:
                run_every_key(args, Path(work))
            else:
                run_last_keys(args, Path(work))
    finally:
        bench_start.kill_server()


if __name__ == "__main__":
    main()
