"""How fast the reader starts in a real terminal, filters, and how much memory it holds.

For each size N (default 10,000 and 100,000) it uses the feed /tmp/reader-bench-N made by
`benchmarks/generate_feed.py` (reused when it holds N files, else written) and the index
cache /tmp/reader-bench-cache-N.db, which it warms first: the app runs once in tmux until
its header says `N / N articles` and no longer `loading…`, then quits with `q`. Then:

1. warm start, `--runs` times: the time from just before
   `tmux new-session -d -x 140 -y 45 'reader FEED --cache … --state …'` until the first
   article row is on screen. The pane is read with `tmux capture-pane -p` every ~10 ms; a
   row counts when a line has the list's row shape: the list box's left border, the
   unread/star marker columns, then a `DD Mon YYYY` date, the (optional) quality and the
   list box's right border (`│● Title … Provider 04 Dec 2023  160 ││`). The date alone
   would not do: the detail pane shows `Published Sat 30 Apr 2022 13:06`, and a header
   count > 0 would say the rows were computed, not drawn. Each run also records the
   first frame (the header line, still `0 / 0 articles · loading…`) and when the header
   stops saying `loading…` (the no-change `sync` that stats every file is over).
   Beside it, the floor: `benchmarks/bare_app.py` (a Textual app showing one Static line,
   `ready`) launched the same way, timed until `ready` is on screen. Reader and floor
   runs alternate, so both see the same machine load. Median and min are printed, and
   the ratio of the medians reader / floor.
2. filter latency, in a fresh interpreter per N, driving `ReaderApp` headless with
   Textual's Pilot (`run_test(size=(140, 45))`): once `app.feed.loaded`,
   `app.feed.filtering.apply(WORD)` (parse, filter all N, refresh the list, sidebar and
   header, synchronously) is timed `--repeats` times, each followed by `apply_query("")`
   (also timed, the other direction of the same work); p50/p95 are printed. Also, per
   repeat, the wait until Textual is idle again afterwards (`pilot.pause()`, the repaint
   of the headless screen), and a few typed queries: `/`, the word's letters, and the time
   from pressing the last key until the list changed, which includes the filter bar's
   0.12 s debounce (printed with it subtracted).
3. peak RSS: `VmHWM` from /proc/PID/status of the reader process in tmux (the pane's
   process; its multiprocessing helpers are not counted), read in every warm-start run
   once the load has finished with the N rows shown; the largest is printed. The Pilot
   child's `ru_maxrss` is printed beside it as a cross-check (it also ran the filters).

`--marked` starts every reader on a lived-in reading state instead of an empty one: after
the warm-up, 99 of every 100 articles are marked read and 54 of every 100 starred (by their
place in the cache's rows), as a reader who keeps up with the feed would have it.

Before the runs the reader's bytecode is compiled (`compileall` into its `__pycache__`
folders), as installing it with pip does, and as Textual's in site-packages already is:
with PYTHONDONTWRITEBYTECODE set (or a read-only checkout) a source checkout otherwise
compiles every one of its modules at every start (0.06-0.13 s here), which an installed reader
never does and the floor never pays. `--source` skips this, to measure that case.

`--against DIR` times a second checkout's reader (another branch, exported with `git archive`)
in the same runs, interleaved with this one's and the floor's, on a cache of its own: the
ratio of the two is the change, measured under the same load. Each reader runs its own
checkout's code (`cd CHECKOUT && python -m reader`, the Python running this script).

The tmux server is a private one (`tmux -L benchstart -f /dev/null`), kept alive by an
idle session so each launch only creates a session; it is killed at the end. Polling
costs a `tmux` client process per read (a few ms of CPU) that competes with the app on a
small machine: the times are an upper bound by that much. Nothing is asserted; the
goals (warm start ≤ 0.35 s at 10,000, ≤ 0.8 s at 100,000; filter p95 ≤ 50 ms; peak RSS
≤ 200 MB at 100,000) are printed beside the numbers.

    .venv/bin/python benchmarks/bench_start.py [--sizes 10000 100000] [--runs 5] [--repeats 20]
                                               [--source] [--against DIR] [--config FILE]
                                               [--marked]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PYTHON = Path(sys.executable)  # the venv's, with Textual (the reader runs from its checkout)
BARE_APP = BENCH / "bare_app.py"

# Two benchmarks may run at once: each may name its own tmux server and cache.
SOCKET = os.environ.get("READER_BENCH_SOCKET", "benchstart")
WIDTH, HEIGHT = 140, 45
POLL_SECONDS = 0.01
START_TIMEOUT = 60.0
WARMUP_TIMEOUT = 600.0
LOAD_TIMEOUT = 300.0
SEED = 1
# In the title or excerpt of about 60% of the generated articles: some but not all.
QUERY_WORD = "telescope"
GOALS = {10_000: 0.35, 100_000: 0.8}
FILTER_P95_GOAL_MS = 50
RSS_GOAL_MB = 200

HEADER = re.compile(r"([\d,]+) / ([\d,]+) articles")
# A row of the article list: left border, marker and star columns, …, date, quality, right border.
LIST_ROW = re.compile(r"│[●★ ][★ ].*\d\d [A-Z][a-z]{2} \d{4} +\d* *│")


# --- tmux ---------------------------------------------------------------------------------


def tmux(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["tmux", "-L", SOCKET, "-f", "/dev/null", *args],
        capture_output=True,
        text=True,
        check=check,
    )


def start_server() -> None:
    """The private server, kept alive by an idle session so every launch is only a new session."""
    keeper = ("new-session", "-d", "-s", "keeper", "-x", "20", "-y", "5", "sleep 86400")
    tmux("kill-server", check=False)  # a leftover of an interrupted run
    for _ in range(50):  # a server still shutting down refuses new sessions for a moment
        if tmux(*keeper, check=False).returncode == 0:
            return
        time.sleep(0.1)
    tmux(*keeper)


def kill_server() -> None:
    tmux("kill-server", check=False)


def launch(session: str, command: str) -> float:
    """Start `command` in a new detached session; the time just before the launch."""
    started = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", str(WIDTH), "-y", str(HEIGHT), command)
    return started


def screen(session: str) -> str:
    result = tmux("capture-pane", "-p", "-t", session, check=False)
    return result.stdout if result.returncode == 0 else ""


def pane_pid(session: str) -> int | None:
    result = tmux("list-panes", "-t", session, "-F", "#{pane_pid}", check=False)
    text = result.stdout.strip()
    return int(text.splitlines()[0]) if result.returncode == 0 and text else None


def alive(session: str) -> bool:
    return tmux("has-session", "-t", session, check=False).returncode == 0


def quit_session(session: str, timeout: float = 15.0) -> None:
    """`q`, then wait for the app to exit (the reader closes its databases); kill if it does not."""
    tmux("send-keys", "-t", session, "q", check=False)
    deadline = time.monotonic() + timeout
    while alive(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(session):
        tmux("kill-session", "-t", session, check=False)


ScreenTest = Callable[[str], bool]


def wait_for(
    session: str, test: ScreenTest, timeout: float, poll: float = POLL_SECONDS
) -> tuple[float, str]:
    """Poll the pane until `test(text)`; (the perf_counter when it held, the text)."""
    deadline = time.perf_counter() + timeout
    text = ""
    while time.perf_counter() < deadline:
        text = screen(session)
        if test(text):
            return time.perf_counter(), text
        time.sleep(poll)
    raise TimeoutError(f"{session}: not seen within {timeout:.0f} s; last screen:\n{text}")


def header_counts(text: str) -> tuple[int, int] | None:
    match = HEADER.search(text)
    if not match:
        return None
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


def has_row(text: str) -> bool:
    return any(LIST_ROW.search(row) for row in text.splitlines())


def fully_loaded(count: int) -> ScreenTest:
    def test(text: str) -> bool:
        first_line = text.splitlines()[0] if text else ""
        return header_counts(first_line) == (count, count) and "loading" not in first_line

    return test


# --- /proc --------------------------------------------------------------------------------


def proc_status(pid: int, key: str) -> int | None:
    """A `kB` figure of /proc/PID/status (VmHWM, VmRSS), or None."""
    try:
        for row in Path(f"/proc/{pid}/status").read_text().splitlines():
            if row.startswith(key + ":"):
                return int(row.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def reader_pid(session: str) -> int | None:
    """The reader's Python process: the pane's process (tmux execs the command), else its child."""
    pid = pane_pid(session)
    if pid is None:
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if b"python" in cmdline and b"reader" in cmdline:
        return pid
    for child in children(pid):
        if b"reader" in Path(f"/proc/{child}/cmdline").read_bytes():
            return child
    return None


# --- preparation --------------------------------------------------------------------------


def compile_bytecode(checkout: Path = REPO) -> None:
    """Compile the reader's modules as an install does (see the module's docstring)."""
    import compileall

    started = time.perf_counter()
    if not compileall.compile_dir(checkout / "reader", quiet=1):
        raise RuntimeError("the reader's modules did not compile")
    print(
        f"  bytecode compiled for {checkout / 'reader'} in {time.perf_counter() - started:.1f} s "
        "(as an install does; --source to start from the source)",
        flush=True,
    )


def feed_path(count: int) -> Path:
    return Path(f"/tmp/reader-bench-{count}")


def cache_path(count: int, checkout: Path = REPO) -> Path:
    tag = os.environ.get("READER_BENCH_TAG", "") + ("" if checkout == REPO else "-against")
    return Path(f"/tmp/reader-bench-cache{tag}-{count}.db")


def ensure_feed(count: int) -> Path:
    sys.path.insert(0, str(BENCH))
    from generate_feed import generate_feed

    path = feed_path(count)
    have = sum(1 for _ in path.rglob("*.md")) if path.is_dir() else 0
    if have != count:
        print(f"  writing {count:,} articles to {path} (found {have:,}) …", flush=True)
        if have:
            subprocess.run(["rm", "-rf", str(path)], check=True)
        started = time.perf_counter()
        generate_feed(path, count, SEED)
        print(f"  written in {time.perf_counter() - started:.1f} s", flush=True)
    return path


@dataclass(frozen=True)
class Reader:
    """Which reader is started: its checkout, and the config it is given (None: none)."""

    checkout: Path = REPO
    config: Path | None = None


def reader_command(count: int, state: Path, reader: Reader = Reader()) -> str:
    cache = cache_path(count, reader.checkout)
    args = [PYTHON, "-m", "reader", feed_path(count), "--cache", cache, "--state", state]
    args += ["--config", reader.config] if reader.config else []
    run = " ".join(shlex.quote(str(part)) for part in args)
    return f"cd {shlex.quote(str(reader.checkout))} && exec {run}"


def warm_cache(count: int, state: Path, reader: Reader = Reader()) -> float:
    """Run the app once until the whole feed is loaded (and so cached); its wall time."""
    session = f"warm{count}"
    started = launch(session, reader_command(count, state, reader))
    try:
        seen, _ = wait_for(session, fully_loaded(count), WARMUP_TIMEOUT, poll=0.5)
    finally:
        quit_session(session)
    return seen - started


# --- warm start ---------------------------------------------------------------------------


@dataclass
class StartRun:
    first_paint: float
    first_row: float
    loaded: float
    hwm_kb: int | None
    helpers_rss_kb: int


def reader_start(count: int, state: Path, run: int, reader: Reader = Reader()) -> StartRun:
    session = f"reader{count}-{run}-{'this' if reader.checkout == REPO else 'against'}"
    started = launch(session, reader_command(count, state, reader))
    try:
        paint, _ = wait_for(session, lambda text: "articles" in text, START_TIMEOUT)
        first, _ = wait_for(session, has_row, START_TIMEOUT)
        loaded, _ = wait_for(session, fully_loaded(count), LOAD_TIMEOUT)
        time.sleep(0.2)  # the last refresh after the load
        pid = reader_pid(session)
        hwm = proc_status(pid, "VmHWM") if pid else None
        helpers = sum(proc_status(c, "VmRSS") or 0 for c in children(pid)) if pid else 0
    finally:
        quit_session(session)
    return StartRun(paint - started, first - started, loaded - started, hwm, helpers)


def floor_start(run: int) -> float:
    session = f"bare-{run}"
    command = f"{shlex.quote(str(PYTHON))} {shlex.quote(str(BARE_APP))}"
    started = launch(session, command)
    try:
        seen, _ = wait_for(session, lambda text: "ready" in text, START_TIMEOUT)
    finally:
        quit_session(session)
    return seen - started


# --- filter latency (a child interpreter per N) -------------------------------------------

FILTER_CHILD_KEYS = 5  # typed queries per size


def filter_child(count: int, cache: Path, state: Path, repeats: int) -> None:
    """Runs in its own interpreter: prints one JSON line of timings."""
    import asyncio
    import resource

    sys.path.insert(0, str(REPO))
    from reader.ui.app import ReaderApp
    from reader.ui.widgets.article_list import ArticleList
    from reader.ui.widgets.filter_bar import FilterBar

    async def until(test: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.perf_counter() + timeout
        while not test():
            if time.perf_counter() > deadline:
                raise TimeoutError("the list did not change")
            await asyncio.sleep(0.001)

    async def measure() -> dict[str, Any]:
        app = ReaderApp(
            feed_path(count), cache_path=cache, state_path=state, browser=lambda url: True
        )
        result: dict[str, Any] = {}
        async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
            started = time.perf_counter()
            await until(lambda: app.feed.loaded, LOAD_TIMEOUT)
            result["loaded_s"] = time.perf_counter() - started
            await pilot.pause()
            rows = app.query_one(ArticleList)
            total = rows.row_count
            # once, untimed: first-use costs (compiling the query path)
            app.feed.filtering.apply(QUERY_WORD)
            matches = rows.row_count
            app.feed.filtering.apply("")
            await pilot.pause()
            on, off, idle = [], [], []
            for _ in range(repeats):
                t = time.perf_counter()
                app.feed.filtering.apply(QUERY_WORD)
                on.append(time.perf_counter() - t)
                t = time.perf_counter()
                await pilot.pause()
                idle.append(time.perf_counter() - t)
                assert rows.row_count == matches
                t = time.perf_counter()
                app.feed.filtering.apply("")
                off.append(time.perf_counter() - t)
                await pilot.pause()
            typed = []
            await pilot.press("slash")
            await pilot.pause()
            for _ in range(FILTER_CHILD_KEYS):
                await pilot.press(*QUERY_WORD[:-1])
                t = time.perf_counter()
                await pilot.press(QUERY_WORD[-1])
                await until(lambda: rows.row_count == matches)
                typed.append(time.perf_counter() - t)
                await pilot.press("escape")  # clears the query at once
                await until(lambda: rows.row_count == total)
                await pilot.pause()
            await pilot.press("escape")
            result.update(total=total, matches=matches, on=on, off=off, idle=idle, typed=typed)
            result["debounce"] = getattr(FilterBar, "DEBOUNCE_SECONDS", 0.0)  # none now
        result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return result

    print(json.dumps(asyncio.run(measure())), flush=True)


def run_filter_child(count: int, state: Path, repeats: int) -> dict[str, Any]:
    command = [
        str(PYTHON), str(Path(__file__).resolve()), "--filter-child", str(count),
        "--state", str(state), "--repeats", str(repeats),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=LOAD_TIMEOUT + 300)
    if done.returncode != 0:
        raise RuntimeError(f"filter child failed:\n{done.stderr[-3000:]}")
    measured: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return measured


# --- report -------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


@dataclass
class SizeResult:
    count: int
    reader: list[StartRun] = field(default_factory=list)
    against: list[StartRun] = field(default_factory=list)  # `--against`'s, if given
    floor: list[float] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    warmup_s: float = 0.0


def machine_line() -> str:
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (
        f"machine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
        f"load average {' '.join(load)}, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def start_cells(runs: list[StartRun], floor: list[float], count: int) -> str:
    """The warm-start columns of one reader's row: first row, floor, ratio, goal, header, load."""
    first = [x.first_row for x in runs]
    goal = GOALS.get(count)
    return (
        f"{ms(statistics.median(first)):>6} / {ms(min(first)):>5} | "
        f"{ms(statistics.median(floor)):>5} / {ms(min(floor)):>5} | "
        f"{statistics.median(first) / statistics.median(floor):>5.2f} | "
        f"{ms(goal) if goal else '-':>5} | "
        f"{ms(statistics.median([x.first_paint for x in runs])):>10} | "
        f"{ms(statistics.median([x.loaded for x in runs])):>10} | "
        f"{max((x.hwm_kb or 0) for x in runs) / 1024:>11.0f}"
    )


def filter_cells(f: dict[str, Any]) -> str:
    if not f:
        return ""
    typed = [t - f["debounce"] for t in f["typed"]]
    return (
        f" | {ms(percentile(f['on'], 0.5)):>6} / {ms(percentile(f['on'], 0.95)):>5} | "
        f"{ms(percentile(f['off'], 0.5)):>5} / {ms(percentile(f['off'], 0.95)):>5} | "
        f"{ms(statistics.median(typed)):>14} | {f['maxrss_kb'] / 1024:>9.0f}"
    )


def print_table(results: list[SizeResult], runs: int) -> None:
    print()
    print(machine_line())
    print(
        f"warm start: {runs} runs each, ms from launch in tmux to the first list row "
        "(floor: bare Textual app to `ready`)"
    )
    head = (
        f"{'N':>8} | {'reader':>7} | {'first row med/min':>14} | {'floor med/min':>13} | "
        f"{'ratio':>5} | {'goal':>5} | {'header med':>10} | {'loaded med':>10} | "
        f"{'peak RSS MB':>11}"
    )
    if any(r.filters for r in results):
        head += (
            f" | {'filter p50/p95':>14} | {'clear p50/p95':>13} | {'typed-debounce':>14} | "
            f"{'Pilot RSS':>9}"
        )
    print(head)
    print("-" * len(head))
    for r in results:
        cells = start_cells(r.reader, r.floor, r.count)
        print(f"{r.count:>8,} | {'this':>7} | {cells}{filter_cells(r.filters)}")
        if r.against:
            against = start_cells(r.against, r.floor, r.count)
            change = statistics.median([x.first_row for x in r.reader]) / statistics.median(
                [x.first_row for x in r.against]
            )
            print(f"{r.count:>8,} | {'against':>7} | {against} | this / against {change:.2f}")
    print()
    print(
        f"filter: apply_query({QUERY_WORD!r}) over all N, timed in-process (Pilot), "
        f"goal p95 <= {FILTER_P95_GOAL_MS} ms; "
        f"clear: apply_query(''); typed-debounce: median of {FILTER_CHILD_KEYS} typed queries, "
        "last key to list changed, minus the 0.12 s debounce"
    )
    print(
        "header med: launch to the app's first frame (its header line); "
        "loaded med: launch to the header without `loading…` "
        "(the no-change sync over every file is done)"
    )
    print(
        "peak RSS: VmHWM of the reader process in tmux after the load (largest over runs), "
        f"goal <= {RSS_GOAL_MB} MB at 100,000; Pilot RSS: ru_maxrss of the headless filter run"
    )


def run_line(label: str, run: StartRun) -> str:
    return (
        f"{label} header {ms(run.first_paint)} ms, first row {ms(run.first_row)} ms, "
        f"loaded {ms(run.loaded)} ms, VmHWM {(run.hwm_kb or 0) / 1024:.0f} MB "
        f"(+ helpers' RSS {run.helpers_rss_kb / 1024:.0f} MB)"
    )


def mark_state(count: int, state: Path) -> tuple[int, int]:
    """Mark 99% of the feed read and 54% starred in `state`; how many of each."""
    sys.path.insert(0, str(REPO))
    from reader.core.storage.cache import FeedCache
    from reader.core.storage.state import StateStore

    cache = FeedCache.open(cache_path(count), feed_path(count))
    try:
        ids = [summary.id for summary in cache.cached_summaries()]
    finally:
        cache.close()
    read = [article_id for n, article_id in enumerate(ids) if n % 100 != 0]
    starred = [article_id for n, article_id in enumerate(ids) if n % 100 < 54]
    with StateStore.open(state) as store:
        store.set_marks("read", read, True)
        store.set_marks("starred", starred, True)
    return len(read), len(starred)


def bench_size(
    count: int,
    runs: int,
    repeats: int,
    workdir: Path,
    readers: tuple[Reader, Reader | None],
    marked: bool = False,
) -> SizeResult:
    result = SizeResult(count)
    print(f"N = {count:,}", flush=True)
    ensure_feed(count)
    state = workdir / f"state-{count}.db"
    this, against = readers
    for reader in (this, against) if against else (this,):
        result.warmup_s = warm_cache(count, state, reader)
        where = cache_path(count, reader.checkout)
        print(f"  cache warm-up run: loaded in {result.warmup_s:.1f} s ({where})", flush=True)
    if marked:
        read, starred = mark_state(count, state)
        print(f"  state: {read:,} read, {starred:,} starred", flush=True)
    for run in range(runs):
        # The two readers take turns at going first: neither always follows the floor.
        if against and run % 2:
            result.against.append(reader_start(count, state, run, against))
        result.reader.append(reader_start(count, state, run, this))
        if against and not run % 2:
            result.against.append(reader_start(count, state, run, against))
        line = run_line("reader", result.reader[-1])
        if against:
            line += "; " + run_line("against", result.against[-1])
        result.floor.append(floor_start(run))
        print(f"  run {run + 1}: {line}; floor {ms(result.floor[-1])} ms", flush=True)
    if repeats == 0:
        return result
    result.filters = run_filter_child(count, state, repeats)
    f = result.filters
    idle = f["idle"]
    print(
        f"  filter {QUERY_WORD!r}: {f['matches']:,} of {f['total']:,} match; "
        f"apply p50 {ms(percentile(f['on'], 0.5))} ms p95 {ms(percentile(f['on'], 0.95))} ms; "
        f"then idle (repaint) p50 {ms(percentile(idle, 0.5))} ms "
        f"p95 {ms(percentile(idle, 0.95))} ms; "
        f"typed (with debounce) {', '.join(ms(t) for t in f['typed'])} ms; "
        f"headless load {f['loaded_s']:.2f} s",
        flush=True,
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="warm starts per size (default 5)")
    parser.add_argument(
        "--repeats", type=int, default=20, help="timed filters per size (default 20; 0: none)"
    )
    parser.add_argument(
        "--source",
        action="store_true",
        help="do not compile the reader's bytecode first (a source checkout without it)",
    )
    parser.add_argument(
        "--against", type=Path, metavar="DIR", help="time this checkout's reader too, interleaved"
    )
    parser.add_argument("--config", type=Path, help="the readers' config file (default: none)")
    parser.add_argument(
        "--marked", action="store_true", help="a state with 99%% read and 54%% starred"
    )
    parser.add_argument("--filter-child", type=int, metavar="N", help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.filter_child:
        filter_child(args.filter_child, cache_path(args.filter_child), args.state, args.repeats)
        return
    print(machine_line(), flush=True)
    this = Reader(REPO, args.config)
    against = Reader(args.against.resolve(), args.config) if args.against else None
    if not args.source:
        for reader in (this, against) if against else (this,):
            compile_bytecode(reader.checkout)
    results = []
    with tempfile.TemporaryDirectory(prefix="reader-bench-start-") as workdir:
        start_server()
        try:
            for count in args.sizes:
                readers = (this, against)
                result = bench_size(
                    count, args.runs, args.repeats, Path(workdir), readers, args.marked
                )
                results.append(result)
        finally:
            kill_server()
    print_table(results, args.runs)


if __name__ == "__main__":
    main()
