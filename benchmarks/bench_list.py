"""How long `reader list --format json` takes on a warm cache: compare.py's list row alone.

For each size N the feed /tmp/reader-bench-N is generated if missing (see generate_feed.py);
a cache and a state are made for each checkout in a temporary folder and warmed by one
list (as the app would have left them). Then each run starts a fresh interpreter, as a
script would, its output to /dev/null. With `--against DIR` (another checkout, exported
with `git archive`) the two are timed in turns, in the same runs, so that their ratio
holds on a loaded machine. Bytecode is compiled first (an install's state) into a
folder of each checkout's own.

Printed per checkout: median wall time and median CPU time (user + system, less noisy
than wall on a busy machine) of the runs, then the ratios, and the load average. Nothing
is asserted.

    .venv/bin/python benchmarks/bench_list.py [--sizes 100000] [--runs 7] [--against DIR]
                                              [--workdir DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate_feed import generate_feed

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def feed_path(count: int) -> Path:
    path = Path(f"/tmp/reader-bench-{count}")
    if not path.exists():
        generate_feed(path, count)
    return path


def timed(checkout: Path, argv: list[str], pycache: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one `reader` run from `checkout`."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONPYCACHEPREFIX": str(pycache)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [PYTHON, "-m", "reader", *argv], cwd=checkout, env=env, stdout=subprocess.DEVNULL,
        check=True, timeout=600,
    )  # fmt: skip
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def bench(count: int, runs: int, checkouts: list[Path], workdir: Path) -> None:
    feed = feed_path(count)
    times: dict[Path, list[tuple[float, float]]] = {c: [] for c in checkouts}
    argv: dict[Path, list[str]] = {}
    for at, checkout in enumerate(checkouts):
        cache, state = workdir / f"index-{count}-{at}.db", workdir / f"state-{count}-{at}.db"
        argv[checkout] = ["list", str(feed), "--format", "json"]
        argv[checkout] += ["--cache", str(cache), "--state", str(state)]
        for _ in range(2):  # the cache made, then a warm run that compiles the bytecode
            timed(checkout, argv[checkout], workdir / f"pycache-{at}")
    for run in range(runs):
        # In turns, the first one changing: neither always runs right after the other.
        order = checkouts if run % 2 == 0 else checkouts[::-1]
        for checkout in order:
            at = checkouts.index(checkout)
            times[checkout].append(timed(checkout, argv[checkout], workdir / f"pycache-{at}"))
    medians = []
    for checkout, values in times.items():
        wall = statistics.median(w for w, _ in values)
        cpu = statistics.median(c for _, c in values)
        medians.append((wall, cpu))
        walls = ", ".join(f"{w:.2f}" for w, _ in values)
        print(f"{count:>8,} {checkout}: wall {wall:.3f} s, cpu {cpu:.3f} s (walls {walls})")
    if len(medians) == 2:
        (wall, cpu), (other_wall, other_cpu) = medians
        print(
            f"{count:>8,} this / against: wall {wall / other_wall:.2f}, cpu {cpu / other_cpu:.2f}"
        )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, help="another checkout, timed in turns")
    # A first build of 100,000 files takes a minute or more: kept, the next run skips it.
    parser.add_argument("--workdir", type=Path, help="keep the caches here for the next run")
    args = parser.parse_args(argv)
    checkouts = [REPO] + ([args.against.resolve()] if args.against else [])
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="reader-bench-list-") as temporary:
        workdir = args.workdir or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        for count in args.sizes:
            bench(count, args.runs, checkouts, workdir)


if __name__ == "__main__":
    main()
