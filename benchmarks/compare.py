"""The reader beside newsboat and the floors, every workload of the speed goals, in one run.

For each size N (default 10,000 and 100,000) the feed is `generate_feed.py`'s (reused from
/tmp/reader-bench-N, as `bench_start.py` does) and, for newsboat, the same articles as one
RSS 2.0 file (title, link, guid, pubDate, description, author = provider), written once
into the work folder and reused. newsboat runs with its own urls file
(`file:///…/feed.xml`), config and cache in that folder. Rows (all wall times, one run
on one machine, so the ratios hold even when the machine is loaded):

- cold load, empty cache: reader launched in tmux on a new cache until its header counts
  N / N without `loading…` (and the first list row, seen on the way), then left open,
  untimed, until the cache keeps the word index it makes after a load (as it does for a
  person who reads a few seconds): the warm runs find the cache whole; newsboat
  `-x reload` on an empty cache; the floor: one process reading every file with PyYAML's
  C loader only (`bench_load.floor`).
- warm start, launch in tmux -> first article row (reader) / the feed's row with its
  counts (newsboat's first screen), median of `--runs`, alternating with the floor:
  `bare_app.py` until `ready` is drawn.
- filter: in the running reader in tmux, `/` then a 5-letter word typed key by key
  (`--key-gap` apart, as a person types); the time from the last key to the header
  showing the word's match count; every word is new to the app the first time. Floor:
  `bare_app.py --input` echoing the same keys, last key to the word drawn.
- peak memory: VmHWM of the reader after the load and the filters; newsboat's maximum RSS
  over its `-x reload` and its interactive start.
- `reader list --format json` on the warm cache (median of 3) beside newsboat
  `-x print-unread` (it reads its cache).

- stories (`bench_stories.py`): cold load, warm start, filter and memory with grouping
  beside `group_stories = false`, on a feed of syndicated copies; `--stories-only` runs
  just these.

Nothing is asserted. Ratios: reader / newsboat and reader / floor, beside each goal.

    python benchmarks/compare.py [--sizes 10000 100000] [--runs 5] [--cold-runs 1]
                                 [--workdir DIR] [--source] [--stories-only]

Like bench_start.py, it first compiles the reader's bytecode, as an install does.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))

import bench_start as tmux_bench  # noqa: E402
import bench_stories  # noqa: E402
from bench_load import floor as yaml_floor  # noqa: E402
from bench_start import (  # noqa: E402
    fully_loaded,
    has_row,
    header_counts,
    launch,
    proc_status,
    quit_session,
    tmux,
    wait_for,
)

NEWSBOAT = shutil.which("newsboat")
PYTHON = sys.executable
WORDS = ("robot", "storm", "lunar", "solar", "orbit")  # 5 letters, in the generated titles
COLD_TIMEOUT = 900.0
NEWSBOAT_FEED_ROW = re.compile(r" N \([0-9]+/[0-9]+")  # `1 N (10000/10000) Title`, maybe cut
GOALS = {
    "warm start": "<= 1.25 x floor",
    "cold load": "<= 0.8 x newsboat",
    "first row, cold": "<= 1 s",
    "filter p95": "every key <= 100 ms (100,000)",
    "peak memory": "<= 150 MB (100,000)",
    "reader list json": "<= 1 s (100,000)",
}


def reader_command(feed: Path, cache: Path, state: Path) -> str:
    args = [PYTHON, "-m", "reader", str(feed), "--cache", str(cache), "--state", str(state)]
    return f"cd {shlex.quote(str(REPO))} && exec " + " ".join(map(shlex.quote, args))


def bare_command(*options: str) -> str:
    return " ".join(shlex.quote(part) for part in (PYTHON, str(BENCH / "bare_app.py"), *options))


# --- the RSS copy for newsboat -------------------------------------------------------------


def write_rss(feed: Path, out: Path, count: int) -> Path:
    """The feed's articles as one RSS file (reused when it holds `count` items)."""
    marker = out.with_suffix(".count")
    if out.exists() and marker.exists() and marker.read_text() == str(count):
        return out
    import yaml_rs

    print(f"  writing {count:,} articles as RSS to {out} …", flush=True)
    items = []
    for path in sorted(feed.rglob("*.md")):
        front = path.read_text(encoding="utf-8").split("---\n", 2)[1]
        data = yaml_rs.loads(front)
        assert isinstance(data, dict)
        provider = data.get("provider") or {}
        items.append(
            "<item>"
            f"<title>{html.escape(str(data['title']))}</title>"
            f"<link>{html.escape(str(data['webUrl']))}</link>"
            f"<guid>{html.escape(str(data['webUrl']))}</guid>"
            f"<pubDate>{format_datetime(data['publishedDateTime'])}</pubDate>"
            f"<author>{html.escape(str(provider.get('name', '')))}</author>"
            f"<description>{html.escape(str(data.get('excerpt', '')))}</description>"
            "</item>"
        )
    out.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Generated feed</title><link>https://example.com/</link>"
        "<description>benchmark</description>" + "\n".join(items) + "</channel></rss>\n",
        encoding="utf-8",
    )
    marker.write_text(str(count))
    return out


@dataclass
class Newsboat:
    folder: Path

    @property
    def cache(self) -> Path:
        return self.folder / "cache.db"

    def args(self) -> list[str]:
        assert NEWSBOAT is not None
        return [
            NEWSBOAT, "-u", str(self.folder / "urls"), "-c", str(self.cache),
            "-C", str(self.folder / "config"),
        ]  # fmt: skip

    def prepare(self, rss: Path) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "urls").write_text(f"file://{rss}\n")
        # no limit on kept articles, no reload at start; the rest as shipped
        (self.folder / "config").write_text("max-items 0\nauto-reload no\n")
        for leftover in self.folder.glob("cache.db*"):
            leftover.unlink()

    def timed(self, *extra: str) -> tuple[float, int, str]:
        """Wall seconds, max RSS (KiB) and stdout of a non-interactive run."""
        started = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *self.args(), *extra],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - started
        return seconds, int(done.stderr.strip().splitlines()[-1]), done.stdout

    def command(self) -> str:
        return "exec " + " ".join(map(shlex.quote, self.args()))


# --- measurements -----------------------------------------------------------------------


@dataclass
class Size:
    count: int
    cold: float = 0.0
    cold_first_row: float = 0.0
    cold_floor: float = 0.0
    cold_runs: list[float] = field(default_factory=list)  # each cold load's seconds
    cold_first_rows: list[float] = field(default_factory=list)
    newsboat_cold: float | None = None
    newsboat_rss_kb: int = 0
    warm: list[float] = field(default_factory=list)
    warm_floor: list[float] = field(default_factory=list)
    newsboat_warm: list[float] = field(default_factory=list)
    typed: list[float] = field(default_factory=list)
    typed_floor: list[float] = field(default_factory=list)
    hwm_kb: int = 0
    listing: list[float] = field(default_factory=list)
    newsboat_listing: float | None = None


def cold_load(size: Size, feed: Path, cache: Path, state: Path, runs: int = 1) -> None:
    """The median of `runs` cold loads (one load swings by a third on a shared machine)."""
    for _ in range(runs):
        first, loaded = one_cold_load(size.count, feed, cache, state)
        size.cold_first_rows.append(first)
        size.cold_runs.append(loaded)
    size.cold_first_row = statistics.median(size.cold_first_rows)
    size.cold = statistics.median(size.cold_runs)
    size.cold_floor = yaml_floor(feed)[0]


def one_cold_load(count: int, feed: Path, cache: Path, state: Path) -> tuple[float, float]:
    """Seconds from launch to the first row, and to every article counted."""
    for leftover in cache.parent.glob(cache.name + "*"):
        leftover.unlink()
    session = f"cold{count}"
    started = launch(session, reader_command(feed, cache, state))
    try:
        first, _ = wait_for(session, has_row, COLD_TIMEOUT, poll=0.05)
        loaded, _ = wait_for(session, fully_loaded(count), COLD_TIMEOUT, poll=0.05)
        # The cache is whole once the word index made after the load is kept in it too (a
        # person reading for a few seconds): the warm runs then start as a person's would.
        word_index_kept(cache, WORD_INDEX_TIMEOUT)
    finally:
        quit_session(session)
    return first - started, loaded - started


WORD_INDEX_TIMEOUT = 60.0


def word_index_kept(cache: Path, timeout: float) -> bool:
    """Wait until the cache keeps a word index at its feed's generation (at most `timeout`);
    whether it does."""
    sql = (
        "SELECT count(*) FROM word_indexes w JOIN feeds f"
        " ON w.feed = f.id AND w.generation = f.generation"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=1.0)
            try:
                if conn.execute(sql).fetchone()[0]:
                    return True
            finally:
                conn.close()
        except sqlite3.Error:
            pass  # not made yet, or busy: looked at again
        time.sleep(0.25)
    return False


def warm_starts(
    size: Size, feed: Path, cache: Path, state: Path, runs: int, nb: Newsboat | None
) -> None:
    for run in range(runs):
        session = f"warm{size.count}-{run}"
        started = launch(session, reader_command(feed, cache, state))
        try:
            seen, _ = wait_for(session, has_row, tmux_bench.START_TIMEOUT)
            size.warm.append(seen - started)
            wait_for(session, fully_loaded(size.count), COLD_TIMEOUT, poll=0.05)
        finally:
            quit_session(session)
        session = f"bare{size.count}-{run}"
        started = launch(session, bare_command())
        try:
            seen, _ = wait_for(session, lambda text: "ready" in text, tmux_bench.START_TIMEOUT)
            size.warm_floor.append(seen - started)
        finally:
            quit_session(session)
        if nb is not None:
            size.newsboat_warm.append(newsboat_start(nb, f"nb{size.count}-{run}", size))


def newsboat_start(nb: Newsboat, session: str, size: Size) -> float:
    started = launch(session, nb.command())
    try:
        seen, _ = wait_for(
            session, lambda text: NEWSBOAT_FEED_ROW.search(text) is not None, COLD_TIMEOUT
        )
        pid = tmux_bench.pane_pid(session)
        if pid is not None:
            size.newsboat_rss_kb = max(size.newsboat_rss_kb, proc_status(pid, "VmHWM") or 0)
    finally:
        quit_session(session)
    return seen - started


def send(session: str, key: str) -> float:
    """Send one key; the time just after tmux took it."""
    tmux("send-keys", "-t", session, "-l", key)
    return time.perf_counter()


def matches(feed: Path, cache: Path, word: str) -> int:
    """How many articles the reader's query `word` matches (from the warm cache)."""
    from reader.core.query import parse_query
    from reader.core.storage.cache import FeedCache

    with FeedCache.open(cache, feed) as opened:
        return len(parse_query(word).filter(opened.cached_summaries()))


def filters(size: Size, feed: Path, cache: Path, state: Path, gap: float) -> None:
    expected = {word: matches(feed, cache, word) for word in WORDS}
    session = f"filter{size.count}"
    launch(session, reader_command(feed, cache, state))
    try:
        wait_for(session, fully_loaded(size.count), COLD_TIMEOUT, poll=0.05)
        send(session, "/")
        for word in WORDS * 2:  # the first round types every word for the first time
            for letter in word[:-1]:
                send(session, letter)
                time.sleep(gap)
            last = send(session, word[-1])
            shown = shows_count(word, expected[word], size.count)
            seen, _ = wait_for(session, shown, 30.0, 0.002)
            size.typed.append(seen - last)
            tmux("send-keys", "-t", session, "Escape")  # clears the query, stays in the filter
            wait_for(session, fully_loaded(size.count), 30.0)
        pid = tmux_bench.reader_pid(session)
        size.hwm_kb = (proc_status(pid, "VmHWM") or 0) if pid else 0
    finally:
        quit_session(session)
    session = f"input{size.count}"
    launch(session, bare_command("--input"))
    try:
        wait_for(session, lambda text: "ready" in text, tmux_bench.START_TIMEOUT)
        for word in WORDS * 2:
            for letter in word[:-1]:
                send(session, letter)
                time.sleep(gap)
            last = send(session, word[-1])
            seen, _ = wait_for(session, shows_text(word), 30.0, 0.002)
            size.typed_floor.append(seen - last)
            tmux("send-keys", "-t", session, "C-u")
            wait_for(session, shows_text(word, shown=False), 30.0)
    finally:
        quit_session(session)


def shows_text(word: str, shown: bool = True) -> Callable[[str], bool]:
    return lambda text: (word in text) == shown


def shows_count(word: str, shown: int, total: int) -> Callable[[str], bool]:
    """The header names the whole word and counts its matches (the 4 letters before may
    match as many articles: the count alone would not tell)."""

    def test(text: str) -> bool:
        first_line = text.splitlines()[0] if text else ""
        return f"filter: {word}" in first_line and header_counts(first_line) == (shown, total)

    return test


def listing(size: Size, feed: Path, cache: Path, state: Path, nb: Newsboat | None) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [PYTHON, "-m", "reader", "list", str(feed), "--format", "json"]
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [*args, "--cache", str(cache), "--state", str(state)],
            env=env, stdout=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        size.listing.append(time.perf_counter() - started)
    if nb is not None:
        size.newsboat_listing, _, _ = nb.timed("-x", "print-unread")


def rounded(values: list[float], scale: float = 1.0) -> list[float]:
    return [round(value * scale, 2) for value in values]


def bench(count: int, runs: int, gap: float, workdir: Path, cold_runs: int = 1) -> Size:
    size = Size(count)
    print(f"N = {count:,}", flush=True)
    feed = tmux_bench.ensure_feed(count)
    cache, state = workdir / f"index-{count}.db", workdir / f"state-{count}.db"
    nb = None
    if NEWSBOAT:
        nb = Newsboat(workdir / f"newsboat-{count}")
        nb.prepare(write_rss(feed, workdir / f"feed-{count}.xml", count))
        size.newsboat_cold, size.newsboat_rss_kb, _ = nb.timed("-x", "reload")
        _, _, unread = nb.timed("-x", "print-unread")
        print(f"  newsboat -x reload {size.newsboat_cold:.2f} s; {unread.strip()}", flush=True)
    cold_load(size, feed, cache, state, cold_runs)
    print(
        f"  reader cold {size.cold:.2f} s {rounded(size.cold_runs)} "
        f"(first row {size.cold_first_row:.2f} s); floor {size.cold_floor:.2f} s",
        flush=True,
    )
    warm_starts(size, feed, cache, state, runs, nb)
    print(f"  warm start s: reader {rounded(size.warm)}, floor {rounded(size.warm_floor)}, "
          f"newsboat {rounded(size.newsboat_warm)}", flush=True)  # fmt: skip
    filters(size, feed, cache, state, gap)
    print(f"  typed ms: reader {rounded(size.typed, 1000)}, "
          f"floor {rounded(size.typed_floor, 1000)}", flush=True)  # fmt: skip
    listing(size, feed, cache, state, nb)
    return size


# --- the table ----------------------------------------------------------------------------


NONE = "-"  # no figure


def seconds(value: float | None) -> str:
    return NONE if value is None else f"{value:.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return NONE if a is None or not b else f"{a / b:.2f}"


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rows(s: Size) -> list[tuple[str, str, str, str, str, str, str]]:
    """(workload, newsboat, reader, floor, reader/newsboat, reader/floor, goal) for one size."""
    n = f"{s.count:,}"
    warm, floor = statistics.median(s.warm), statistics.median(s.warm_floor)
    nb_warm = statistics.median(s.newsboat_warm) if s.newsboat_warm else None
    typed50, typed95 = p(s.typed, 0.5), p(s.typed, 0.95)
    floor50 = statistics.median(s.typed_floor)
    listing = statistics.median(s.listing)
    return [
        (f"warm start, launch -> first row (tmux), {n}", seconds(nb_warm), seconds(warm),
         f"bare app {seconds(floor)}", ratio(warm, nb_warm), ratio(warm, floor),
         GOALS["warm start"]),
        (f"cold load, empty cache -> all counted, {n}", seconds(s.newsboat_cold), seconds(s.cold),
         f"PyYAML C only {seconds(s.cold_floor)}", ratio(s.cold, s.newsboat_cold),
         ratio(s.cold, s.cold_floor), GOALS["cold load"]),
        (f"cold load: first row, {n}", NONE, seconds(s.cold_first_row), NONE, NONE, NONE,
         GOALS["first row, cold"]),
        (f"filter, 5-letter word typed -> list updated (tmux), {n}", NONE,
         f"p50 {typed50 * 1000:.0f} ms, p95 {typed95 * 1000:.0f} ms, "
         f"max {max(s.typed) * 1000:.0f} ms",
         f"bare Input {floor50 * 1000:.0f} ms", NONE, ratio(typed95, floor50), GOALS["filter p95"]),
        (f"peak memory (VmHWM), {n} loaded and filtered", f"{s.newsboat_rss_kb / 1024:.0f} MB",
         f"{s.hwm_kb / 1024:.0f} MB", NONE, ratio(s.hwm_kb, s.newsboat_rss_kb), NONE,
         GOALS["peak memory"]),
        (f"reader list --format json (warm cache), {n}",
         f"-x print-unread {seconds(s.newsboat_listing)}", seconds(listing), NONE,
         ratio(listing, s.newsboat_listing), NONE, GOALS["reader list json"]),
    ]  # fmt: skip


def print_table(sizes: list[Size]) -> None:
    print()
    print(tmux_bench.machine_line())
    print(f"newsboat: {newsboat_version()}")
    head = ("workload", "newsboat", "reader", "floor", "reader/newsboat", "reader/floor", "goal")
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for size in sizes:
        for row in rows(size):
            print("| " + " | ".join(row) + " |")


def newsboat_version() -> str:
    if not NEWSBOAT:
        return "not installed"
    out = subprocess.run([NEWSBOAT, "--version"], capture_output=True, text=True).stdout
    return out.splitlines()[0] if out else "unknown"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5, help="warm starts per size (default 5)")
    parser.add_argument("--key-gap", type=float, default=0.08, help="seconds between keys")
    parser.add_argument(
        "--cold-runs", type=int, default=1, help="cold loads per size, the median shown"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "reader-compare",
        help="caches, RSS copies and newsboat's files (kept for the next run)",
    )
    parser.add_argument(
        "--source",
        action="store_true",
        help="do not compile the reader's bytecode first (see bench_start.py)",
    )
    parser.add_argument("--stories-only", action="store_true", help="only the stories' costs")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(tmux_bench.machine_line(), flush=True)
    stories = [bench_stories.measure(n, args.workdir, args.runs) for n in args.sizes]
    if args.stories_only:
        bench_stories.print_rows(stories)
        return
    if not args.source:
        tmux_bench.compile_bytecode()
    # not bench_start's server: both may run at once
    tmux_bench.SOCKET = os.environ.get("READER_BENCH_SOCKET", "readercompare")
    tmux_bench.start_server()
    try:
        sizes = [
            bench(count, args.runs, args.key_gap, args.workdir, args.cold_runs)
            for count in args.sizes
        ]
    finally:
        tmux_bench.kill_server()
    print_table(sizes)
    print()
    bench_stories.print_rows(stories)


if __name__ == "__main__":
    main()
