"""A word index kept in the SQLite file of the texts it was made of, for the next start.

Plain Python, no Textual here. Two places keep the filter's word index
(`reader.core.query.words.WordIndex`, as `WordIndex.to_bytes` gives it) beside the texts
it indexes: the index cache the summaries' (`cache.search_texts.CacheTexts.store_words`),
the full-text store the stored texts' (`reader.core.fulltext.store`). Each names what it
kept by a digest of the sequence of texts indexed (`sequence_digest`) and by the version
(generation) the texts were read at; a start reads it back only at the same digest and
version, and `words_from_bytes` checks it whole, so a stale or damaged one is made again,
never used. The write is the same for both (`write_kept`): through a connection of its
own, to the very file the texts were read from (one moved aside and replaced since is
another file), in a transaction whose check that the texts are still of that version is
the caller's, waiting at most a timeout for another writer: the thread that made the index
writes it while the texts stay readable.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import quote

from reader.core.storage.sqlite import SYNCHRONOUS, file_id, write_transaction

__all__ = ["sequence_digest", "write_kept"]


def sequence_digest(keys: Sequence[str]) -> str:
    """A digest of the keys in their order (and their count): which sequence was indexed."""
    digest = hashlib.blake2b(str(len(keys)).encode("ascii"), digest_size=20)
    for start in range(0, len(keys), 4096):
        chunk = "\0".join(["", *keys[start : start + 4096]])
        digest.update(chunk.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def write_kept(
    file: str, source: object, write: Callable[[sqlite3.Connection], bool], timeout: float
) -> bool:
    """`write(connection)` in a write transaction on the file at `file`, if it is still the
    file `source` (`sqlite.file_id`) names; whether it wrote (`write` says False when the
    texts changed since: nothing is written then). Never raises for SQLite or the disk."""
    try:
        # `mode=rw`: never a new empty file in place of one deleted meanwhile.
        conn = sqlite3.connect(
            f"file:{quote(file)}?mode=rw", uri=True, timeout=timeout,
            isolation_level=None, check_same_thread=False,
        )  # fmt: skip
    except sqlite3.Error:
        return False
    try:
        if file_id(Path(file)) != source:
            return False  # moved aside and made anew: its texts are others
        conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
        with write_transaction(conn):
            return write(conn)
    except (sqlite3.Error, OSError):
        return False
    finally:
        conn.close()
