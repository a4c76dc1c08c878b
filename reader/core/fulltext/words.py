"""The words of the stored full texts, in memory, for the filter's keystrokes.

The trigram index of the store answers a term of three characters or more, but the
filter asks for every keystroke, and a one- or two-letter word or a common trigram makes
it read most of the texts (measured: up to 200 ms at 10,000 texts). `TextWords` is the
same `reader.core.query.words.WordIndex` the summaries have, over the folded texts: a word
is answered from the words containing it, a phrase from its words' answers, each text of
which is then read and tested (exact, as the filter is). It is made once, in a thread (a
second or two at 10,000 texts), and holds for one generation of the store: a text stored
or forgotten makes the store answer from SQLite again until it is made anew. The store
keeps it in its file for the next start (`TextWords.to_bytes`, see the store's module).

The texts are read a block at a time while it is made (`FoldedTexts`): 10,000 texts of
~600 words are ~40 MB of folded text, which held all at once was the app's peak memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import overload

from reader.core.query.words import WordIndex, build_word_index, indexable

Bodies = Callable[[Sequence[int]], dict[int, str]]  # text row ids -> their folded text
BUILD_BLOCK = 1024  # texts read at once while the index is made: ~4 MB of ~600 words each


class FoldedTexts(Sequence[str]):
    """The folded texts of these row ids, read from the store when asked (a slice is one
    read): what `build_word_index` reads a block at a time. A text gone meanwhile reads
    as empty; the store then drops the index made, as its generation changed."""

    def __init__(self, ids: Sequence[int], bodies: Bodies) -> None:
        self._ids = ids
        self._bodies = bodies

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        ids = self._ids[at] if isinstance(at, slice) else [self._ids[at]]
        found = self._bodies(ids)
        texts = [found.get(row_id, "") for row_id in ids]
        return texts if isinstance(at, slice) else texts[0]


class TextWords:
    """A word index over the texts of one generation of the store."""

    def __init__(
        self, generation: int, ids: list[int], keys: list[tuple[str, str]], words: WordIndex
    ) -> None:
        self.generation = generation
        self._ids = ids  # position -> text row id
        self._keys = keys  # position -> (page URL, article id)
        self._words = words

    @classmethod
    def build(
        cls,
        generation: int,
        rows: Sequence[tuple[int, str, str]],
        bodies: Bodies,
        go_on: Callable[[], bool] = lambda: True,
    ) -> TextWords | None:
        """From (row id, URL, article id) rows, their folded texts read through `bodies` a
        block at a time; None if `go_on` said stop."""
        ids = [row[0] for row in rows]
        words = build_word_index(FoldedTexts(ids, bodies), go_on, block=BUILD_BLOCK)
        if words is None:
            return None
        return cls(generation, ids, [(r[1], r[2]) for r in rows], words)

    def answer(self, needle: str, spaced: bool, bodies: Bodies) -> frozenset[str] | None:
        """The URLs and ids of the texts containing the needle; None when the words cannot
        tell (a needle with whitespace inside a word, which folding can make)."""
        if not spaced:
            if not indexable(needle):
                return None
            return self._keys_at(self._words.positions(needle))
        parts = needle.split(" ")
        if not all(map(indexable, parts)):
            return None
        positions: set[int] | None = None
        for part in sorted(parts, key=len, reverse=True):  # the longest is most often rarest
            found = set(self._words.positions(part))
            positions = found if positions is None else positions & found
            if not positions:
                return frozenset()
        assert positions is not None
        texts = bodies([self._ids[p] for p in sorted(positions)])
        return self._keys_at(
            [p for p in sorted(positions) if needle in texts.get(self._ids[p], "")]
        )

    def to_bytes(self) -> bytes:
        """The word index as bytes, to keep (see `WordIndex.to_bytes`)."""
        return self._words.to_bytes()

    def _keys_at(self, positions: Sequence[int]) -> frozenset[str]:
        keys = self._keys
        return frozenset(key for p in positions for key in keys[p])
