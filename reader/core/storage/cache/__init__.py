"""The index cache: parsed articles kept in SQLite, so a large feed opens at once.

`FeedCache` (in `feed_cache`) is the whole public face; see its module for the parts.
"""

from typing import TYPE_CHECKING, Any

from reader.core.storage.cache.feed_cache import FeedCache
from reader.core.storage.cache.location import CACHE_ENV, default_cache_path
from reader.core.storage.cache.schema import SCHEMA_VERSION
from reader.core.storage.cache.snapshot import HEAD_SIZE
from reader.core.storage.cache.sync_result import SyncResult

if TYPE_CHECKING:
    from reader.core.storage.cache.pool import prepare_process_pool, usable_cores

__all__ = [
    "CACHE_ENV", "HEAD_SIZE", "SCHEMA_VERSION", "FeedCache", "SyncResult", "default_cache_path",
    "prepare_process_pool", "usable_cores",
]  # fmt: skip


def __getattr__(name: str) -> Any:
    """`prepare_process_pool` and `usable_cores` on first use: multiprocessing is slow to
    import, and a warm `reader list` never starts a process."""
    if name in ("prepare_process_pool", "usable_cores"):
        from reader.core.storage.cache import pool

        return getattr(pool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
