"""What a warm start and a warm `reader list` read of the index cache: the first screen and
the stored JSON fields come from tables of their own, so reading them walks no page of the
large blobs beside them (the snapshot's summaries, the articles' data).

Shown by making every page of the table not read unreadable: the read still gives
everything, the same as before the damage.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from generated_feed import generate_feed
from reader.core.ordering import sort_articles
from reader.core.storage.cache import FeedCache, snapshot
from reader.core.storage.cache.listing_rows import READ_ALL_FROM
from reader.core.storage.cache.schema import PAGE_SIZE
from reader.core.storage.ownership import CACHE, create_new

FILES = 500  # a snapshot of a few hundred kB: it spans many overflow pages


def _feed(tmp_path: Path) -> Path:
    root = tmp_path / "feed"
    generate_feed(root, FILES, seed=11)
    return root


def _zero_pages(db: Path, table: str, only_overflow: bool) -> int:
    """Overwrite the table's pages (or only its overflow pages) with zeros; how many."""
    conn = sqlite3.connect(db)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        rows = conn.execute("SELECT pageno, pagetype FROM dbstat WHERE name = ?", (table,))
        pages = [n for n, kind in rows if kind == "overflow" or not only_overflow]
    finally:
        conn.close()
    with db.open("r+b") as file:
        for page in pages:
            file.seek((page - 1) * page_size)
            file.write(bytes(page_size))
    return len(pages)


def test_the_first_screen_is_read_without_the_snapshot_blob(tmp_path: Path) -> None:
    root, db = _feed(tmp_path), tmp_path / "index.db"
    with FeedCache.open(db, root) as cache:
        cache.sync()
    with FeedCache.open(db, root) as cache:
        cache.sync()  # the summaries read row by row: now stored as a snapshot
        expected = sort_articles(cache.cached_summaries())[: snapshot.HEAD_SIZE], FILES
    assert _zero_pages(db, "snapshots", only_overflow=True) > 4  # of 16 KiB
    with FeedCache.open(db, root) as cache:
        assert cache.cached_head() == expected
        assert cache.notices == []


def test_the_stored_json_is_read_without_the_articles_data(tmp_path: Path) -> None:
    root, db = _feed(tmp_path), tmp_path / "index.db"
    with FeedCache.open(db, root) as cache:
        paths = [s.path for s in cache.sync().summaries]
        few, every = cache.listings(paths[: READ_ALL_FROM // 10]), cache.listings(paths)
    assert len(every) == FILES and len(few) == READ_ALL_FROM // 10
    assert _zero_pages(db, "details", only_overflow=False) > 10
    with FeedCache.open(db, root) as cache:
        assert cache.listings(paths[: READ_ALL_FROM // 10]) == few
        assert cache.listings(paths) == every
        assert cache.notices == []


def test_a_file_rewritten_without_an_article_drops_its_stored_json(tmp_path: Path) -> None:
    root, db = _feed(tmp_path), tmp_path / "index.db"
    files = sorted(root.rglob("*.md"))
    with FeedCache.open(db, root) as cache:
        paths = [s.path for s in cache.sync().summaries]
    broken, deleted = files[0], files[1]
    broken.write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    deleted.unlink()
    with FeedCache.open(db, root) as cache:
        assert cache.sync().parsed == 1
        kept = cache.listings(paths)
    assert set(paths) - set(kept) == {str(broken), str(deleted)}


def test_a_new_cache_file_has_large_pages_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    """A new file gets PAGE_SIZE pages (a build's writes are a page per call); a file made
    with SQLite's default pages is used as it is, and its articles read back the same."""
    root = _feed(tmp_path)
    new, old = tmp_path / "new.db", tmp_path / "old.db"
    create_new(old, CACHE)  # as the reader made them before: SQLite's default pages
    with FeedCache.open(new, root) as cache:
        built = cache.sync()
    with FeedCache.open(old, root) as cache:
        assert cache.sync().summaries == built.summaries and cache.notices == []
    for path, size in ((new, PAGE_SIZE), (old, 4096)):
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA page_size").fetchone()[0] == size
        finally:
            conn.close()
