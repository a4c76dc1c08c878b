"""What `reader list --format json` prints of each article, kept encoded in the index cache.

The parser processes encode each article's fields once (`listing_text`, stored in the
`details` row beside the full article); a warm `reader list` then reads these texts and
splices id, path and reading state around them (`export.spliced_json`), instead of
rebuilding and encoding 100,000 full articles. The state is never stored: it changes
without the files changing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from reader.core.export import stored_fields_json
from reader.core.model import Article

# From this many paths on, one pass over the feed's rows beats a lookup per path.
READ_ALL_FROM = 200


def listing_text(article: Article) -> bytes | None:
    """The article's stored JSON fields in UTF-8; None for text that is not Unicode.

    (The loader lets no lone surrogate through, but should one come, that article is
    encoded whole at output instead.) Bytes, not TEXT: the output is written as bytes,
    so a warm list neither decodes nor encodes 100 MB of text.
    """
    try:
        return stored_fields_json(article).encode("utf-8")
    except UnicodeEncodeError:
        return None


def read_all_listings(conn: sqlite3.Connection, feed: int) -> list[tuple[str, bytes]]:
    """(rel as stored, text) of every file of the feed that has a stored text."""
    return conn.execute(
        "SELECT rel, listing FROM details WHERE feed = ? AND listing IS NOT NULL", (feed,)
    ).fetchall()


def read_listings(conn: sqlite3.Connection, feed: int, rels: Sequence[str]) -> dict[str, bytes]:
    """The stored texts of these files, by rel (as stored, see `codec.to_db`); missing left out."""
    out: dict[str, bytes] = {}
    for rel in rels:
        row = conn.execute(
            "SELECT listing FROM details WHERE feed = ? AND rel = ?", (feed, rel)
        ).fetchone()
        if row is not None and row[0] is not None:
            out[rel] = row[0]
    return out
