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
told to stop on the way. `to_bytes` and `words_from_bytes` give it to the index cache and
back: plain bytes (no pickle), checked whole when read, so a damaged or foreign one is
refused (the index is then built) rather than giving a wrong answer.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate, chain, compress
from typing import Union

__all__ = [
    "WordIndex",
    "bit_positions",
    "bits_mask",
    "bitset",
    "build_word_index",
    "indexable",
    "mask_bits",
    "words_from_bytes",
]

# A word in more than one text in DENSE_SHARE is kept as a bitset: smaller than its array.
DENSE_SHARE = 32
# bitset digits <-> mask bytes (one 0/1 byte per text)
_DIGITS_TO_MASK = bytes.maketrans(b"01", b"\x00\x01")
_MASK_TO_DIGITS = bytes.maketrans(b"\x00\x01", b"01")
CHECK_EVERY = 512  # texts between two calls of `go_on` while building (a few ms)
BLOCK = 8192  # texts read before their words' positions are added

Postings = Union["array[int]", int]  # positions, or a bitset of them

# Stored form: this tag (arrays are stored as they are in memory: their byte order and
# width are in it), a header, then the body: the words joined by newlines (a word holds
# no whitespace), each word's count (-1: a bitset), then the positions and bitsets.
_STORED_TAG = f"reader-words-1 {sys.byteorder} {array('i').itemsize}\n".encode("ascii")
_HEADER = struct.Struct("<QQQI")  # texts, words, bytes of the joined words, CRC of the body
_ITEM = array("i").itemsize


def indexable(needle: str) -> bool:
    """Whether a `WordIndex` answers this needle: non-empty, and no whitespace in it."""
    return bool(needle) and needle.split() == [needle]


def bitset(positions: Iterable[int], size: int) -> int:
    """The bitset (bit i: text i) of positions below `size`."""
    mask = bytearray(size)
    for position in positions:
        mask[position] = 1
    return mask_bits(mask)


def mask_bits(mask: bytes | bytearray) -> int:
    """The bitset of a mask (one byte per text, 0 or 1; bit i: byte i): one C pass."""
    # The first digit of a binary literal is the highest bit; no text: no digit.
    return int(mask[::-1].translate(_MASK_TO_DIGITS) or b"0", 2)


def bits_mask(bits: int) -> bytes:
    """A bitset as one byte per text, 1 where its bit is set, up to its highest set bit."""
    return format(bits, "b")[::-1].encode("ascii").translate(_DIGITS_TO_MASK)


def bit_positions(bits: int) -> array[int]:
    """The set bits of a bitset, ascending."""
    if not bits:
        return array("i")
    mask = bits_mask(bits)
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
        dense, sparse = self._postings_of(needle)
        if not dense:
            if len(sparse) == 1:
                return array("i", sparse[0])
            return array("i", sorted(set().union(*sparse)))
        return bit_positions(self._with_sparse(dense, sparse))

    def bits(self, needle: str) -> int | None:
        """The bitset (bit i: text i) of the texts containing `needle`, when a common word
        has it; None when only rare words do (their few positions are the cheaper answer).

        What a broad word is picked by: a bitset turned into a list of positions costs more
        than picking the summaries with it (see `query._picked_by_bits`)."""
        dense, sparse = self._postings_of(needle)
        return self._with_sparse(dense, sparse) if dense else None

    def _postings_of(self, needle: str) -> tuple[int, list[array[int]]]:
        """The bitsets of the common words containing `needle` OR-ed, and the rare ones' arrays."""
        dense = 0
        sparse: list[array[int]] = []
        for word_id in self.matching(needle):
            found = self._postings[word_id]
            if isinstance(found, int):
                dense |= found
            else:
                sparse.append(found)
        return dense, sparse

    def _with_sparse(self, dense: int, sparse: list[array[int]]) -> int:
        """Rare words beside common ones: their positions go into the bitset."""
        if sparse:
            dense |= bitset(chain.from_iterable(sparse), self.size)
        return dense

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

    def to_bytes(self) -> bytes:
        """The index as bytes, for `words_from_bytes` (~1.7 MB at 100,000 articles)."""
        width = (self.size + 7) // 8
        counts = array("i")
        parts: list[bytes] = []
        for found in self._postings:
            if isinstance(found, int):
                counts.append(-1)
                parts.append(found.to_bytes(width, "little"))
            else:
                counts.append(len(found))
                parts.append(found.tobytes())
        joined = "\n".join(self.words).encode("utf-8")
        body = b"".join([joined, counts.tobytes(), *parts])
        header = _HEADER.pack(self.size, len(self.words), len(joined), zlib.crc32(body))
        return _STORED_TAG + header + body


def words_from_bytes(data: bytes, size: int) -> WordIndex | None:
    """The index `WordIndex.to_bytes` gave, if it is one over `size` texts, else None (a
    damaged, truncated or foreign blob, or one of another size)."""
    view = memoryview(data)
    start = len(_STORED_TAG) + _HEADER.size
    if len(data) < start or view[: len(_STORED_TAG)] != _STORED_TAG:
        return None
    texts, count, joined, crc = _HEADER.unpack_from(view, len(_STORED_TAG))
    body = view[start:]
    if texts != size or zlib.crc32(body) != crc or len(body) < joined + _ITEM * count:
        return None
    try:
        words = str(body[:joined], "utf-8").split("\n") if count or joined else []
    except UnicodeDecodeError:
        return None
    counts = array("i")
    counts.frombytes(body[joined : joined + _ITEM * count])
    postings = _postings_from(body[joined + _ITEM * count :], counts, size)
    if postings is None or len(words) != count or any(map(str.__ge__, words, words[1:])):
        return None
    return WordIndex(size, dict(zip(words, postings, strict=True)))


def _postings_from(body: memoryview, counts: array[int], size: int) -> list[Postings] | None:
    """Each word's positions (or bitset) from the stored body, if they fit it and `size`."""
    width = (size + 7) // 8
    ends = list(accumulate(width if n < 0 else _ITEM * n for n in counts))
    if (ends[-1] if ends else 0) != len(body):
        return None
    postings: list[Postings] = []
    begin = 0
    for count, end in zip(counts, ends, strict=True):
        part = body[begin:end]
        begin = end
        if count < 0:
            bits = int.from_bytes(part, "little")
            if bits.bit_length() > size:
                return None
            postings.append(bits)
            continue
        found = array("i")
        found.frombytes(part)
        if not found or found[0] < 0 or found[-1] >= size:
            return None
        postings.append(found)
    return postings


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
                common[word] = bits | bitset(shifted, block_end - block_start) << block_start
                continue
            known = rare.get(word)
            if known is None:
                rare[word] = known = found
            else:
                known.extend(found)
            if len(known) > limit:
                common[word] = bitset(rare.pop(word), size)
    postings: dict[str, Postings] = {**rare, **common}
    return WordIndex(size, postings)
