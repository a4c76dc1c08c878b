"""How fast the query language filters a large feed.

Builds N (default 100,000) synthetic `ArticleSummary` objects in memory with a fixed seed
(titles of 8-12 words, ~300-character excerpts folded into `search_text`, 1-3 topics out
of 15, 200 providers, qualities 0-160 with a few missing, dates over 3 years with a few
missing), then for each typical query measures, over `--repeats` runs:

* parse: `parse_query(text)` alone (tokenise, build the tree, compile the predicate);
* parse+filter: `parse_query(text).filter(articles, marks)`, what the filter bar does on
  each keystroke;

and prints their p50 and p95, the number of matches, and beside them the p50 of one plain
hand-written list comprehension doing the same test (for `robot`:
`[a for a in arts if "robot" in a.search_text]`), with the ratio parse+filter / plain.
The plain pass is checked to find the same articles. Nothing here asserts on time.

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
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reader.model import Article, ArticleSummary, Provider, fold, summarize  # noqa: E402
from reader.query import parse_query  # noqa: E402

UTC = timezone.utc
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
    for word in CONTENT + ["climate change", "open source model", "computer vision"]:
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
        published = None if rng.random() < 0.02 else start + timedelta(
            seconds=rng.randrange(3 * 365 * 86400)
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
            a for a in arts
            if "open" in a.search_text and "model" in a.search_text and _has_topic(a, "ai")
        ],
    ),  # fmt: skip
    (
        "-topic:ai climate",
        lambda arts, m: [a for a in arts if "climate" in a.search_text and not _has_topic(a, "ai")],
    ),
    (
        "after:2023-01-01 before:2023-07-01",
        lambda arts, m: [
            a for a in arts
            if a.published is not None and A20230101 <= a.published < A20230701
        ],
    ),  # fmt: skip
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
            a for a in arts
            if "times" in fold(a.provider_name) or "times" in fold(a.provider_domain)
        ],
    ),  # fmt: skip
    (
        "is:unread -is:starred",
        lambda arts, m: [a for a in arts if not m.is_read(a.id) and not m.is_starred(a.id)],
    ),
]


def _time_pair(
    ours: Callable[[], object], plain: Callable[[], object], repeats: int
) -> tuple[list[float], object, list[float], object]:
    """Times both, alternating, so that a busy machine slows both alike."""
    ours_times, plain_times = [], []
    found = expected = None
    for _ in range(repeats):
        start = time.perf_counter()
        found = ours()
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        expected = plain()
        plain_times.append(time.perf_counter() - start)
    return ours_times, found, plain_times, expected


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="number of summaries")
    parser.add_argument("--repeats", type=int, default=30, help="runs per measurement")
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
    print(
        f"Python {platform.python_version()}, {args.n:,} summaries "
        f"(mean search_text {mean_text:.0f} chars, built in {build_time:.1f} s), "
        f"{args.repeats} repeats; times in ms"
    )
    header = (
        f"{'query':<36} {'parse p50':>9} {'p95':>6} {'parse+filter p50':>16} {'p95':>6} "
        f"{'matches':>8} {'plain p50':>9} {'ratio':>6}  same"
    )
    print(header)
    print("-" * len(header))
    gc.collect()
    gc.disable()  # collections of the created lists would only add noise
    try:
        for text, plain in CASES:
            parse_times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                parse_query(text, now=NOW)
                parse_times.append(time.perf_counter() - start)
            full_times, found, plain_times, expected = _time_pair(
                lambda: parse_query(text, now=NOW).filter(arts, marks),
                lambda: plain(arts, marks),
                args.repeats,
            )
            assert isinstance(found, list)
            same = "yes" if found == expected else "NO"
            full, reference = _p(full_times, 0.5), _p(plain_times, 0.5)
            parse50, parse95 = _p(parse_times, 0.5), _p(parse_times, 0.95)
            print(
                f"{text:<36} {parse50 * 1e3:>9.3f} {parse95 * 1e3:>6.3f} "
                f"{full * 1e3:>16.2f} {_p(full_times, 0.95) * 1e3:>6.2f} {len(found):>8,} "
                f"{reference * 1e3:>9.2f} {full / reference:>6.2f}  {same}"
            )
            gc.collect()
    finally:
        gc.enable()


if __name__ == "__main__":
    main()
