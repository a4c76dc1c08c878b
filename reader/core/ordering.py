"""The orders a feed can be shown in. Works on `Article` and `ArticleSummary` alike."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol, TypeVar


class Sortable(Protocol):
    # Read-only members, so that a frozen Article matches as well as an ArticleSummary.
    @property
    def path(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def quality(self) -> int | None: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def provider_name(self) -> str: ...


T = TypeVar("T", bound=Sortable)

_NEVER = float("-inf")


def _timestamp(item: Sortable) -> float:
    return item.published.timestamp() if item.published else _NEVER


def _tiebreak(item: Sortable) -> tuple[str, str]:
    return (item.title.casefold(), item.path)


def _by_quality(item: Sortable) -> tuple[Any, ...]:
    # Missing quality and missing dates sort last: a flag first, then the negated value.
    # Written out in one function: this key runs for every article on every sort.
    quality = item.quality
    published = item.published
    return (
        quality is None,
        -quality if quality is not None else 0,
        published is None,
        -published.timestamp() if published is not None else 0.0,
        item.title.casefold(),
        item.path,
    )


def _by_newest(item: Sortable) -> tuple[Any, ...]:
    return (item.published is None, -_timestamp(item), *_tiebreak(item))


def _by_oldest(item: Sortable) -> tuple[Any, ...]:
    return (item.published is None, _timestamp(item), *_tiebreak(item))


def _by_provider(item: Sortable) -> tuple[Any, ...]:
    name = item.provider_name.casefold()
    return (not name, name, *_by_quality(item))


def _by_title(item: Sortable) -> tuple[Any, ...]:
    return (*_tiebreak(item),)


SORT_KEYS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "quality": _by_quality,
    "newest": _by_newest,
    "oldest": _by_oldest,
    "provider": _by_provider,
    "title": _by_title,
}
SORT_ORDERS: tuple[str, ...] = tuple(SORT_KEYS)
DEFAULT_ORDER = "quality"


def sort_articles(items: Iterable[T], order: str = DEFAULT_ORDER) -> list[T]:
    """Items in the named order (see `SORT_ORDERS`); raises KeyError for an unknown one."""
    return sorted(items, key=SORT_KEYS[order])


def next_order(order: str) -> str:
    """The order after this one, cycling (the `s` key)."""
    index = SORT_ORDERS.index(order) if order in SORT_ORDERS else -1
    return SORT_ORDERS[(index + 1) % len(SORT_ORDERS)]
