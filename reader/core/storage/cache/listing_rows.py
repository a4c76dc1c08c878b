"""The `listings` table: each article's stored JSON fields (see `listing`), kept and read.

A table of its own, not a column beside the article's data: reading all 100,000 of them
then walks none of the data's pages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from reader.core.storage.cache.codec import DetailRow, from_db, to_db

# From this many paths on, one pass over the feed's rows beats a lookup per path.
READ_ALL_FROM = 200


def store_listings(
    conn: sqlite3.Connection, feed: int, details: Sequence[DetailRow], failed: Sequence[str]
) -> None:
    """Keep the parsed articles' texts, and drop those of articles that have none now (a
    text that is not Unicode) or are gone (`failed`: rels whose file gave no article)."""
    conn.executemany(
        "INSERT OR REPLACE INTO listings VALUES (?, ?, ?)",
        [(feed, row[1], row[3]) for row in details if row[3] is not None],
    )
    dropped = [(feed, row[1]) for row in details if row[3] is None]
    dropped += [(feed, rel) for rel in failed]
    conn.executemany("DELETE FROM listings WHERE feed = ? AND rel = ?", dropped)


def listings_by_path(
    conn: sqlite3.Connection, feed: int, prefix: str, paths: Sequence[str]
) -> dict[str, bytes]:
    """The stored texts of the articles at these paths (the feed's paths start with
    `prefix`), by path; a path with none (or not in the cache) is left out."""
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
