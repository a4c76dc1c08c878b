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
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from reader.core.model import fold


class QueryError(ValueError):
    """A query that cannot be parsed: what is wrong, and where (0-based) it starts."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.message} (at column {self.position + 1})"


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
        close = difflib.get_close_matches(
            word, [name for name in _FIELDS if len(name) > 1], n=1, cutoff=0.6
        )
        if close:
            hints.append(f"{word}: is not a field (did you mean {close[0]}:?); searched as text")
    return hints


def squash(text: str) -> str:
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
        phrase = squash(chunk + quoted)
        return Text(phrase, spaced=" " in phrase)
    value = chunk[match.end() :]
    value_start = token.body_start + match.end()
    if quoted is not None:
        if not value:
            value_start = token.quoted_start
        value += quoted

    if name == "topic" or name == "provider":
        needle = squash(value)
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
        raise QueryError(f"is: must be one of {', '.join(MARK_STATES)}, got {value!r}", value_start)
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
        year, month, day_of_month = map(int, day.groups())
        with contextlib.suppress(ValueError):  # no such day, as 2021-02-30
            cutoff = datetime(year, month, day_of_month, tzinfo=UTC)
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


def parse_tree(text: str, now: datetime, marks_available: bool) -> AllOf:
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


def needs_marks(node: Node) -> bool:
    if isinstance(node, MarkIs):
        return True
    if isinstance(node, Not):
        return needs_marks(node.term)
    if isinstance(node, (AnyOf, AllOf)):
        return any(needs_marks(term) for term in node.terms)
    return False


def has_dates(node: Node) -> bool:
    if isinstance(node, Published):
        return True
    if isinstance(node, Not):
        return has_dates(node.term)
    if isinstance(node, (AnyOf, AllOf)):
        return any(has_dates(term) for term in node.terms)
    return False
