"""The one door from untrusted article text to what Textual draws (`reader.ui.text`).

Plain tests, no app: each function's promise, at the edges where a slip would show (a
control character let through, a style on the wrong letters, an hour called a day).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.content import Content, Span

from examples import examples
from reader.ui.text import (
    assemble,
    highlighted,
    line,
    local_time,
    paragraph,
    relative_age,
    stylized,
)

NASTY = "a\x1b]0;pwned\x07b\u202ec"


def test_line_is_one_line_without_controls_and_styled_whole() -> None:
    content = line("one\ttwo\nthree " + NASTY, "bold")
    assert content.plain == "one two three a]0;pwnedbc"
    assert content.spans == [Span(0, len(content.plain), "bold")]


def test_line_without_style_or_text() -> None:
    assert line("[b]not markup[/b]").plain == "[b]not markup[/b]"
    assert line("plain").spans == []
    assert line(None).plain == "" and line("").plain == ""


def test_paragraph_keeps_its_lines_and_expands_tabs_to_four_columns() -> None:
    content = paragraph("a\tb\n\tc\r\n" + NASTY, "italic")
    assert content.plain == "a   b\n    c\na]0;pwnedbc"
    assert content.spans == [Span(0, len(content.plain), "italic")]
    assert paragraph("plain").spans == []
    assert paragraph(None).plain == ""


def test_assemble_cleans_text_styles_pairs_and_keeps_content() -> None:
    ours = Content.styled("[ours]", "underline")
    content = assemble("a\x1b", ("b\nc", "bold"), ours, "")
    assert content.plain == "ab c[ours]"
    assert content.spans == [Span(1, 4, "bold"), Span(4, 10, "underline")]
    assert assemble().plain == ""


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The local time zone is nine hours east of UTC (no summer time) for the test."""
    monkeypatch.setenv("TZ", "Etc/GMT-9")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("zone")
def test_local_time_is_in_the_local_zone_with_a_four_digit_year() -> None:
    assert local_time(datetime(2021, 4, 9, 4, 0, tzinfo=UTC)) == "Fri 09 Apr 2021 13:00"
    assert local_time(datetime(45, 1, 1, 0, 5, tzinfo=UTC)) == "Sun 01 Jan 0045 09:05"
    assert local_time(None) == "unknown date"


@pytest.mark.usefixtures("zone")
def test_local_time_at_the_end_of_time_keeps_the_moment_as_given() -> None:
    """Nine hours east of 9999-12-31 23:00 is past the last year: shown as it is."""
    assert local_time(datetime(9999, 12, 31, 23, 0, tzinfo=UTC)) == "Fri 31 Dec 9999 23:00"


NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
MINUTE, HOUR, DAY = 60, 3600, 86400


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "just now"),
        (59, "just now"),
        (MINUTE, "1 minute ago"),
        (2 * MINUTE + 59, "2 minutes ago"),
        (HOUR - 1, "59 minutes ago"),
        (HOUR, "1 hour ago"),
        (DAY - 1, "23 hours ago"),
        (DAY, "1 day ago"),
        (7 * DAY - 1, "6 days ago"),
        (7 * DAY, "1 week ago"),
        (30 * DAY - 1, "4 weeks ago"),
        (30 * DAY, "1 month ago"),
        (365 * DAY - 1, "12 months ago"),
        (365 * DAY, "1 year ago"),
        (3 * 365 * DAY, "3 years ago"),
        (-59, "just now"),
        (-HOUR, "in 1 hour"),
        (-2 * DAY, "in 2 days"),
        (-400 * DAY, "in 1 year"),
    ],
)
def test_relative_age_names_the_largest_whole_unit(seconds: int, words: str) -> None:
    assert relative_age(NOW - timedelta(seconds=seconds), NOW) == words


def test_relative_age_counts_from_now_and_across_zones() -> None:
    assert relative_age(datetime.now(UTC) - timedelta(hours=2, minutes=1)) == "2 hours ago"
    tokyo = timezone(timedelta(hours=9))
    assert relative_age(datetime(2024, 6, 1, 20, 0, tzinfo=tokyo), NOW) == "1 hour ago"
    assert relative_age(None, NOW) == ""


def test_highlighted_styles_every_occurrence_on_the_original_letters() -> None:
    content = highlighted(Content("Café robots, ROBOT café"), ["robot", "cafe"], "reverse")
    assert [(s.start, s.end, s.style) for s in content.spans] == [
        (0, 4, "reverse"),
        (5, 10, "reverse"),
        (13, 18, "reverse"),
        (19, 23, "reverse"),
    ]
    assert highlighted(Content("robot"), [], "reverse").spans == []


@settings(max_examples=examples(200), deadline=None)
@given(
    st.text(alphabet="ab é\u0301中", max_size=12),
    st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=6),
    st.sampled_from(["", "bold", "underline on red"]),
)
def test_stylized_at_once_is_stylize_span_by_span(
    text: str, spans: list[tuple[int, int]], style: str
) -> None:
    """The titles' highlights are made in one go: the same spans, in the same order, as
    stylizing one span after another (which drops the empty ones and those past the end)."""
    base = line(text, "italic")
    expected = base
    for start, end in spans:
        expected = expected.stylize(style, start, end)
    found = stylized(base, spans, style)
    assert found.plain == expected.plain and found.spans == expected.spans
    assert list(found.render_segments()) == list(expected.render_segments())
