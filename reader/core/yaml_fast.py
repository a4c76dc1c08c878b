"""Front matter YAML, read by a compiled parser with PyYAML as the reference.

PyYAML's C safe loader spends most of a file's load in its Python-level constructor
(~0.3 ms a file); `yaml_rs` (Rust, YAML 1.2) reads the same front matter in ~0.03 ms. It
was picked over `rapidyaml` and `ryaml` because it returns plain Python values (with
dates and datetimes, as PyYAML does), never constructs objects for tags, and limits alias
replay and nesting depth by itself.

YAML 1.2 and PyYAML's YAML 1.1 read some plain scalars differently (`yes`, `017`, `1e3`,
`1:20`, `<<`, tags, an impossible date). The answer must be PyYAML's, so the fast result
is only kept when nothing in the text or the value could differ; anything else (and any
text the fast parser refuses) is read again by PyYAML. Tests compare both on every sample
file and on generated front matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import yaml
import yaml_rs

# The C loader is ten times faster than the pure-Python one; both are "safe" (no tags
# that build Python objects).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# A base class chosen at run time, which mypy cannot check.
class ArticleYamlLoader(_YAML_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, except that an impossible date (2021-02-30) stays text.

    The field reader then drops it with a warning, instead of the whole file failing.
    """


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    # `!!timestamp soon` ends in AttributeError
    except (ValueError, OverflowError, AttributeError, TypeError):
        return loader.construct_scalar(node)


ArticleYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def load_reference(text: str) -> Any:
    """PyYAML's reading of `text` (the reference); raises PyYAML's errors."""
    return yaml.load(text, Loader=ArticleYamlLoader)  # noqa: S506 - a safe loader


# Front matter has no aliases worth more than this; a bomb stops here (and PyYAML, which
# shares aliased values instead of copying them, reads it).
_ALIAS_LIMITS = yaml_rs.AliasLimits(
    max_total_replayed_events=10_000, max_replay_stack_depth=16, max_alias_expansions_per_anchor=500
)
# PyYAML keeps the last of two equal keys, but the first was read too (and may fail):
# a repeated key is left to PyYAML.
_REPEATED_KEY = yaml_rs.DuplicateKeyPolicy.Error

# Where a plain value (of a `key:` or a `- ` entry) starts is found first by a fast
# literal scan, and only then looked at with a regular expression.
#
# A tag (`!foo`, `!!binary`), an anchor (`&a`) or an alias (`*a`) can only start a node:
# at the start of a line (after its indentation) or after an indicator (`-`, `?`, `:`, and
# `,`, `[`, `{` in flow), spaces between. Elsewhere (`"rock &amp; roll"`, `Wow !`) the
# character is text: looking for it after any space sent nearly every real excerpt (HTML
# entities) to PyYAML. Over-matching (`a-&b` in a plain value) only costs time; tabs never
# get here (see `_plain_dates`). `NODE_PROPERTY` says it as a regular expression, the
# reference the tests hold `_has_node_property`'s faster scan to.
_INDICATORS = "-?:,[{\n"
NODE_PROPERTY = re.compile(r"(?:^|[-?:,\[{])[ ]*(?:!|[*&]\S)", re.MULTILINE)
# Tags: the Rust parser ignores them. Aliases and anchors: it copies aliased values (and
# reads one inside its own anchor as null), and lets an anchor be defined twice (YAML 1.2),
# where PyYAML shares them and refuses a repeated anchor; articles have none, so PyYAML
# reads any.
_PROPERTY_MARKS = "!&*"


def _has_node_property(text: str) -> bool:
    """Whether `NODE_PROPERTY` is found in `text`: a `str.find` per mark character is ten
    times faster than the regular expression, whose every position may start a match."""
    for mark in _PROPERTY_MARKS:
        at = text.find(mark)
        while at >= 0:
            if _starts_node(text, at) and (mark == "!" or text[at + 1 : at + 2].strip()):
                return True
            at = text.find(mark, at + 1)
    return False


def _starts_node(text: str, at: int) -> bool:
    """Whether only spaces stand between `text[at]` and a line start or an indicator."""
    before = at
    while before and text[before - 1] == " ":
        before -= 1
    return before == 0 or text[before - 1] in _INDICATORS


# (Literal prefixes: a scan for `: ` is many times faster than one for a character class.)
_PLAIN_VALUES = (re.compile(r": +([-+.0-9\[{|>][^\n]*)"), re.compile(r"- +([-+.0-9\[{|>][^\n]*)"))
# A number with a leading zero, `0o`, or an exponent: YAML 1.1 reads them otherwise.
_DIFFERENT_NUMBER = re.compile(r"[-+]?(?:0[0-9_o]|[0-9._]*[eE])")
_DOCUMENT_MARKS = ("%", "---", "...")
LATER_DOCUMENT_MARKS = tuple(f"\n{mark}" for mark in _DOCUMENT_MARKS)
# One search for the three: a fourth of the time of three `in` (each stops at every "-").
_LATER_DOCUMENT_MARK = re.compile("|".join(re.escape(mark) for mark in LATER_DOCUMENT_MARKS))
# A timestamp as PyYAML's resolver has it (yaml/resolver.py), alone on its line.
_TIMESTAMP = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)[ \t]*"
)
# Every pattern by which PyYAML turns a plain scalar into something other than text, and
# the first characters they start with.
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_RESOLVED = re.compile(
    "|".join(
        sorted({f"(?:{regexp.pattern})" for found in _RESOLVERS.values() for _tag, regexp in found})
    ),
    re.VERBOSE,
)
_RESOLVED_FIRST = frozenset(first for first in _RESOLVERS if first)
_SCALARS = (bool, float, type(None))
_INT_BITS_LIMIT = 4000 * 3  # under sys.get_int_max_str_digits()'s default 4,300 digits


def load_front_matter(text: str) -> Any:
    """The value of the YAML `text`, equal to `load_reference(text)`; raises PyYAML's errors."""
    value = _fast(text)
    return load_reference(text) if value is _DIFFERENT else value


_DIFFERENT = object()


def _fast(text: str) -> Any:
    """The fast parser's value, or `_DIFFERENT` where PyYAML might read `text` otherwise."""
    dates = _plain_dates(text)
    if dates is None:
        return _DIFFERENT
    try:
        value = yaml_rs.loads(text, alias_limits=_ALIAS_LIMITS, duplicate_key_policy=_REPEATED_KEY)
    except Exception:  # noqa: BLE001 - whatever the fast parser refuses, PyYAML judges
        return _DIFFERENT
    if _dates_if_same(value) != dates:
        # a value YAML 1.1 reads otherwise, or a date PyYAML would not read as one (`10:00Z`)
        return _DIFFERENT
    return value


def _plain_dates(text: str) -> int | None:
    """How many plain dates PyYAML finds in `text`; None if it may differ in other ways."""
    # tabs: YAML allows them as separators in places PyYAML and the Rust parser disagree on
    if "\t" in text or not _printable_to_pyyaml(text):
        return None
    if _has_node_property(text):
        return None
    if text.startswith(_DOCUMENT_MARKS) or _LATER_DOCUMENT_MARK.search(text) is not None:
        return None
    dates = 0
    for pattern in _PLAIN_VALUES:
        for value in pattern.findall(text):
            if value.isdigit() and value[0] != "0":
                continue  # a whole number (a width, a quality): read alike, and no date
            if value[0] in "[{|>" or _DIFFERENT_NUMBER.match(value):
                # a flow collection (the checks here are line by line), a block scalar
                # (the two differ on edge cases of chomping), or a number
                return None
            if _TIMESTAMP.fullmatch(value):
                dates += 1
    return dates


def _printable_to_pyyaml(text: str) -> bool:
    """No character PyYAML refuses in a stream (yaml.reader.Reader.NON_PRINTABLE), nor one
    that is a line break to YAML 1.1 only (NEL, U+2028, U+2029).

    ASCII text is refused only its controls (bar tab, LF and CR) and DEL: deleting every
    other character in one pass over its bytes is the exact test, a third of the time of
    the next one. Else `str.isprintable` refuses all of those and more (no-break spaces):
    a fast yes, else the exact test.
    """
    if text.isascii():
        return not text.encode("ascii").translate(None, _PRINTABLE_ASCII)
    if text.replace("\n", " ").isprintable():
        return True
    return _NON_PRINTABLE.search(text) is None


_PRINTABLE_ASCII = b"\t\n\r" + bytes(range(0x20, 0x7F))
_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)


def _keys_plain(mapping: dict[object, object]) -> bool:
    """Whether every key is text PyYAML reads as that text (one call a mapping, not a key).

    The keys of a feed are few: a mapping whose keys were all found plain before is
    looked up at once (a third of this walk otherwise); the others are checked key by key.
    """
    if _PLAIN_KEYS.issuperset(mapping):  # (it holds only text: no other key equals one)
        return True
    first, known = _RESOLVED_FIRST, _KNOWN_PLAIN
    if not all(
        type(key) is str and (key[:1] not in first or key in known or _plain_text(key))
        for key in mapping
    ):
        return False
    if len(_PLAIN_KEYS) < _KNOWN_COUNT:
        _PLAIN_KEYS.update(key for key in mapping if type(key) is str and len(key) <= _KNOWN_LENGTH)
    return True


def _dates_if_same(value: object) -> int | None:
    """How many dates a fast result holds; None if PyYAML may give another value for its text.

    One loop over a stack, not a recursive call per value: this walk is a third of the fast
    path otherwise. Keys must be text (any other kind is left to PyYAML).
    """
    dates = 0
    stack = [value]
    # Inlined `_plain_text`, with the texts already found plain (the keys, the usual
    # `type` and provider values) looked up instead of matched again.
    first, known = _RESOLVED_FIRST, _KNOWN_PLAIN
    while stack:
        node = stack.pop()
        if type(node) is dict:
            if not _keys_plain(node):
                return None
            items: Iterable[object] = node.values()
        elif type(node) is list:
            items = node
        else:
            items = (node,)
        for item in items:
            kind = type(item)
            if kind is str:
                text: str = item  # type: ignore[assignment]
                if text[:1] in first and text not in known and not _plain_text(text):
                    return None
            elif kind is dict or kind is list:
                stack.append(item)
            elif kind is int:
                # Python refuses to convert a number this long from text (PyYAML fails on it)
                if item.bit_length() >= _INT_BITS_LIMIT:  # type: ignore[attr-defined]
                    return None
            elif kind is datetime or kind is date:
                dates += 1
            elif kind not in _SCALARS:
                return None  # a time of day, a tuple: YAML 1.1 reads those otherwise
    return dates


def _plain_text(text: str) -> bool:
    """Text PyYAML would also give as text, were it a plain scalar."""
    if text[:1] not in _RESOLVED_FIRST:
        return True
    if _RESOLVED.fullmatch(text) is not None:
        return False
    if len(text) <= _KNOWN_LENGTH and len(_KNOWN_PLAIN) < _KNOWN_COUNT:
        _KNOWN_PLAIN.add(text)
    return True


# Short texts found plain, up to a bound (a hostile file cannot grow it without end).
_KNOWN_PLAIN: set[str] = set()
_PLAIN_KEYS: set[str] = set()  # keys found plain (any first character), bounded alike
_KNOWN_LENGTH, _KNOWN_COUNT = 40, 4096
