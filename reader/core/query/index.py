"""Which articles contain a word or a phrase, remembered so that a query rarely scans them all.

Plain Python, no Textual here. A `SearchIndex` is made over one sequence of summaries (the
app makes one per sort order, see `Library.search_index`) and answers, for a free-text term
of the query language, the positions in that sequence of the articles whose `search_text`
contains it. A term is a *key*: `(text, spaced)`, the folded text of a
`reader.core.query.parse.Text`; a plain key matches where `text in search_text`, a spaced
one (a phrase) where `phrase_pattern(text)` finds it: the words with any run of whitespace
between them. These are exactly the tests the compiled query makes, so the answers are
exact, not a superset, and a query may drop the terms the index answered.

Why no big joined string: searching one string made of all the texts, with `str.find` or a
regular expression, turned out no faster than `needle in text` article by article (both
run the same C search over the same ~42 MB at 100,000 articles; the per-article overhead
is small). The cost is in scanning the bytes, so what helps is scanning fewer of them:

* every answer over the whole sequence is remembered (least recently used first out,
  within a budget of positions), so filtering again with a term already seen (a mark
  changes, the list is redrawn, the user types the next word) scans nothing;
* a new term is scanned only within the answer of a remembered term it implies: `robot`
  within the articles containing `robo` (the previous keystroke), a phrase within the
  articles containing one of its words;
* the terms of an AND are answered cheapest first (remembered ones, then the longest), and
  each later one only within the articles that are left.

Building the index copies the list of texts and nothing else (a few milliseconds at
100,000). It must not be used after its sequence changes: `covers` checks that the
sequence is the very object (and length) it was made over.

Summaries read from the index cache's snapshot keep their texts there (see
`model.StoredSummary`): the index then holds none (`KeptTexts`). The word index is made
from them a block at a time; a word is then answered from it, a phrase by reading the
texts of the articles having all its words; before it, a word is looked for by SQLite in
the rows. The answers are the same.

Scanning fewer bytes still scans: the first letters of a new word read most of the text.
`build_words` (run in a thread by the app once the list is drawn) adds a
`reader.core.query.words.WordIndex` (read back from the index cache when it kept one for
these very summaries, else made and kept there), after which a word is answered from the
words containing it, and a phrase from its words' answers, tested one by one; until then, and
for a needle with whitespace in it (folding can make one), the scan answers. The answers
are the same either way.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from itertools import chain, compress, filterfalse
from operator import and_, attrgetter, or_
from typing import Protocol, TypeGuard, cast

from reader.core.model import (
    ArticleSummary,
    KeptUrlHits,
    KeptUrls,
    SearchTexts,
    held_text,
    held_url,
    kept_urls_of,
    url_places,
)
from reader.core.query.kept_texts import KeptTexts, Key, phrase_pattern
from reader.core.query.words import (
    WordIndex,
    bitset,
    build_word_index,
    indexable,
    words_from_bytes,
)

__all__ = ["Key", "SearchIndex", "implies", "phrase_pattern"]

# Keys of stored texts' hits whose articles `SearchIndex._kept_at_urls` remembers (~100 bytes
# each); past this it starts again.
KEPT_URLS_REMEMBERED = 250_000


class WordStore(Protocol):
    """Where texts are kept that can keep their word index too (see `build_words`)."""

    def stored_words(self, paths: Sequence[str]) -> tuple[bytes | None, int | None]:
        """What `store_words` kept for the articles at these paths, in this order, if the
        texts are still those it was made from; and a token to store the next one with (the
        texts' version now; None: nothing can be kept)."""
        ...

    def store_words(self, paths: Sequence[str], data: bytes, version: int) -> bool:
        """Keep `data`, made from the texts at `version`, for the articles at these paths in
        this order, unless the texts changed since; whether it was kept."""
        ...


def implies(key: Key, other: Key) -> bool:
    """Whether every text that `key` matches is sure to be matched by `other` too.

    A word implies its substrings; a phrase implies the substrings of each of its words,
    and a phrase found inside it (first word a suffix of one of its words, the middle ones
    equal, the last a prefix). Anything else is answered no, which is always safe.
    """
    text, spaced = key
    other_text, other_spaced = other
    if not other_text:
        return True
    if not spaced:
        return not other_spaced and other_text in text
    words = text.split(" ")
    if not other_spaced:
        return any(other_text in word for word in words)
    parts = other_text.split(" ")
    last = len(parts) - 1
    for start in range(len(words) - last):
        if (
            words[start].endswith(parts[0])
            and words[start + last].startswith(parts[last])
            and words[start + 1 : start + last] == parts[1:last]
        ):
            return True
    return False


class SearchIndex:
    """The articles of one sequence that contain a word or a phrase, remembered.

    Answers are positions in `articles`, ascending, as an `array('i')` (or a `range` for
    "all of them").
    """

    #: Remembered answers may hold this many positions per article, in all (4 bytes each).
    BUDGET_PER_ARTICLE = 8
    #: and at most this many answers.
    MAX_ANSWERS = 256
    #: With the word index, up to this many articles left are tested rather than looked up.
    SCAN_AT_MOST = 2000
    #: as many when the texts must be read from the cache first (~10x the cost of a test).
    READ_AT_MOST = 200
    #: Bitset answers remembered (12.5 kB each at 100,000 articles).
    MAX_BIT_ANSWERS = 32

    def __init__(
        self, articles: Sequence[ArticleSummary], kept: tuple[WordStore, int] | None = None
    ) -> None:
        """`kept`: where a word index made over these summaries (holding their texts) may
        be kept, and the version their texts are of (see `build_words`)."""
        self.articles = articles
        self._kept = kept
        held: list[str | SearchTexts] = list(map(held_text, articles))
        kinds = set(map(type, held))  # in C: which summaries hold their texts
        # None held: the places keeping them, from the places themselves (a few objects).
        self._none_held = str not in kinds
        places = cast("set[SearchTexts]", set(held)) if self._none_held else None
        # The texts, or (summaries of the index cache keep theirs there) a way to read them.
        self._texts: list[str] | KeptTexts = (
            cast(list[str], held) if kinds <= {str} else KeptTexts(articles, places)
        )
        self._scan_at_most = self.SCAN_AT_MOST if kinds <= {str} else self.READ_AT_MOST
        self._size = len(articles)
        self._answers: OrderedDict[Key, array[int]] = OrderedDict()
        self._held = 0  # positions held by the remembered answers
        self._budget = max(self.BUDGET_PER_ARTICLE * self._size, 1 << 16)
        # Set once, from the thread that builds it; read here only when set.
        self._words: WordIndex | None = None
        # Bitsets of common words' answers (see `select_bits`): `size / 8` bytes each.
        self._bit_answers: OrderedDict[Key, int] = OrderedDict()
        # Article id and URL -> positions: made when stored full texts are first searched.
        self._where: dict[str, int] | dict[str, list[int]] | None = None  # see `_by_key`
        self._url_places: set[KeptUrls] | None = None  # where the URLs not held are kept
        # Each key asked of them -> the positions of the articles whose kept URL it is.
        self._kept_url_positions: dict[str, tuple[int, ...]] = {}

    def __len__(self) -> int:
        return self._size

    def covers(self, articles: Sequence[ArticleSummary]) -> bool:
        """Whether this index answers for `articles`: the same object, not grown or shrunk."""
        return articles is self.articles and len(articles) == self._size

    def clear(self) -> None:
        """Forget every remembered answer (the next queries scan again)."""
        self._answers.clear()
        self._bit_answers.clear()
        self._kept_url_positions.clear()
        self._held = 0

    def build_words(self, go_on: Callable[[], bool] = lambda: True) -> bool:
        """Make the word index, unless made already; whether it is there now (False when
        `go_on`, called now and then, said stop: see `build_word_index`).

        Meant for a thread: it only reads the texts, and sets the index once it is whole.
        With every text kept in the index cache, the index kept there for these very
        articles (paths, order, generation) is read instead; else the one made is stored
        there for the next start (a write: this is why it is for a thread). Summaries
        holding their texts (a sync's) store theirs where `kept` says, if the feed is
        still of its version: the next start's snapshot holds the same summaries. A stored one
        that does not read back whole is made again. The parser and compiler are imported
        first, here: the first key typed in the filter would else pay for them (~12 ms).
        """
        import reader.core.query.query  # noqa: F401 - imported for the first query's sake

        if self._words is not None:
            return True
        store, version, paths = self._word_store(), None, []
        if store is None and self._kept is not None:  # texts held, of the version given
            store, version = self._kept
        if store is not None:
            paths = [article.path for article in self.articles]
            stored, now = store.stored_words(paths)  # the version before any text is read
            if version is None or version == now:
                version, self._words = now, words_from_bytes(stored or b"", self._size)
                if self._words is not None:
                    return True
            else:
                store = None  # the feed changed since these summaries were made
        built = self._words = build_word_index(self._texts, go_on)
        if built is None:
            return False
        if store is not None and version is not None:
            store.store_words(paths, built.to_bytes(), version)
        return True

    def _word_store(self) -> WordStore | None:
        """Where the word index of these articles may be kept: the one place keeping every
        text, if it can keep one (the index cache: see `CacheTexts.store_words`)."""
        texts = self._texts
        if not isinstance(texts, KeptTexts) or len(texts.kept_in) != 1:
            return None
        place = next(iter(texts.kept_in))
        # No text held here (one of them held would not be the place's).
        if not hasattr(place, "store_words") or not self._none_held:
            return None
        return cast(WordStore, place)

    def positions_of(self, keys: frozenset[str]) -> set[int]:
        """The positions of the articles whose id or URL is one of `keys` (a stored full
        text's hits: see `reader.core.query.texts`)."""
        found = self._held_at(keys)
        return found | self._kept_at_urls(keys) if keys else found

    def _held_at(self, keys: Iterable[str]) -> set[int]:
        """The positions of the articles whose id or held URL is one of `keys`."""
        where = self._where
        if where is None:
            where = self._where = _by_key(self.articles)
        if _unique(where):
            get = where.get
            return {position for position in map(get, keys) if position is not None}
        shared = cast(dict[str, list[int]], where)  # an id or URL of several articles
        return {position for key in keys for position in shared.get(key, ())}

    def _kept_at_urls(self, urls: frozenset[str]) -> set[int]:
        """The positions of the articles whose URL, kept where the rows are, is in `urls`.

        Each key is looked up once: the hits of the first letters typed are most of the
        stored texts' URLs and ids (~20,000 lookups, 150-250 ms at 10,000 texts, every key);
        the next key's hits were nearly all asked already."""
        known = self._kept_url_positions
        if len(known) > KEPT_URLS_REMEMBERED:
            known.clear()
        new = urls.difference(known)
        if new:
            self._look_up_kept_urls(frozenset(new))
        return {position for url in urls for position in known[url]}

    def _look_up_kept_urls(self, urls: frozenset[str]) -> None:
        """Remember the positions of the articles whose kept URL is each of `urls` (found
        where the rows are by URL, then here by id: an id is in `_by_key`'s map)."""
        if self._url_places is None:
            self._url_places = url_places(self.articles)
        hits = KeptUrlHits(urls)
        ids = {i for place in self._url_places for _, i in hits.found_at(place)}
        articles = self.articles
        found = [position for position in self._held_at(ids) if hits(articles[position])]
        known = self._kept_url_positions
        known.update(dict.fromkeys(urls, ()))
        for position, url in zip(found, kept_urls_of([articles[p] for p in found]), strict=True):
            if url in urls:  # else its row changed between the two reads: the next sync tells
                known[url] = (*known[url], position)

    @property
    def keeps_texts(self) -> bool:
        """Whether the texts are read from where the summaries keep them (not held)."""
        return isinstance(self._texts, KeptTexts)

    def object_ids(self, key: Key) -> frozenset[int]:
        """The `id()` of the articles that `key` matches (see `compile.build`'s answers)."""
        articles = self.articles
        return frozenset(id(articles[i]) for i in self.candidates(key))

    @property
    def words(self) -> WordIndex | None:
        """The word index, once `build_words` has made it."""
        return self._words

    @property
    def remembered(self) -> int:
        """How many answers are remembered."""
        return len(self._answers)

    # --- Answers ----------------------------------------------------------------------

    def candidates(self, key: Key) -> array[int]:
        """The positions of the articles that `key` matches; remembered."""
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
            return found
        found = self._from_words(key)
        if found is not None:
            self._remember(key, found)
            return found
        # Scan only within the smallest remembered answer that `key` implies.
        within: array[int] | None = None
        for other, answer in self._answers.items():
            if (within is None or len(answer) < len(within)) and implies(key, other):
                within = answer
        found = self._scan(key, within)
        self._remember(key, found)
        return found

    def select(
        self,
        every: Iterable[Key] = (),
        any_of: Iterable[Sequence[Key]] = (),
        none_of: Iterable[Key] = (),
    ) -> Sequence[int]:
        """Positions of the articles matching every key of `every`, at least one key of each
        group of `any_of` and no key of `none_of`, ascending.

        Answers over the whole sequence are remembered; a term met when fewer than half
        the articles are left is tested on those alone (and that answer is not remembered).
        """
        left = self._with_every(every)  # None: every article
        if left is not None and not left:
            return array("i")
        for group in any_of:
            if any(not key[0] for key in group):
                continue  # an empty word matches everything
            left = self._with_any(group, left)
            if not left:
                return left
        return self._with_none(none_of, left)

    def select_bits(
        self,
        every: Sequence[Key] = (),
        any_of: Sequence[Sequence[Key]] = (),
        none_of: Sequence[Key] = (),
    ) -> int | None:
        """`select`'s answer as a bitset (bit i: article i), when the word index answers
        every key, each key of `every` is a common word's (the first letters of a word typed
        match most articles) and there is one, or a group of `any_of`; else None, and
        `select` answers.

        ANDs and ORs of bitsets run in C: no list of positions is made, the list's
        summaries are picked with the mask (see `query._picked_by_bits`).
        """
        keys = [*every, *chain.from_iterable(any_of), *none_of]
        if not (every or any_of) or not all(map(self._indexed, keys)):
            return None  # an empty word, a phrase, no word index yet: the positions answer
        found = [self._bits(key) for key in every]
        if None in found:
            return None  # a rare word: its few positions are the cheaper answer
        bits = reduce(and_, cast(list[int], found), (1 << self._size) - 1)
        for group in any_of:
            bits &= reduce(or_, map(self._bits_anyway, group))
        for key in none_of:
            bits &= ~self._bits_anyway(key)
        return bits

    def _bits(self, key: Key) -> int | None:
        """The bitset of a word's answer (see `WordIndex.bits`), remembered; None for a rare one."""
        answers = self._bit_answers
        found = answers.get(key)
        if found is not None:
            answers.move_to_end(key)
            return found
        assert self._words is not None
        found = self._words.bits(key[0])
        if found is not None:
            answers[key] = found
            if len(answers) > self.MAX_BIT_ANSWERS:
                answers.popitem(last=False)
        return found

    def _bits_anyway(self, key: Key) -> int:
        """The bitset of a word's answer, a rare word's made from its positions."""
        found = self._bits(key)
        return bitset(self.candidates(key), self._size) if found is None else found

    def _with_every(self, every: Iterable[Key]) -> Sequence[int] | None:
        """The positions matching every key (None: no key, so all); stops once none is left."""
        left: Sequence[int] | None = None
        # Remembered keys first (smallest first), then the longest (most often the rarest).
        answers = self._answers
        ordered = sorted(
            dict.fromkeys(key for key in every if key[0]),
            key=lambda k: (0, len(answers[k]), "") if k in answers else (1, -len(k[0]), k[0]),
        )
        for key in ordered:
            left = self._within(key, left)
            if not left:
                return left
        return left

    def _with_any(self, group: Sequence[Key], left: Sequence[int] | None) -> array[int]:
        """The positions of `left` (None: all) matching at least one key of the group."""
        found: set[int] = set()
        for key in dict.fromkeys(group):
            found.update(self._within(key, left))
        return array("i", sorted(found))

    def _with_none(self, none_of: Iterable[Key], left: Sequence[int] | None) -> Sequence[int]:
        """The positions of `left` (None: all) matching no key of `none_of`."""
        for key in dict.fromkeys(none_of):
            if not key[0]:
                return array("i")  # an empty word matches everything, so its negation nothing
            if left is None:
                drop = set(self.candidates(key))
                left = array("i", filterfalse(drop.__contains__, range(self._size)))
            else:
                left = self._without(key, left)
            if not left:
                return left
        return range(self._size) if left is None else left

    # --- Inside -----------------------------------------------------------------------

    def _from_words(self, key: Key) -> array[int] | None:
        """The answer for `key` through the word index; None without one, or if it cannot tell.

        A phrase's words each occur inside one word of a text it matches (the first at the
        end of one, the last at the start): the texts having them all are tested.
        """
        words, (text, spaced) = self._words, key
        if words is None:
            return None
        if not spaced or " " not in text:  # a phrase of one word is that word
            return words.positions(text) if indexable(text) else None
        parts = text.split(" ")
        if not all(map(indexable, parts)):
            return None
        return self._scan(key, self._with_every((part, False) for part in parts))

    def _indexed(self, key: Key) -> bool:
        """Whether `key` is a word the word index answers without reading any text."""
        return self._words is not None and not key[1] and indexable(key[0])

    def _known(self, key: Key, left: Sequence[int]) -> array[int] | None:
        """The answer for `key` over all articles if it is worth using with `left`, else None.

        Intersecting costs about 30 ns a position of the larger side, testing a text about
        400 ns: the few left are tested rather than a set made of a large answer; when most
        articles are left the answer for all is made (and remembered) instead.
        """
        known = self._answers.get(key)
        if known is None:
            worth = 2 * len(left) > self._size
            if worth or (len(left) > self._scan_at_most and self._indexed(key)):
                return self.candidates(key)
            return None
        if len(known) > 16 * len(left):
            return None
        self._answers.move_to_end(key)
        return known

    def _within(self, key: Key, left: Sequence[int] | None) -> Sequence[int]:
        """The positions of `left` (None: all) that `key` matches."""
        if left is None:
            return self.candidates(key)
        known = self._known(key, left)
        if known is None:
            return self._scan(key, left)
        small, large = (known, left) if len(known) < len(left) else (left, known)
        inside = set(small)
        return array("i", compress(large, map(inside.__contains__, large)))

    def _without(self, key: Key, left: Sequence[int]) -> array[int]:
        known = self._known(key, left)
        if known is None:
            texts, (text, spaced) = self._texts, key
            if isinstance(texts, KeptTexts):
                drop = set(texts.scan(key, left))
                return array("i", filterfalse(drop.__contains__, left))
            if spaced:
                search = phrase_pattern(text).search
                return array("i", [i for i in left if not search(texts[i])])
            return array("i", [i for i in left if text not in texts[i]])
        drop = set(known)
        return array("i", filterfalse(drop.__contains__, left))

    def _scan(self, key: Key, positions: Sequence[int] | None) -> array[int]:
        """The positions (None: all) whose text `key` matches, tested one by one.

        Plain comprehensions with `in`: measured faster than `compress` over a `map` of
        `str.__contains__`, whose calls cost more than the `in` operator.
        """
        texts, (text, spaced) = self._texts, key
        if isinstance(texts, KeptTexts):
            return texts.scan(key, positions)
        if spaced:
            search = phrase_pattern(text).search
            if positions is None:
                return array("i", [i for i, t in enumerate(texts) if search(t)])
            return array("i", [i for i in positions if search(texts[i])])
        if positions is None:
            return array("i", [i for i, t in enumerate(texts) if text in t])
        return array("i", [i for i in positions if text in texts[i]])

    def _remember(self, key: Key, found: array[int]) -> None:
        self._answers[key] = found
        self._held += len(found)
        while self._answers and (
            self._held > self._budget or len(self._answers) > self.MAX_ANSWERS
        ):
            _, dropped = self._answers.popitem(last=False)
            self._held -= len(dropped)


def _by_key(articles: Sequence[ArticleSummary]) -> dict[str, int] | dict[str, list[int]]:
    """Each id and URL of the articles -> its position; when one of them is had by two
    articles, -> the list of their positions. The first is made in C (~20 ms at 100,000,
    a tenth of the loop): a feed's ids and URLs are each one article's once its
    duplicates are merged; the first keystroke of a session with stored texts made it."""
    # The URLs held (one kept where the rows are is found there: `_kept_at_urls`).
    urls = [url if type(url) is str else None for url in map(held_url, articles)]
    keys = [*map(_ID, articles), *filter(None, urls)]
    positions = [*range(len(articles)), *compress(range(len(urls)), urls)]
    single = dict(zip(keys, positions, strict=True))
    if len(single) == len(keys):
        return single
    where: dict[str, list[int]] = {}
    for position, article in enumerate(articles):
        where.setdefault(article.id, []).append(position)
        if url := urls[position]:
            where.setdefault(url, []).append(position)
    return where


def _unique(where: dict[str, int] | dict[str, list[int]]) -> TypeGuard[dict[str, int]]:
    """Whether `where` is `_by_key`'s map of one position each."""
    return not where or isinstance(next(iter(where.values())), int)


_ID = attrgetter("id")
