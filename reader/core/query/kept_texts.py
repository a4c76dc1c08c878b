"""The search texts of summaries that keep theirs where the rows are, and the test a
word or a phrase (a `Key`) makes on one text: what `SearchIndex` scans when no index answers.

Plain Python, no Textual here.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import cast, overload

from reader.core.model import ArticleSummary, SearchTexts, held_text

__all__ = ["KeptTexts", "Key", "matcher", "phrase_pattern"]

Key = tuple[str, bool]  # (folded text, spaced): a word or a phrase, as `parse.Text`


@lru_cache(maxsize=256)
def phrase_pattern(text: str) -> re.Pattern[str]:
    """The pattern of a phrase (folded words joined by single spaces): any whitespace between."""
    return re.compile(r"\s+".join(map(re.escape, text.split(" "))))


def matcher(key: Key) -> Callable[[str], bool]:
    """Whether a text has the key: the test `SearchIndex._scan` makes."""
    text, spaced = key
    if spaced:
        search = phrase_pattern(text).search
        return lambda found: search(found) is not None
    return lambda found: text in found


class KeptTexts(Sequence[str]):
    """The search texts of summaries of which some keep theirs elsewhere (see
    `model.StoredSummary`): read a block at a time, never all held."""

    BLOCK = 4096  # texts read at once: ~2 MB

    def __init__(
        self, articles: Sequence[ArticleSummary], kept_in: set[SearchTexts] | None = None
    ) -> None:
        """`kept_in`: where the texts are kept, if known (else found here)."""
        self.articles = articles
        # Where the texts are kept: with one place that can search them, a word looked for
        # in most articles is found by it (see `_scan_where_kept`).
        if kept_in is None:
            kept_in = {t for t in map(held_text, articles) if not isinstance(t, str)}
        self.kept_in = kept_in

    def __len__(self) -> int:
        return len(self.articles)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return self.at(range(len(self.articles))[at])
        return self.articles[at].search_text

    def at(self, positions: Sequence[int]) -> list[str]:
        """The texts at these positions, in their order; those kept together are read together."""
        articles = self.articles
        texts = [held_text(articles[i]) for i in positions]
        kept: dict[SearchTexts, list[int]] = {}
        for place, text in enumerate(texts):
            if not isinstance(text, str):
                kept.setdefault(text, []).append(place)
        for where, places in kept.items():
            read = where.texts_of([articles[positions[place]].path for place in places])
            for place, text in zip(places, read, strict=True):
                texts[place] = text
        return cast(list[str], texts)

    def scan(self, key: Key, positions: Sequence[int] | None) -> array[int]:
        """The positions (None: all) whose text has the key, a block read at a time."""
        test = matcher(key)
        every = range(len(self.articles)) if positions is None else positions
        if not key[1] and 4 * len(every) > len(self.articles):
            searched = self._scan_where_kept(key[0], every)
            if searched is not None:
                return searched
        found = array("i")
        for start in range(0, len(every), self.BLOCK):
            block = every[start : start + self.BLOCK]
            found.extend(i for i, text in zip(block, self.at(block), strict=True) if test(text))
        return found

    def _scan_where_kept(self, needle: str, every: Sequence[int]) -> array[int] | None:
        """The positions of `every` whose text contains `needle`, the kept texts searched
        where they are kept; None if that place cannot search them."""
        if len(self.kept_in) != 1:
            return None
        search = getattr(next(iter(self.kept_in)), "paths_containing", None)
        matched: set[str] | None = search(needle) if search is not None else None
        if matched is None:
            return None
        articles = self.articles
        found = array("i")
        for i in every:
            article = articles[i]
            held = held_text(article)
            if needle in held if isinstance(held, str) else article.path in matched:
                found.append(i)
        return found
