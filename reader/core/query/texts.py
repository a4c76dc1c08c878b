"""Filtering with the stored full texts: a word or a phrase also matches an article whose
fetched text contains it.

The texts are not in memory: the store (`reader.core.fulltext.store.TextStore`) answers,
per term, the page URLs and ids of the texts that contain it, from its trigram index. With
a search index over the articles, each top-level term's answer is the index's positions
joined with those of the texts' hits, and the AND, OR and NOT of the plan are taken on
those sets; the other terms (compiled with the texts too, as a term inside an OR with a
date may be a word) are tested on the articles left. Without one, the query is compiled
with each term's hits as constants. The result is the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence

from reader.core.model import ArticleSummary
from reader.core.query.compile import Marks, Plan, TextMatcher, build, run_filter
from reader.core.query.index import Key, SearchIndex
from reader.core.query.parse import AllOf


def filter_with_texts(
    tree: AllOf,
    plan: Plan | None,
    articles: Sequence[ArticleSummary],
    marks: Marks,
    index: SearchIndex | None,
    texts: TextMatcher,
) -> list[ArticleSummary]:
    """The articles matching the query when stored texts count as part of each article."""
    kept = index is not None and index.covers(articles) and index.keeps_texts
    answers = index.object_ids if kept and index is not None else None
    if plan is None or index is None or not index.covers(articles):
        return run_filter(build(tree, texts, answers), articles, marks)
    chosen = [articles[i] for i in sorted(_select(plan, index, texts))]
    if plan.rest is None:
        return chosen
    return run_filter(build(plan.rest.tree, texts, answers), chosen, marks)


def _select(plan: Plan, index: SearchIndex, texts: TextMatcher) -> set[int]:
    """The positions matching the plan's words and phrases, in the articles or their texts."""

    def positions(key: Key) -> set[int]:
        found = set(index.candidates(key))
        hits = texts.matching(*key)
        return found | index.positions_of(hits) if hits else found

    left: set[int] | None = None
    for key in dict.fromkeys(plan.every):
        found = positions(key)
        left = found if left is None else left & found
        if not left:
            return set()
    for group in plan.any_of:
        if any(not key[0] for key in group):
            continue  # an empty word matches everything
        found = set().union(*(positions(key) for key in dict.fromkeys(group)))
        left = found if left is None else left & found
    if left is None:
        left = set(range(len(index)))
    for key in dict.fromkeys(plan.none_of):
        left -= positions(key) if key[0] else left
    return left
