"""Reading-state files for tests: damaged in a known way, and what a file holds."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.core.storage.state import StateStore


def read_in_file(path: Path) -> set[str]:
    """The ids marked read in the state file at `path`, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT article_id FROM marks WHERE read")}
    finally:
        conn.close()


def damage(path: Path, ids: list[str], name: str = "sqlite_autoindex_marks_1") -> None:
    """A state with `ids` read and the root page of table or index `name` wiped: with the
    index's, the table reads whole, and only quick_check (or a write) finds the damage."""
    with StateStore.open(path) as store:
        store.set_read_many(ids)
        store.set_setting("sort", "newest")
    conn = sqlite3.connect(path)
    try:
        ((root,),) = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,))
        ((page_size,),) = conn.execute("PRAGMA page_size")
    finally:
        conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size : root * page_size] = b"\xff" * page_size
    path.write_bytes(bytes(data))
