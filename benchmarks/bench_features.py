"""The warm start, the filter and the memory with every feature on, beside the plain reader.

The performance table (`compare.py`) is measured on a plain config. Its issue asks that it
hold "with grouping on, 10,000 stored full texts and a sync folder of three machines" too.
This script measures exactly that pair, for each size N, in one run, interleaved:

- plain: an empty config file, no stored texts, no sync folder;
- features: `group_stories = true`, `sync_folder` naming a folder that holds the logs of
  two other machines (made with `reader mark --query` on their own state databases: one
  read a third of the feed and starred a little, the other read a fifth) besides this
  machine's own, and a text store ($READER_TEXTS) holding a ~600-word full text for each
  of the first 10,000 articles of `reader list` (the made-up vocabulary of `bench_query`).

Each reader runs on the feed and index cache of `bench_start.py` (`/tmp/reader-bench-N`,
warmed here first). Measured, median of `--runs`, in tmux as `bench_start` does:

- warm start: launch to the first list row on screen, and to the end of the load;
- VmHWM of the reader process after the load;
- `reader list --format json` on the warm cache, its wall time (it merges the sync folder
  before it lists);
- the filter: `compare.WORDS` typed key by key (`bench_typing.every_key`'s way), each key
  timed from sent to the header showing the prefix with its count, in two sessions per
  setup, the setups in turn and back (the first session of a run is the slower one). The
  counts a prefix should show are taken from an untimed session of the same config first
  (with texts stored, a word matches more articles than its titles and excerpts).

The first start of the features config merges the other machines' logs (printed: the
time to the first row and to loaded of that first start). Nothing is asserted.

`--settle S` waits S seconds after the load before the first timed key (the stored
texts' word index is made in a thread after the load, or read back from the text store;
until then the store answers from SQLite). `--setups` picks others: `stories`, `texts` and
`sync` have one of the three each. `--against CHECKOUT` runs every setup with that
checkout's code too (`NAME@against`, interleaved with this one's, its own text store
written by its own code) and prints this code's ratios to it.

    python benchmarks/bench_features.py [--sizes 10000 100000] [--runs 5] [--texts 10000]
                                        [--settle S] [--setups plain features stories texts sync]
                                        [--against CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_start  # noqa: E402
import compare  # noqa: E402
from bench_query import _vocabulary, _words  # noqa: E402

TEXTS = 10_000
PLAIN = Path(tempfile.gettempdir()) / "reader-features-plain.toml"  # an empty config
SETTLE_SECONDS = 1.0  # the untimed session: a prefix's count is read once the screen rests
OTHER_MACHINES = (  # (name, [(query, mark)]): the marks the two other machines made
    ("laptop", [("robot OR storm OR lunar", "--read"), ("orbit", "--star")]),
    ("desktop", [("solar OR telescope", "--read")]),
)


@dataclass(frozen=True)
class Setup:
    """What one reader is started with: a config file and the environment's additions."""

    name: str
    config: Path
    env: dict[str, str] = field(default_factory=dict)
    repo: Path = compare.REPO  # whose code runs
    kind: str = ""  # the setup's name without "@against" (its name if empty)

    @property
    def base(self) -> str:
        return self.kind or self.name


def command(setup: Setup, count: int, state: Path) -> str:
    feed, cache = bench_start.feed_path(count), bench_start.cache_path(count)
    args = [compare.PYTHON, "-m", "reader", feed, "--cache", cache, "--state", state]
    args += ["--config", setup.config]
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in setup.env.items())
    run = " ".join(shlex.quote(str(part)) for part in args)
    where = shlex.quote(str(setup.repo))
    return f"cd {where} && PYTHONPATH={where} {env} exec {run}"


def reader_cli(count: int, *args: str, env: dict[str, str]) -> str:
    """Run the reader's command line on the bench feed and cache; its stdout."""
    cache = bench_start.cache_path(count)
    full = [str(compare.PYTHON), "-m", "reader", *args, "--cache", str(cache)]
    where = {**os.environ, "PYTHONPATH": str(compare.REPO), "READER_CONFIG": str(PLAIN), **env}
    done = subprocess.run(full, env=where, capture_output=True, text=True, check=True)
    return done.stdout


# Stores the JSON lines of stdin as texts, with the code on PYTHONPATH (a checkout's own).
_STORE_SCRIPT = """
import json, sys
from pathlib import Path
from reader.core.fulltext.store import TextStore
with TextStore.open(Path(sys.argv[1])) as store:
    for line in sys.stdin:
        url, article_id, markdown = json.loads(line)
        store.put(url, article_id, markdown, "")
"""


def store_texts(count: int, texts: int, path: Path, repo: Path = compare.REPO) -> None:
    """A full text for each of the first `texts` articles `reader list` prints, stored by
    the code of `repo` (a text store of a newer schema is refused by older code)."""
    feed = str(bench_start.feed_path(count))
    listed = reader_cli(count, "list", feed, "--format", "jsonl", "--limit", str(texts), env={})
    rng = random.Random(7)
    vocabulary = _vocabulary(rng)
    lines = []
    for line in listed.splitlines():
        article = json.loads(line)
        paragraphs = [_words(rng, 100, vocabulary).capitalize() + "." for _ in range(6)]
        lines.append(json.dumps([article["url"], article["id"], "\n\n".join(paragraphs)]))
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(repo)}
    # In `repo`: `-c` puts the current folder first on sys.path, before PYTHONPATH.
    script = [compare.PYTHON, "-c", _STORE_SCRIPT, str(path)]
    subprocess.run(script, input="\n".join(lines), text=True, env=env, check=True, cwd=repo)
    took = time.perf_counter() - started
    print(f"  {texts:,} texts stored in {took:.1f} s ({path})", flush=True)


def other_machines(count: int, sync: Path, work: Path) -> None:
    """The two other machines' logs in `sync`: their marks made by `reader mark`."""
    feed = str(bench_start.feed_path(count))
    for name, marks in OTHER_MACHINES:
        state = work / f"{name}-{count}.db"
        env = {"READER_SYNC_FOLDER": str(sync), "READER_STATE": str(state)}
        for query, mark in marks:
            said = reader_cli(count, "mark", mark, "--query", query, "--feed", feed, env=env)
            print(f"  {name}: {said.strip()} ({query!r})", flush=True)
    lines = sum(len(log.read_text().splitlines()) for log in sync.glob("*.jsonl"))
    print(f"  sync folder: {len(list(sync.glob('*.jsonl')))} logs, {lines:,} lines", flush=True)


SETUPS = ("plain", "stories", "texts", "sync", "features")


def setups(
    count: int, work: Path, texts: int, names: list[str], against: Path | None = None
) -> list[Setup]:
    """The named setups: plain, one feature each (stories, texts, sync), or all three; each
    twice with `against` (that checkout's code, `NAME@against`, its own text store)."""
    sync = work / f"sync-{count}"
    repos = {"": compare.REPO, **({"@against": against} if against is not None else {})}
    texts_paths = {tag: work / f"texts-{count}{tag}.db" for tag in repos}
    if {"sync", "features"} & set(names):
        sync.mkdir()
        other_machines(count, sync, work)
    if {"texts", "features"} & set(names):
        for tag, repo in repos.items():
            store_texts(count, texts, texts_paths[tag], repo)
    none = str(work / "no-texts.db")  # never made: no stored texts
    lines = {
        "stories": "group_stories = true\n",
        "sync": f"sync_folder = {json.dumps(str(sync))}\n",
    }
    made = []
    for name in names:
        config = work / f"{name}.toml"
        wanted = lines.keys() if name == "features" else [name]
        config.write_text("".join(lines.get(key, "") for key in wanted) or "# the defaults\n")
        for tag, repo in repos.items():
            texts_path = str(texts_paths[tag]) if name in ("texts", "features") else none
            made.append(Setup(name + tag, config, {"READER_TEXTS": texts_path}, repo, name))
    return made


@dataclass
class Runs:
    first_row: list[float] = field(default_factory=list)
    loaded: list[float] = field(default_factory=list)
    hwm_kb: list[int] = field(default_factory=list)
    keys: list[tuple[str, float]] = field(default_factory=list)
    listed: list[float] = field(default_factory=list)  # `reader list --format json`, s


def start_once(session: str, cmd: str, count: int) -> tuple[float, float, int]:
    """Launch to first row, to loaded (s), and VmHWM after the load (kB)."""
    started = bench_start.launch(session, cmd)
    try:
        first, _ = bench_start.wait_for(session, bench_start.has_row, bench_start.START_TIMEOUT)
        loaded, _ = bench_start.wait_for(
            session, bench_start.fully_loaded(count), bench_start.LOAD_TIMEOUT
        )
        time.sleep(0.2)  # the last refresh after the load
        pid = bench_start.reader_pid(session)
        hwm = (bench_start.proc_status(pid, "VmHWM") or 0) if pid else 0
    finally:
        bench_start.quit_session(session)
    return first - started, loaded - started, hwm


def list_once(setup: Setup, count: int, state: Path) -> float:
    """`reader list --format json` on the warm cache (it merges the sync folder first)."""
    feed, cache = bench_start.feed_path(count), bench_start.cache_path(count)
    args = [str(compare.PYTHON), "-m", "reader", "list", str(feed), "--format", "json"]
    args += ["--cache", str(cache), "--state", str(state), "--config", str(setup.config)]
    env = {**os.environ, "PYTHONPATH": str(setup.repo), **setup.env}
    started = time.perf_counter()
    subprocess.run(args, env=env, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def header_shows(prefix: str, count: int | None) -> Callable[[str], bool]:
    """The header names the prefix as the filter (and, given, its count)."""

    def test(text: str) -> bool:
        first_line = text.splitlines()[0] if text else ""
        if f"filter: {prefix} " not in first_line + " ":
            return False
        counts = bench_start.header_counts(first_line)
        return counts is not None and (count is None or counts[0] == count)

    return test


def typed_counts(cmd: str, count: int) -> dict[str, int]:
    """Each prefix's count as the app shows it once it rests (an untimed session)."""
    session, shown = f"counts{count}", {}
    bench_start.launch(session, cmd)
    try:
        bench_start.wait_for(session, bench_start.fully_loaded(count), compare.COLD_TIMEOUT, 0.05)
        compare.send(session, "/")
        for word in compare.WORDS:
            for end in range(1, len(word) + 1):
                compare.send(session, word[end - 1])
                time.sleep(SETTLE_SECONDS)
                _, text = bench_start.wait_for(session, header_shows(word[:end], None), 30.0)
                counts = bench_start.header_counts(text.splitlines()[0])
                shown[word[:end]] = counts[0] if counts else -1
            bench_start.tmux("send-keys", "-t", session, "Escape")
            bench_start.wait_for(session, bench_start.fully_loaded(count), 30.0)
    finally:
        bench_start.quit_session(session)
    return shown


def typed_keys(
    cmd: str, count: int, expected: dict[str, int], settle: float
) -> list[tuple[str, float]]:
    """Each key's time from sent to the header showing its prefix and count (`settle`
    seconds after the load: the stored texts' word index is made in a thread meanwhile)."""
    session, times = f"keys{count}", []
    bench_start.launch(session, cmd)
    try:
        bench_start.wait_for(session, bench_start.fully_loaded(count), compare.COLD_TIMEOUT, 0.05)
        time.sleep(settle)
        compare.send(session, "/")
        time.sleep(0.08)
        for word in compare.WORDS:
            for end in range(1, len(word) + 1):
                prefix = word[:end]
                sent = compare.send(session, word[end - 1])
                shows = header_shows(prefix, expected[prefix])
                seen, _ = bench_start.wait_for(session, shows, 30.0, 0.002)
                times.append((prefix, seen - sent))
                time.sleep(0.08)
            bench_start.tmux("send-keys", "-t", session, "Escape")
            bench_start.wait_for(session, bench_start.fully_loaded(count), 30.0)
    finally:
        bench_start.quit_session(session)
    return times


def first_merge(setup: Setup, count: int, state: Path) -> None:
    """A sync folder's first start: it merges the other machines' logs."""
    row, loaded, _ = start_once(f"merge{count}", command(setup, count, state), count)
    print(
        f"  {setup.name}, first start (merges the logs): first row {row * 1e3:.0f} ms, "
        f"loaded {loaded:.2f} s",
        flush=True,
    )


def measure(
    count: int,
    runs: int,
    texts: int,
    work: Path,
    names: list[str],
    settle: float,
    against: Path | None = None,
) -> dict[str, Runs]:
    print(f"N = {count:,}", flush=True)
    bench_start.ensure_feed(count)
    made = setups(count, work, texts, names, against)
    states = {s.name: work / f"state-{s.name}-{count}.db" for s in made}
    for setup in made:
        if setup.base in ("sync", "features"):
            first_merge(setup, count, states[setup.name])
    results = {s.name: Runs() for s in made}
    for run in range(runs):
        for setup in made if run % 2 == 0 else made[::-1]:
            cmd = command(setup, count, states[setup.name])
            row, loaded, hwm = start_once(f"{setup.name}{count}-{run}", cmd, count)
            got = results[setup.name]
            got.first_row.append(row)
            got.loaded.append(loaded)
            got.hwm_kb.append(hwm)
            got.listed.append(list_once(setup, count, states[setup.name]))
    counts = {}
    # Twice each, in turn and back (A B B A): a session's keys are slower when it comes first.
    for setup in made + made[::-1]:
        cmd = command(setup, count, states[setup.name])
        if setup.name not in counts:
            counts[setup.name] = typed_counts(cmd, count)
        results[setup.name].keys += typed_keys(cmd, count, counts[setup.name], settle)
    return results


def against_ratios(results: dict[str, Runs]) -> None:
    """Each setup's figures as ratios to the same setup's with the other checkout's code."""
    for name, got in results.items():
        other = results.get(name + "@against")
        if other is None:
            continue
        keys = [seconds for _, seconds in got.keys]
        their = [seconds for _, seconds in other.keys]
        cells = [
            ("first row", statistics.median(got.first_row), statistics.median(other.first_row)),
            ("loaded", statistics.median(got.loaded), statistics.median(other.loaded)),
            ("list", statistics.median(got.listed), statistics.median(other.listed)),
            ("keys p50", statistics.median(keys), statistics.median(their)),
            ("keys p95", compare.p(keys, 0.95), compare.p(their, 0.95)),
            ("keys max", max(keys), max(their)),
        ]
        said = ", ".join(f"{label} {mine / theirs:.2f}x" for label, mine, theirs in cells)
        print(f"  {name} / {name}@against: {said}", flush=True)


def report(count: int, results: dict[str, Runs]) -> None:
    print(f"N = {count:,} ({bench_start.machine_line()}):")
    print("  setup    | first row med | loaded med | VmHWM max | list med | keys p50 / p95 / max")
    for name, got in results.items():
        keys = [seconds * 1000 for _, seconds in got.keys]
        print(
            f"  {name:8} | {statistics.median(got.first_row) * 1e3:10.0f} ms "
            f"| {statistics.median(got.loaded):8.2f} s | {max(got.hwm_kb) / 1024:6.0f} MB "
            f"| {statistics.median(got.listed):6.2f} s "
            f"| {statistics.median(keys):.0f} / {compare.p(keys, 0.95):.0f} / {max(keys):.0f} ms"
        )
    against_ratios(results)
    if "plain" not in results:
        return
    plain = statistics.median(results["plain"].first_row)
    for name, got in results.items():
        if name != "plain":
            ratio = statistics.median(got.first_row) / plain
            print(f"  {name} / plain: first row {ratio:.2f}x", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="warm starts per setup and size")
    parser.add_argument("--texts", type=int, default=TEXTS, help="stored full texts")
    parser.add_argument(
        "--settle", type=float, default=0.0, help="seconds from the load to the first key"
    )
    parser.add_argument(
        "--setups", nargs="+", choices=SETUPS, default=["plain", "features"], help="what to run"
    )
    parser.add_argument(
        "--against", type=Path, default=None, help="a checkout whose code runs each setup too"
    )
    args = parser.parse_args(argv)
    PLAIN.write_text("# nothing: the defaults\n")
    bench_start.compile_bytecode()
    if args.against is not None:
        bench_start.compile_bytecode(args.against)
    bench_start.start_server()
    try:
        for count in args.sizes:
            with tempfile.TemporaryDirectory(
                prefix="reader-features-", ignore_cleanup_errors=True
            ) as work:
                state = Path(work) / "warm-state.db"
                bench_start.warm_cache(count, state)
                texts = min(args.texts, count)
                got = measure(
                    count, args.runs, texts, Path(work), args.setups, args.settle, args.against
                )
                report(count, got)
    finally:
        bench_start.kill_server()


if __name__ == "__main__":
    main()
