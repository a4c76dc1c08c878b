"""Dates in `reader list`'s JSON, TSV and table: ISO 8601 with four-digit years."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.core.export import iso_utc, short_date, to_tsv
from reader.core.model import Article


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
        (datetime(999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "0999-12-31T23:59:59Z"),
        (datetime(2021, 4, 9, 11, 0, tzinfo=timezone(timedelta(hours=-7))), "2021-04-09T18:00:00Z"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31T23:59:59Z"),
    ],
)
def test_iso_utc_has_four_digit_years(moment: datetime, expected: str) -> None:
    assert iso_utc(moment) == expected


def test_tsv_and_the_table_write_early_years_in_full() -> None:
    article = Article(id="x", path="a.md", title="Old", published=datetime(7, 3, 1, tzinfo=UTC))
    assert to_tsv([article]).splitlines()[1].split("\t")[1] == "0007-03-01T00:00:00Z"
    assert short_date(article.published) == "01 Mar 0007"


def test_the_short_date_is_the_day_the_moment_has_where_it_was_given() -> None:
    """Remembered per day: the same text as from the moment itself, in its own offset."""
    late = datetime(2021, 4, 9, 23, 30, tzinfo=timezone(timedelta(hours=-7)))  # the 10th in UTC
    for moment in (late, late.astimezone(UTC), datetime(2021, 4, 9, 1, 0), late):
        assert short_date(moment) == f"{moment:%d %b} {moment.year:04d}"
    assert short_date(late) == "09 Apr 2021" and short_date(None) == ""


def plain_iso_utc(moment: datetime) -> str:
    """`iso_utc` by its general steps alone (no shortcut for moments already in UTC)."""
    return f"{moment.astimezone(UTC).replace(tzinfo=None, microsecond=0).isoformat()}Z"


ZONES = st.sampled_from(
    [UTC, timezone(timedelta(0), "Z"), timezone(timedelta(hours=5, minutes=30))]
)
MOMENTS = st.datetimes(datetime(1, 1, 2), datetime(9999, 12, 30), timezones=ZONES)


@given(MOMENTS)
def test_iso_utc_is_the_text_of_its_general_steps(moment: datetime) -> None:
    assert iso_utc(moment) == plain_iso_utc(moment)
    whole = moment.replace(microsecond=0)
    assert iso_utc(whole) == plain_iso_utc(whole)
