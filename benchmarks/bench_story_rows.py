"""What one filter keystroke costs the app for its story rows, beside every article alone.

The app's list, on each keystroke, asks the view for the articles that match, then (showing
stories) for the story rows of those, their count for the header, and a screenful of rows
to draw. This measures both in one process on made-up summaries (N articles, a tenth of them
with one to three copies, the stories given: grouping itself is `bench_stories.py`'s), each
query typed letter by letter as a user types it, then cleared, median of `--runs` per step:

- articles: `FeedView.articles()` for the new query (what the list shows without stories);
- rows: `story_rows()`, the story count and the first 40 rows made (what stories add);
- again: the same, asked again for the same query (a redraw after a mark or a move);
- sidebar: `FeedView.sidebar()` counting articles only (every article alone), and
  sidebar+stories: the same counting each entry's stories too (what stories add to it);
- marked and marked+stories: the two again after one article more is read (what a read
  costs the sidebar: the articles shown are the same).

Nothing is asserted.

    python benchmarks/bench_story_rows.py [--size 100000] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from reader.core.library import Library
from reader.core.model import ArticleSummary
from reader.core.query import parse_query
from reader.core.storage.state import StateStore
from reader.core.view import FeedView

WORDS = "robot market vision chip cloud model startup health climate energy space grid".split()
TOPICS = [f"Topic {n}" for n in range(40)]
TYPED = ("robot", "chip cloud")
SCREENFUL = 40


def summary(
    article_id: str, title: str, outlet: int, when: datetime, quality: int
) -> ArticleSummary:
    name, domain = f"outlet{outlet}", f"outlet{outlet}.example"
    path, text = f"{article_id}.md", title.lower()
    topics = tuple(TOPICS[(quality + n * 7) % len(TOPICS)] for n in range(1 + quality % 3))
    return ArticleSummary(
        article_id, path, title, None, name, domain, when, quality, None, topics, text
    )


def made_up(count: int, seed: int = 7) -> tuple[list[ArticleSummary], list[tuple[str, ...]]]:
    """`count` summaries, a tenth of them with one to three copies, and their stories."""
    rng, day = random.Random(seed), datetime(2024, 1, 1, tzinfo=UTC)
    summaries: list[ArticleSummary] = []
    groups: list[tuple[str, ...]] = []
    while len(summaries) < count:
        title = " ".join(rng.sample(WORDS, 4)) + f" {len(summaries)}"
        copies = rng.randint(1, 3) if rng.random() < 0.1 else 0
        ids = [f"a{len(summaries) + n}" for n in range(copies + 1)]
        for n, article_id in enumerate(ids):
            when = day - timedelta(hours=len(summaries))
            summaries.append(summary(article_id, title, n, when, rng.randint(0, 200)))
        if copies:
            groups.append(tuple(sorted(ids)))
    return summaries[:count], groups


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def story_work(view: FeedView) -> None:
    rows = view.story_rows()
    len(rows)
    rows[:SCREENFUL]


def measure(size: int, runs: int) -> None:
    summaries, groups = made_up(size)
    library = Library()
    library.add_summaries(summaries)
    library.set_stories(groups)
    store = StateStore()
    view = FeedView(library, store)
    view.library.sorted(view.order)
    # Each query typed letter by letter, then cleared (escape: every article again).
    steps = [step for word in TYPED for step in (*(word[:n] for n in range(1, len(word) + 1)), "")]
    costs: dict[str, list[float]] = {
        "articles": [], "rows": [], "again": [], "sidebar": [], "sidebar+stories": [],
        "marked": [], "marked+stories": [],
    }  # fmt: skip
    for run in range(runs):
        for step, text in enumerate(steps):
            view.query = parse_query(text)
            costs["articles"].append(timed(view.articles))
            costs["rows"].append(timed(lambda: story_work(view)))
            costs["again"].append(timed(lambda: story_work(view)))
            for name, counted in (("sidebar", False), ("sidebar+stories", True)):
                view.count_stories = counted
                costs[name].append(timed(view.sidebar))
            for name, counted in (("marked", False), ("marked+stories", True)):
                view.count_stories = counted
                view.sidebar()
                store.set_read(summaries[run * len(steps) + step].id)
                costs[name].append(timed(view.sidebar))
    shown = len(view.articles())
    print(f"N = {size:,} articles, {len(groups):,} stories of copies; {len(steps)} keystrokes"
          f" x {runs} runs (the last query shows {shown:,} articles)")  # fmt: skip
    for name, values in costs.items():
        median, top = statistics.median(values) * 1000, max(values) * 1000
        print(f"  {name:15} median {median:6.1f} ms, max {top:6.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    measure(args.size, args.runs)


if __name__ == "__main__":
    main()
