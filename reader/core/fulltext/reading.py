"""How long a text takes to read: its words at an adult's silent reading pace."""

from __future__ import annotations

import re

WORDS_PER_MINUTE = 230  # a common estimate of silent reading of non-fiction
_WORD = re.compile(r"\w+")
LINK_TARGET = re.compile(r"\]\([^)]*\)")  # a Markdown link's target: not words read


def word_count(markdown: str) -> int:
    """The words of a Markdown text (the targets of its links not counted)."""
    return len(_WORD.findall(LINK_TARGET.sub("]", markdown)))


def reading_minutes(words: int, per_minute: int = WORDS_PER_MINUTE) -> int:
    """Whole minutes, rounded, at least 1 for any text (0 for none)."""
    if words <= 0:
        return 0
    return max(1, round(words / per_minute))
