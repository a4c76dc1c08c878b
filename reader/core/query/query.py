"""`Query`, the parsed and compiled query the app and `reader list` filter with.

`parse_query` raises `QueryError` (with a message and a 0-based position) and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import compress
from operator import itemgetter
from typing import Literal

from reader.core.model import ArticleSummary, Picked, held_texts
from reader.core.query.compile import (
    NO_MARKS,
    Compiled,
    Marks,
    Plan,
    TextMatcher,
    build,
    make_plan,
    run_filter,
)
from reader.core.query.index import SearchIndex
from reader.core.query.parse import AllOf, AnyOf, Node, Not, Text, needs_marks, parse_tree
from reader.core.query.words import bit_positions, bits_mask

# --- The public face --------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed query; build it with `parse_query` (`Query(text)` parses with now = now)."""

    text: str
    uses_marks: bool = field(default=False, compare=False)
    _compiled: Compiled | None = field(default=None, repr=False, compare=False)
    # How to filter with a search index: made on first use; False when it cannot help.
    _plan: Plan | Literal[False] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._compiled is None:
            parsed = parse_query(self.text)
            object.__setattr__(self, "uses_marks", parsed.uses_marks)
            object.__setattr__(self, "_compiled", parsed._compiled)

    @property
    def tree(self) -> AllOf:
        """The parsed terms (an AND of terms, ORs and negations)."""
        assert self._compiled is not None
        return self._compiled.tree

    @property
    def is_empty(self) -> bool:
        """True when the query has no terms and so matches everything."""
        return not self.tree.terms

    def highlight_terms(self) -> tuple[str, ...]:
        """The folded words and phrases a match shows (not those under a `-`), longest first."""
        found: list[str] = []
        _collect_texts(self.tree, found)
        return tuple(sorted(set(found), key=len, reverse=True))

    def matches(self, article: ArticleSummary, marks: Marks | None = None) -> bool:
        """Whether the article matches; without marks nothing is read or starred."""
        compiled = self._compiled
        assert compiled is not None
        marks = NO_MARKS if marks is None else marks
        try:
            return compiled.match(article, marks)
        except TypeError:
            if compiled.safe_match is None:
                raise
            return compiled.safe_match(article, marks)

    def filter(
        self,
        articles: Sequence[ArticleSummary],
        marks: Marks | None = None,
        index: SearchIndex | None = None,
        texts: TextMatcher | None = None,
    ) -> list[ArticleSummary]:
        """The matching articles, in their input order.

        With a `SearchIndex` made over this very sequence (`index.covers(articles)`), the
        words and phrases of the query are answered by the index, which remembers its
        answers, and the other terms are tested only on the articles it gives; the result
        is the same. An index over anything else is ignored. With `texts` (the stored full
        texts), a word or phrase matches an article whose text contains it too.
        """
        compiled = self._compiled
        assert compiled is not None
        marks = NO_MARKS if marks is None else marks
        has_text = _has_text(self.tree)
        if has_text:
            index = _index_for(articles, index)
        if texts is not None and has_text:
            from reader.core.query.texts import filter_with_texts

            plan = self._index_plan() if index is not None else None
            return filter_with_texts(self.tree, plan, articles, marks, index, texts)
        if index is not None and index.covers(articles):
            plan = self._index_plan()
            if plan is not None:
                chosen = _chosen(articles, index, plan)
                if plan.rest is None:
                    return chosen
                return run_filter(rest_for(plan.rest, index), chosen, marks)
            if index.keeps_texts and has_text:  # the words are looked up, not searched for
                compiled = build(self.tree, answers=index.object_ids)
        return run_filter(compiled, articles, marks)

    def _index_plan(self) -> Plan | None:
        plan = self._plan
        if plan is None:
            plan = make_plan(self.tree) or False
            object.__setattr__(self, "_plan", plan)
        return plan or None


def _index_for(articles: Sequence[ArticleSummary], index: SearchIndex | None) -> SearchIndex | None:
    """The index given if it covers the articles; else one made for this query if their texts
    are kept in the cache (it reads them in blocks, not one by one); else None."""
    if index is not None and index.covers(articles):
        return index
    return SearchIndex(articles) if held_texts(articles) is None else index


def rest_for(rest: Compiled, index: SearchIndex) -> Compiled:
    """The plan's other terms, compiled to look their words up in the index when the texts
    are not held (a word inside an OR with a date, say)."""
    if not index.keeps_texts or not _has_text(rest.tree):
        return rest
    return build(rest.tree, answers=index.object_ids)


def _chosen(articles: Sequence[ArticleSummary], index: SearchIndex, plan: Plan) -> Picked:
    """The articles the plan's words and phrases give, by bitset when the index has one."""
    bits = index.select_bits(plan.every, plan.any_of, plan.none_of)
    if bits is not None:
        return _picked_by_bits(articles, bits)
    return _at(articles, index.select(plan.every, plan.any_of, plan.none_of))


class _PickedByBits(Picked):
    """Summaries picked with a bitset (`SearchIndex.select_bits`): their positions are made
    when first asked for (the sidebar's counts, once the list is drawn), not at each key."""

    __slots__ = ("_made",)

    def __init__(self, picked: Iterable[ArticleSummary], bits: int, source: object) -> None:
        super().__init__(picked, (), source, bits)
        self._made: Sequence[int] | None = None

    @property
    def positions(self) -> Sequence[int]:
        if self._made is None:
            self._made = bit_positions(self.bits or 0)
        return self._made

    @positions.setter
    def positions(self, positions: Sequence[int]) -> None:
        self._made = positions


def _picked_by_bits(articles: Sequence[ArticleSummary], bits: int) -> Picked:
    """The articles whose bit is set: one C pass over a mask of them (~2 ms at 100,000),
    where making the positions and picking at them cost ~8 ms for a word in most articles."""
    if bits.bit_count() == len(articles):
        return Picked(articles, range(len(articles)), articles, bits)
    # Made from the iterator itself: a list made first was copied again (every pick a
    # second time, ~3 ms for a word in most of 100,000 articles).
    return _PickedByBits(compress(articles, bits_mask(bits)), bits, articles)


def _at(articles: Sequence[ArticleSummary], positions: Sequence[int]) -> Picked:
    """The articles at these positions: one C call (itemgetter), 10x a map of getitem;
    remembering the positions (see `model.Picked`).

    As many positions as articles are all of them (they are ascending and distinct): the
    first letter of a word matches every article, and a copy costs a tenth of picking.
    """
    if len(positions) == len(articles):
        return Picked(articles, positions, articles)
    if len(positions) < 2:
        return Picked([articles[i] for i in positions], positions, articles)
    return Picked(itemgetter(*positions)(articles), positions, articles)


def _has_text(node: Node) -> bool:
    """Whether a word or a phrase is anywhere in the tree (under a `-` too)."""
    if isinstance(node, Text):
        return bool(node.text)
    if isinstance(node, Not):
        return _has_text(node.term)
    return isinstance(node, (AllOf, AnyOf)) and any(map(_has_text, node.terms))


def _collect_texts(node: Node, found: list[str]) -> None:
    if isinstance(node, Text):
        found.append(node.text)
    elif isinstance(node, (AllOf, AnyOf)):
        for term in node.terms:
            _collect_texts(term, found)


def parse_query(text: str, *, now: datetime | None = None, marks_available: bool = True) -> Query:
    """Parse and compile a query; raises QueryError, and nothing else, for a bad one.

    `now` anchors relative dates (`after:7d`); it defaults to the current time, and a
    naive `now` is taken as UTC. With `marks_available` False an `is:` term is an error,
    since the reading state it needs is not there.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    tree = parse_tree(text, now, marks_available)
    return Query(text, needs_marks(tree), build(tree))
