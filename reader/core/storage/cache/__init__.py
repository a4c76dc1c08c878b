"""The index cache: parsed articles kept in SQLite, so a large feed opens at once.

`FeedCache` (in `feed_cache`) is the whole public face; see its module for the parts.
"""

from reader.core.storage.cache.feed_cache import (
    CACHE_ENV,
    FeedCache,
    SyncResult,
    default_cache_path,
)
from reader.core.storage.cache.pool import prepare_process_pool, usable_cores
from reader.core.storage.cache.schema import SCHEMA_VERSION
from reader.core.storage.cache.snapshot import HEAD_SIZE

__all__ = [
    "CACHE_ENV", "HEAD_SIZE", "SCHEMA_VERSION", "FeedCache", "SyncResult", "default_cache_path",
    "prepare_process_pool", "usable_cores",
]  # fmt: skip
