"""The index cache: parsed articles kept in SQLite, so a large feed opens at once.

`FeedCache` (in `feed_cache`) is the whole public face; see its module for the parts.
"""

from reader.core.storage.cache.feed_cache import (
    CACHE_ENV,
    FeedCache,
    SyncResult,
    default_cache_path,
)
from reader.core.storage.cache.schema import SCHEMA_VERSION
from reader.core.storage.cache.snapshot import HEAD_SIZE

__all__ = [
    "CACHE_ENV", "HEAD_SIZE", "SCHEMA_VERSION", "FeedCache", "SyncResult", "default_cache_path",
    "prepare_process_pool", "usable_cores",
]  # fmt: skip


# The pool's module (multiprocessing) is imported only when it is used: opening the cache
# and showing its rows never needs it.


def prepare_process_pool() -> None:
    """See `pool.prepare_process_pool`."""
    from reader.core.storage.cache import pool

    pool.prepare_process_pool()


def usable_cores() -> int:
    """See `pool.usable_cores`."""
    from reader.core.storage.cache import pool

    return pool.usable_cores()
