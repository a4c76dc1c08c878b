"""Topic counts for the sidebar: topics that differ only in case are one."""

from __future__ import annotations

import contextlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import compress
from operator import attrgetter, itemgetter, or_

from reader.core.model import ArticleSummary, Picked
from reader.core.query.words import bitset, mask_bits

ALL = "all"
NO_TOPIC = "none"
UNREAD = "unread"
STARRED = "starred"
SEARCH_PREFIX = "search:"  # a saved search's entry: "search:" and its place in the config


def search_key(index: int) -> str:
    return f"{SEARCH_PREFIX}{index}"


def is_search_key(key: str) -> bool:
    return key.startswith(SEARCH_PREFIX)


@dataclass(frozen=True, slots=True)
class TopicCount:
    """One sidebar entry: `key` selects it, `label` shows it; `count` and `unread` are of
    articles, `stories` is the stories they make (None: the list shows every article)."""

    key: str
    label: str
    count: int
    unread: int | None = None
    stories: int | None = None


def topic_key(topic: str) -> str:
    """The key that makes `AI` and `ai` one topic."""
    return "topic:" + topic.casefold()


def count_topics(
    articles: Iterable[ArticleSummary],
    read_ids: frozenset[str] | set[str] | None = None,
    columns: TopicColumns | None = None,
) -> list[TopicCount]:
    """Every topic with its article count, most articles first, then by name.

    The label is the spelling seen first. With `read_ids`, each entry also counts unread;
    with `columns`, by position (see `sidebar_entries`).
    """
    return sidebar_entries(articles, read_ids, frozenset(), columns)[3:]


def sidebar_entries(
    articles: Iterable[ArticleSummary],
    read_ids: frozenset[str] | set[str] | None = None,
    starred_ids: frozenset[str] | set[str] = frozenset(),
    columns: TopicColumns | None = None,
) -> list[TopicCount]:
    """All articles, Unread, Starred, then every topic ("No topic" last).

    Unread counts are given only with `read_ids` (no reading state: no unread). With
    `columns` (of the sequence the articles were picked from, see `TopicColumns.covers`)
    they are counted by position; the entries are the same.
    """
    articles = articles if isinstance(articles, list) else list(articles)
    covered = columns is not None and columns.covers(articles)
    counted = columns.by_key(articles, read_ids, starred_ids) if columns and covered else None
    if counted is None:
        if columns is not None and covered:
            merged = columns.counts(articles, read_ids, starred_ids)
        else:
            merged = _counts_per_tuple(articles, read_ids, starred_ids)
        totals = (
            tuple(sum(column) for column in zip(*merged.values(), strict=True))
            if merged
            else (0, 0, 0)
        )
        counted = KeyCounts(totals, *_spread_over_keys(merged))
    with_unread = read_ids is not None
    total, unread, starred = counted.totals
    return [
        TopicCount(ALL, "All articles", total, unread if with_unread else None),
        TopicCount(UNREAD, "Unread", unread),
        TopicCount(STARRED, "Starred", starred),
        *_topic_entries(counted, with_unread),
    ]


@dataclass(frozen=True, slots=True)
class KeyCounts:
    """What the sidebar's entries count: all the articles, unread, starred (`totals`); per
    topic key, its articles and unread (`keys`), with the first spelling seen (`labels`,
    none for "No topic")."""

    totals: tuple[int, ...]
    keys: dict[str, list[int]]
    labels: dict[str, str]


Counts = dict[tuple[str, ...], tuple[int, int, int]]  # topics tuple -> total, unread, starred


def _counts_per_tuple(
    articles: list[ArticleSummary],
    read_ids: frozenset[str] | set[str] | None,
    starred_ids: frozenset[str] | set[str],
) -> Counts:
    """Articles, unread and starred per distinct topics tuple.

    Counted with Counter (its counting loop is in C): 100,000 articles share a few
    thousand tuples, whose counts are then spread over their topics.
    """
    totals = Counter(map(_TOPICS, articles))
    if read_ids is None:
        unread_counts: Counter[tuple[str, ...]] = Counter()
    elif not read_ids:
        unread_counts = totals  # nothing read yet: every article is unread
    else:
        unread_counts = Counter([a.topics for a in articles if a.id not in read_ids])
    starred_counts = (
        Counter([a.topics for a in articles if a.id in starred_ids]) if starred_ids else Counter()
    )
    return {
        topics: (total, unread_counts[topics], starred_counts[topics])
        for topics, total in totals.items()
    }


_TOPICS = attrgetter("topics")
_ID = attrgetter("id")
Ids = frozenset[str] | set[str]


class TopicColumns:
    """The sidebar's counts of one sorted sequence, by position: each article's topics tuple
    as a number, with (for one read and one starred set) two bits: unread, starred.

    At 100,000 articles, walking the filtered summaries to count them is ~80 ms after every
    pause in typing (each summary, its id and topics are read from memory far apart); picked
    by the positions the filter answered (`model.Picked`), the counts are one C loop over an
    array (~10 ms); by bitsets (the filter's, each topic's and the marks', see `by_key`) a
    few ANDs and bit counts (~0.2 ms). The codes are made again when the read or starred
    set changes.
    """

    def __init__(self, articles: Sequence[ArticleSummary]) -> None:
        self.articles = articles
        numbers: dict[tuple[str, ...], int] = {}
        # Each article's topics tuple, as its place in `tuples`.
        self.tuple_numbers = array(
            "I", [numbers.setdefault(t, len(numbers)) for t in map(_TOPICS, articles)]
        )
        self.tuples = list(numbers)
        self._codes: tuple[Ids | None, Ids, array[int]] | None = None
        self._marks = (0, 0)  # the codes' unread and starred flags as bitsets (bit i: position i)
        self._ids: list[str] = []  # of the articles, when the codes were made
        self._keys: tuple[KeyColumn, ...] | None = None  # see `key_columns`
        self._all = (1 << len(self.tuple_numbers)) - 1  # every position
        self._hits: list[tuple[Ids, bytes]] = []  # saved searches' answers, newest first

    def covers(self, picked: Sequence[ArticleSummary]) -> bool:
        """Whether `picked` is the sequence itself, or a `Picked` of it."""
        if picked is self.articles:
            return len(picked) == len(self.tuple_numbers)
        whole = len(self.articles) == len(self.tuple_numbers)  # not grown or shrunk since
        return whole and isinstance(picked, Picked) and picked.source is self.articles

    def counts(self, picked: Sequence[ArticleSummary], read: Ids | None, starred: Ids) -> Counts:
        """Articles, unread and starred per topics tuple of `picked` (see `covers`)."""
        if read is None and not starred and picked is self.articles:  # the feed's topics
            tuples = self.tuples
            return {tuples[n]: (count, 0, 0) for n, count in Counter(self.tuple_numbers).items()}
        codes: Sequence[int] = self.codes_for(read, starred)
        if picked is not self.articles and len(picked) != len(codes):
            assert isinstance(picked, Picked)
            codes = _pick(codes, picked.positions)
        counts: dict[tuple[str, ...], list[int]] = {}
        tuples = self.tuples
        for code, count in Counter(codes).items():
            entry = counts.setdefault(tuples[code >> 2], [0, 0, 0])
            entry[0] += count
            if code & _UNREAD:
                entry[1] += count
            if code & _STARRED:
                entry[2] += count
        if read is None:  # no reading state: no unread counts
            return {topics: (total, 0, starred) for topics, (total, _, starred) in counts.items()}
        return {
            topics: (total, unread, starred) for topics, (total, unread, starred) in counts.items()
        }

    def by_key(
        self, picked: Sequence[ArticleSummary], read: Ids | None, starred: Ids
    ) -> KeyCounts | None:
        """The sidebar's counts of `picked` (see `covers`) by bitsets: a key's articles among
        them are one AND and a bit count (15 topics at 100,000: ~0.2 ms, where counting the
        picked ones' codes cost ~30 after every pause in typing). None without key columns
        (see `key_columns`)."""
        columns = self.key_columns()
        if columns is None:
            return None
        shown = self._bits_of(picked)
        unread_bits = starred_bits = 0
        if read is not None or starred:  # the feed's own topics need no marks
            unread_bits, starred_bits = self.mark_bits(read, starred)
            unread_bits = 0 if read is None else unread_bits
        keys: dict[str, list[int]] = {}
        labels: dict[str, str] = {}
        for column in columns:
            mine = shown & column.bits
            count = mine.bit_count()
            if count:
                keys[column.key] = [count, (mine & unread_bits).bit_count()]
                if column.key != NO_TOPIC:
                    labels[column.key] = column.label_of(mine)
        totals = (
            shown.bit_count(),
            (shown & unread_bits).bit_count(),
            (shown & starred_bits).bit_count(),
        )
        return KeyCounts(totals, keys, labels)

    def _bits_of(self, picked: Sequence[ArticleSummary]) -> int:
        """The positions of `picked` (see `covers`) as a bitset."""
        if picked is self.articles or len(picked) == len(self.tuple_numbers):
            return self._all  # as many as the sequence: all of them
        assert isinstance(picked, Picked)
        bits = picked.bits
        return bitset(picked.positions, len(self.tuple_numbers)) if bits is None else bits

    def key_columns(self) -> tuple[KeyColumn, ...] | None:
        """Per sidebar key (see `topic_keys`), its articles' positions as a bitset; made on
        first use (the loading thread makes them first). None when the feed's topics have
        more than KEY_SPELLINGS_MAX spellings: a bitset each would take too much memory."""
        if self._keys is None:
            self._keys = _key_columns(self.tuples, self.tuple_numbers)
        return self._keys or None

    def mark_bits(self, read: Ids | None, starred: Ids) -> tuple[int, int]:
        """Per position, as bitsets: unread (all of them without `read`), starred."""
        self.codes_for(read, starred)
        return self._marks

    def in_hits(
        self, picked: Sequence[ArticleSummary], hits: Ids, read: Ids, starred: Ids
    ) -> tuple[int, int]:
        """How many of `picked` (see `covers`) have their id in `hits` (a saved search's
        answer), and how many of those are unread (`read`, `starred`: the marks now)."""
        codes: Sequence[int] = self.codes_for(read, starred)
        column: Sequence[int] = self.hits_column(hits)
        if picked is not self.articles and len(picked) != len(codes):
            assert isinstance(picked, Picked)
            codes, column = _pick(codes, picked.positions), _pick(column, picked.positions)
        found = list(compress(codes, column))
        return len(found), sum(code & _UNREAD for code in found)

    def hits_column(self, hits: Ids) -> bytes:
        """Per position, 1 where the article's id is in `hits`; the last few remembered."""
        for known, column in self._hits:
            if known is hits:
                return column
        column = bytes(map(hits.__contains__, map(_ID, self.articles)))
        self._hits = [(hits, column), *self._hits[: HITS_KEPT - 1]]
        return column

    def codes_for(self, read: Ids | None, starred: Ids) -> array[int]:
        """Per position: the topics tuple's number << 2, | 1 if unread, | 2 if starred."""
        known = self._codes
        if known is None or known[0] is not read or known[1] is not starred:
            if known is not None and self._updated(known, read, starred):
                codes = known[2]
            else:
                codes = self._made(read, starred)
            known = self._codes = (read, starred, codes)
        return known[2]

    def _made(self, read: Ids | None, starred: Ids) -> array[int]:
        ids = self._ids = list(map(_ID, self.articles))
        # One 0/1 byte per position, each in one C pass over the ids.
        unread = bytes(map(read.__contains__, ids)).translate(_FLIP) if read else b"\1" * len(ids)
        stars = bytes(map(starred.__contains__, ids)) if starred else bytes(len(ids))
        self._marks = (mask_bits(unread), mask_bits(stars))
        codes = zip(self.tuple_numbers, unread, stars, strict=True)
        return array("I", [number << 2 | u | s << 1 for number, u, s in codes])

    def _updated(
        self, known: tuple[Ids | None, Ids, array[int]], read: Ids | None, starred: Ids
    ) -> bool:
        """Whether the codes of `known` were brought up to these marks in place: when a few
        articles changed (marking one read must not walk 100,000 ids again: ~45 ms)."""
        old_read, old_starred, codes = known
        if old_read is None or read is None:
            return False
        if abs(len(old_read) - len(read)) + abs(len(old_starred) - len(starred)) > FEW_CHANGED:
            return False
        changed = (old_read ^ read) | (old_starred ^ starred)
        if len(changed) > FEW_CHANGED:
            return False
        ids = self._ids
        for article_id in changed:
            bits = (0 if article_id in read else _UNREAD) | (
                _STARRED if article_id in starred else 0
            )
            at = -1
            with contextlib.suppress(ValueError):  # no (more) such article here
                while True:
                    at = ids.index(article_id, at + 1)
                    codes[at] = codes[at] & ~3 | bits
                    self._mark_at(at, bits)
        return True

    def _mark_at(self, at: int, bits: int) -> None:
        """Position `at`'s flags in the mark bitsets: unread, starred as in `bits`."""
        flag = 1 << at
        unread, starred = self._marks
        unread = unread | flag if bits & _UNREAD else unread & ~flag
        starred = starred | flag if bits & _STARRED else starred & ~flag
        self._marks = (unread, starred)


HITS_KEPT = 16  # saved searches' columns remembered (a config holds a few searches)
FEW_CHANGED = 32  # changed marks updated in place (a C search of the ids each)
# Topic spellings given a bitset each (`TopicColumns.key_columns`): at 100,000 articles
# 0.8 MB kept, and 6.4 MB of masks (a byte per article each) while they are made.
KEY_SPELLINGS_MAX = 64
_UNREAD, _STARRED = 1, 2
_FLIP = bytes.maketrans(b"\0\1", b"\1\0")  # a read mask (0/1 bytes) to its unread mask


@dataclass(frozen=True, slots=True)
class KeyColumn:
    """One sidebar key's articles as a bitset of positions (`bits`), and per spelling of
    it (the first label an article's topics give the key, see `topic_keys`) its own."""

    key: str
    bits: int
    spellings: tuple[tuple[str, int], ...]

    def label_of(self, shown: int) -> str:
        """The spelling of the first position of `shown` (a part of `bits`): the count by
        article labels a topic so (`_spread_over_keys`)."""
        if len(self.spellings) == 1:
            return self.spellings[0][0]
        firsts = ((_lowest(shown & bits), label) for label, bits in self.spellings)
        return min((at, label) for at, label in firsts if at >= 0)[1]


def _lowest(bits: int) -> int:
    """The lowest set bit's position; -1 for none."""
    return (bits & -bits).bit_length() - 1


def _key_columns(
    tuples: list[tuple[str, ...]], tuple_numbers: Sequence[int]
) -> tuple[KeyColumn, ...]:
    """The key columns of a sequence given as its topics tuples' numbers (see `TopicColumns`);
    empty when there are more than KEY_SPELLINGS_MAX spellings. A 0/1 byte per position for
    each spelling, set in one walk of the positions (~25 ms at 100,000), then each mask
    made a bitset in C."""
    spellings: dict[tuple[str, str], int] = {}  # (key, label) -> its mask's place
    of_tuple = [
        tuple(spellings.setdefault(pair, len(spellings)) for pair in topic_keys(topics))
        for topics in tuples
    ]
    if len(spellings) > KEY_SPELLINGS_MAX:
        return ()
    masks = [bytearray(len(tuple_numbers)) for _ in spellings]
    for at, number in enumerate(tuple_numbers):
        for place in of_tuple[number]:
            masks[place][at] = 1
    by_key: dict[str, list[tuple[str, int]]] = {}
    for (key, label), mask in zip(spellings, masks, strict=True):
        by_key.setdefault(key, []).append((label, mask_bits(mask)))
    return tuple(
        KeyColumn(key, reduce(or_, (bits for _, bits in found)), tuple(found))
        for key, found in by_key.items()
    )


def _pick(column: Sequence[int], positions: Sequence[int]) -> Sequence[int]:
    """The column's values at these positions: one C call (itemgetter)."""
    if len(positions) < 2:
        return [column[i] for i in positions]
    return itemgetter(*positions)(column)  # type: ignore[no-any-return]


# topics tuple -> its keys (each once, "No topic" for none) with the first spelling of each:
# the sidebar is counted at every keystroke of the filter, over the same few thousand tuples.
_KEYS: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
_KEYS_KEPT = 1 << 16


def topic_keys(topics: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The sidebar keys of an article's topics, each once with its first label ("No topic"
    for none), remembered: a feed's articles share a few thousand topic tuples."""
    found = _KEYS.get(topics)
    if found is None:
        keys: dict[str, str] = {}
        for topic in topics:
            keys.setdefault(topic_key(topic), topic)
        found = tuple(keys.items()) if keys else ((NO_TOPIC, ""),)
        if len(_KEYS) >= _KEYS_KEPT:
            _KEYS.clear()
        _KEYS[topics] = found
    return found


def _spread_over_keys(merged: Counts) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Per topic key (case folded), its articles and unread, and its first spelling seen."""
    counts: dict[str, list[int]] = {}
    labels: dict[str, str] = {}
    for topics, (total, unread, _) in merged.items():
        for key, label in topic_keys(topics):
            entry = counts.get(key)
            if entry is None:
                counts[key] = [total, unread]
                if key != NO_TOPIC:
                    labels[key] = label
            else:
                entry[0] += total
                entry[1] += unread
    return counts, labels


def _topic_entries(counted: KeyCounts, with_unread: bool) -> list[TopicCount]:
    """One entry per topic (case folded), most articles first, "No topic" last."""
    labels = counted.labels
    entries = [
        TopicCount(key, labels.get(key, "No topic"), total, unread if with_unread else None)
        for key, (total, unread) in counted.keys.items()
    ]
    # "No topic" always goes last; the others by count, then name.
    entries.sort(key=lambda e: (e.key == NO_TOPIC, -e.count, e.label.casefold()))
    return entries


def in_feed_order(entries: list[TopicCount], ranks: dict[str, int]) -> list[TopicCount]:
    """Topic entries in the order of `ranks` (a topic's place in the whole feed, see
    `FeedView.topic_ranks`), those it lacks after them by name; "No topic" last."""
    unranked = len(ranks)
    return sorted(
        entries,
        key=lambda e: (e.key == NO_TOPIC, ranks.get(e.key, unranked), e.label.casefold()),
    )


def in_topic(article: ArticleSummary, key: str) -> bool:
    """Whether the article belongs to the sidebar entry `key` (a topic, all or none)."""
    if key == ALL:
        return True
    if key == NO_TOPIC:
        return not article.topics
    return any(topic_key(t) == key for t in article.topics)
