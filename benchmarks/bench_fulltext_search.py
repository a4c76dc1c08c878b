"""What stored full texts cost the filter: N articles (default 10,000), each with a stored
text of about 600 words (the made-up vocabulary of `bench_query`), in a fresh text store.

Prints the time to store them, the file's size, the time to open the store (what a start
pays: nothing is read), the time to make the texts' word index (`TextStore.build_words`,
which the app runs in a thread), and, for queries typed one character at a time as the filter bar
filters them (with the app's search index), the p50 and p95 per keystroke with and without
the texts, and the matches of the last keystroke. Nothing here asserts on time.

Then a later start: the store opened again, the same queries typed before its word
index is made or read back in this process (what the first keys after a start meet: SQLite,
or the index the store kept in its file), and the time `build_words` takes then.

With TEXTS, only the first TEXTS articles have a stored text (all N by default).
`--against CHECKOUT` runs the whole with this checkout's code and that one's, alternately,
ROUNDS times each (each in a process of its own, its code on PYTHONPATH).

    python benchmarks/bench_fulltext_search.py [N [TEXTS]] [--against CHECKOUT [--rounds R]]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_query import _vocabulary, _words, build_articles
from reader.core.fulltext.store import TextStore
from reader.core.model import ArticleSummary
from reader.core.query import QueryError, parse_query
from reader.core.query.index import SearchIndex

# Runs this script with the reader of another checkout (see `main`).
_LAUNCH = """
import runpy, sys
sys.path.insert(0, {repo!r})
import reader
assert reader.__file__.startswith({repo!r}), reader.__file__
sys.argv = [{script!r}, *{sizes!r}]
runpy.run_path({script!r}, run_name="__main__")
"""
TYPED = ["robot", "climate change", '"open source model"', "kalomi -robot", "vision OR space"]


def _store(path: Path, count: int) -> TextStore:
    rng = random.Random(7)
    vocabulary = _vocabulary(rng)
    store = TextStore.open(path)
    started = time.perf_counter()
    for n in range(count):
        paragraphs = [_words(rng, 100, vocabulary).capitalize() + "." for _ in range(6)]
        store.put(f"https://example.com/{n}", f"id{n}", "\n\n".join(paragraphs), "")
    took = time.perf_counter() - started
    size = path.stat().st_size + Path(f"{path}-wal").stat().st_size
    print(f"{count} texts stored in {took:.1f} s; the file holds {size / 2**20:.0f} MB")
    return store


def _typed(
    text: str, articles: list[ArticleSummary], texts: TextStore | None
) -> tuple[list[float], int]:
    index = SearchIndex(articles)
    index.build_words()
    times: list[float] = []
    found = 0
    for end in range(1, len(text) + 1):
        try:
            query = parse_query(text[:end])
        except QueryError:
            continue
        started = time.perf_counter()
        found = len(query.filter(articles, None, index, texts))
        times.append(time.perf_counter() - started)
    return times, found


def _print_typed(store: TextStore, articles: list[ArticleSummary], labels: bool = True) -> None:
    for text in TYPED:
        for label, texts in (("summaries", None), ("with texts", store)):
            if texts is None and not labels:
                continue
            times, found = _typed(text, articles, texts)
            p50 = statistics.median(times) * 1e3
            p95 = sorted(times)[int(0.95 * (len(times) - 1))] * 1e3
            print(f"{text:22} {label:10} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {found} found")


def _later_start(path: Path, articles: list[ArticleSummary]) -> None:
    """The store opened again: keys typed before `build_words`, then `build_words`."""
    print("a later start, keys typed before the word index is made or read back:")
    with TextStore.open(path) as store:
        _print_typed(store, articles, labels=False)
    with TextStore.open(path) as store:
        started = time.perf_counter()
        store.build_words()
        print(f"a later start's build_words: {(time.perf_counter() - started) * 1e3:.0f} ms")


def run(count: int = 10_000, stored: int | None = None) -> None:
    articles = build_articles(count)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "texts.db"
        _store(path, count if stored is None else stored).close()
        started = time.perf_counter()
        store = TextStore.open(path)
        print(f"opening the store: {(time.perf_counter() - started) * 1e3:.1f} ms")
        with store:
            started = time.perf_counter()
            store.build_words()
            print(f"the texts' word index made in {time.perf_counter() - started:.1f} s")
            _print_typed(store, articles)
        _later_start(path, articles)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sizes", type=int, nargs="*", help="N, then TEXTS")
    parser.add_argument("--against", type=Path, default=None, help="another checkout too")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each with --against")
    args = parser.parse_args(argv)
    if args.against is None:
        run(*args.sizes[:2])
        return
    this = Path(__file__).resolve().parents[1]
    for round_ in range(args.rounds):
        for label, repo in (("this", this), ("against", args.against.resolve())):
            print(f"--- round {round_ + 1}, {label} ({repo}) ---", flush=True)
            # `reader` imported from `repo` first: bench_query puts this checkout first on
            # sys.path, and the package's submodules then still come from `repo`.
            sizes = [str(size) for size in args.sizes[:2]]
            launch = _LAUNCH.format(repo=str(repo), script=__file__, sizes=sizes)
            subprocess.run([sys.executable, "-c", launch], check=True, cwd=repo)


if __name__ == "__main__":
    main()
