"""What grouping stories costs, measured beside the same reader with `group_stories = false`
in one run (for compare.py; alone: `python benchmarks/bench_stories.py [--sizes ...]`).

The feed is `generate_feed.py --copies 0.1`'s (reused from WORKDIR/stories-feed-N): every
article names a made-up company and a tenth of them come with one to three syndicated
copies. Each figure is a `reader list` process (the same code path as the app's load,
through the index cache), alternating the two configs, median of `--runs`:

- cold load: an empty cache -> every file parsed and stored (the story keys made and kept
  with grouping on; the grouping itself waits until stories are asked for);
- first grouping: on that new cache, the first `--stories` run (the whole feed grouped);
- warm start: a warm cache -> the first row printed (`--stories` with grouping on);
- filter: a warm cache, `--query robot` -> the first row (`--stories` with grouping on);
- memory: the peak RSS of the warm `--stories` run beside the plain run;
- worker CPU: one parse worker's CPU time per file (`parse_task` over the first
  WORKER_FILES files, in tasks as a first build hands them out, grouping off and on in
  turn in one fresh process, best of 5): what the cold load's ratio comes from, steadier
  than its wall time on a busy machine.

Nothing is asserted; the ratios are printed beside the goals.

`--warm-against CHECKOUT` measures only the warm start and the filter (on the warm caches
of an earlier run), with grouping off, and on with this code and that checkout's in turn:
each on/off ratio, and this code's to that one's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate_feed import generate_feed  # noqa: E402

# Runs `reader` and prints its peak RSS (kB) on stderr's last line.
_MEASURED = (
    "import resource, sys\n"
    "from reader.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)
# One parse worker's CPU per file, grouping off and on in turn (see the docstring).
_WORKER_CPU = """
import inspect, json, sys, time
from pathlib import Path
from reader.core.storage.cache import pool
from reader.core.storage.cache.codec import path_prefix
from reader.core.storage.cache.scan import scan

root, count = Path(sys.argv[1]), int(sys.argv[2])
unstamped = "known is None" in inspect.getsource(pool)  # the parser takes the stamps
found = zip(range(count), scan(root, path_prefix(root)))
items = [(n, rel, path, None if unstamped else stamp) for n, (rel, path, stamp) in found]
best = {}
for grouped in (False, True) * 5:
    tasks = pool.tasks_for(1, root, items, grouped)
    cpu = time.process_time()
    for task in tasks:
        pool.parse_task(task)
    spent = (time.process_time() - cpu) / len(items)
    best[grouped] = min(best.get(grouped, spent), spent)
print(json.dumps([best[False], best[True]]))
"""
WORKER_FILES = 4000
GOALS = {
    "cold": "<= 1.10 x without",
    "warm": "<= 1.00 x without",
    "filter": "<= 1.00 x without",
    "memory": "<= +15 MB",
    "worker": "<= 1.10 x without (the cold load's share)",
}


@dataclass
class Costs:
    count: int
    cold: dict[bool, list[float]] = field(default_factory=lambda: {False: [], True: []})
    first_grouping: list[float] = field(default_factory=list)
    warm: dict[bool, list[float]] = field(default_factory=lambda: {False: [], True: []})
    filtered: dict[bool, list[float]] = field(default_factory=lambda: {False: [], True: []})
    peak_kb: dict[bool, int] = field(default_factory=dict)
    stories: int = 0
    worker_ms: tuple[float, float] = (0.0, 0.0)  # per file, without and with grouping


def story_feed(count: int, workdir: Path) -> Path:
    feed = workdir / f"stories-feed-{count}"
    if not feed.exists():
        generate_feed(feed, count, seed=1, copies=0.1)
    return feed


def run(
    feed: Path, workdir: Path, grouped: bool, *extra: str, repo: Path = REPO
) -> tuple[float, int, str]:
    """Seconds, peak RSS in kB and stdout of one `reader list` with that config (the code
    of `repo`: its folder first on sys.path, where `-c` puts the current one)."""
    name = "on" if grouped else "off"
    config = workdir / f"stories-{name}.toml"
    config.write_text(f"group_stories = {'true' if grouped else 'false'}\n", encoding="utf-8")
    argv = [
        "list", str(feed), "--format", "tsv", "--config", str(config),
        "--cache", str(workdir / f"stories-{name}-{feed.name}.db"),
        "--state", str(workdir / "stories-state.db"), *extra,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(repo)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *argv],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=repo,
    )
    return time.perf_counter() - started, int(done.stderr.split()[-1]), done.stdout


def forget_cache(feed: Path, workdir: Path, grouped: bool) -> None:
    name = "on" if grouped else "off"
    for path in workdir.glob(f"stories-{name}-{feed.name}.db*"):
        path.unlink()


def measure(count: int, workdir: Path, runs: int) -> Costs:
    costs = Costs(count)
    feed = story_feed(count, workdir)
    cold_runs = 1 if count >= 50_000 else min(runs, 3)
    for _ in range(cold_runs):
        for grouped in (False, True):
            forget_cache(feed, workdir, grouped)
            costs.cold[grouped].append(run(feed, workdir, grouped, "--limit", "1")[0])
        costs.first_grouping.append(run(feed, workdir, True, "--stories", "--limit", "1")[0])
    for _ in range(runs):
        for grouped in (False, True):
            extra = ("--stories",) if grouped else ()
            seconds, peak, _ = run(feed, workdir, grouped, *extra, "--limit", "1")
            costs.warm[grouped].append(seconds)
            costs.peak_kb[grouped] = max(costs.peak_kb.get(grouped, 0), peak)
            costs.filtered[grouped].append(
                run(feed, workdir, grouped, *extra, "--query", "robot", "--limit", "1")[0]
            )
    costs.worker_ms = worker_cpu(feed, min(count, WORKER_FILES))
    listed = run(feed, workdir, True, "--stories")[2]
    costs.stories = sum(1 for line in listed.splitlines()[1:] if line.split("\t")[-1])
    return costs


def worker_cpu(feed: Path, count: int) -> tuple[float, float]:
    """One parse worker's CPU ms per file without and with grouping (see the docstring)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", _WORKER_CPU, str(feed), str(count)]
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True, cwd=REPO)
    off, on = json.loads(done.stdout)
    return off * 1000, on * 1000


def rows(c: Costs) -> list[tuple[str, str, str, str, str]]:
    """(workload, without grouping, with grouping, ratio or difference, goal)."""
    n = f"{c.count:,}"

    def pair(name: str, figures: dict[bool, list[float]]) -> tuple[str, str, str, str, str]:
        off, on = statistics.median(figures[False]), statistics.median(figures[True])
        return (f"{name}, {n}", f"{off:.2f} s", f"{on:.2f} s", f"{on / off:.2f} x", GOALS[name])

    extra_mb = (c.peak_kb[True] - c.peak_kb[False]) / 1024
    return [
        pair("cold", c.cold),
        (f"first grouping after the cold load, {n}", "-",
         f"{statistics.median(c.first_grouping):.2f} s", f"{c.stories:,} stories of 2+", "-"),
        pair("warm", c.warm),
        pair("filter", c.filtered),
        (f"memory, {n}", f"{c.peak_kb[False] / 1024:.0f} MB", f"{c.peak_kb[True] / 1024:.0f} MB",
         f"{extra_mb:+.1f} MB", GOALS["memory"]),
        (f"worker CPU a file, {n}", f"{c.worker_ms[0]:.3f} ms", f"{c.worker_ms[1]:.3f} ms",
         f"{c.worker_ms[1] / c.worker_ms[0]:.2f} x", GOALS["worker"]),
    ]  # fmt: skip


def print_rows(all_costs: list[Costs]) -> None:
    head = ("stories: workload", "without grouping", "with grouping", "with/without", "goal")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for costs in all_costs:
        for row in rows(costs):
            print("| " + " | ".join(row) + " |")


def warm_against(count: int, workdir: Path, runs: int, against: Path) -> None:
    """The warm start and the filter, off, on with this code and on with `against`'s."""
    feed = story_feed(count, workdir)
    figures: dict[str, list[float]] = {}
    work = {"warm": ("--limit", "1"), "filter": ("--query", "robot", "--limit", "1")}
    for n in range(runs):
        codes = [("off", REPO), ("on", REPO), ("on@against", against)]
        for label, repo in codes if n % 2 == 0 else codes[::-1]:
            for name, extra in work.items():
                stories = () if label == "off" else ("--stories",)
                seconds = run(feed, workdir, label != "off", *stories, *extra, repo=repo)[0]
                figures.setdefault(f"{name} {label}", []).append(seconds)
    med = {key: statistics.median(values) for key, values in figures.items()}
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"N = {count:,}, {runs} runs each, load average {load}:")
    for name in work:
        off, on, theirs = (med[f"{name} {label}"] for label in ("off", "on", "on@against"))
        print(
            f"  {name}: off {off:.3f} s, on {on:.3f} s ({on / off:.2f}x), "
            f"on@against {theirs:.3f} s ({theirs / off:.2f}x); on / on@against {on / theirs:.2f}x"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "reader-compare"
    )
    parser.add_argument("--warm-against", type=Path, default=None, help="see the docstring")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.warm_against is not None:
        for count in args.sizes:
            warm_against(count, args.workdir, args.runs, args.warm_against)
        return
    print_rows([measure(count, args.workdir, args.runs) for count in args.sizes])


if __name__ == "__main__":
    main()
