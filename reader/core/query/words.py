"""The words of a sequence of texts, each with the positions of the texts it occurs in.

Plain Python, no Textual here. A `WordIndex` answers the same question as scanning the
texts with `needle in text`, for a needle without whitespace, without reading the texts:
such a needle can only occur inside one whitespace-delimited word of a text, so the texts
containing it are exactly those containing one of the *words* that contain it. The words
(a few thousand, against ~42 MB of text at 100,000 articles) are what gets scanned.

Positions are kept in whichever form is smaller: a sorted `array('i')` (4 bytes each) for
a rare word, a bitset (a Python int, one bit per text) for a word in more than 1 text in
32. Common words are most of a query's work (a union of a few large sets), and ORing
ints runs in C, as do the conversions between a bitset and a list of positions
(`format(bits, "b")`, `int(…, 2)`, `bytes.translate`, `itertools.compress`).

Building it is a loop over every word of every text, meant to run in a thread while the
screen is usable (the scan answers until it is done); `build_word_index` returns None if
told to stop on the way.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from itertools import chain, compress
from typing import Union

__all__ = ["WordIndex", "build_word_index", "indexable"]

# A word in more than one text in DENSE_SHARE is kept as a bitset: smaller than its array.
DENSE_SHARE = 32
# bitset digits <-> mask bytes (one 0/1 byte per text)
_DIGITS_TO_MASK = bytes.maketrans(b"01", b"\x00\x01")
_MASK_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
CHECK_EVERY = 512  # texts between two calls of `go_on` while building (a few ms)
BLOCK = 8192  # texts read before their words' positions are added

Postings = Union["array[int]", int]  # positions, or a bitset of them


def indexable(needle: str) -> bool:
    """Whether a `WordIndex` answers this needle: non-empty, and no whitespace in it."""
    return bool(needle) and needle.split() == [needle]


def _bitset(positions: Iterable[int], size: int) -> int:
    """The bitset (bit i: text i) of positions below `size`."""
    mask = bytearray(size)
    for position in positions:
        mask[position] = 1
    mask.reverse()  # the first digit of a binary literal is the highest bit
    return int(mask.translate(_MASK_TO_DIGITS), 2)


def _positions(bits: int) -> array[int]:
    """The set bits of a bitset, ascending."""
    if not bits:
        return array("i")
    mask = format(bits, "b")[::-1].encode("ascii").translate(_DIGITS_TO_MASK)
    return array("i", list(compress(range(len(mask)), mask)))  # from a list: 2x faster


class WordIndex:
    """Every whitespace-delimited word of the texts, sorted, with the texts it occurs in."""

    #: needles whose matching words are remembered, to narrow the next keystroke's search
    MEMO_SIZE = 64

    def __init__(self, size: int, postings: dict[str, Postings]) -> None:
        self.size = size  # how many texts
        self.words: list[str] = sorted(postings)
        self._postings: list[Postings] = [postings[word] for word in self.words]
        self._memo: OrderedDict[str, list[int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self.words)

    def positions(self, needle: str) -> array[int]:
        """The positions of the texts containing `needle` (see `indexable`), ascending."""
        dense = 0
        sparse: list[array[int]] = []
        for word_id in self.matching(needle):
            found = self._postings[word_id]
            if isinstance(found, int):
                dense |= found
            else:
                sparse.append(found)
        if not dense:
            if len(sparse) == 1:
                return array("i", sparse[0])
            return array("i", sorted(set().union(*sparse)))
        if sparse:  # rare words beside common ones: their positions go into the bitset
            dense |= _bitset(chain.from_iterable(sparse), self.size)
        return _positions(dense)

    def matching(self, needle: str) -> list[int]:
        """The ids (in `words`) of the words containing `needle`; remembered.

        A needle typed one key more than a remembered one is only looked for in the words
        that one matched: the words containing `robot` are among those containing `robo`.
        """
        memo = self._memo
        found = memo.get(needle)
        if found is not None:
            memo.move_to_end(needle)
            return found
        within: list[int] | None = None
        for other, ids in memo.items():
            if other in needle and (within is None or len(ids) < len(within)):
                within = ids
        words = self.words
        if within is None:
            found = [i for i, word in enumerate(words) if needle in word]
        else:
            found = [i for i in within if needle in words[i]]
        memo[needle] = found
        if len(memo) > self.MEMO_SIZE:
            memo.popitem(last=False)
        return found


def _block_words(
    texts: Sequence[str], block_start: int, block_end: int, go_on: Callable[[], bool]
) -> dict[str, array[int]] | None:
    """Each word of the block's texts and the positions it is in; None if told to stop."""
    words: dict[str, array[int]] = {}
    get = words.get
    block = texts[block_start:block_end]  # one read when the texts are kept in the cache
    for start in range(block_start, block_end, CHECK_EVERY):
        if not go_on():
            return None
        for position in range(start, min(start + CHECK_EVERY, block_end)):
            for word in set(block[position - block_start].split()):
                found = get(word)
                if found is None:
                    words[word] = found = array("i")
                found.append(position)
    return words


def build_word_index(
    texts: Sequence[str],
    go_on: Callable[[], bool] = lambda: True,
    dense_share: int = DENSE_SHARE,
    block: int = BLOCK,
) -> WordIndex | None:
    """The word index of the texts; None if `go_on()` said stop on the way (it is called
    every CHECK_EVERY texts, and may wait: a thread leaves the interpreter to others then).

    A word in more than one text in `dense_share` is kept as a bitset (0: none is). Texts
    are read a block at a time, whose positions are added to each word's array, or OR-ed
    into its bitset once it has one: what is held on the way is about what is kept.
    """
    size = len(texts)
    limit = size // dense_share if dense_share else size
    rare: dict[str, array[int]] = {}
    common: dict[str, int] = {}
    for block_start in range(0, size, block):
        block_end = min(block_start + block, size)
        words = _block_words(texts, block_start, block_end, go_on)
        if words is None:
            return None
        for word, found in words.items():
            bits = common.get(word)
            if bits is not None:
                shifted = [position - block_start for position in found]
                common[word] = bits | _bitset(shifted, block_end - block_start) << block_start
                continue
            known = rare.get(word)
            if known is None:
                rare[word] = known = found
            else:
                known.extend(found)
            if len(known) > limit:
                common[word] = _bitset(rare.pop(word), size)
    postings: dict[str, Postings] = {**rare, **common}
    return WordIndex(size, postings)
