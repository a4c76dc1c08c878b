"""compare.py's filter row alone: words typed key by key in the reader in tmux.

For each size N the reader runs in tmux on the feed and index cache of `bench_start.py`
(`/tmp/reader-bench-N`, its cache named by READER_BENCH_TAG; warm it with bench_start.py
first), `/` is pressed, then each of `compare.WORDS` (five letters) is typed key by key
`--key-gap` apart, twice (the first round types every word for the first time); the time
from the last key to the header showing the word and its match count is recorded, as in
`compare.py`. Beside it the floor (`bare_app.py --input` echoing the same keys) and the
reader's VmHWM afterwards. Nothing is asserted.

    python benchmarks/bench_typing.py [--sizes 10000 100000] [--key-gap 0.08]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_start  # noqa: E402
import compare  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--key-gap", type=float, default=0.08, help="seconds between keys")
    args = parser.parse_args(argv)
    print(bench_start.machine_line(), flush=True)
    bench_start.start_server()
    try:
        with tempfile.TemporaryDirectory(prefix="reader-bench-typing-") as work:
            for count in args.sizes:
                size = compare.Size(count)
                feed, cache = bench_start.feed_path(count), bench_start.cache_path(count)
                compare.filters(size, feed, cache, Path(work) / f"state-{count}.db", args.key_gap)
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
    finally:
        bench_start.kill_server()


if __name__ == "__main__":
    main()
