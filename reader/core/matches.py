"""Where a query's words occur in a text, for highlighting (no Textual here).

Queries match folded text (lowercase, no accents); a highlight must land on the original
characters, so each character is folded on its own and the folded offsets are mapped back.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from reader.core.model import fold


def _folded_with_origins(text: str) -> tuple[str, Sequence[int]]:
    """The folded text, and for each of its characters the index it came from."""
    if text.isascii():  # most titles: folding keeps every character where it is
        return text.lower(), range(len(text))
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = fold(char)
        pieces.append(folded)
        origins.extend([index] * len(folded))
    return "".join(pieces), origins


def match_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Sorted, merged (start, end) spans of `text` where any folded term occurs."""
    if not text or not terms:
        return []
    folded, origins = _folded_with_origins(text)
    spans = [
        (origins[found.start()], origins[found.end() - 1] + 1)
        for found in _pattern(tuple(terms)).finditer(folded)
        if found.end() > found.start()
    ]
    return _merged(sorted(spans))


@lru_cache(maxsize=64)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for all terms; a phrase matches any run of whitespace between its words."""
    words = [r"\s+".join(map(re.escape, term.split())) for term in terms if term.strip()]
    return re.compile("|".join(words) or "(?!)")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
