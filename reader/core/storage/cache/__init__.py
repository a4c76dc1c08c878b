"""The index cache: parsed articles kept in SQLite, so a large feed opens at once."""

from reader.core.storage.cache.feed_cache import (
    CACHE_ENV,
    HEAD_SIZE,
    SCHEMA_VERSION,
    FeedCache,
    SyncResult,
    default_cache_path,
    prepare_process_pool,
    usable_cores,
)

__all__ = [
    "CACHE_ENV", "HEAD_SIZE", "SCHEMA_VERSION", "FeedCache", "SyncResult", "default_cache_path",
    "prepare_process_pool", "usable_cores",
]
