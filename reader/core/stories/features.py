"""What the story rule reads of an article: its words, its time, its outlet, its links.

An article's `StoryKeys` are made once, when its file is parsed (in the index cache they are
stored beside it), so that grouping never needs the article itself. They are small: the
title's normal form, the ids of the content words of the title and of the excerpt, the
publication time in days, the provider, and short hashes of the article's own URL and of
the URLs and titles its `related` list names.
"""

from __future__ import annotations

import hashlib
import re
import struct
import sys
import zlib
from array import array
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from itertools import chain, repeat

from reader.core.model import Article, fold

# Function words and the words of every headline ("new", "says", "how"): they say nothing
# about which event an article reports.
STOPWORDS = frozenset(
    """a about after again against all also am an and any are as at be because been before
    being between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours new says said say report reports reported via according
    get gets got make makes made use uses using used one two first last next year years day
    days week weeks today yesterday tomorrow time here heres whats youre dont cant wont isnt
    s t amp nbsp may might must shall us like way ways set sets see know need want wants""".split()
)
# "$100bn", "100 bln", "$100B": one word for the amount's scale, whatever the outlet's style.
_SCALES = {"bn": "billion", "bln": "billion", "b": "billion", "mn": "million", "mln": "million"}
_WORD = re.compile(r"[a-z0-9]+")
# Letters, digits and any other character than ASCII: what folds into words' letters.
_RUN = re.compile(r"[^\x00-/:-@\[-`{-\x7f]+")
_AMOUNT = re.compile(r"^(\d+)(bn|bln|b|mn|mln|m|k)$")
# Straight, curly and stray apostrophes: "Nvidia's" and "Nvidia\u2019s" are both "nvidia".
_APOSTROPHE_MARKS = ("'", "\u2019", "\u2018", "`", "\u00b4")
_BIG_ENDIAN = sys.byteorder == "big"  # the stored ids are little-endian on every machine
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]s\\b|['\u2019\u2018`\u00b4]")


Word = int  # a content word's id (see `word_id`)
# The day, `label` and `ids` columns the index cache stores of an article's keys (`row_of`).
KeysColumns = tuple[float | None, str, bytes]


# Not frozen: a frozen dataclass's __init__ goes through object.__setattr__ for every field,
# and the first grouping makes 100,000 of these from the index cache. Treat it as immutable.
@dataclass(slots=True, eq=True)
class StoryKeys:
    """What grouping needs of one article (see the module's docstring)."""

    article_id: str
    title: str  # folded, punctuation gone, single spaces
    day: float | None  # publication time in days since the epoch
    provider: str
    title_words: frozenset[Word]  # the ids (see `word_id`) of the title's content words
    words: frozenset[Word]  # the title's and the excerpt's content words
    numbers: frozenset[str]  # the numbers in the title ("Part 1" and "Part 2" differ)
    links: frozenset[int]  # hashes of the article's own URL and normal-form title
    related: frozenset[int]  # hashes of what its `related` list names (URLs and titles)


def words_of(text: str) -> list[str]:
    """The content words of `text`: folded, stopwords gone, plurals cut to the singular
    (what the keys hold the ids of, see `word_ids`)."""
    found: list[str] = []
    for token in _WORD.findall(_without_apostrophes(fold(text))):
        found += _normal(token)
    return found


def word_id(word: str) -> Word:
    """A content word's id: 64 bits of its BLAKE2 hash, the same in every process and every
    run (the index cache stores them). Two words of one feed share an id once in about
    10^8 feeds of a million words: ints are smaller than words and hash for nothing."""
    digest = hashlib.blake2b(word.encode("ascii"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class _TokenIds(dict[str, tuple[Word, ...]]):
    """The word ids one token stands for (a folded one, or a `_RUN` as it stands: the ids
    of the words of it folded, see `_normal`): each token's worked out once per process,
    up to a bound (for memory); a miss is made by `__missing__`, so that a known token
    costs one lookup in C."""

    def __missing__(self, token: str) -> tuple[Word, ...]:
        found = _made_ids(token)
        if len(self) < _KNOWN_MAX:
            self[token] = found
        return found


def _made_ids(token: str) -> tuple[Word, ...]:
    """The ids of the words of `token` folded (none remembered)."""
    return tuple(map(word_id, chain.from_iterable(map(_normal, _WORD.findall(fold(token))))))


def _ids_of_tokens(tokens: Iterable[str]) -> frozenset[Word]:
    return frozenset(chain.from_iterable(map(_TOKEN_IDS.__getitem__, tokens)))


def word_ids(text: str) -> frozenset[Word]:
    """The ids of `words_of(text)`, the text not folded: each of its runs of letters and
    digits (`_RUN`) is looked up as it stands. Folding is character by character and never
    makes an ASCII space or mark a letter, nor the reverse, so a run's words are those of
    it folded alone; an apostrophe only parts a word from an "s" or a "t", and both are
    stopwords. (Folding an excerpt whole was a third of an article's keys.)"""
    return _ids_of_tokens(set(_RUN.findall(text)))


def _apostrophe(match: re.Match[str]) -> str:
    return "" if "s" in match[0] else " "


def _without_apostrophes(text: str) -> str:
    """ "nvidia's" -> "nvidia", "don't" -> "don t" (the regex only where there is one)."""
    if any(mark in text for mark in _APOSTROPHE_MARKS):
        return _APOSTROPHES.sub(_apostrophe, text)
    return text


def _normal(word: str) -> tuple[str, ...]:
    """What one folded word stands for: none (a stopword), itself, or an amount's two."""
    found: list[str] = []
    amount = _AMOUNT.match(word) if word[0].isdigit() else None
    if amount:
        found.append(amount[1])
        word = _SCALES.get(amount[2], "")
    word = singular(_SCALES.get(word, word))
    if word and word not in STOPWORDS:
        found.append(word)
    return tuple(found)


# Words repeat across a feed: each token's ids are made once (up to a bound, for memory).
_TOKEN_IDS = _TokenIds()
_KNOWN_MAX = 200_000


def singular(word: str) -> str:
    """`chips` -> `chip`, `companies` -> `company`, `matches` -> `match`; `news`, `bus`,
    `class` and `analysis` stay: enough for two headlines to share their nouns."""
    if len(word) <= 4 or not word.endswith("s") or word.endswith(("ss", "us", "is", "ws")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def normal_title(title: str) -> str:
    """The title folded, with its punctuation and apostrophes gone: what copies agree on."""
    return " ".join(_WORD.findall(_without_apostrophes(fold(title))))


def _hash(text: str) -> int:
    """A short stable hash (CRC-32: a rare collision only lowers one pair's bar a little)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def keys_of(article: Article) -> StoryKeys:
    """The story keys of one article."""
    tokens = _title_tokens(article.title)
    title = " ".join(tokens)  # normal_title(article.title), folded once for the words too
    title_words = _ids_of_tokens(tokens)
    words = title_words | word_ids(article.excerpt) if article.excerpt else title_words
    return StoryKeys(
        article_id=article.id,
        title=title,
        day=_day(article),
        provider=_provider(article),
        title_words=title_words,
        words=words,
        numbers=frozenset(token for token in tokens if token.isdigit()),
        links=frozenset(_own_links(article, title)),
        related=frozenset(_related_links(article)),
    )


def _title_tokens(title: str) -> list[str]:
    return _WORD.findall(_without_apostrophes(fold(title)))


def _day(article: Article) -> float | None:
    published = article.published
    return published.timestamp() / 86400 if published is not None else None


def _provider(article: Article) -> str:
    return fold(article.provider_name or article.provider_domain)


def _own_links(article: Article, title: str) -> set[int]:
    """The hashes of the article's normal title and of its own URLs."""
    links = {_hash(title)}
    url, original = article.url, article.original_url
    if url:
        links.add(_hash(url))
    if original and original != url:  # most often the same: hashed once
        links.add(_hash(original))
    return links


def _related_links(article: Article) -> set[int]:
    """The hashes of the URLs and of the normal titles its `related` list names."""
    related = set()
    for link in article.related:  # one pass, not one comprehension each: a tenth less
        if link.url:
            related.add(_hash(link.url))
        if link.title:
            related.add(_hash(normal_title(link.title)))
    return related


# The index cache stores an article's keys in two columns: `label`, the normal title and
# the provider (a normal title has no tab), and `ids`, little-endian 64-bit integers: the
# numbers of title words, other words and links, then the title's word ids, the other
# words' ids, the link hashes and the related hashes. Reading 100,000 of them back is
# the first grouping's main cost: no JSON, no word strings to make and hash.
_HEAD = 3


def keys_to_row(keys: StoryKeys) -> tuple[str, bytes]:
    """The `label` and `ids` columns of the keys (the article id and day have their own)."""
    return _row(keys.title, keys.provider, keys.title_words, keys.words - keys.title_words,
                keys.links, keys.related)  # fmt: skip


def row_of(article: Article) -> KeysColumns:
    """The day, `label` and `ids` of `keys_to_row(keys_of(article))`, made straight from the
    article, with no `StoryKeys` nor frozensets between: what a parse worker stores of each
    article (the keys it never reads). The texts are taken by whitespace-parted pieces, not
    by `_RUN`s: a cut at a space, like one at a mark, never parts a word of a text folded
    (see `word_ids`), and `str.split` costs a third of the regex. What each piece gives (its
    normal tokens, its word ids) is remembered (`_PieceNormal`, `_PieceIds`): a text is not
    folded and searched again letter by letter."""
    pieces = article.title.split()
    title = " ".join(filter(None, map(_PIECE_NORMAL.__getitem__, pieces)))
    title_words = _ids_of_pieces(pieces)
    excerpt = article.excerpt
    other = _ids_of_pieces(excerpt.split()) if excerpt else set()
    other -= title_words
    own, related = _own_links(article, title), _related_of_pieces(article)
    label, ids = _row(title, _provider(article), title_words, other, own, related)
    return _day(article), label, ids


def _related_of_pieces(article: Article) -> set[int]:
    """`_related_links(article)`, each title's normal form from its remembered pieces, in one
    loop that calls no Python function per entry (two entries an article: a fifth of the keys)."""
    related: set[int] = set()
    normal, crc32 = _PIECE_NORMAL.__getitem__, zlib.crc32
    for link in article.related:
        if link.url:
            related.add(crc32(link.url.encode("utf-8", "surrogatepass")))
        if link.title:
            title = " ".join(filter(None, map(normal, link.title.split())))
            related.add(crc32(title.encode("utf-8", "surrogatepass")))
    return related


class _PieceNormal(dict[str, str]):
    """The part of `normal_title` that one whitespace-parted piece of a title gives, as it
    stands ("" for none; folding, apostrophes and `_WORD` never reach across a space): each
    piece's worked out once per process, up to a bound, as `_TokenIds` does for word ids."""

    def __missing__(self, piece: str) -> str:
        found = " ".join(_title_tokens(piece))
        if len(self) < _KNOWN_MAX:
            self[piece] = found
        return found


_PIECE_NORMAL = _PieceNormal()


# What `_PieceIds` gives for a piece of no content word (a stopword, a mark), or of several
# ("self-driving", "U.S.", "$100bn": their ids in `_SEVERAL_IDS`), or of several that could
# not be remembered: none is a word id (those are 64-bit), so that a piece of one word, most
# of them, is one int in C, with no tuple to go through.
_NO_ID = 1 << 64
_SEVERAL = _NO_ID + 1
_NOT_KEPT = _NO_ID + 2


class _PieceIds(dict[str, int]):
    """The word id of one whitespace-parted piece as it stands (the ids of the words of it
    folded, see `word_ids`), or one of the marks above: each piece's worked out once per
    process, up to a bound, as `_TokenIds` does."""

    def __missing__(self, piece: str) -> int:
        found = _made_ids(piece)
        value = found[0] if len(found) == 1 else _SEVERAL if found else _NO_ID
        if len(self) >= _KNOWN_MAX:
            return _NOT_KEPT if value == _SEVERAL else value
        if value == _SEVERAL:
            _SEVERAL_IDS[piece] = found  # no larger than this dict: bounded with it
        self[piece] = value
        return value


_PIECE_IDS = _PieceIds()
_SEVERAL_IDS: dict[str, tuple[Word, ...]] = {}


def _ids_of_pieces(pieces: list[str]) -> set[Word]:
    """The word ids of the pieces (see `_PieceIds`): one lookup each, those of several words
    looked up again where there are some."""
    ids = set(map(_PIECE_IDS.__getitem__, pieces))
    if _SEVERAL in ids:
        ids.discard(_SEVERAL)
        ids.update(chain.from_iterable(map(_SEVERAL_IDS.get, pieces, repeat(()))))
    if _NOT_KEPT in ids:  # past the bound only: the pieces not remembered are made again
        ids.discard(_NOT_KEPT)
        ids.update(chain.from_iterable(_made_ids(p) for p in pieces if p not in _PIECE_IDS))
    ids.discard(_NO_ID)
    return ids


def _row(
    title: str, provider: str, title_words: AbstractSet[Word], other: AbstractSet[Word],
    links: AbstractSet[int], related: AbstractSet[int],
) -> tuple[str, bytes]:  # fmt: skip
    # One `struct.pack`: half the time of an `array` extended set by set.
    count = _HEAD + len(title_words) + len(other) + len(links) + len(related)
    ids = struct.pack(f"<{count}q", len(title_words), len(other), len(links),
                      *title_words, *other, *links, *related)  # fmt: skip
    return title + "\t" + provider, ids


def _ints(blob: bytes) -> array[int] | memoryview:
    if _BIG_ENDIAN:
        swapped = array("q", blob)
        swapped.byteswap()
        return swapped
    return memoryview(blob).cast("q")


def words_in_row(blob: bytes) -> list[Word]:
    """The word ids (title and other words) of an `ids` column, without the rest."""
    ids = _ints(blob)
    return ids[_HEAD : _HEAD + ids[0] + ids[1]].tolist()


def keys_from_row(article_id: str, day: float | None, label: str, blob: bytes) -> StoryKeys:
    """The keys `keys_to_row` wrote."""
    title, _, provider = label.partition("\t")
    ids = _ints(blob)
    in_title = _HEAD + ids[0]
    in_words = in_title + ids[1]
    in_links = in_words + ids[2]
    title_words = frozenset(ids[_HEAD:in_title])
    return StoryKeys(
        article_id=article_id,
        title=title,
        day=day,
        provider=provider,
        title_words=title_words,
        words=frozenset(ids[_HEAD:in_words]) if ids[1] else title_words,
        numbers=frozenset(filter(str.isdigit, title.split())),
        links=frozenset(ids[in_words:in_links]),
        related=frozenset(ids[in_links:]),
    )
