"""Precision and recall of the story grouping on the labelled real articles
(`tests/fixtures/stories/labels.json`), on two halves of the labelled stories and on all.

A rule tuned on some stories may only have learnt them: the stories are split in two halves
(in the order of a hash of their first id, each to the half with fewer pairs so far, so
that the halves weigh alike), one to tune on and one to check. A pair the grouping makes
counts in a half when either article belongs to it (an article in no story by the hash of
its id); pairs inside one `uncertain` entry, and not in one story, are left out (as in
tests/core/test_stories.py).

`python benchmarks/stories_recall.py [--wrong] [--signals] [--subsets]`: with `--wrong`, the
merged pairs of different news are printed, and the labelled stories left in pieces; with
`--signals`, how often same-story pairs and pairs of different news carry each evidence of
the `related` lists, and at what overlap of rare words (see `signals`); with `--subsets`,
the scores on each folder and pair of folders alone (see `subsets`).
"""

from __future__ import annotations

import argparse
import itertools
import json
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from reader.core.loader import load_feed
from reader.core.model import Article
from reader.core.stories.features import StoryKeys, keys_of
from reader.core.stories.grouping import document_frequencies, group
from reader.core.stories.rule import EVENT_DAYS, idf_from, linked, overlap

STORIES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "stories"
Pair = tuple[str, str]


def _crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8"))


def halves(labels: dict[str, Any], articles: dict[str, Article]) -> dict[str, int]:
    """Each article's half, 0 or 1 (see the module's docstring)."""
    half: dict[str, int] = {}
    pairs = [0, 0]
    for story in sorted(labels["stories"], key=lambda s: _crc(min(s["ids"]))):
        side = 0 if pairs[0] <= pairs[1] else 1
        pairs[side] += len(story["ids"]) * (len(story["ids"]) - 1) // 2
        half.update((article_id, side) for article_id in story["ids"])
    for article_id in articles:
        half.setdefault(article_id, _crc(article_id) % 2)
    return half


def scored(stories: list[tuple[str, ...]], labels: dict[str, Any]) -> tuple[set[Pair], set[Pair]]:
    """The labelled same-story pairs, and the scored pairs the grouping made."""
    gold = {p for s in labels["stories"] for p in itertools.combinations(sorted(s["ids"]), 2)}
    unsure = [set(u["ids"]) for u in labels["uncertain"]]
    made = {
        pair
        for story in stories
        for pair in itertools.combinations(story, 2)
        if pair in gold or not any(pair[0] in u and pair[1] in u for u in unsure)
    }
    return gold, made


def _labelled() -> tuple[dict[str, Any], dict[str, Article]]:
    labels = json.loads((STORIES / "labels.json").read_text(encoding="utf-8"))
    articles: dict[str, Article] = {}
    for folder in labels["folders"]:
        articles.update((a.id, a) for a in load_feed(STORIES / folder).articles)
    return labels, articles


def _evidence(keys: dict[str, StoryKeys]) -> dict[str, set[str]]:
    """Who names each article in a `related` list (by its URL or title), by id."""
    naming: defaultdict[int, set[str]] = defaultdict(set)
    for item in keys.values():
        for named in item.related:
            naming[named].add(item.article_id)
    return {
        i: set().union(*(naming.get(own, set()) for own in k.links)) - {i} for i, k in keys.items()
    }


def signals() -> None:
    """For the labelled articles' pairs that the rule could join (two outlets within
    `EVENT_DAYS`; uncertain pairs left out), how many same-story pairs and pairs of different
    news are `linked` (one names the other), co-cited (a third article's `related` list
    names both) or co-citing (their lists name one article), and how many of each pass a
    bar of shared rare weight (`rule.overlap`) too: what the related lists add to the words."""
    labels, articles = _labelled()
    keys = {i: keys_of(a) for i, a in articles.items()}
    idf = idf_from(document_frequencies(keys.values()), len(keys))
    gold, _ = scored([], labels)
    unsure = [set(u["ids"]) for u in labels["uncertain"]]
    named_by = _evidence(keys)
    counts: Counter[tuple[str, bool]] = Counter()
    for a, b in itertools.combinations(sorted(keys), 2):
        ka, kb = keys[a], keys[b]
        if ka.day is None or kb.day is None or abs(ka.day - kb.day) > EVENT_DAYS:
            continue
        same = (a, b) in gold
        if ka.provider == kb.provider or (not same and any(a in u and b in u for u in unsure)):
            continue
        share = overlap(ka, kb, idf)[0]
        found = {
            "any pair": True,
            "linked": linked(ka, kb),
            "co-cited": bool(named_by[a] & named_by[b]),
            "co-citing": bool(ka.related & kb.related),
        }
        for name, holds in found.items():
            for bar in (0.0, 0.1, 0.15, 0.2):
                counts[(f"{name}, overlap >= {bar}", same)] += holds and share >= bar
    for name in sorted({name for name, _ in counts}):
        print(f"{name}: {counts[(name, True)]} same-story, {counts[(name, False)]} different")


def subsets() -> None:
    """The labels' scores on each folder and pair of folders alone: other feeds, so other
    weights of the words (a word rare among 179 articles may be common among 350). A rule
    that only holds on the union it was tuned on merges different news in these."""
    labels, articles = _labelled()
    folder_of = {a.id: folder for folder in labels["folders"] for a in _folder(folder)}
    for size in (1, 2):
        for folders in itertools.combinations(labels["folders"], size):
            chosen = {i: a for i, a in articles.items() if folder_of[i] in folders}
            gold, made = scored(group(keys_of(a) for a in chosen.values()), labels)
            gold = {p for p in gold if p[0] in chosen and p[1] in chosen}
            wrong = sorted(made - gold)
            print(
                f"{' + '.join(folders)}: {len(made & gold)} of {len(gold)} same-story pairs,"
                f" {len(wrong)} of different news"
            )
            for a, b in wrong:
                print(f"  merged: {chosen[a].title!r} | {chosen[b].title!r}")


def _folder(folder: str) -> list[Article]:
    return list(load_feed(STORIES / folder).articles)


def report(wrong: bool) -> None:
    labels, articles = _labelled()
    stories = group(keys_of(a) for a in articles.values())
    gold, made = scored(stories, labels)
    half = halves(labels, articles)
    for name, side in (("half 0", 0), ("half 1", 1), ("whole", None)):
        pairs = {p for p in gold if side is None or half[p[0]] == side}
        found = {p for p in made if side is None or side in (half[p[0]], half[p[1]])}
        right, merged = len(found & pairs), len(found - gold)
        precision = right / (right + merged) if right + merged else 1.0
        print(
            f"{name}: {right} of {len(pairs)} same-story pairs grouped (recall"
            f" {right / len(pairs):.3f}), {merged} of different news (precision {precision:.3f})"
        )
    if wrong:
        for a, b in sorted(made - gold):
            print(f"merged: {articles[a].title!r} | {articles[b].title!r}")
        for story in labels["stories"]:
            pieces = [
                len(set(s) & set(story["ids"])) for s in stories if set(s) & set(story["ids"])
            ]
            print(f"{len(story['ids'])} in pieces {pieces}: {story['reason']}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", action="store_true", help="print what is wrong or apart")
    parser.add_argument("--signals", action="store_true", help="measure the related lists")
    parser.add_argument("--subsets", action="store_true", help="score each folder alone too")
    options = parser.parse_args()
    report(options.wrong)
    if options.signals:
        signals()
    if options.subsets:
        subsets()
