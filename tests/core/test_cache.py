"""Tests for reader.core.storage.cache: hits and misses, damaged and foreign files, several
readers, and results identical to `loader.load_feed` on the sample feed, a messy feed and a
generated one."""

from __future__ import annotations

import multiprocessing
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import platformdirs
import pytest

from generated_feed import generate_feed
from reader.core.loader import discover_files, load_feed, parse_file
from reader.core.model import ArticleSummary, summarize
from reader.core.storage.cache import (
    CACHE_ENV,
    SCHEMA_VERSION,
    FeedCache,
    SyncResult,
    default_cache_path,
    feed_cache,
    pool,
    scan,
    schema,
    search_texts,
    snapshot,
)
from reader.core.storage.state import StateStore

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "sample_feed"
HOSTILE = REPO / "tests" / "fixtures" / "hostile"
REFERENCE = REPO.parent / "shared" / "format" / "000_cf4cd48b110cfe5e.txt"  # when present
SAMPLE_COUNT = len(list(discover_files(SAMPLE)))


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def article(title: str, *lines: str, body: str = "Body.") -> str:
    return "---\n" + "\n".join([f'title: "{title}"', *lines]) + f"\n---\n{body}\n"


def touch_later(path: Path) -> None:
    """Move the mtime on, so a rewrite within the clock's granularity is still seen."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """A copy of the sample feed: SAMPLE_COUNT clean articles."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "feed"))


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    """Clean, broken, odd and duplicate articles in nested folders (plus the hostile set)."""
    root = Path(shutil.copytree(SAMPLE, tmp_path / "messy"))
    if HOSTILE.is_dir():
        shutil.copytree(HOSTILE, root / "hostile")
    write(root, "broken/no-front-matter.md", "just some text\n")
    write(root, "broken/bad-yaml.md", "---\ntitle: [unclosed\n---\n")
    write(root, "broken/latin1.md", b"---\ntitle: Caf\xe9 au lait\n---\n")
    write(root, "odd/types.md", article("Odd", "quality: 'high'", "topics: AI", "heat: 2.5"))
    write(
        root,
        "odd/offset.md",
        article(
            "Offset", "publishedDateTime: 2022-05-01T10:00:00-07:00", "webUrl: https://x.example/o"
        ),
    )
    write(root, "odd/no-url.md", article("No URL at all"))
    write(
        root,
        "odd/huge-quality.md",
        article("Huge", f"quality: {2**70}", "webUrl: https://x.example/h"),
    )
    same = "webUrl: https://x.example/same"
    write(root, "dup/a.md", article("Older copy", same, "publishedDateTime: 2022-01-01T00:00:00Z"))
    write(root, "dup/b.md", article("Newer copy", same, "publishedDateTime: 2023-01-01T00:00:00Z"))
    write(root, "dup/c.md", article("Undated copy", same))
    if sys.platform.startswith("linux"):  # file names are bytes there, not always UTF-8
        write(
            root,
            b"odd/caf\xe9-not-utf8-name.md".decode("utf-8", "surrogateescape"),
            article("Odd name"),
        )
    return root


def open_cache(tmp_path: Path, root: Path, name: str = "index.db") -> FeedCache:
    return FeedCache.open(tmp_path / name, root)


def assert_like_loader(root: Path, result: SyncResult, cache: FeedCache) -> None:
    """The sync result, the warm-start path and every detail equal what load_feed gives."""
    feed = load_feed(root)
    expected = [summarize(a) for a in feed.articles]
    assert result.summaries == expected
    assert result.problems == feed.problems
    assert [s.path for s in result.summaries] == [a.path for a in feed.articles]
    assert cache.cached_summaries() == expected
    assert cache.cached_problems() == feed.problems
    for full in feed.articles:
        assert cache.article(full.id) == full


# --- hits and misses -----------------------------------------------------------------------------


def test_cold_sync_parses_every_file_and_a_second_parses_none(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        assert cache.cached_summaries() == []
        first = cache.sync()
        second = cache.sync()
    assert first.parsed == SAMPLE_COUNT and len(first.summaries) == SAMPLE_COUNT
    assert second.parsed == 0
    assert second.summaries == first.summaries
    with open_cache(tmp_path, feed) as cache:  # another run: the fast path, no file read
        assert cache.cached_summaries() == first.summaries
        assert cache.sync().parsed == 0


def test_changed_file_is_parsed_again(tmp_path: Path, feed: Path) -> None:
    path = sorted(feed.glob("*.md"))[5]
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
        path.write_text(
            path.read_text().replace("title:", 'title: "Rewritten headline"\nold_title:', 1)
        )
        touch_later(path)
        result = cache.sync()
        assert result.parsed == 1
        changed = [s for s in result.summaries if s.path == str(path)]
        assert [s.title for s in changed] == ["Rewritten headline"]
        assert cache.article(changed[0].id).title == "Rewritten headline"  # type: ignore[union-attr]
        assert_like_loader(feed, result, cache)


def test_deleted_file_drops_out(tmp_path: Path, feed: Path) -> None:
    path = sorted(feed.glob("*.md"))[0]
    with open_cache(tmp_path, feed) as cache:
        gone = next(s for s in cache.sync().summaries if s.path == str(path))
        path.unlink()
        result = cache.sync()
        assert (result.parsed, result.removed, len(result.summaries)) == (0, 1, SAMPLE_COUNT - 1)
        assert cache.article(gone.id) is None
        assert_like_loader(feed, result, cache)


def test_new_file_is_added_in_feed_order(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
        write(feed, "0000-first.md", article("A brand new story", "webUrl: https://x.example/new"))
        result = cache.sync()
        assert result.parsed == 1
        assert result.summaries[0].title == "A brand new story"  # sorts first: seq was renumbered
        assert_like_loader(feed, result, cache)


def test_the_counts_of_new_changed_and_removed_files(tmp_path: Path, feed: Path) -> None:
    paths = sorted(feed.glob("*.md"))
    with open_cache(tmp_path, feed) as cache:
        first = cache.sync()
        assert (first.added, first.changed, first.removed) == (SAMPLE_COUNT, 0, 0)
        write(feed, "new-one.md", article("New one"))
        write(feed, "sub/new-two.md", article("New two"))
        paths[2].write_text(paths[2].read_text() + "\nOne more line.\n")
        touch_later(paths[2])
        paths[7].unlink()
        result = cache.sync()
        assert (result.added, result.changed, result.removed, result.parsed) == (2, 1, 1, 3)
        assert result.change_summary() == "2 new, 1 changed, 1 removed"
        again = cache.sync()
        assert (again.added, again.changed, again.removed) == (0, 0, 0)
        assert again.change_summary() == "no changes"


def test_a_file_gone_and_a_broken_file_fixed_are_counted(tmp_path: Path, feed: Path) -> None:
    broken = write(feed, "broken.md", "no front matter\n")
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
        broken.write_text(article("Fixed"))
        touch_later(broken)
        sorted(feed.glob("*.md"))[0].unlink()
        result = cache.sync()
    assert (result.added, result.changed, result.removed) == (0, 1, 1)
    assert result.change_summary() == "1 changed, 1 removed"


def test_a_cancelled_sync_counts_only_the_files_it_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 120)
    monkeypatch.setattr(feed_cache, "BATCH_SIZE", 50)
    with open_cache(tmp_path, root) as cache:
        first = cache.sync(workers=1, is_cancelled=lambda: True)
        second = cache.sync(workers=1)
    assert (
        first.cancelled and (first.added, first.changed) == (first.parsed, 0) and first.parsed < 120
    )
    assert (second.added, second.changed) == (120 - first.parsed, 0)


# --- a feed that vanished ------------------------------------------------------------------------


def test_a_deleted_feed_folder_is_one_error_and_keeps_the_cache(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        before = cache.sync().summaries
        feed.rename(tmp_path / "away")
        result = cache.sync()
        assert result.feed_missing
        assert [(p.path, p.severity.value, p.reason) for p in result.problems] == [
            (str(feed), "error", "the feed folder no longer exists")
        ]
        assert (result.removed, result.parsed, result.added, result.changed) == (0, 0, 0, 0)
        assert result.summaries == before
        (tmp_path / "away").rename(feed)
        back = cache.sync()
        assert not back.feed_missing
        assert (back.removed, back.parsed) == (0, 0)
        assert back.summaries == before


def test_a_feed_folder_deleted_during_the_scan_drops_nothing(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_cache(tmp_path, feed) as cache:
        before = cache.sync().summaries

        def vanishing(root: Path, on_folder: object = None) -> Iterator[str]:
            shutil.rmtree(root)
            return iter(())

        monkeypatch.setattr(scan, "discover_paths", vanishing)
        result = cache.sync()
        assert result.feed_missing and result.removed == 0
        assert [p.reason for p in result.problems] == ["the feed folder no longer exists"]
        assert cache.cached_summaries() == before


def test_a_feed_folder_replaced_by_a_file(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        before = cache.sync().summaries
        shutil.rmtree(feed)
        feed.write_text(article("Not a folder any more"))
        result = cache.sync()
    assert result.feed_missing and result.summaries == before
    assert [(p.path, p.reason) for p in result.problems] == [
        (str(feed), "the feed folder no longer exists (a file is in its place)")
    ]


def test_a_deleted_single_file_feed(tmp_path: Path, feed: Path) -> None:
    one = sorted(feed.glob("*.md"))[3]
    with open_cache(tmp_path, one) as cache:
        cache.sync()
        one.unlink()
        result = cache.sync()
    assert result.feed_missing and len(result.summaries) == 1
    assert [(p.path, p.reason) for p in result.problems] == [
        (str(one), "the feed file no longer exists")
    ]


# --- identical to the loader ---------------------------------------------------------------------


def test_sample_feed_gives_what_the_loader_gives(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        assert_like_loader(feed, cache.sync(), cache)


def test_messy_feed_gives_the_same_articles_problems_and_details(
    tmp_path: Path, messy: Path
) -> None:
    with open_cache(tmp_path, messy) as cache:
        result = cache.sync()
        assert result.errors and result.warnings
        assert any("same URL as" in p.reason for p in result.problems)
        assert_like_loader(messy, result, cache)
    with open_cache(tmp_path, messy) as cache:  # warm: from the file alone
        assert cache.sync().parsed == 0
        assert_like_loader(messy, cache.sync(), cache)


FULL_ARTICLE = """---
category: news
title: "Cops Are Using Facial Recognition &amp; More"
excerpt: "Clearview AI carved out a market niche&nbsp;for itself […]"
publishedDateTime: 2021-04-09T11:00:00-07:00
originalUrl: "https://reason.example.com/2021/04/09/cops/"
webUrl: "https://reason.example.com/2021/04/09/cops/"
ampWebUrl: "https://reason.example.com/2021/04/09/cops/?amp"
cdnAmpWebUrl: "https://reason-example-com.cdn.ampproject.org/c/s/reason.example.com/cops/?amp"
type: article
quality: 37
heat: -1
published: false
provider:
  name: Reason
  domain: reason.example.com
topics:
  - Computer Vision
  - AI
images:
  - url: "https://media.example.com/a.jpg"
    width: 1260
    height: 710
    isCached: true
related:
  - title: "Facial recognition for bears"
    excerpt: "Researchers have paired a neural network"
    publishedDateTime: 2021-04-06T10:50:00Z
    webUrl: "https://itpro.example.com/bears"
    type: article
    provider:
      name: IT Pro
      domain: itpro.example.com
    quality: 86
  - title: "East Bay police used facial recognition"
    publishedDateTime: 2021-04-09
    webUrl: "https://eastbay.example.com/police"
    provider: East Bay Times
secured: "pafNhsYUjEPKSPRdqIBGleZQ=="
---
A body with *Markdown*.
"""


def test_article_round_trip_keeps_related_links_images_and_dates(
    tmp_path: Path, feed: Path
) -> None:
    write(feed, "full.md", FULL_ARTICLE)
    if REFERENCE.exists():
        shutil.copy(REFERENCE, feed / "reference.txt")
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
    loaded = load_feed(feed).articles
    full = next(a for a in loaded if a.path == str(feed / "full.md"))
    assert (
        len(full.related) == 2
        and full.images
        and full.related[0].provider
        and full.related[1].published
    )
    with open_cache(tmp_path, feed) as cache:  # a new session: everything from the file
        for expected in loaded:
            assert cache.article(expected.id) == expected
        got = cache.article(full.id)
        assert got is not None and got.published is not None
        assert got.published.utcoffset() == full.published.utcoffset()  # type: ignore[union-attr]
        assert cache.article("no-such-id") is None


def test_generated_feed_in_parallel_equals_in_process_and_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 300, seed=7)
    write(root, "000/zz-duplicate.md", (next((root / "000").iterdir())).read_text())
    with open_cache(tmp_path, root, "serial.db") as cache:
        serial = cache.sync(workers=1)
    monkeypatch.setattr(pool, "usable_cores", lambda: 2)  # a one-core CI box too
    pools: list[int] = []
    real_pool = pool._new_pool

    def counted_pool(workers: int) -> ProcessPoolExecutor:
        pools.append(workers)
        return real_pool(workers)

    monkeypatch.setattr(pool, "_new_pool", counted_pool)
    with open_cache(tmp_path, root, "parallel.db") as cache:
        parallel = cache.sync(workers=2)
        assert (serial.workers, parallel.workers, pools) == (1, 2, [2])
        assert parallel.summaries == serial.summaries and parallel.problems == serial.problems
        assert parallel.parsed == 301 and len(parallel.summaries) == 300
        assert_like_loader(root, parallel, cache)
    # Streamed to a screen: a first batch parsed here, the rest by the pool.
    batches: list[list[ArticleSummary]] = []
    with open_cache(tmp_path, root, "streamed.db") as cache:
        streamed = cache.sync(workers=2, on_batch=batches.append)
        assert streamed.workers == 2 and pools == [2, 2]
        assert streamed.summaries == serial.summaries and streamed.problems == serial.problems
        assert len(batches[0]) == feed_cache.FIRST_BATCH
        assert sum(map(len, batches)) == 301


def test_workers_never_exceed_the_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 250)
    monkeypatch.setattr(pool, "usable_cores", lambda: 1)
    with open_cache(tmp_path, root) as cache:
        assert cache.sync(workers=8).workers == 1


def test_the_walk_s_names_give_the_rows_their_paths_give(
    tmp_path: Path, messy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parsers take the walk's names as strings (see `pool._parsed`): the rows equal
    those made from `Path`s, under the root `.` too (whose names start with `./`)."""

    def from_paths(path: object, root: Path, on_stat: object = None) -> object:
        return parse_file(Path(str(path)), root, on_stat)  # type: ignore[arg-type]

    def synced(root: Path, name: str) -> tuple[object, ...]:
        with open_cache(tmp_path, root, name) as cache:
            result = cache.sync(workers=1)
            details = [cache.article(s.id) for s in result.summaries]
            return result.summaries, result.problems, details, cache.cached_problems()

    for root in (messy, Path(".")):
        monkeypatch.chdir(messy)
        given = synced(root, f"strings{len(str(root))}.db")
        with monkeypatch.context() as patched:
            patched.setattr(pool, "parse_file", from_paths)
            assert synced(root, f"paths{len(str(root))}.db") == given
        assert given[1] and given[2]


def test_root_spelled_another_way_shares_rows_and_keeps_its_spelling(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
    monkeypatch.chdir(tmp_path)
    with open_cache(tmp_path, Path("feed")) as cache:
        assert all(s.path.startswith("feed/") for s in cache.cached_summaries())
        result = cache.sync()
        assert result.parsed == 0
        assert_like_loader(Path("feed"), result, cache)


def test_one_file_holds_several_feeds(tmp_path: Path, feed: Path) -> None:
    other = tmp_path / "other"
    write(other, "only.md", article("The only one"))
    with open_cache(tmp_path, feed) as a, open_cache(tmp_path, other) as b:
        assert len(a.sync().summaries) == SAMPLE_COUNT
        assert [s.title for s in b.sync().summaries] == ["The only one"]
        assert len(a.cached_summaries()) == SAMPLE_COUNT


def test_a_single_file_as_the_feed(tmp_path: Path, feed: Path) -> None:
    one = sorted(feed.glob("*.md"))[3]
    with open_cache(tmp_path, one) as cache:
        assert_like_loader(one, cache.sync(), cache)


# --- callbacks and cancelling --------------------------------------------------------------------


def test_progress_and_batches_report_every_parsed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 120)
    monkeypatch.setattr(feed_cache, "BATCH_SIZE", 50)
    progress: list[tuple[int, int]] = []
    batches: list[list[ArticleSummary]] = []
    with open_cache(tmp_path, root) as cache:
        result = cache.sync(
            on_progress=lambda done, total: progress.append((done, total)), on_batch=batches.append
        )
    # A first build parses while it scans: the total is the files found so far.
    assert progress[-1] == (120, 120)
    assert all(done <= total for done, total in progress)
    assert [total for _, total in progress] == sorted(total for _, total in progress)
    assert len(batches[0]) == feed_cache.FIRST_BATCH and len(batches) > 1  # the first at once
    assert sorted(s.id for batch in batches for s in batch) == sorted(
        s.id for s in result.summaries
    )
    # A later sync knows what it has to parse before it starts.
    for path in sorted(root.rglob("*.md"))[:60]:
        path.write_text(path.read_text() + "\nmore\n")
    progress.clear()
    with open_cache(tmp_path, root) as cache:
        cache.sync(on_progress=lambda done, total: progress.append((done, total)))
    assert progress[0] == (0, 60) and progress[-1] == (60, 60)


def _read_memos(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the reads of the feed's summaries row by row (or from the snapshot)."""
    reads: list[int] = []
    real = snapshot.read_memo  # as feed_cache imports it

    def counted(*args: object, **kwargs: object) -> snapshot.Memo:
        reads.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(feed_cache, "read_memo", counted)
    return reads


@pytest.mark.parametrize("streamed", [False, True])
def test_a_first_build_keeps_the_summaries_of_its_batches_as_rows_give_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    """The summaries a first build made of its batches (none read back) equal those read row
    by row from the file it wrote: duplicates merged alike, their warnings alike."""
    root = tmp_path / "generated"
    generate_feed(root, 130, seed=5, copies=0.3)
    write(root, "000/zz-duplicate.md", sorted((root / "000").iterdir())[0].read_text())
    write(root, "000/zz-broken.md", "---\ntitle: [unclosed\n---\n")
    monkeypatch.setattr(feed_cache, "BATCH_SIZE", 40)
    reads = _read_memos(monkeypatch)
    batches: list[list[ArticleSummary]] = []
    with open_cache(tmp_path, root) as cache:
        built = cache.sync(snapshot=False, on_batch=batches.append if streamed else None)
        problems = cache.cached_problems()
    assert reads == [] and (len(batches) > 1 if streamed else batches == [])
    with open_cache(tmp_path, root) as cache:  # no snapshot stored: the rows are read
        assert cache.cached_summaries() == built.summaries and reads == [1]
        assert cache.cached_problems() == problems == built.problems
        assert any("same URL" in p.reason for p in problems)
    with open_cache(tmp_path, root, "again.db") as cache:
        assert_like_loader(root, cache.sync(), cache)


def test_a_build_another_reader_wrote_beside_reads_the_feed_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another reader's write during a first build (its generation moves on more than the
    build's batches): the build's own summaries are not the feed's, the rows are read."""
    root = tmp_path / "generated"
    generate_feed(root, 90, seed=6)
    monkeypatch.setattr(feed_cache, "BATCH_SIZE", 40)
    reads = _read_memos(monkeypatch)

    def other_reader_writes(_: list[ArticleSummary]) -> None:
        with sqlite3.connect(tmp_path / "index.db") as other:
            other.execute("UPDATE feeds SET generation = generation + 1")
        other.close()

    with open_cache(tmp_path, root) as cache:
        result = cache.sync(on_batch=other_reader_writes)
        assert reads == [1]
        assert_like_loader(root, result, cache)


def test_cancelled_sync_stops_early_and_the_next_one_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 150)
    monkeypatch.setattr(feed_cache, "BATCH_SIZE", 20)
    with open_cache(tmp_path, root) as cache:
        first = cache.sync(is_cancelled=lambda: True)
        assert first.cancelled and 0 < first.parsed < 150
        assert len(cache.cached_summaries()) == first.parsed
        second = cache.sync()
        assert not second.cancelled and second.parsed == 150 - first.parsed
        assert_like_loader(root, second, cache)


# --- damaged, foreign and unusable cache files ---------------------------------------------------


def _damaged_cache(db: Path, feed: Path) -> bytes:
    """A real cache file (its header and mark intact) with the root page of `files` wiped."""
    with FeedCache.open(db, feed) as cache:
        cache.sync()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    ((root,),) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'files'")
    ((page_size,),) = conn.execute("PRAGMA page_size")
    conn.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xff" * page_size
    return bytes(data)


def test_corrupt_cache_file_is_moved_aside_and_rebuilt(tmp_path: Path, feed: Path) -> None:
    db = tmp_path / "index.db"
    db.write_bytes(_damaged_cache(db, feed))
    with FeedCache.open(db, feed) as cache:
        assert len(cache.sync().summaries) == SAMPLE_COUNT
        assert any("damaged" in n for n in cache.notices)
        assert cache.path == db
    # The one policy of every SQLite file (reader.core.storage.sqlite): a timestamped name.
    (aside,) = (p for p in tmp_path.glob("index.db.corrupt-*") if not p.name.endswith("-wal"))
    assert re.fullmatch(r"index\.db\.corrupt-\d{8}-\d{6}", aside.name)
    with FeedCache.open(db, feed) as cache:
        assert cache.notices == [] and len(cache.cached_summaries()) == SAMPLE_COUNT


@pytest.mark.parametrize("kind", ["random", "empty", "other program", "reading state"])
def test_a_file_that_is_not_a_cache_is_refused_untouched(
    tmp_path: Path, feed: Path, kind: str
) -> None:
    db = tmp_path / "index.db"
    if kind == "random":
        db.write_bytes(os.urandom(8192))
    elif kind == "empty":
        db.write_bytes(b"")
    elif kind == "other program":
        conn = sqlite3.connect(db)
        conn.execute("CREATE TABLE files(x)")  # one of the cache's own table names
        conn.execute("INSERT INTO files VALUES ('keep me')")
        conn.commit()
        conn.close()
    else:
        with StateStore.open(db) as store:  # closed: no WAL left to be written back later
            store.set_read("kept")
    before = db.read_bytes()
    with FeedCache.open(db, feed) as cache:
        assert cache.path is None and len(cache.sync().summaries) == SAMPLE_COUNT
        assert any(str(db) in n and "untouched" in n for n in cache.notices)
    assert db.read_bytes() == before
    assert not list(tmp_path.glob("index.db.corrupt-*"))


def test_a_cache_symlink_to_an_empty_file_is_not_written_through(
    tmp_path: Path, feed: Path
) -> None:
    target, link = tmp_path / "target", tmp_path / "index.db"
    target.write_bytes(b"")
    link.symlink_to(target)
    with FeedCache.open(link, feed) as cache:
        assert cache.path is None
    assert target.read_bytes() == b""


class DamagedLater:
    """A real connection to the cache file that fails as a damaged file does, once told to."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.damaged = False

    def execute(self, *args: object) -> sqlite3.Cursor:
        if self.damaged:
            err = sqlite3.DatabaseError("database disk image is malformed")
            err.sqlite_errorcode = sqlite3.SQLITE_CORRUPT
            raise err
        return self.conn.execute(*args)  # type: ignore[arg-type]

    def __getattr__(self, name: str) -> object:
        return getattr(self.conn, name)


def cache_damaged_later(db: Path, feed: Path) -> tuple[FeedCache, DamagedLater]:
    notices: list[str] = []
    conn = schema.open_file(db, 10.0, notices)
    assert conn is not None
    damaged = DamagedLater(conn)
    cache = FeedCache(damaged, db, feed, notices)  # type: ignore[arg-type]
    assert cache.sync().parsed == SAMPLE_COUNT
    return cache, damaged


def test_a_cache_file_damaged_while_in_use_is_moved_aside_and_rebuilt(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "index.db"
    cache, damaged = cache_damaged_later(db, feed)
    some_id = cache.cached_summaries()[0].id
    damaged.damaged = True

    def damaged_too(_: object) -> sqlite3.Connection:
        raise sqlite3.DatabaseError("database disk image is malformed")

    # The texts' own connection, which reads details first, meets the damage too.
    monkeypatch.setattr(search_texts.CacheTexts, "_connection", damaged_too)
    with cache:
        assert cache.article(some_id) is None  # the failed lookup, while the file is set aside
        (aside,) = tmp_path.glob("index.db.corrupt-*")
        assert any("damaged" in n and str(aside) in n for n in cache.notices), cache.notices
        assert cache.path == db and cache.sync().parsed == SAMPLE_COUNT
        assert cache.article(some_id) is not None


def test_a_cache_file_another_reader_replaced_is_not_moved_aside(
    tmp_path: Path, feed: Path
) -> None:
    db = tmp_path / "index.db"
    cache, damaged = cache_damaged_later(db, feed)
    with open_cache(tmp_path, feed, "theirs.db") as theirs:
        theirs.sync()  # another reader found the file damaged and rebuilt it
    os.replace(tmp_path / "theirs.db", db)
    damaged.damaged = True
    with cache:
        assert cache.cached_problems() == []
        assert not list(tmp_path.glob("index.db.corrupt-*"))
        assert cache.path == db and cache.sync().parsed == 0  # their rows, now ours


def _query(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _rewrite(db: Path, sql: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "said"),
    [
        (f"PRAGMA user_version = {SCHEMA_VERSION + 1}", "schema version"),
        ("UPDATE meta SET value = '0.0.1-old' WHERE key = 'reader_version'", "reader 0.0.1-old"),
        ("UPDATE meta SET value = 'tables-of-a-dev-build' WHERE key = 'layout'", "another build"),
    ],
    ids=["other-schema", "other-reader-version", "other-table-layout"],
)
def test_cache_of_another_version_is_rebuilt(
    tmp_path: Path, feed: Path, sql: str, said: str
) -> None:
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
    _rewrite(tmp_path / "index.db", sql)
    with open_cache(tmp_path, feed) as cache:
        assert any(said in n and "rebuilt" in n for n in cache.notices), cache.notices
        assert cache.cached_summaries() == []
        assert cache.sync().parsed == SAMPLE_COUNT
    with open_cache(tmp_path, feed) as cache:
        assert cache.notices == [] and len(cache.cached_summaries()) == SAMPLE_COUNT


def test_unwritable_location_falls_back_to_memory(tmp_path: Path, feed: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with FeedCache.open(blocker / "index.db", feed) as cache:
        assert cache.path is None
        assert any("in memory" in n for n in cache.notices)
        result = cache.sync()
        assert_like_loader(feed, result, cache)
        assert cache.sync().parsed == 0


def test_default_cache_path_honours_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "mine.db"))
    assert default_cache_path() == tmp_path / "mine.db"
    monkeypatch.delenv(CACHE_ENV)
    assert default_cache_path() == Path(platformdirs.user_cache_dir("reader")) / "index.db"


def test_open_without_a_path_uses_the_default(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "env" / "index.db"))
    with FeedCache.open(None, feed) as cache:
        cache.sync()
    assert (tmp_path / "env" / "index.db").exists()


CHILD = """
import sys
from pathlib import Path
from reader.core.storage.cache import FeedCache, feed_cache, pool
feed_cache.BATCH_SIZE = pool.CHUNK_SIZE = 5  # many small writes: the readers collide
cache = FeedCache.open(Path(sys.argv[1]), Path(sys.argv[2]))
result = cache.sync()
again = FeedCache.open(Path(sys.argv[1]), Path(sys.argv[2]))
print(len(result.summaries), len(again.cached_summaries()), len(cache.notices + again.notices))
"""


def test_two_readers_starting_at_once_on_a_cold_cache(tmp_path: Path) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 400)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", CHILD, str(tmp_path / "shared.db"), str(root)]
    children = [
        subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
        assert out.split() == ["400", "400", "0"], err  # "0": no notice, so no fallback to memory
    # readers never block
    assert _query(tmp_path / "shared.db", "PRAGMA journal_mode") == [("wal",)]


# --- the snapshot behind cached_summaries --------------------------------------------------------


def test_warm_start_reads_the_snapshot_not_the_rows(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        expected = cache.sync().summaries
    # bypasses the generation
    _rewrite(tmp_path / "index.db", "UPDATE files SET title = 'from the rows'")
    with open_cache(tmp_path, feed) as cache:
        assert cache.cached_summaries() == expected
    _rewrite(tmp_path / "index.db", "DELETE FROM snapshots")
    with open_cache(tmp_path, feed) as cache:
        assert {s.title for s in cache.cached_summaries()} == {"from the rows"}


def test_a_sync_may_leave_its_snapshot_to_be_stored_after(tmp_path: Path, feed: Path) -> None:
    """`snapshot=False`: the feed is returned before its snapshot is stored (the app shows it
    first); `store_snapshot` then stores it, and a warm start reads it."""
    with open_cache(tmp_path, feed) as cache:
        expected = cache.sync(snapshot=False).summaries
        assert _query(tmp_path / "index.db", "SELECT COUNT(*) FROM snapshots") == [(0,)]
        cache.store_snapshot()
        assert _query(tmp_path / "index.db", "SELECT COUNT(*) FROM snapshots") == [(1,)]
    _rewrite(tmp_path / "index.db", "UPDATE files SET title = 'from the rows'")
    with open_cache(tmp_path, feed) as cache:
        assert cache.cached_summaries() == expected


def test_damaged_snapshot_falls_back_to_the_rows(tmp_path: Path, messy: Path) -> None:
    with open_cache(tmp_path, messy) as cache:
        cache.sync()
    _rewrite(tmp_path / "index.db", "UPDATE snapshots SET data = randomblob(5000)")
    with open_cache(tmp_path, messy) as cache:
        assert cache.sync().parsed == 0
        assert_like_loader(messy, cache.sync(), cache)


def test_a_snapshot_older_than_the_rows_is_not_used(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        cache.sync()
    # A writer that stopped before saving a snapshot: rows changed, generation bumped.
    _rewrite(tmp_path / "index.db", "DELETE FROM files WHERE rel = (SELECT MIN(rel) FROM files)")
    _rewrite(tmp_path / "index.db", "UPDATE feeds SET generation = generation + 1")
    with open_cache(tmp_path, feed) as cache:
        assert len(cache.cached_summaries()) == SAMPLE_COUNT - 1
        assert cache.sync().parsed == 1
        assert len(cache.cached_summaries()) == SAMPLE_COUNT


def test_a_broken_worker_pool_leaves_the_rest_to_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "generated"
    generate_feed(root, 250)
    context = multiprocessing.get_context("spawn")
    # Every worker dies as it starts, as if killed.
    monkeypatch.setattr(
        pool,
        "_new_pool",
        lambda workers: ProcessPoolExecutor(workers, context, initializer=os._exit, initargs=(3,)),
    )
    monkeypatch.setattr(pool, "usable_cores", lambda: 2)
    with open_cache(tmp_path, root) as cache:
        result = cache.sync(workers=2)
        assert result.workers == 2 and result.parsed == 250
        assert_like_loader(root, result, cache)


def test_a_warm_start_gets_the_default_order_without_sorting(tmp_path: Path, feed: Path) -> None:
    from reader.core.ordering import sort_articles

    with open_cache(tmp_path, feed) as cache:
        cache.sync()
        assert cache.cached_sorted() is None  # read row by row: no stored order yet
    with open_cache(tmp_path, feed) as cache:
        in_order = cache.cached_sorted()
        assert in_order is not None
        assert in_order == sort_articles(cache.cached_summaries())
        assert in_order != cache.cached_summaries()  # the feed's own order differs
    _rewrite(tmp_path / "index.db", "UPDATE snapshots SET sorted = NULL")
    with open_cache(tmp_path, feed) as cache:
        assert cache.cached_sorted() is None


def test_the_head_is_the_first_rows_in_the_default_order(tmp_path: Path, feed: Path) -> None:
    from reader.core.ordering import sort_articles

    with open_cache(tmp_path, feed) as cache:
        assert cache.cached_head() == ([], 0)  # nothing stored yet
        cache.sync()
    with open_cache(tmp_path, feed) as cache:
        head, total = cache.cached_head()
        everything = sort_articles(cache.cached_summaries())
        assert total == len(everything) > 0
        assert head == everything[: snapshot.HEAD_SIZE]


def test_closing_the_cache_during_a_sync_stops_it_and_keeps_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Quitting the app closes the cache under its load worker: the sync stops at its next
    batch (it must not start over in memory and parse the whole feed before the exit)."""
    root = tmp_path / "generated"
    generate_feed(root, 200)
    monkeypatch.setattr(feed_cache, "BATCH_SIZE", 50)
    parsed: list[int] = []
    cache = open_cache(tmp_path, root)

    def close_after_first(batch: list[ArticleSummary]) -> None:
        parsed.append(len(batch))
        cache.close()

    result = cache.sync(workers=1, on_batch=close_after_first)
    assert result.cancelled and len(parsed) == 1
    assert cache.path == tmp_path / "index.db" and not cache.notices  # not gone to memory
    with open_cache(tmp_path, root) as again:  # what was committed is kept; the rest follows
        resumed = again.sync(workers=1)
    assert not resumed.cancelled and len(resumed.summaries) == 200
    assert resumed.added == 200 - parsed[0]


def test_a_snapshot_of_several_chunks_reads_back_whole(
    tmp_path: Path, feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "CHUNK", 3)  # the sample feed spans several chunks
    with open_cache(tmp_path, feed) as cache:
        expected = cache.sync().summaries
    assert len(expected) > 2 * snapshot.CHUNK
    _rewrite(tmp_path / "index.db", "UPDATE files SET title = 'from the rows'")  # not read
    with open_cache(tmp_path, feed) as cache:
        found = cache.cached_summaries()
    assert found == expected
    # Provider strings and topics are shared again across chunks.
    names = {s.provider_name: s.provider_name for s in found}
    assert all(s.provider_name is names[s.provider_name] for s in found)
    topics = {s.topics: s.topics for s in found}
    assert all(s.topics is topics[s.topics] for s in found)


def test_a_snapshot_cut_short_falls_back_to_the_rows(tmp_path: Path, feed: Path) -> None:
    with open_cache(tmp_path, feed) as cache:
        expected = cache.sync().summaries
    # The header promises every summary; the chunks after the first are gone.
    _rewrite(tmp_path / "index.db", "UPDATE snapshots SET data = substr(data, 1, 200)")
    with open_cache(tmp_path, feed) as cache:
        assert cache.cached_summaries() == expected
        assert cache.cached_sorted() is None  # read row by row
