"""`reader list` with stories: `story` in every JSON object, `--stories` as table, TSV and
JSON; the rows the app will show (lead, other outlets, counts, the read rule)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.library import Library
from reader.core.model import ArticleSummary
from reader.core.stories.rows import StoryIndex, story_counts, story_rows
from reader.core.view import FeedView

STORIES = Path(__file__).resolve().parents[1] / "fixtures" / "stories"


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    shutil.copytree(STORIES / "related", folder)
    return folder


def listed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(argv) == 0
    return capsys.readouterr().out


def args(feed: Path, tmp_path: Path, *extra: str, cache: bool = True) -> list[str]:
    where = ["--cache", str(tmp_path / "index.db")] if cache else ["--no-cache"]
    return ["list", str(feed), "--state", str(tmp_path / "state.db"), *where, *extra]


def test_every_json_object_names_its_story_by_its_lead(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    objects = json.loads(
        listed(args(feed, tmp_path, "--format", "json", "--sort", "newest"), capsys)
    )
    by_story: dict[str, list[dict[str, object]]] = {}
    for record in objects:
        by_story.setdefault(str(record["story"]), []).append(record)
    grouped = [members for members in by_story.values() if len(members) > 1]
    assert len(grouped) > 15
    for story, members in by_story.items():
        # The lead is the story's first article in the list's order; alone, its own id.
        assert members[0]["id"] == story
    assert list(objects[0])[-1] == "story"


def test_the_cache_and_a_fresh_parse_give_the_same_json(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for extra in (("--format", "json"), ("--format", "jsonl", "--stories")):
        cached = listed(args(feed, tmp_path, *extra), capsys)
        assert listed(args(feed, tmp_path, *extra, cache=False), capsys) == cached


def test_stories_print_a_lead_each_with_its_sources(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    every = json.loads(listed(args(feed, tmp_path, "--format", "json"), capsys))
    leads = json.loads(listed(args(feed, tmp_path, "--format", "json", "--stories"), capsys))
    assert sum(1 + len(lead["sources"]) for lead in leads) == len(every)
    assert {lead["id"] for lead in leads} == {record["story"] for record in every}
    story_of = {record["id"]: record["story"] for record in every}
    for lead in leads:
        assert all(story_of[source] == lead["id"] for source in lead["sources"])
    many = next(lead for lead in leads if lead["sources"])
    table = listed(args(feed, tmp_path, "--stories"), capsys)
    assert f"+{len(many['sources'])} {many['title'][:20]}" in table
    tsv = listed(args(feed, tmp_path, "--stories", "--format", "tsv"), capsys).splitlines()
    assert tsv[0].endswith("\tsources") and len(tsv) == len(leads) + 1
    assert any(line.endswith("\t" + ",".join(many["sources"])) for line in tsv)


def test_a_filtered_story_is_led_by_its_best_matching_article(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = ("--query", "izanagi", "--format", "json", "--stories", "--sort", "newest")
    leads = json.loads(listed(args(feed, tmp_path, *query), capsys))
    assert leads and all(
        "izanagi" in (lead["title"] + lead["excerpt"]).casefold() for lead in leads
    )
    assert any(lead["sources"] for lead in leads)  # its other outlets, matching or not


def test_the_limit_counts_stories(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leads = json.loads(
        listed(args(feed, tmp_path, "--format", "json", "--stories", "--limit", "5"), capsys)
    )
    assert len(leads) == 5


def test_group_stories_false_leaves_every_article_alone(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("group_stories = false\n", encoding="utf-8")
    objects = json.loads(
        listed(args(feed, tmp_path, "--format", "json", "--config", str(config)), capsys)
    )
    assert all(record["story"] == record["id"] for record in objects)


def summary(article_id: str, quality: int) -> ArticleSummary:
    return ArticleSummary(
        article_id,
        f"{article_id}.md",
        f"Title {article_id}",
        None,
        "",
        "",
        datetime(2024, 1, 1, tzinfo=UTC),
        quality,
        None,
        (),
        article_id,
    )


def test_rows_lead_by_the_order_count_and_read_as_one() -> None:
    library = Library()
    library.add_summaries([summary(i, q) for i, q in (("a", 1), ("b", 9), ("c", 5), ("d", 3))])
    library.set_stories([("a", "b", "c")])
    view = FeedView(library, ReadNone())
    rows = view.story_rows()
    assert [(row.lead.id, [o.id for o in row.others]) for row in rows] == [
        ("b", ["c", "a"]),
        ("d", []),
    ]
    assert story_counts(rows, len(view.articles())) == "2 stories · 4 articles"
    assert rows[0].ids == ("b", "c", "a")
    assert rows[0].is_unread({"b", "c"}) and not rows[0].is_unread({"a", "b", "c"})
    shown = [s for s in library.sorted() if s.id in ("a", "d")]
    led = story_rows(shown, StoryIndex([("a", "b", "c")]), library.sorted())
    assert [(row.lead.id, [o.id for o in row.others]) for row in led] == [
        ("d", []),
        ("a", ["b", "c"]),
    ]


class ReadNone:
    def is_read(self, article_id: str) -> bool:
        return False

    def is_starred(self, article_id: str) -> bool:
        return False

    def read_ids(self) -> frozenset[str]:
        return frozenset()

    def starred_ids(self) -> frozenset[str]:
        return frozenset()


def test_the_views_story_rows_are_made_once_until_the_articles_or_stories_change() -> None:
    library = Library()
    library.add_summaries([summary(i, q) for i, q in (("a", 1), ("b", 9), ("c", 5))])
    library.set_stories([("a", "b")])
    view = FeedView(library, ReadNone())
    rows = view.story_rows()
    assert view.story_rows() is rows  # a redraw (a mark, a move) reuses them
    library.set_stories([("a", "b", "c")])
    regrouped = view.story_rows()
    assert regrouped is not rows and [row.lead.id for row in regrouped] == ["b"]


def test_a_cleared_filter_gives_the_whole_feeds_rows_again_and_filters_share_the_members() -> None:
    from reader.core.query import parse_query

    library = Library()
    library.add_summaries([summary(i, q) for i, q in (("a", 1), ("b", 9), ("c", 5))])
    library.set_stories([("a", "b")])
    view = FeedView(library, ReadNone())
    everything = view.story_rows()
    members = library.stories.members_in(library.sorted())
    view.query = parse_query("Title")
    assert view.story_rows() is not everything
    assert library.stories.members_in(library.sorted()) is members  # made once per order
    view.query = None
    assert view.story_rows() is everything
