"""Stories in the index cache: grouped as files are parsed, read back by a warm start, and
regrouped around a new, changed or deleted file only."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from reader.core.loader import load_feed
from reader.core.storage.cache import FeedCache, stories
from reader.core.storage.cache.pool import Item, Task, parse_task
from reader.core.stories.features import keys_from_row, keys_of
from reader.core.stories.grouping import group

STORIES = Path(__file__).resolve().parents[1] / "fixtures" / "stories"
# Reuters' scoop and a copy of it: two outlets, one story.
SCOOP = "2024-02-16-softbank-s-son-is-seeking-about-100-bln-for-ai-chip-venture--reuters.md"


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    shutil.copytree(STORIES / "related", folder)
    return folder


def fresh(folder: Path) -> list[tuple[str, ...]]:
    """The stories of the feed as parsing every file gives them."""
    return group(keys_of(a) for a in load_feed(folder).articles)


def sync(folder: Path, cache: Path, stories: bool = True) -> list[tuple[str, ...]]:
    with FeedCache.open(cache, folder) as opened:
        opened.stories = stories
        opened.sync()
        return opened.story_groups()


def test_a_first_build_groups_the_feed_as_parsing_it_does(feed: Path, tmp_path: Path) -> None:
    stories = sync(feed, tmp_path / "index.db")
    assert stories == fresh(feed)
    assert len(stories) > 15


def test_a_warm_start_reads_the_stories_without_grouping_again(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "index.db"
    first = sync(feed, cache)

    def no_grouping(*_: object) -> None:
        raise AssertionError("a warm start grouped again")

    monkeypatch.setattr("reader.core.stories.grouping.group_keys", no_grouping)
    assert sync(feed, cache) == first


def test_a_new_copy_joins_its_story_and_leaves_with_its_file(feed: Path, tmp_path: Path) -> None:
    cache = tmp_path / "index.db"
    before = sync(feed, cache)
    text = (feed / SCOOP).read_text(encoding="utf-8")
    copy = feed / "zz-wire-copy.md"
    copy.write_text(
        text.replace('webUrl: "', 'webUrl: "https://tv.example/copy?').replace(
            'name: "Reuters"', 'name: "A TV station"'
        ),
        encoding="utf-8",
    )
    with_copy = sync(feed, cache)
    copy_id = next(a.id for a in load_feed(copy).articles)
    scoop_id = next(a.id for a in load_feed(feed / SCOOP).articles)
    story = next(s for s in with_copy if copy_id in s)
    assert scoop_id in story
    # Every other story is as it was: only the copy's neighbourhood was grouped again.
    assert [s for s in with_copy if s != story] == [s for s in before if scoop_id not in s]
    copy.unlink()
    assert sync(feed, cache) == before


def test_a_change_regroups_only_around_it(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "index.db"
    sync(feed, cache)
    seen: list[int] = []
    from reader.core.stories import grouping

    real = grouping.group_keys

    def counted(keys: dict[str, object], idf: object) -> list[tuple[str, ...]]:
        seen.append(len(keys))
        return real(keys, idf)  # type: ignore[arg-type]

    monkeypatch.setattr(grouping, "group_keys", counted)
    path = feed / SCOOP
    path.write_text(path.read_text(encoding="utf-8") + "\nA line of body.\n", encoding="utf-8")
    assert sync(feed, cache) == fresh(feed)
    assert seen and seen[0] < len(load_feed(feed).articles) / 2


def test_a_sync_stopped_before_grouping_is_grouped_at_the_next(feed: Path, tmp_path: Path) -> None:
    cache = tmp_path / "index.db"
    stories = sync(feed, cache)
    with sqlite3.connect(cache) as conn:
        conn.execute("DELETE FROM story_groups")
        conn.execute("UPDATE story_words SET articles = articles - 1")
        # The batches that sync wrote bumped the feed's generation, as every write to files does.
        conn.execute("UPDATE feeds SET generation = generation + 1")
        keys = conn.execute("SELECT COUNT(*) FROM story_keys").fetchone()[0]
    conn.close()
    assert sync(feed, cache) == stories
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT articles FROM story_words").fetchone() == (keys,)
    conn.close()


def test_a_warm_start_counts_no_keys_once_they_were_found_in_step(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sync that grouped (or counted the keys and found them whole) marks the feed's
    generation: a start at the same one counts no row (~20-40 ms at 100,000 articles)."""
    cache = tmp_path / "index.db"
    first = sync(feed, cache)
    with sqlite3.connect(cache) as conn:
        conn.execute("DELETE FROM meta WHERE key LIKE 'stories_in_step:%'")  # as if unmarked
    conn.close()
    assert sync(feed, cache) == first  # counted, found in step, and marked

    def no_count(*_: object) -> int:
        raise AssertionError("a warm start counted the stored keys")

    with monkeypatch.context() as patched:
        patched.setattr(stories, "_count", no_count)
        assert sync(feed, cache) == first
    with sqlite3.connect(cache) as conn:  # another reader's sync wrote files: counted again
        conn.execute("UPDATE feeds SET generation = generation + 1")
    conn.close()
    counted: list[str] = []
    count = stories._count

    def seen(conn: sqlite3.Connection, table: str, feed_id: int) -> int:
        counted.append(table)
        return count(conn, table, feed_id)

    monkeypatch.setattr(stories, "_count", seen)
    assert sync(feed, cache) == first
    assert counted


def test_a_first_build_reads_no_old_keys_and_groups_the_whole_feed(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of a first build is new: no stored key is looked up to be counted out."""

    def no_old_rows(*_: object) -> list[object]:
        raise AssertionError("a first build read old story keys")

    monkeypatch.setattr(stories, "_old_rows", no_old_rows)
    assert sync(feed, tmp_path / "index.db") == fresh(feed)


def test_a_feed_built_again_after_its_files_went_is_grouped_anew(
    feed: Path, tmp_path: Path
) -> None:
    """The files deleted by a sync that was not grouped (the app quit), then as many others
    (the same, a year apart each: no story): the build's grouping is of the files now."""
    cache, texts = tmp_path / "index.db", {}
    assert sync(feed, cache)
    for path in sorted(feed.glob("*.md")):
        texts[path.name] = path.read_text(encoding="utf-8")
        path.unlink()
    with FeedCache.open(cache, feed) as opened:
        assert opened.sync().summaries == []  # and no regrouping
    for year, (name, text) in enumerate(texts.items(), start=1000):
        (feed / name).write_text(
            re.sub(r"(?m)^publishedDateTime: \d{4}", f"publishedDateTime: {year}", text),
            encoding="utf-8",
        )
    assert sync(feed, cache) == fresh(feed) == []


def test_without_stories_no_key_is_kept_and_none_is_found(feed: Path, tmp_path: Path) -> None:
    cache = tmp_path / "index.db"
    assert sync(feed, cache, stories=False) == []
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT COUNT(*) FROM story_keys").fetchone() == (0,)
    conn.close()


def test_articles_parsed_with_grouping_off_are_grouped_once_it_is_on(
    feed: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "index.db"
    assert sync(feed, cache, stories=False) == []
    assert sync(feed, cache) == fresh(feed)


def test_each_parsed_file_s_row_holds_its_own_story_keys(feed: Path) -> None:
    """The keys of a task's files are made after all of them are parsed: each file's row
    still holds its own article's, a failed file none, and none with grouping off."""
    (feed / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    paths = sorted(str(p) for p in feed.glob("*.md"))
    items: list[Item] = [(seq, Path(p).name, p, None) for seq, p in enumerate(paths)]
    files, details = parse_task(Task(1, str(feed), items))
    assert len(files) == len(paths)
    articles = {a.path: a for a in load_feed(feed).articles}
    assert len(details) == len(articles) == len(paths) - 1
    for detail in details:
        made = keys_of(articles[str(feed / detail[1])])
        story = detail[4]
        assert story is not None and story[:4] == (1, detail[1], made.article_id, made.day)
        assert keys_from_row(*story[2:]) == made
    assert all(detail[4] is None for detail in parse_task(Task(1, str(feed), items, False))[1])
