"""The `listings` table: each article's stored JSON fields (see `listing`), kept and read.

A table of its own, not a column beside the article's data: reading all 100,000 of them
then walks none of the data's pages.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence

from reader.core.storage.cache.codec import DetailRow, article_from_detail, from_db, to_db
from reader.core.storage.cache.listing import listing_text
from reader.core.storage.sqlite import write_transaction

# From this many paths on, one pass over the feed's rows beats a lookup per path.
READ_ALL_FROM = 200


def store_listings(
    conn: sqlite3.Connection, feed: int, details: Sequence[DetailRow], failed: Sequence[str],
    fresh: bool = False,
) -> None:  # fmt: skip
    """Keep the parsed articles' texts, and drop those of articles that have none now (a
    text that is not Unicode, or not made: see `fill_listings`) or are gone (`failed`: rels
    whose file gave no article). `fresh`: the feed has no rows yet, none to drop."""
    conn.executemany(
        "INSERT OR REPLACE INTO listings VALUES (?, ?, ?)",
        [(feed, row[1], row[3]) for row in details if row[3] is not None],
    )
    if fresh:
        return
    dropped = [(feed, row[1]) for row in details if row[3] is None]
    dropped += [(feed, rel) for rel in failed]
    conn.executemany("DELETE FROM listings WHERE feed = ? AND rel = ?", dropped)


def listings_by_path(
    conn: sqlite3.Connection, feed: int, prefix: str, paths: Sequence[str], fill: bool = False
) -> dict[str, bytes]:
    """The stored texts of the articles at these paths (the feed's paths start with
    `prefix`), by path; a path with none (or not in the cache) is left out. `fill`: those
    not stored are made first where they can be (see `fill_listings`)."""
    found = _stored_by_path(conn, feed, prefix, paths)
    if fill:
        cut = len(prefix)
        missing = [to_db(p[cut:]) for p in paths if p not in found and p.startswith(prefix)]
        if missing:
            made = fill_listings(conn, feed, missing)
            found.update((prefix + from_db(rel), text) for rel, text in made.items())
    return found


def _stored_by_path(
    conn: sqlite3.Connection, feed: int, prefix: str, paths: Sequence[str]
) -> dict[str, bytes]:
    if len(paths) < READ_ALL_FROM:
        cut = len(prefix)
        rels = {to_db(p[cut:]): p for p in paths if p.startswith(prefix)}
        found = _read_listings(conn, feed, list(rels))
        return {rels[rel]: text for rel, text in found.items()}
    rows = conn.execute("SELECT rel, listing FROM listings WHERE feed = ?", (feed,)).fetchall()
    # Every row: cheaper than picking, since most are wanted when this many are.
    return {prefix + (from_db(rel) if rel[:1] == "\x00" else rel): text for rel, text in rows}


def _read_listings(conn: sqlite3.Connection, feed: int, rels: Sequence[str]) -> dict[str, bytes]:
    """The stored texts of these files, by rel (as stored, see `codec.to_db`); missing left out."""
    out: dict[str, bytes] = {}
    for rel in rels:
        row = conn.execute(
            "SELECT listing FROM listings WHERE feed = ? AND rel = ?", (feed, rel)
        ).fetchone()
        if row is not None:
            out[rel] = row[0]
    return out


def fill_listings(conn: sqlite3.Connection, feed: int, rels: Sequence[str]) -> dict[str, bytes]:
    """The texts of these articles (rels as stored) that have none stored, made from their
    details and stored (in a write transaction of their own), by rel.

    The app's syncs leave the texts out (a twelfth of a file's parse, a fourth of the
    cache file, and only `reader list --format json` reads them): the first list that
    wants them makes them, once. An article whose text cannot be made (not Unicode) or
    that has no details is left out, to be encoded whole as before.
    """
    made: dict[str, bytes] = {}
    for rel, data in _details_of(conn, feed, rels):
        # The path is not among the stored fields: any will do.
        text = listing_text(article_from_detail(data, ""))
        if text is not None:
            made[rel] = text
    if not made:
        return made
    # Kept if the file can be written now (not read-only, not held by a long write):
    # else the next list makes them again.
    with contextlib.suppress(sqlite3.OperationalError), write_transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO listings VALUES (?, ?, ?)",
            [(feed, rel, text) for rel, text in made.items()],
        )
    return made


def _details_of(
    conn: sqlite3.Connection, feed: int, rels: Sequence[str]
) -> Iterator[tuple[str, bytes]]:
    """The details data of these files (rels as stored) that have a row, one at a time: a
    first list after the app's first build of 100,000 files reads every detail (~200 MB
    held at once when they were read as a list)."""
    if len(rels) >= READ_ALL_FROM:  # most of the feed, as after a first build
        wanted = set(rels)
        rows = conn.execute("SELECT rel, data FROM details WHERE feed = ?", (feed,))
        yield from ((rel, data) for rel, data in rows if rel in wanted)
        return
    for rel in rels:
        row = conn.execute(
            "SELECT data FROM details WHERE feed = ? AND rel = ?", (feed, rel)
        ).fetchone()
        if row is not None:
            yield rel, row[0]
