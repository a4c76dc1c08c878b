"""The fast front-matter parser gives PyYAML's answer: raw values, errors, and articles.

PyYAML (`load_reference`) is the reference; `load_front_matter` must equal it on every
sample, fixture and hostile file, and on generated front matter full of the scalars that
YAML 1.1 and 1.2 read differently.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
import yaml_rs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader.core.loader
from examples import examples
from reader.core import yaml_fast
from reader.core.fields import FileSkipped
from reader.core.loader import parse_file, read_text, split_front_matter
from reader.core.model import Severity
from reader.core.yaml_fast import load_front_matter, load_reference

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"
FEED_FILES = sorted(
    path
    for folder in (
        REPO / "sample_feed",
        FIXTURES / "real_sample",
        FIXTURES / "hostile",
        SHARED / "format",
        SHARED / "real_feed_sample",
    )
    if folder.is_dir()
    for path in folder.rglob("*")
    if path.suffix in {".md", ".txt", ".markdown"}
)


def same(a: object, b: object, seen: set[tuple[int, int]] | None = None) -> bool:
    """Equal values of the same types all the way down (1 == 1.0 == True is not enough).

    A pair of containers is compared once: PyYAML shares aliased values, and an alias
    bomb walked naively is exponential.
    """
    if type(a) is not type(b):
        return False
    seen = set() if seen is None else seen
    if isinstance(a, (dict, list)):
        if (id(a), id(b)) in seen:
            return True
        seen.add((id(a), id(b)))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same(a[k], b[k], seen) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y, seen) for x, y in zip(a, b, strict=True))
    if isinstance(a, datetime) and isinstance(b, datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    if isinstance(a, float) and isinstance(b, float) and a != a:
        return b != b  # nan
    return a == b


def outcome(load: object, text: str) -> object:
    """The value, or the error's type and message."""
    assert callable(load)
    try:
        return load(text)
    except Exception as error:  # noqa: BLE001 - PyYAML's errors are many; both must agree
        return ("error", type(error).__name__, str(error))


def assert_same_reading(text: str) -> None:
    fast, reference = outcome(load_front_matter, text), outcome(load_reference, text)
    assert same(fast, reference), f"{text!r}\nfast: {fast!r}\nreference: {reference!r}"


def front_matter_of(path: Path) -> str | None:
    """The YAML between the `---` lines, as the loader cuts it; None if it cannot."""
    try:
        text = read_text(path, [])
    except FileSkipped:  # a binary or unreadable file has no front matter to compare
        return None
    opening = reader.core.loader._OPENING.match(text)
    closing = opening and reader.core.loader._CLOSING.search(text, opening.end() - 1)
    return text[opening.end() : closing.start(1)] if opening and closing else None


def test_there_are_real_files_to_compare() -> None:
    names = {path.parent.name for path in FEED_FILES}
    assert {"sample_feed", "real_sample", "hostile"} <= names
    assert len(FEED_FILES) > 80


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_feed_file_reads_the_same(path: Path) -> None:
    front = front_matter_of(path)
    if front is not None:
        assert_same_reading(front)


def test_real_articles_take_the_fast_path() -> None:
    """The checks that send text to PyYAML do not catch ordinary articles (else no speed-up)."""
    real = [p for p in FEED_FILES if p.parent.name in {"sample_feed", "real_sample"}]
    fronts = [front for path in real if (front := front_matter_of(path)) is not None]
    fast = [front for front in fronts if yaml_fast._fast(front) is not yaml_fast._DIFFERENT]
    assert len(fast) >= 0.9 * len(fronts)


def test_html_entities_and_marks_in_text_take_the_fast_path() -> None:
    """`&`, `*` and `!` inside text are not node properties: the fast parser reads them."""
    text = (
        'title: "Rock &amp; roll *live* !"\nexcerpt: Tom &amp; Jerry &#038; more !\n'
        "related:\n  - title: 'a &b *c'\n    excerpt: \"x &amp; y\"\n"
    )
    assert yaml_fast._fast(text) is not yaml_fast._DIFFERENT
    assert_same_reading(text)


@pytest.mark.parametrize(
    "text",
    ["a: &x 1\nb: *x\n", "a:\n  &x b: 1\n", "- &x 1\n- *x\n", "a: [&x 1, *x]\n",
     "a: {b: &x 1}\n", "? &x a\n: 1\n", "a: !!str 1\n", "a:\n  - !x b\n", "a: &x\n  - 1\n",
     "a: &x 1\nb: &x 2\n"],
)  # fmt: skip
def test_node_properties_go_to_pyyaml(text: str) -> None:
    """A real anchor, alias or tag, wherever a node may start, is left to PyYAML."""
    assert yaml_fast._fast(text) is yaml_fast._DIFFERENT
    assert_same_reading(text)


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet=" -?:,[{}]\n\r\t!&*#'\"ax\u00a0\u2028\u3000", max_size=30))
def test_the_node_property_scan_equals_its_regular_expression(text: str) -> None:
    """The `str.find` scan finds a tag, anchor or alias exactly where the reference does."""
    assert yaml_fast._has_node_property(text) == bool(yaml_fast.NODE_PROPERTY.search(text))


@settings(max_examples=examples(2000), deadline=None)
@given(st.text(alphabet="\n%-.a \u2028", max_size=20))
def test_the_document_mark_search_equals_its_three_lookups(text: str) -> None:
    """One search finds a later `%`, `---` or `...` line exactly where looking for each does."""
    found = yaml_fast._LATER_DOCUMENT_MARK.search(text) is not None
    assert found == any(mark in text for mark in yaml_fast.LATER_DOCUMENT_MARKS)


def test_articles_equal_after_field_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole files: the same articles and problems with the fast parser as with PyYAML."""
    root = REPO
    fast = [parse_file(path, root) for path in FEED_FILES]
    monkeypatch.setattr(reader.core.loader, "load_front_matter", load_reference)
    slow = [parse_file(path, root) for path in FEED_FILES]
    assert fast == slow


# Plain scalars that YAML 1.1 (PyYAML) and 1.2 read differently, and ordinary ones.
TRICKY = st.sampled_from(
    [
        "yes", "No", "on", "OFF", "y", "true", "False", "~", "null", "", "017", "0o17", "09",
        "0x1F", "0b11", "1_000", "1e3", "1.5e3", "1.5e+3", ".5", "-.inf", ".NaN", "1:20",
        "12:30:00", "<<", "=", "2021-02-30", "2021-01-01", "2021-01-01T10:00Z",
        "2021-01-01T10:00:00Z", "2021-01-01 10:00:00 +5", "2021-1-1", "!!binary aGk=",
        "!foo x", "!!str 12", "'quoted'", '"2021-01-01"', '"yes"', "[1, 017]", "{a: 1e3}",
        "&a 1", "*a", "37", "-1", "news", "a: b", "- x", "x # c", "\t1", "\x07", "|\n  yes",
        # `&`, `*` and `!` as text and as node properties, in block and flow
        "rock &amp; roll", '"rock &amp; roll"', "'a &b *c !d'", "a &b", "a-&b", "Wow !",
        "x !y", "[a, &b c, *b]", "{a: &b x}", "[&a x, *a]", "- &a x", "? &a x", "&a", "&a &b",
        "!x &a y", "&a !x y", "!", "! x", "[!x y]", '"&a" *b', "a\n  &b c", "a\n  !b c",
    ]
)  # fmt: skip
KEYS = st.sampled_from(["title", "quality", "publishedDateTime", "yes", "017", "<<", "a b"])


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Lines of `key: value`, `- value` lists and nested mappings, tricky scalars mixed in."""
    lines = []
    for _ in range(draw(st.integers(1, 6))):
        key, value = draw(KEYS), draw(TRICKY | st.text(max_size=12))
        shape = draw(st.integers(0, 2))
        if shape == 0:
            lines.append(f"{key}: {value}")
        elif shape == 1:
            lines += [f"{key}:", f"  - {value}", f"  - {draw(TRICKY)}"]
        else:
            lines += [f"{key}:", f"  {draw(KEYS)}: {value}"]
    return "\n".join(lines) + "\n"


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(st.lists(KEYS | TRICKY | st.integers(0, 2) | st.booleans(), max_size=4), max_size=4)
)
def test_mappings_whose_keys_were_found_plain_are_judged_as_key_by_key(
    key_lists: list[list[object]],
) -> None:
    """The remembered plain keys give each mapping the answer of the checks key by key
    (whatever was remembered from the mappings before it)."""
    for keys in key_lists:
        mapping = dict.fromkeys(keys)
        by_key = all(type(key) is str and yaml_fast._plain_text(key) for key in mapping)
        assert yaml_fast._keys_plain(mapping) == by_key
        assert yaml_fast._keys_plain(mapping) == by_key  # again, once remembered


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
def test_generated_front_matter_reads_the_same(text: str) -> None:
    assert_same_reading(text)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.dates().map(date.isoformat),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=examples(200), deadline=None)
@given(st.dictionaries(st.text(min_size=1), JSON_VALUES, min_size=1, max_size=5), st.booleans())
def test_dumped_values_read_the_same(data: dict[str, object], flow: bool) -> None:
    """Whatever PyYAML writes (quoted, folded, flow or block), both read back alike."""
    assert_same_reading(yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True))


def test_the_loader_uses_the_fast_parser(tmp_path: Path) -> None:
    """`split_front_matter` goes through `load_front_matter` (and so gets PyYAML's errors)."""
    data, body = split_front_matter("---\ntitle: t\nwhen: 2021-01-01\n---\nbody\n")
    assert data == {"title": "t", "when": date(2021, 1, 1)} and body == "\nbody\n"
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [\n---\n")
    article, problems = parse_file(path, tmp_path)
    assert article is None
    assert [
        (p.severity, p.reason.startswith("front matter is not valid YAML")) for p in problems
    ] == [(Severity.ERROR, True)]


def test_an_alias_bomb_is_refused_fast_and_read_by_pyyaml() -> None:
    """The fast parser stops replaying aliases; PyYAML shares them, as the loader expects."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(6)
    )
    with pytest.raises(yaml_rs.YAMLDecodeError):
        yaml_rs.loads(bomb, alias_limits=yaml_fast._ALIAS_LIMITS)
    assert yaml_fast._fast(bomb) is yaml_fast._DIFFERENT
    value = load_front_matter(bomb)
    assert json.dumps(value["a"]) == json.dumps(["x"] * 10)


def test_the_loader_imports_the_fast_parser_on_the_importing_thread() -> None:
    """yaml_rs first imported on a worker thread, while the main one runs, can crash Python:
    importing the loader (which the app does at start, on its main thread) imports it."""
    code = "import sys, reader.core.loader; print('yaml_rs' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "True"


def plain_dates_without_shortcut(text: str) -> int | None:
    """`yaml_fast._plain_dates` with every plain value matched (no whole-number shortcut)."""
    if "\t" in text or not yaml_fast._printable_to_pyyaml(text):
        return None
    if yaml_fast._has_node_property(text) or text.startswith(("%", "---", "...")):
        return None
    if any(mark in text for mark in yaml_fast.LATER_DOCUMENT_MARKS):
        return None
    dates = 0
    for pattern in yaml_fast._PLAIN_VALUES:
        for value in pattern.findall(text):
            if value[0] in "[{|>" or yaml_fast._DIFFERENT_NUMBER.match(value):
                return None
            dates += bool(yaml_fast._TIMESTAMP.fullmatch(value))
    return dates


NUMBERS = st.from_regex(r"[-+0]?[0-9\u0663\u00b2]{1,4}(?:[eE.:_-][0-9]{1,2})?", fullmatch=True)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter(), st.lists(NUMBERS | TRICKY, max_size=4))
def test_the_plain_value_checks_equal_their_plain_loop(text: str, values: list[str]) -> None:
    text += "".join(f"n{n}: {value}\n- {value}\n" for n, value in enumerate(values))
    assert yaml_fast._plain_dates(text) == plain_dates_without_shortcut(text)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)) | st.text())
def test_the_printable_check_equals_pyyaml_s_character_class(text: str) -> None:
    assert yaml_fast._printable_to_pyyaml(text) == (yaml_fast._NON_PRINTABLE.search(text) is None)
