"""The query language of the filter bar: parse a query once, match many summaries fast.

Plain Python, no Textual here. A query is a list of terms that must all match:

    robot                     the word appears in the title, excerpt, provider, topics or body
    "two words"               the phrase appears (any run of whitespace between its words)
    -term                     any term negated: -robot, -"a phrase", -topic:ai, -is:read
    topic:ai                  the article has that topic; topic:"computer vision"
    provider:reason           the provider name or domain contains it (alias source:)
    quality>=60               also >, <, <=, = (and quality:60, quality:>=60); alias q (q>=60);
                              articles without a quality never match a comparison
    after:2021-04-01          published on or after that day (UTC); after:7d = in the last
                              7 days (units h, d, w, m = 30 days, y = 365 days)
    before:2021-05-01         published strictly before that day; before:2w = older than 2 weeks;
                              articles without a date never match a date term
    is:unread is:read is:starred   the reading state (from a `Marks` object)
    a OR b                    either term; OR binds tighter than the implicit AND, so
                              `x a OR b` is x AND (a OR b); chains a OR b OR c

Matching is case- and accent-insensitive (everything goes through `reader.core.model.fold`).
`OR` is a keyword only in capitals; `or` is an ordinary word. An `OR` with no term before
or after it is an error. A `field:value` whose field is not one of ours (`foo:bar`) is an
ordinary word, searched as the whole text `foo:bar`. The empty query matches everything.

`parse_query` raises `QueryError` (with a message and a 0-based position) and nothing else.
The parsed query is compiled once into two small Python functions, one matching a single
summary and one filtering a whole list in a single list comprehension, so filtering
100,000 summaries costs about as much as the plain comprehension one would write by hand.
User text never enters the generated source: every value is passed in as a constant.

`Query.filter` may be given a `reader.core.query.index.SearchIndex` over the same articles: the
top-level words and phrases (plain, negated, or ORs of them) are then answered by the index,
which remembers its answers, and only the other terms are tested, on the articles it gives.
The result is the same; what changes is that a word already searched is not searched again.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from reader.core.model import ArticleSummary, fold
from reader.core.query.index import Key, SearchIndex, phrase_pattern

__all__ = [
    "Marks",
    "NoMarks",
    "Query",
    "QueryError",
    "parse_query",
    "MARK_STATES",
]


class QueryError(ValueError):
    """A query that cannot be parsed: what is wrong, and where (0-based) it starts."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at column {self.position + 1})"


class Marks(Protocol):
    """The reading state an `is:` term looks at."""

    def is_read(self, article_id: str) -> bool: ...

    def is_starred(self, article_id: str) -> bool: ...


class NoMarks:
    """A reading state in which nothing is read and nothing is starred.

    What an `is:` term sees when `matches`/`filter` are given no marks.
    """

    def is_read(self, article_id: str) -> bool:
        return False

    def is_starred(self, article_id: str) -> bool:
        return False


_NO_MARKS = NoMarks()

MARK_STATES: tuple[str, ...] = ("read", "unread", "starred")
MARKS_UNAVAILABLE = "is:read/unread/starred needs the reading state, which is not yet available"


# --- The tree a query parses to ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A word or a phrase, folded; `spaced` phrases match any whitespace between words."""

    text: str
    spaced: bool = False


@dataclass(frozen=True, slots=True)
class Topic:
    name: str  # folded, whitespace collapsed


@dataclass(frozen=True, slots=True)
class ProviderIs:
    needle: str  # folded, whitespace collapsed


@dataclass(frozen=True, slots=True)
class QualityIs:
    op: str  # one of >=, >, <=, <, ==
    value: int


@dataclass(frozen=True, slots=True)
class Published:
    after: bool  # True: on or after `cutoff`; False: strictly before it
    cutoff: datetime  # aware


@dataclass(frozen=True, slots=True)
class MarkIs:
    state: str  # one of MARK_STATES


@dataclass(frozen=True, slots=True)
class Not:
    term: Node


@dataclass(frozen=True, slots=True)
class AnyOf:
    terms: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AllOf:
    terms: tuple[Node, ...]


Node = Text | Topic | ProviderIs | QualityIs | Published | MarkIs | Not | AnyOf | AllOf


# --- Tokens -----------------------------------------------------------------------------


@dataclass(slots=True)
class _Token:
    start: int  # index of the token's first character (its first `-`, if any)
    is_or: bool = False
    negated: bool = False
    body_start: int = 0  # index after the leading dashes
    chunk: str = ""  # the unquoted text of the body ("" for a lone quoted phrase)
    quoted: str | None = None  # the text between quotes, if any
    quoted_start: int = 0  # index of the first character inside the quotes


def _tokens(text: str) -> Iterator[_Token]:
    """The terms and ORs of the text, in order; raises QueryError for a bad one."""
    n = len(text)
    i = 0
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        while i < n and text[i] == "-":
            i += 1
        negated = (i - start) % 2 == 1
        if i >= n or text[i].isspace():
            raise QueryError("'-' must be followed by a term, as in -word", start)
        if text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError("unclosed quote", i)
            yield _Token(start, False, negated, i, "", text[i + 1 : close], i + 1)
            i = close + 1
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] != '"':
            j += 1
        chunk = text[i:j]
        # A quote right after `field:` or an operator holds the value: topic:"a b".
        if j < n and text[j] == '"' and chunk[-1] in ":=<>":
            close = text.find('"', j + 1)
            if close < 0:
                raise QueryError("unclosed quote", j)
            yield _Token(start, False, negated, i, chunk, text[j + 1 : close], j + 1)
            i = close + 1
            continue
        if chunk == "OR" and i == start:
            yield _Token(start, is_or=True)
        else:
            yield _Token(start, False, negated, i, chunk)
        i = j


# --- Terms ------------------------------------------------------------------------------

_FIELD_RE = re.compile(r"([A-Za-z]+)(>=|<=|=|<|>|:)", re.ASCII)
_OP_PREFIX_RE = re.compile(r"(>=|<=|=|<|>)")
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)
_AGE_RE = re.compile(r"([0-9]+)([hdwmy])", re.ASCII)
_AGE_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1),
              "m": timedelta(days=30), "y": timedelta(days=365)}  # fmt: skip
_FIELDS = {
    "topic": "topic",
    "provider": "provider",
    "source": "provider",
    "quality": "quality",
    "q": "quality",
    "after": "after",
    "before": "before",
    "is": "is",
}


_FIELD_WORD_RE = re.compile(r"(?:^|\s)-?([A-Za-z]+)(?:>=|<=|=|<|>|:)", re.ASCII)


def field_hints(text: str) -> list[str]:
    """Hints for words that look like a mistyped field (`tpoic:ai`), which are searched as text."""
    hints: list[str] = []
    for match in _FIELD_WORD_RE.finditer(text):
        word = match.group(1).lower()
        if word in _FIELDS:
            continue
        close = difflib.get_close_matches(word, [name for name in _FIELDS if len(name) > 1], n=1, cutoff=0.6)
        if close:
            hints.append(f"{word}: is not a field (did you mean {close[0]}:?); searched as text")
    return hints


def _squash(text: str) -> str:
    """Folded, with every run of whitespace made one space and the ends stripped."""
    return " ".join(fold(text).split())


def _term(token: _Token, now: datetime, marks_available: bool) -> Node:
    node = _positive_term(token, now, marks_available)
    return Not(node) if token.negated else node


def _positive_term(token: _Token, now: datetime, marks_available: bool) -> Node:
    chunk, quoted = token.chunk, token.quoted
    match = _FIELD_RE.match(chunk)
    name = _FIELDS.get(match.group(1).lower()) if match else None
    op = match.group(2) if match else ""
    if match is None or name is None or (op != ":" and name != "quality"):
        # A word, a phrase, or an unknown field searched as plain text.
        if quoted is None:
            return Text(fold(chunk))
        phrase = _squash(chunk + quoted)
        return Text(phrase, spaced=" " in phrase)
    value = chunk[match.end() :]
    value_start = token.body_start + match.end()
    if quoted is not None:
        if not value:
            value_start = token.quoted_start
        value += quoted

    if name == "topic" or name == "provider":
        needle = _squash(value)
        if not needle:
            what = "a topic, as in topic:ai" if name == "topic" else "a name, as in provider:reason"
            raise QueryError(f"{match.group(1).lower()}: needs {what}", value_start)
        return Topic(needle) if name == "topic" else ProviderIs(needle)
    if name == "quality":
        return _quality(op, value, value_start)
    if name == "after" or name == "before":
        return _published(name, value, value_start, now)
    state = fold(value).strip()
    if state not in MARK_STATES:
        raise QueryError(
            f"is: must be one of {', '.join(MARK_STATES)}, got {value!r}", value_start
        )
    if not marks_available:
        raise QueryError(MARKS_UNAVAILABLE, token.body_start)
    return MarkIs(state)


def _quality(op: str, value: str, value_start: int) -> QualityIs:
    if op == ":":
        prefix = _OP_PREFIX_RE.match(value)
        op = prefix.group(1) if prefix else "="
        if prefix:
            value, value_start = value[prefix.end() :], value_start + prefix.end()
    number = value.strip()
    try:
        if not _INT_RE.fullmatch(number):
            raise ValueError(number)
        parsed = int(number)
    except ValueError:  # not digits, or more digits than int() accepts
        raise QueryError(f"quality needs a number, got {value!r}", value_start) from None
    return QualityIs("==" if op == "=" else op, parsed)


def _published(name: str, value: str, value_start: int, now: datetime) -> Published:
    text = value.strip().lower()
    cutoff: datetime | None = None
    if day := _DATE_RE.fullmatch(text):
        try:
            cutoff = datetime(*(int(part) for part in day.groups()), tzinfo=timezone.utc)
        except ValueError:  # no such day, as 2021-02-30
            pass
    elif (age := _AGE_RE.fullmatch(text)) and len(age.group(1)) <= 30:
        try:
            cutoff = now - int(age.group(1)) * _AGE_UNITS[age.group(2)]
        except OverflowError:
            raise QueryError(f"{name}: age {value!r} is too large", value_start) from None
    if cutoff is None:
        raise QueryError(
            f"{name}: needs a date (YYYY-MM-DD) or an age like 7d, got {value!r}", value_start
        )
    return Published(name == "after", cutoff)


def _parse_tree(text: str, now: datetime, marks_available: bool) -> AllOf:
    groups: list[list[Node]] = []
    pending_or: _Token | None = None
    for token in _tokens(text):
        if token.is_or:
            if not groups or pending_or is not None:
                raise QueryError("OR needs a term before it", token.start)
            pending_or = token
            continue
        node = _term(token, now, marks_available)
        if pending_or is not None:
            groups[-1].append(node)
            pending_or = None
        else:
            groups.append([node])
    if pending_or is not None:
        raise QueryError("OR needs a term after it", pending_or.start)
    return AllOf(tuple(group[0] if len(group) == 1 else AnyOf(tuple(group)) for group in groups))


def _uses_marks(node: Node) -> bool:
    if isinstance(node, MarkIs):
        return True
    if isinstance(node, Not):
        return _uses_marks(node.term)
    if isinstance(node, (AnyOf, AllOf)):
        return any(_uses_marks(term) for term in node.terms)
    return False


def _has_dates(node: Node) -> bool:
    if isinstance(node, Published):
        return True
    if isinstance(node, Not):
        return _has_dates(node.term)
    if isinstance(node, (AnyOf, AllOf)):
        return any(_has_dates(term) for term in node.terms)
    return False


# --- Compilation ------------------------------------------------------------------------


class _TopicMemo(dict[tuple[str, ...], bool]):
    """topics tuple -> whether one of them folds to the name; filled as articles come."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def __missing__(self, topics: tuple[str, ...]) -> bool:
        found = any(_squash(topic) == self.name for topic in topics)
        self[topics] = found
        return found


class _ContainsMemo(dict[str, bool]):
    """provider name or domain -> whether its folded form contains the needle."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle

    def __missing__(self, text: str) -> bool:
        found = self.needle in _squash(text or "")
        self[text] = found
        return found


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def _on_or_after(published: datetime | None, cutoff: datetime) -> bool:
    return published is not None and _aware(published) >= cutoff


def _before(published: datetime | None, cutoff: datetime) -> bool:
    return published is not None and _aware(published) < cutoff


def _cost(node: Node) -> int:
    """A rough cost of testing the node, to test cheap terms of an AND first."""
    if isinstance(node, (QualityIs, Published)):
        return 1
    if isinstance(node, (Topic, ProviderIs)):
        return 2
    if isinstance(node, Text):
        return 4 if node.spaced else 3
    if isinstance(node, MarkIs):
        return 5
    if isinstance(node, Not):
        return _cost(node.term)
    return sum(_cost(term) for term in node.terms)


def _length(node: Node) -> int:
    return len(node.text) if isinstance(node, Text) else 0


class _Emitter:
    """Turns a tree into one Python expression over `a` (the summary) and `_m` (marks)."""

    def __init__(self, safe_dates: bool) -> None:
        self.safe_dates = safe_dates
        self.constants: dict[str, Any] = {}

    def constant(self, value: Any) -> str:
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def emit(self, node: Node) -> str:
        if isinstance(node, Text):
            if not node.text:
                return "True"
            if not node.spaced:
                return f"({self.constant(node.text)} in a.search_text)"
            # Any whitespace between the words (a line break, say): one regular expression,
            # which scans about as fast as `in` does (measured: faster than `in` + fallback).
            # The same pattern as the search index's (`phrase_pattern`).
            search = self.constant(phrase_pattern(node.text).search)
            return f"({search}(a.search_text) is not None)"
        if isinstance(node, Topic):
            return f"{self.constant(_TopicMemo(node.name))}[a.topics]"
        if isinstance(node, ProviderIs):
            memo = self.constant(_ContainsMemo(node.needle))
            return f"({memo}[a.provider_name] or {memo}[a.provider_domain])"
        if isinstance(node, QualityIs):
            value = self.constant(node.value)
            if node.op == "==":
                return f"(a.quality == {value})"
            return f"(a.quality is not None and a.quality {node.op} {value})"
        if isinstance(node, Published):
            cutoff = self.constant(node.cutoff)
            if self.safe_dates:
                test = self.constant(_on_or_after if node.after else _before)
                return f"{test}(a.published, {cutoff})"
            op = ">=" if node.after else "<"
            return f"(a.published is not None and a.published {op} {cutoff})"
        if isinstance(node, MarkIs):
            if node.state == "starred":
                return "_m.is_starred(a.id)"
            return f"{'' if node.state == 'read' else 'not '}_m.is_read(a.id)"
        if isinstance(node, Not):
            return f"(not {self.emit(node.term)})"
        if isinstance(node, AnyOf):
            return "(" + " or ".join(self.emit(term) for term in node.terms) + ")"
        # Cheap terms first; among words, the longest first (most often the rarest).
        terms = sorted(node.terms, key=lambda term: (_cost(term), -_length(term)))
        return "(" + " and ".join(self.emit(term) for term in terms) + ")" if terms else "True"


MatchFn = Callable[[ArticleSummary, Marks], bool]
FilterFn = Callable[[Sequence[ArticleSummary], Marks], list[ArticleSummary]]


def _compile(tree: AllOf, safe_dates: bool) -> tuple[MatchFn, FilterFn]:
    if not tree.terms:
        return (lambda a, _m: True), (lambda arts, _m: list(arts))
    emitter = _Emitter(safe_dates)
    expression = emitter.emit(tree)
    source = (
        f"def _match(a, _m):\n    return bool({expression})\n"
        f"def _filter(arts, _m):\n    return [a for a in arts if {expression}]\n"
    )
    namespace: dict[str, Any] = {"__builtins__": {"bool": bool}, **emitter.constants}
    exec(compile(source, "<query>", "exec"), namespace)
    return namespace["_match"], namespace["_filter"]


@dataclass(frozen=True, slots=True)
class _Compiled:
    tree: AllOf
    match: MatchFn
    filter: FilterFn
    # The same with dates compared through a helper that accepts naive datetimes (as
    # UTC); used only if the fast version meets one. None when the query has no dates.
    safe_match: MatchFn | None
    safe_filter: FilterFn | None


def _build(tree: AllOf) -> _Compiled:
    match, filter_ = _compile(tree, safe_dates=False)
    safe_match = safe_filter = None
    if _has_dates(tree):
        safe_match, safe_filter = _compile(tree, safe_dates=True)
    return _Compiled(tree, match, filter_, safe_match, safe_filter)


def _run_filter(
    compiled: _Compiled, articles: Sequence[ArticleSummary], marks: Marks
) -> list[ArticleSummary]:
    try:
        return compiled.filter(articles, marks)
    except TypeError:  # a naive `published` met a date term
        if compiled.safe_filter is None:
            raise
        return compiled.safe_filter(articles, marks)


# --- With a search index ----------------------------------------------------------------


def _key(node: Node) -> Key | None:
    """The search-index key of a non-empty word or phrase; None for anything else."""
    return (node.text, node.spaced) if isinstance(node, Text) and node.text else None


@dataclass(frozen=True, slots=True)
class _Plan:
    """A query split into what a `SearchIndex` answers and the rest.

    The top-level terms that are words or phrases (`every`), negated ones (`none_of`) and
    ORs made only of them (`any_of`) go to the index, whose answers are exact; the other
    terms (`rest`, None if none) are then tested on the articles it gives.
    """

    every: tuple[Key, ...]
    any_of: tuple[tuple[Key, ...], ...]
    none_of: tuple[Key, ...]
    rest: _Compiled | None


def _make_plan(tree: AllOf) -> _Plan | None:
    """How to filter with an index; None when no term of the query is for the index."""
    every: list[Key] = []
    any_of: list[tuple[Key, ...]] = []
    none_of: list[Key] = []
    rest: list[Node] = []
    for term in tree.terms:
        if key := _key(term):
            every.append(key)
        elif isinstance(term, Not) and (key := _key(term.term)):
            none_of.append(key)
        elif isinstance(term, AnyOf) and all(map(_key, term.terms)):
            any_of.append(tuple(map(_key, term.terms)))  # type: ignore[arg-type]
        else:
            rest.append(term)
    if not (every or any_of or none_of):
        return None
    compiled_rest = _build(AllOf(tuple(rest))) if rest else None
    return _Plan(tuple(every), tuple(any_of), tuple(none_of), compiled_rest)


# --- The public face --------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A parsed query; build it with `parse_query` (`Query(text)` parses with now = now)."""

    text: str
    uses_marks: bool = field(default=False, compare=False)
    _compiled: _Compiled | None = field(default=None, repr=False, compare=False)
    # How to filter with a search index: made on first use; False when it cannot help.
    _plan: _Plan | None | bool = field(default=None, init=False, repr=False, compare=False)

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
        marks = _NO_MARKS if marks is None else marks
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
    ) -> list[ArticleSummary]:
        """The matching articles, in their input order.

        With a `SearchIndex` made over this very sequence (`index.covers(articles)`), the
        words and phrases of the query are answered by the index, which remembers its
        answers, and the other terms are tested only on the articles it gives; the result
        is the same. An index over anything else is ignored.
        """
        compiled = self._compiled
        assert compiled is not None
        marks = _NO_MARKS if marks is None else marks
        if index is not None and index.covers(articles):
            plan = self._index_plan()
            if plan is not None:
                positions = index.select(plan.every, plan.any_of, plan.none_of)
                chosen = list(map(articles.__getitem__, positions))
                return chosen if plan.rest is None else _run_filter(plan.rest, chosen, marks)
        return _run_filter(compiled, articles, marks)

    def _index_plan(self) -> _Plan | None:
        plan = self._plan
        if plan is None:
            plan = _make_plan(self.tree) or False
            object.__setattr__(self, "_plan", plan)
        return plan or None


def _collect_texts(node: Node, found: list[str]) -> None:
    if isinstance(node, Text):
        found.append(node.text)
    elif isinstance(node, (AllOf, AnyOf)):
        for term in node.terms:
            _collect_texts(term, found)


def parse_query(
    text: str, *, now: datetime | None = None, marks_available: bool = True
) -> Query:
    """Parse and compile a query; raises QueryError, and nothing else, for a bad one.

    `now` anchors relative dates (`after:7d`); it defaults to the current time, and a
    naive `now` is taken as UTC. With `marks_available` False an `is:` term is an error,
    since the reading state it needs is not there.
    """
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    tree = _parse_tree(text, now, marks_available)
    return Query(text, _uses_marks(tree), _build(tree))
