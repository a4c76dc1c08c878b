"""What a sync of the index cache gave (see `FeedCache.sync`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from reader.core.model import ArticleSummary, Problem, ProblemsMixin
from reader.core.storage.cache.scan import Stale


@dataclass(slots=True)
class SyncResult(ProblemsMixin):
    """What a sync gave: like `FeedLoad`, with summaries instead of full articles."""

    summaries: list[ArticleSummary] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parsed: int = 0  # files parsed this time (new or changed): added + changed
    removed: int = 0  # files gone since the last sync
    cancelled: bool = False  # stopped early: the cache holds what was done so far
    workers: int = 0  # processes that parsed (1: this one; 0: nothing to parse)
    added: int = 0  # of the files parsed, those not in the cache before
    changed: int = 0  # of the files parsed, those whose size, mtime or ctime changed
    # The feed folder (or file) is gone: nothing was dropped from the cache, `summaries`
    # are the cached ones and `problems` is one error naming the feed.
    feed_missing: bool = False
    # The feed's generation `summaries` were read at (bumped by every reader's writes):
    # two results of the same generation hold the same feed, whoever parsed it.
    generation: int = -1

    def change_summary(self) -> str:
        """`2 new, 1 changed, 1 removed` (only the counts that are not 0), or `no changes`."""
        counts = ((self.added, "new"), (self.changed, "changed"), (self.removed, "removed"))
        return ", ".join(f"{count:,} {word}" for count, word in counts if count) or "no changes"


def count_parsed(stale: list[Stale], result: SyncResult) -> None:
    """Split `result.parsed` into added and changed files (a cancelled sync parsed a prefix)."""
    new = sum(1 for item in stale[: result.parsed] if item[4])
    result.added, result.changed = new, result.parsed - new
