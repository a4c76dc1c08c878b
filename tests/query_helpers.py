"""Helpers shared by the query and search-index tests: summaries and a reading state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from reader.core.model import Article, ArticleSummary, Provider, summarize

NOW = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)


def art(
    id: str,
    title: str = "",
    *,
    excerpt: str = "",
    body: str = "",
    provider: str = "",
    domain: str = "",
    topics: tuple[str, ...] = (),
    quality: int | None = None,
    published: datetime | None = None,
) -> ArticleSummary:
    """A summary built the way the loader builds it (through `summarize`)."""
    return summarize(
        Article(
            id=id,
            path=f"{id}.md",
            title=title,
            excerpt=excerpt,
            body=body,
            provider=Provider(provider, domain) if provider or domain else None,
            topics=topics,
            quality=quality,
            published=published,
        )
    )


@dataclass
class FakeMarks:
    """A reading state held in two sets."""

    read: set[str] = field(default_factory=set)
    starred: set[str] = field(default_factory=set)

    def is_read(self, article_id: str) -> bool:
        return article_id in self.read

    def is_starred(self, article_id: str) -> bool:
        return article_id in self.starred
