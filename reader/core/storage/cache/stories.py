"""Stories in the index cache: each article's story keys, the feed's word counts and its
groups, kept up to date as files are parsed, so that a warm start only reads the groups.

- `story_keys`: one row per parsed article file (its id, day and `StoryKeys` as
  `features.keys_to_row` writes them; a parse worker makes the same columns straight from
  the article, `features.row_of`), written in the same transaction as the file's row;
  dropped with it.
- `story_words`: the feed's document frequency of every word (by id), as one blob (what a
  word's rarity is measured by), with the number of articles counted.
- `story_groups`: the stories of two articles or more, one row per member; and
  `story_lists`, the same as one JSON list per feed: what a warm start reads (one value
  instead of tens of thousands of rows).

After a sync that parsed or dropped files, `regroup` decides again only what the change can
touch: the articles within two windows of a changed one and the stories they are in. A
first build (or a change to a large part of the feed) groups the whole feed at once.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from reader.core.stories.features import StoryKeys, Word, keys_from_row, words_in_row

# The grouping (and rapidfuzz) is imported where a sync regroups: a warm start needs neither.

TABLES = """
CREATE TABLE story_keys(
    feed INTEGER NOT NULL,
    rel TEXT NOT NULL,
    article_id TEXT NOT NULL,
    day REAL,                   -- publication time in days since the epoch
    label TEXT NOT NULL,        -- StoryKeys as features.keys_to_row writes them
    ids BLOB NOT NULL,
    PRIMARY KEY(feed, rel)
);
CREATE INDEX story_keys_day ON story_keys(feed, day);
-- counts: the word ids, then how many articles hold each (int64, little-endian)
CREATE TABLE story_words(feed INTEGER PRIMARY KEY, articles INTEGER NOT NULL, counts BLOB NOT NULL);
CREATE TABLE story_groups(feed INTEGER NOT NULL, article_id TEXT NOT NULL, story TEXT NOT NULL,
                          PRIMARY KEY(feed, article_id));
CREATE TABLE story_lists(feed INTEGER PRIMARY KEY, groups TEXT NOT NULL);
"""
INSERT_KEYS = "INSERT OR REPLACE INTO story_keys VALUES (?, ?, ?, ?, ?, ?)"
WHOLE_FEED_SHARE = 0.2  # changed more than this part of the feed: group it all again
KeysRow = tuple[int, str, str, float | None, str, bytes]  # feed, rel, article_id, day, label, ids
StoredRow = tuple[str, float | None, str, bytes]  # article_id, day, label, ids
KEYS_COLUMNS = "article_id, day, label, ids"


class WordCounts:
    """The change a sync makes to the feed's word counts, gathered as rows come and go (their
    words are read only if the change is grouped around, not the whole feed again)."""

    def __init__(self) -> None:
        self.left: list[StoredRow] = []
        self.entered: list[StoredRow] = []
        self.touched: set[str] = set()  # article ids parsed or dropped
        self.days: list[float] = []  # their days, old and new
        # The whole feed is grouped again (a first build): nothing is gathered, and no old
        # row is read back (a build of 100,000 files: ~0.7 s of the app's process).
        self.whole = False

    def leave(self, rows: Iterable[StoredRow]) -> None:
        for row in rows:
            self.left.append(row)
            self._touch(row[0], row[1])

    def enter(self, rows: Iterable[KeysRow]) -> None:
        for _, _, article_id, day, label, ids in rows:
            self.entered.append((article_id, day, label, ids))
            self._touch(article_id, day)

    def delta(self) -> Counter[Word]:
        """How many more articles hold each word."""
        change: Counter[Word] = Counter()
        for *_, ids in self.entered:
            change.update(words_in_row(ids))
        for *_, ids in self.left:
            change.subtract(words_in_row(ids))
        return change

    def _touch(self, article_id: str, day: float | None) -> None:
        self.touched.add(article_id)
        if day is not None:
            self.days.append(day)


class StoredKeys(Mapping[str, StoryKeys]):
    """The stored keys of a feed's articles (by id), each read back only when asked for:
    grouping a whole feed reads every article's words, but the keys of few."""

    def __init__(self, rows: Iterable[StoredRow]) -> None:
        self._rows = {row[0]: row for row in rows}  # the last row of an id, as `_keys` keeps
        self._made: dict[str, StoryKeys] = {}

    def __getitem__(self, article_id: str) -> StoryKeys:
        made = self._made.get(article_id)
        if made is None:
            made = self._made[article_id] = keys_from_row(*self._rows[article_id])
        return made

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def day_words(self) -> Iterator[tuple[str, float | None, Sequence[Word]]]:
        """Each article's id, day and word ids."""
        for article_id, day, _, ids in self._rows.values():
            yield article_id, day, words_in_row(ids)


def _old_rows(conn: sqlite3.Connection, feed: int, rels: Sequence[str]) -> list[StoredRow]:
    rows: list[StoredRow] = []
    for start in range(0, len(rels), 500):
        part = rels[start : start + 500]
        rows += conn.execute(
            f"SELECT {KEYS_COLUMNS} FROM story_keys WHERE feed = ? AND rel IN"
            f" ({', '.join('?' * len(part))})",
            (feed, *part),
        ).fetchall()
    return rows


def store_keys(
    conn: sqlite3.Connection, feed: int, rows: Sequence[KeysRow], gone: Sequence[str],
    counts: WordCounts,
) -> None:  # fmt: skip
    """Write the keys of parsed files and drop those of `gone` rels (files deleted, or that
    no longer give an article), inside the caller's transaction."""
    if not counts.whole:
        counts.leave(_old_rows(conn, feed, [row[1] for row in rows] + list(gone)))
    conn.executemany("DELETE FROM story_keys WHERE feed = ? AND rel = ?", [(feed, r) for r in gone])
    conn.executemany(INSERT_KEYS, rows)
    if not counts.whole:
        counts.enter(rows)


def read_groups(conn: sqlite3.Connection, feed: int) -> list[tuple[str, ...]]:
    """The feed's stories, each a sorted tuple of two article ids or more, sorted."""
    row = conn.execute("SELECT groups FROM story_lists WHERE feed = ?", (feed,)).fetchone()
    if row is not None:
        return [tuple(members) for members in json.loads(row[0])]
    return _groups_in_table(conn, feed)


def _groups_in_table(conn: sqlite3.Connection, feed: int) -> list[tuple[str, ...]]:
    stories: dict[str, list[str]] = {}
    for article_id, story in conn.execute(
        "SELECT article_id, story FROM story_groups WHERE feed = ?", (feed,)
    ):
        stories.setdefault(story, []).append(article_id)
    return sorted(tuple(sorted(members)) for members in stories.values() if len(members) > 1)


def regroup(conn: sqlite3.Connection, feed: int, counts: WordCounts) -> None:
    """Bring the feed's word counts and stories up to date with the sync's changes (inside
    the caller's transaction)."""
    from reader.core.storage.cache.snapshot import no_gc  # (it imports this module)

    # The keys of up to the whole feed are made, and nothing that holds a cycle: the cyclic
    # collector walking them again and again was a third of a first grouping's time.
    with no_gc():
        _regroup(conn, feed, counts)
    mark_in_step(conn, feed)  # the next start need not count the keys


def _regroup(conn: sqlite3.Connection, feed: int, counts: WordCounts) -> None:
    _fill_missing(conn, feed, counts)
    if not (counts.whole or counts.touched) and not _out_of_step(conn, feed):
        return
    from reader.core.stories.grouping import group_feed, group_keys
    from reader.core.stories.rule import idf_from

    row = conn.execute("SELECT articles FROM story_words WHERE feed = ?", (feed,)).fetchone()
    total = (row[0] if row else 0) + len(counts.entered) - len(counts.left)
    touched = len(counts.touched)
    if counts.whole or total <= 0 or not touched or touched > WHOLE_FEED_SHARE * total:
        stored = StoredKeys(
            conn.execute(f"SELECT {KEYS_COLUMNS} FROM story_keys WHERE feed = ?", (feed,))
        )
        found, counted = group_feed(stored.day_words, stored)
        _save_words(conn, feed, len(stored), dict(counted))
        _replace_groups(conn, feed, (), found, whole=True)
        return
    words = _updated_words(conn, feed, counts, total)
    keys = _window(conn, feed, counts)
    found = group_keys(keys, idf_from(words, total))
    # The touched articles too: a deleted one has no keys left, but may still be in a story.
    _replace_groups(conn, feed, keys.keys() | counts.touched, found, whole=False)


def stale(conn: sqlite3.Connection, feed: int, counts: WordCounts) -> bool:
    """Whether `regroup` has anything to do: the syncs changed files, or the stored keys are
    not all there or not the ones last grouped (a sync stopped before its end). The last
    two are counted (three counts of 100,000 rows: ~20-40 ms of a warm start) only when
    no `mark_in_step` was made at the feed's generation now."""
    if counts.whole or counts.touched:
        return True
    return not in_step(conn, feed) and (_missing(conn, feed) or _out_of_step(conn, feed))


def _in_step_key(feed: int) -> str:
    return f"stories_in_step:{feed}"


def in_step(conn: sqlite3.Connection, feed: int) -> bool:
    """Whether the stored keys were found whole and grouped at the feed's generation now
    (`mark_in_step`). Every write to the feed's files bumps its generation, and keys are
    missing or out of step only after one (a file parsed with grouping off, a sync stopped
    before its end): at the same generation they still are."""
    row = conn.execute(
        "SELECT f.generation, m.value FROM feeds f LEFT JOIN meta m ON m.key = ? WHERE f.id = ?",
        (_in_step_key(feed), feed),
    ).fetchone()
    return row is not None and row[1] == str(row[0])


def mark_in_step(conn: sqlite3.Connection, feed: int) -> None:
    """Note that the stored keys are whole and grouped at the feed's generation now (in the
    caller's transaction: at the end of `regroup`, or once `stale` counted them in step)."""
    conn.execute(
        "INSERT OR REPLACE INTO meta SELECT ?, CAST(generation AS TEXT) FROM feeds WHERE id = ?",
        (_in_step_key(feed), feed),
    )


def _count(conn: sqlite3.Connection, table: str, feed: int) -> int:
    found: int = conn.execute(f"SELECT COUNT(*) FROM {table} WHERE feed = ?", (feed,)).fetchone()[0]
    return found


def _missing(conn: sqlite3.Connection, feed: int) -> bool:
    """Whether some stored articles have no keys (parsed while `group_stories` was off)."""
    return _count(conn, "story_keys", feed) < _count(conn, "details", feed)


def _fill_missing(conn: sqlite3.Connection, feed: int, counts: WordCounts) -> None:
    """Make the keys of articles stored without them (parsed while `group_stories` was off)
    from their stored article: nothing is read from the files again."""
    if not _missing(conn, feed):
        return
    from reader.core.storage.cache.codec import article_from_detail
    from reader.core.stories.features import keys_of, keys_to_row

    rows: list[KeysRow] = []
    for rel, data in conn.execute(
        "SELECT d.rel, d.data FROM details d WHERE d.feed = ? AND NOT EXISTS"
        " (SELECT 1 FROM story_keys k WHERE k.feed = d.feed AND k.rel = d.rel)",
        (feed,),
    ).fetchall():
        made = keys_of(article_from_detail(data, rel))
        rows.append((feed, rel, made.article_id, made.day, *keys_to_row(made)))
    store_keys(conn, feed, rows, (), counts)


def _out_of_step(conn: sqlite3.Connection, feed: int) -> bool:
    """Whether the stored keys are not the ones last grouped (a sync stopped before its
    end, say by a quit): then the whole feed is grouped again."""
    row = conn.execute("SELECT articles FROM story_words WHERE feed = ?", (feed,)).fetchone()
    return _count(conn, "story_keys", feed) != (row[0] if row else 0)


def _updated_words(
    conn: sqlite3.Connection, feed: int, counts: WordCounts, total: int
) -> dict[Word, int]:
    """The stored word counts with the sync's change, stored back."""
    row = conn.execute("SELECT counts FROM story_words WHERE feed = ?", (feed,)).fetchone()
    words = _counts_from_blob(row[0]) if row else {}
    for word, change in counts.delta().items():
        now = words.get(word, 0) + change
        if now > 0:
            words[word] = now
        else:
            words.pop(word, None)
    _save_words(conn, feed, total, words)
    return words


def _save_words(conn: sqlite3.Connection, feed: int, total: int, words: dict[Word, int]) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO story_words VALUES (?, ?, ?)", (feed, total, _counts_blob(words))
    )


def _counts_blob(words: dict[Word, int]) -> bytes:
    both = array("q", words.keys())
    both.extend(words.values())
    if sys.byteorder == "big":
        both.byteswap()
    return both.tobytes()


def _counts_from_blob(blob: bytes) -> dict[Word, int]:
    both = array("q", blob)
    if sys.byteorder == "big":
        both.byteswap()
    half = len(both) // 2
    return dict(zip(both[:half], both[half:], strict=True))


def _keys(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> dict[str, StoryKeys]:
    return {
        article_id: keys_from_row(article_id, day, label, ids)
        for article_id, day, label, ids in conn.execute(sql, params)
    }


def _window(conn: sqlite3.Connection, feed: int, counts: WordCounts) -> dict[str, StoryKeys]:
    """The keys of every article a change can touch: those within two copy windows of a
    changed article's day (old or new), and every member of the stories they are in."""
    from reader.core.stories.rule import COPY_DAYS

    keys: dict[str, StoryKeys] = {}
    reach = 2 * COPY_DAYS
    for day in sorted(set(counts.days)):
        keys.update(_keys(
            conn,
            f"SELECT {KEYS_COLUMNS} FROM story_keys WHERE feed = ? AND day BETWEEN ? AND ?",
            (feed, day - reach, day + reach),
        ))  # fmt: skip
    stories = _stories_of(conn, feed, keys)
    members = [m for m in _members(conn, feed, stories) if m not in keys]
    for start in range(0, len(members), 500):
        part = members[start : start + 500]
        keys.update(_keys(
            conn,
            f"SELECT {KEYS_COLUMNS} FROM story_keys WHERE feed = ? AND article_id IN"
            f" ({', '.join('?' * len(part))})",
            (feed, *part),
        ))  # fmt: skip
    return keys


def _stories_of(conn: sqlite3.Connection, feed: int, ids: Collection[str]) -> set[str]:
    found: set[str] = set()
    listed = list(ids)
    for start in range(0, len(listed), 500):
        part = listed[start : start + 500]
        found.update(story for (story,) in conn.execute(
            "SELECT story FROM story_groups WHERE feed = ? AND article_id IN"
            f" ({', '.join('?' * len(part))})",
            (feed, *part),
        ))  # fmt: skip
    return found


def _members(conn: sqlite3.Connection, feed: int, stories: Collection[str]) -> list[str]:
    members: list[str] = []
    listed = list(stories)
    for start in range(0, len(listed), 500):
        part = listed[start : start + 500]
        members += [article_id for (article_id,) in conn.execute(
            "SELECT article_id FROM story_groups WHERE feed = ? AND story IN"
            f" ({', '.join('?' * len(part))})",
            (feed, *part),
        )]  # fmt: skip
    return members


def _replace_groups(
    conn: sqlite3.Connection, feed: int, keys: Collection[str],
    found: list[tuple[str, ...]], *, whole: bool,
) -> None:  # fmt: skip
    """Swap the stories of these articles (of the whole feed with `whole`) for `found`."""
    if whole:
        conn.execute("DELETE FROM story_groups WHERE feed = ?", (feed,))
    else:
        conn.executemany(
            "DELETE FROM story_groups WHERE feed = ? AND article_id = ?",
            [(feed, article_id) for article_id in keys],
        )
    conn.executemany(
        "INSERT OR REPLACE INTO story_groups VALUES (?, ?, ?)",
        [(feed, member, members[0]) for members in found for member in members],
    )
    groups = json.dumps(_groups_in_table(conn, feed), separators=(",", ":"))
    conn.execute("INSERT OR REPLACE INTO story_lists VALUES (?, ?)", (feed, groups))
