"""The names and the text the import writes: slugs cut at their limits, dates in UTC
whatever the machine's zone, front matter as given, and a legacy claim kept by the journal.

Each assertion here holds a line of `reader/core/importer/write.py` that mutation testing
found unchecked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from test_import_faults import as_version_1, write_feed

from reader.core.importer import import_sources
from reader.core.importer.convert import ImportedArticle
from reader.core.importer.index import ImportIndex
from reader.core.importer.write import SLUG_BYTES, SLUG_CHARS, article_text, file_name, slug

FOUR_BYTES = "\U00020000"  # a CJK letter of four UTF-8 bytes that NFKC leaves alone
THREE_BYTES = "\u4e00"  # 一, three bytes


def test_a_slug_of_exactly_the_byte_limit_is_kept_whole() -> None:
    title = THREE_BYTES * (SLUG_BYTES // 3)
    assert len(title.encode("utf-8")) == SLUG_BYTES
    assert slug(title) == title


def test_a_slug_over_the_byte_limit_keeps_the_longest_prefix_that_fits() -> None:
    cut = slug(FOUR_BYTES * SLUG_CHARS)
    assert cut == FOUR_BYTES * (SLUG_BYTES // 4)


def test_a_slug_cut_at_a_dash_ends_on_a_letter() -> None:
    title = "a" * (SLUG_CHARS - 1) + " " + "b" * 10
    assert slug(title) == "a" * (SLUG_CHARS - 1)


def test_a_title_of_no_letters_becomes_article() -> None:
    assert slug("!!! ... ???") == "article"


@pytest.fixture
def new_york() -> Iterator[None]:
    """The machine's local zone five hours behind UTC, as on a laptop in New York."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", "America/New_York")
        time.tzset()
        yield
    time.tzset()


def late_evening_article() -> ImportedArticle:
    evening = datetime(2024, 1, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    front_matter = {"title": "Été à Zürich", "published": evening, "excerpt": "x " * 80}
    return ImportedArticle(
        key="k", legacy_key="k", title="Été à Zürich", published=evening,
        front_matter=front_matter, body="",
    )  # fmt: skip


def test_the_file_name_and_the_date_written_are_the_utc_day(new_york: None) -> None:
    article = late_evening_article()
    assert file_name(article, datetime.now(tz=UTC)).startswith("2024-01-02-")
    assert "published: 2024-01-02T04:30:00Z" in article_text(article)


def test_front_matter_is_written_in_its_order_unescaped_and_wide() -> None:
    text = article_text(late_evening_article())
    assert text.startswith("---\ntitle: Été à Zürich\npublished:")
    front = text.split("---\n")[1]
    assert yaml.safe_load(front)["excerpt"] == "x " * 80
    assert max(len(line) for line in front.splitlines()) > 90  # not wrapped at PyYAML's 80


def test_a_legacy_entry_claimed_before_a_crash_stays_claimed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", 1), tmp_path / "feed"
    import_sources([str(source)], folder)
    as_version_1(folder)
    write_feed(source, 1, title="Retitled")  # so the claimed file is written again
    # The import is killed after it wrote the file, before it saved the index: only the
    # journal knows the claim, and the next import must not see the old entry unclaimed.
    monkeypatch.setattr(ImportIndex, "save", lambda self: self.close())
    assert import_sources([str(source)], folder).counts.updated == 1
    assert "https://news.example/0" not in ImportIndex.load(folder).unclaimed


def test_the_files_written_are_reported_by_path(tmp_path: Path) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", 2), tmp_path / "feed"
    report = import_sources([str(source)], folder)
    assert sorted(report.counts.written) == sorted(folder.glob("*.md"))
