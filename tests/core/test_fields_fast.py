"""The field reader's fast paths for plain text give what its full checks give: the same
article and the same warnings, on generated front matter full of what the checks act on
(entities, controls, runs of spaces, other whitespace, long values, values not text)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examples import examples
from reader.core import fields
from reader.core.fields import MAX_LINE_CHARS, FieldReader
from reader.core.model import Article, Problem

# Each a character the checks act on: an entity's start, controls, whitespace of all kinds,
# bidi and format characters; and plain letters, spaces and non-ASCII text around them.
TRICKY_CHARS = "ab é\u2013  &;#\x00\x07\x1b\x7f\x85\x9b\t\n\r\u00a0\u2028\u202e\u200b\u3000"
TEXT = (
    st.text(alphabet=TRICKY_CHARS, max_size=20)
    | st.sampled_from(["&amp;", "&nbsp;x", "a  b", " a ", "x" * MAX_LINE_CHARS, "x" * 1001])
    | st.text(max_size=8)
)
VALUE = TEXT | st.none() | st.integers(-5, 5) | st.booleans() | st.lists(TEXT, max_size=2)
PROVIDER = st.fixed_dictionaries({}, optional={"name": VALUE, "domain": VALUE}) | TEXT
RELATED = st.fixed_dictionaries(
    {"title": TEXT}, optional={"excerpt": VALUE, "type": VALUE, "provider": PROVIDER}
)
FRONT_MATTER = st.fixed_dictionaries(
    {"title": TEXT.filter(lambda title: bool(title.strip()))},
    optional={
        "excerpt": VALUE,
        "type": VALUE,
        "category": VALUE,
        "provider": PROVIDER,
        "topics": st.lists(VALUE, max_size=4) | TEXT,
        "related": st.lists(RELATED, max_size=2),
    },
)

Read = tuple[Article | str, list[Problem]]


def read(data: dict[object, object]) -> Read:
    problems: list[Problem] = []
    try:
        article: Article | str = FieldReader("a.md", dict(data), problems).article(
            body="Body.", id_for=lambda url: "id"
        )
    except fields.FileSkipped as skipped:
        article = skipped.reason
    return article, problems


def read_without_fast_paths(data: dict[object, object], monkeypatch: pytest.MonkeyPatch) -> Read:
    with monkeypatch.context() as patched:
        patched.setattr(fields, "_is_plain", lambda text, limit: False)
        patched.setattr(fields, "_plain_line", lambda value: None)
        return read(data)


@settings(max_examples=examples(400), deadline=None)
@given(FRONT_MATTER)
def test_the_fast_paths_read_fields_as_the_full_checks_do(data: dict[object, object]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert read(data) == read_without_fast_paths(data, monkeypatch)


@pytest.mark.parametrize(
    "check",
    [
        lambda reader: reader.line_field("title"),
        lambda reader: reader.text_field("title"),
        lambda reader: reader.topics_field(),
    ],
)
@given(TEXT)
def test_each_fast_path_gives_the_full_checks_value(
    check: Callable[[FieldReader], object], text: str
) -> None:
    def run() -> tuple[object, list[Problem]]:
        problems: list[Problem] = []
        return check(FieldReader("a.md", {"title": text, "topics": [text]}, problems)), problems

    fast = run()
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(fields, "_is_plain", lambda text, limit: False)
        monkeypatch.setattr(fields, "_plain_line", lambda value: None)
        assert run() == fast


def test_plain_text_takes_the_fast_path_and_text_to_clean_does_not() -> None:
    assert fields._plain_line(" Coast Wire ") == "Coast Wire"
    assert fields._plain_line("Málaga \u2013 “quoted”") == "Málaga \u2013 “quoted”"
    for text in ["a  b", "a &amp; b", "a\tb", "a\nb", "a\u00a0b", "a\x1bb", "a\u202eb", 1, None]:
        assert fields._plain_line(text) is None, text
    assert fields._plain_line("x" * MAX_LINE_CHARS) is not None
    assert fields._plain_line("x" * (MAX_LINE_CHARS + 1)) is None


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(0), "Z")])))
def test_a_moment_in_utc_is_in_range_as_the_conversion_says(moment: datetime) -> None:
    """`_in_range` returns a moment in UTC as it is: what converting it would have said."""
    assert fields._in_range(moment) == moment.astimezone(UTC)
