"""How fast the query language filters a large feed.

Builds N (default 100,000) synthetic `ArticleSummary` objects in memory with a fixed seed
(titles of 8-12 words, ~300-character excerpts folded into `search_text`, 1-3 topics out
of 15, 200 providers, qualities 0-160 with a few missing, dates over 3 years with a few
missing), then for each typical query measures, over `--repeats` runs:

* parse: `parse_query(text)` alone (tokenise, build the tree, compile the predicate);
* no index: `parse_query(text).filter(articles, marks)`, scanning every article;
* index, cold: the same with a `SearchIndex` over the articles that remembers nothing yet
  (`index.clear()` before each run): a query whose words were never searched;
* index, warm: the same query again, its words remembered: what redrawing the list costs
  after a mark changes, or the next keystroke when it adds a term;
* typed: the query typed one character at a time, every prefix that parses filtered as
  the filter bar would without its debounce; the p95 per keystroke, without an index and
  with one that starts cold (the slowest keystrokes are the one- and two-letter words,
  which CPython's substring search scans slowest);

and prints their p50 and p95, the number of matches, and beside them the p50 of one plain
hand-written list comprehension doing the same test (for `robot`:
`[a for a in arts if "robot" in a.search_text]`), with the ratios no index / plain and
cold index / plain. Both paths are checked to find the same articles as the plain pass.
The time to make the index is printed once. Nothing here asserts on time.

    .venv/bin/python benchmarks/bench_query.py [--n 100000] [--repeats 30]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import platform
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.core.model import Article, ArticleSummary, Provider, fold, summarize
from reader.core.query import QueryError, parse_query
from reader.core.query.index import SearchIndex

NOW = datetime(2024, 6, 1, tzinfo=UTC)

TOPICS = [
    "AI", "Climate", "Computer Vision", "Economy", "Politics", "Health", "Science", "Space",
    "Sport", "Culture", "Security", "Energy", "Education", "Transport", "Économie",
]  # fmt: skip
COMMON = (
    "the a of to in and for on with is at by from as that new how why after over about "
    "says could will more than into its their this report year people world first time"
).split()
CONTENT = (
    "robot model open climate change data government market energy study research city "
    "police school court vote election health virus vaccine space rocket launch team match "
    "player film music book art museum bank price inflation oil gas solar wind battery car "
    "train airport flight war peace talks deal trade tax budget law privacy security attack "
    "software chip phone network internet video game startup investor fund growth jobs "
    "Málaga café résumé naïve São Paulo Zürich Kraków"
).split()


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """About 3,000 made-up words plus the content words, with Zipf-like cumulative weights.

    The content words (`robot`, `climate`...) get ranks between 20 and 600, so each turns
    up in a few percent to a third of the articles, as real news words do.
    """
    syllables = "ka lo mi ne su ta ri po ve da shi an ter mon lis gra cho bel".split()
    made = sorted({"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(3500)})
    rng.shuffle(made)
    vocabulary = made[:3000]
    for word in [*CONTENT, "climate change", "open source model", "computer vision"]:
        vocabulary.insert(rng.randint(20, 600), word)
    weights = [1.0 / (rank + 10) for rank in range(len(vocabulary))]
    cumulative = list(itertools.accumulate(weights))
    return vocabulary, cumulative


def _words(rng: random.Random, count: int, vocabulary: tuple[list[str], list[float]]) -> str:
    words, cumulative = vocabulary
    picked = rng.choices(words, cum_weights=cumulative, k=count)
    picked[::2] = rng.choices(COMMON, k=len(picked[::2]))  # every other word: the, of, says...
    return " ".join(picked)


def build_articles(n: int, seed: int = 20240601) -> list[ArticleSummary]:
    rng = random.Random(seed)
    providers = [
        Provider(f"{rng.choice(['The', 'Daily', 'Global', 'Reason', 'Wired', 'Le'])} "
                 f"{rng.choice(['Times', 'Post', 'Herald', 'Monde', 'Wire', 'News'])} {i}",
                 f"site{i}.example.com")
        for i in range(200)
    ]  # fmt: skip
    start = NOW - timedelta(days=3 * 365)
    vocabulary = _vocabulary(rng)
    articles = []
    for i in range(n):
        title = _words(rng, rng.randint(8, 12), vocabulary).capitalize()
        excerpt = _words(rng, 60, vocabulary)[:300]
        published = (
            None
            if rng.random() < 0.02
            else start + timedelta(seconds=rng.randrange(3 * 365 * 86400))
        )
        articles.append(
            summarize(
                Article(
                    id=f"id{i}",
                    path=f"feed/{i}.md",
                    title=title,
                    excerpt=excerpt,
                    published=published,
                    url=f"https://example.com/{i}",
                    quality=None if rng.random() < 0.03 else rng.randint(0, 160),
                    heat=rng.randint(0, 100),
                    provider=rng.choice(providers),
                    topics=tuple(rng.sample(TOPICS, rng.randint(1, 3))),
                )
            )
        )
    return articles


@dataclass
class SetMarks:
    read: set[str]
    starred: set[str]

    def is_read(self, article_id: str) -> bool:
        return article_id in self.read

    def is_starred(self, article_id: str) -> bool:
        return article_id in self.starred


def _has_topic(article: ArticleSummary, name: str) -> bool:
    return any(fold(topic) == name for topic in article.topics)


CLIMATE_CHANGE = re.compile(r"climate\s+change").search
A20230101 = datetime(2023, 1, 1, tzinfo=UTC)
A20230701 = datetime(2023, 7, 1, tzinfo=UTC)

# (query, the plain comprehension a person would write for it)
Plain = Callable[[list[ArticleSummary], SetMarks], list[ArticleSummary]]
CASES: list[tuple[str, Plain]] = [
    ("robot", lambda arts, m: [a for a in arts if "robot" in a.search_text]),
    (
        "open model topic:ai",
        lambda arts, m: [
            a
            for a in arts
            if "open" in a.search_text and "model" in a.search_text and _has_topic(a, "ai")
        ],
    ),
    (
        "-topic:ai climate",
        lambda arts, m: [a for a in arts if "climate" in a.search_text and not _has_topic(a, "ai")],
    ),
    (
        "after:2023-01-01 before:2023-07-01",
        lambda arts, m: [
            a for a in arts if a.published is not None and A20230101 <= a.published < A20230701
        ],
    ),
    (
        "quality>=100",
        lambda arts, m: [a for a in arts if a.quality is not None and a.quality >= 100],
    ),
    # A phrase matches whatever whitespace separates its words (a line break, say).
    ('"climate change"', lambda arts, m: [a for a in arts if CLIMATE_CHANGE(a.search_text)]),
    (
        "robot OR rocket",
        lambda arts, m: [a for a in arts if "robot" in a.search_text or "rocket" in a.search_text],
    ),
    ("malaga", lambda arts, m: [a for a in arts if "malaga" in a.search_text]),
    (
        "provider:times",
        lambda arts, m: [
            a
            for a in arts
            if "times" in fold(a.provider_name) or "times" in fold(a.provider_domain)
        ],
    ),
    (
        "is:unread -is:starred",
        lambda arts, m: [a for a in arts if not m.is_read(a.id) and not m.is_starred(a.id)],
    ),
]


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _typed(
    text: str, index: SearchIndex | None, arts: list[ArticleSummary], marks: SetMarks
) -> list[float]:
    """Seconds per keystroke typing `text`, into a cold index if one is given (prefixes that
    do not parse are skipped)."""
    if index is not None:
        index.clear()
    times = []
    for end in range(1, len(text) + 1):
        start = time.perf_counter()
        try:
            parse_query(text[:end], now=NOW).filter(arts, marks, index)
        except QueryError:
            continue
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of summaries")
    parser.add_argument("--repeats", type=int, default=30, help="runs per measurement")
    parser.add_argument("--typed-repeats", type=int, default=3, help="runs of the typing test")
    args = parser.parse_args()

    build_start = time.perf_counter()
    arts = build_articles(args.n)
    build_time = time.perf_counter() - build_start
    rng = random.Random(7)
    marks = SetMarks(
        read={a.id for a in arts if rng.random() < 0.4},
        starred={a.id for a in arts if rng.random() < 0.05},
    )
    mean_text = statistics.fmean(len(a.search_text) for a in arts)
    index_times = []
    for _ in range(5):
        start = time.perf_counter()
        index = SearchIndex(arts)
        index_times.append(time.perf_counter() - start)
    print(
        f"Python {platform.python_version()}, {args.n:,} summaries "
        f"(mean search_text {mean_text:.0f} chars, built in {build_time:.1f} s), "
        f"{args.repeats} repeats; times in ms"
    )
    print(
        f"SearchIndex made in {_p(index_times, 0.5) * 1e3:.1f} ms (p50 of 5); it holds a list "
        f"of the {args.n:,} texts ({sys.getsizeof(index._texts) / 1e6:.1f} MB) and at most "
        f"{index.BUDGET_PER_ARTICLE * 4 * args.n / 1e6:.1f} MB of remembered answers"
    )
    header = (
        f"{'query':<36} {'parse':>6} {'no index':>8} {'p95':>6} {'cold':>6} {'p95':>6} "
        f"{'warm':>5} {'p95':>5} {'typed p95':>9} {'':>6} {'matches':>7} {'plain':>6} "
        f"{'no/pl':>5} {'cold/pl':>7}  same"
    )
    print(header)
    print(
        f"{'':<36} {'p50':>6} {'p50':>8} {'':>6} {'p50':>6} {'':>6} {'p50':>5} {'':>5} "
        f"{'no index':>9} {'index':>6} {'':>7} {'p50':>6}"
    )
    print("-" * len(header))
    gc.collect()
    gc.disable()  # collections of the created lists would only add noise
    try:
        for text, plain in CASES:
            parse_times, none_times, cold_times, warm_times = [], [], [], []
            plain_times, typed_plain, typed_index = [], [], []
            found = cold_found = warm_found = expected = None
            for _ in range(args.repeats):  # alternating, so that a busy machine slows all alike
                start = time.perf_counter()
                parse_query(text, now=NOW)
                parse_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                found = parse_query(text, now=NOW).filter(arts, marks)
                none_times.append(time.perf_counter() - start)
                index.clear()
                start = time.perf_counter()
                cold_found = parse_query(text, now=NOW).filter(arts, marks, index)
                cold_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                warm_found = parse_query(text, now=NOW).filter(arts, marks, index)
                warm_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                expected = plain(arts, marks)
                plain_times.append(time.perf_counter() - start)
            for _ in range(args.typed_repeats):
                typed_plain += _typed(text, None, arts, marks)
                typed_index += _typed(text, index, arts, marks)
            assert isinstance(found, list)
            same = "yes" if found == expected == cold_found == warm_found else "NO"
            reference = _p(plain_times, 0.5)
            print(
                f"{text:<36} {_p(parse_times, 0.5) * 1e3:>6.3f} "
                f"{_p(none_times, 0.5) * 1e3:>8.2f} {_p(none_times, 0.95) * 1e3:>6.2f} "
                f"{_p(cold_times, 0.5) * 1e3:>6.2f} {_p(cold_times, 0.95) * 1e3:>6.2f} "
                f"{_p(warm_times, 0.5) * 1e3:>5.2f} {_p(warm_times, 0.95) * 1e3:>5.2f} "
                f"{_p(typed_plain, 0.95) * 1e3:>9.2f} {_p(typed_index, 0.95) * 1e3:>6.2f} "
                f"{len(found):>7,} {reference * 1e3:>6.2f} "
                f"{_p(none_times, 0.5) / reference:>5.2f} {_p(cold_times, 0.5) / reference:>7.2f}"
                f"  {same}"
            )
            gc.collect()
    finally:
        gc.enable()


if __name__ == "__main__":
    main()
