"""The rule that says whether two articles report the same news event.

Two articles of two outlets are one story when they are close in time and either

- their titles are near-identical (rapidfuzz's ratio of the normal-form titles at least
  `NEAR_IDENTICAL`, or one title of `HEAD_WORDS` content words at the head of the other;
  the same numbers in both, not each with a rare word the other lacks: a
  copy never trades one company's name for another's, see `two_names`): a press release and
  its copies, a wire story run by several papers, within `COPY_DAYS`; or
- they come within `EVENT_DAYS` of each other and share enough rare words of their
  titles and excerpts. A word's rarity is its inverse document frequency in the feed, so
  "market", "forecast" or "AI" weigh next to nothing in a feed about AI, while "Izanagi",
  "Telangana" or "PGA" weigh a lot. The shared weight (title words count twice) over the
  smaller article's weight must reach a bar that rises from `SAME_DAY_OVERLAP` for
  articles of the same hour to `OVERLAP` at `EVENT_DAYS` apart, carried by at least
  `RARE_SHARED` rare words, the ones in both titles weighing `TITLE_WEIGHT` at least. A
  `related` link between the two lowers the far end of the bar a little, to
  `LINKED_OVERLAP`, never further: real `related` lists name neighbouring subjects too.

An article may also join a story already made on weaker evidence than two articles need to
make one (`attaches`: a lower bar, `ATTACH_OVERLAP`; two rare words only vouch): the story's
articles between them vouch for the event, and most of the joined group's cross pairs must
still be `compatible`. A wide story told in different words by many outlets (ten papers on
one police decision) grows this way around its closest reports; two articles with only that
evidence stay apart. An article still alone joins a story when two of its articles each
share `VOUCHED_OVERLAP` with it, less than one alone would need, or when it holds half the
core of a story of three or more (the rare words most of its articles hold, `CORE_HELD`).

Everything else is apart: the same topic and common words, two companies of one program
(each title's rarest word is its own, see `distinct_subjects`), two articles of one outlet
(an outlet reports an event once, even two paywall pages under one title), a follow-up
weeks later. Groups are
joined pair by pair, and two groups only when most of their cross pairs are `compatible`,
so that one doubtful pair cannot chain two stories (see `grouping`). Precision comes
first: a story wrongly merged hides news, a duplicate only repeats it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping

from rapidfuzz import fuzz

from reader.core.stories.features import StoryKeys, Word

COPY_DAYS = 7.0  # a copy of a press release or a wire story runs within a week
EVENT_DAYS = 4.0  # different reports of one event come within a few days
NEAR_IDENTICAL = 90.0  # rapidfuzz ratio of the normal-form titles
OVERLAP = 0.3  # shared rare weight over the smaller article's weight
LINKED_OVERLAP = 0.26  # the same with a `related` link between the two
SAME_DAY_OVERLAP = 0.25  # what articles of the same hour need; the bar rises to OVERLAP
# Joining a story already made: below OVERLAP (most wide stories' reports share a fifth of
# their rare weight with their closest outlet, different news of one subject rarely more
# than a sixth), carried by `JOIN_RARE` rare words; two only vouch (`VOUCHERS`): two rare
# words are often one name ("Sam Altman": SoftBank's chip race shared only him, 0.29, with
# Altman's chip plan among the related entries alone, then vouched Zuckerberg's backing in).
ATTACH_OVERLAP = 0.2
ATTACH_RARE = 2
JOIN_RARE = 3
# An article alone joins a story when this many of its articles each share this much with
# it: two reports vouch together for what one cannot (different news of one subject, one
# state's ban beside another's bill, shares a tenth with a story's reports, not more).
VOUCHERS = 2
VOUCHED_OVERLAP = 0.15
# An article alone joins a story of this many articles or more when it holds this share of
# the story's core, the rare words most of its articles hold (by weight): a report in its
# own words still names what its outlets agree the story is about (`grouping._core_held`).
# Measured: the Met's story (9) and Wired's report hold 0.51 of it; the nearest different
# news beside a story of three or more held 0.37 (the EU's ban beside Pichai's backing).
CORE_STORY = 3
CORE_HELD = 0.5
COMPATIBLE = 0.1  # the overlap most cross pairs of two joined groups need
COMPATIBLE_SHARE = 0.5  # of the cross pairs, more than this part must be compatible
TITLE_WEIGHT = 4.0  # the rare words in both titles weigh this at least (one very rare word)
SUBJECT_MARGIN = 1.0  # how much rarer each title's own word is than the words they share
RARE_SHARED = 3  # rare words two reports of one event share at least
RARE_IDF = 3.0  # a word in fewer than about 1 article in 20 (ln 20 = 3.0) is rare
MIN_TITLE_WORDS = 3  # "Week 17", "Opinion": too short to call two titles copies
HEAD_WORDS = 5  # content words of a title that a copy may run at the head of a longer one

Idf = Callable[[Word], float]


def idf_from(counts: Mapping[Word, int], total: int) -> Idf:
    """The inverse document frequency of a word in a feed of `total` articles.

    The feed's size is taken in steps of a fifth of a doubling, so that a new article
    changes the weight of its own words only, not of every word of the feed: stories far
    from a change stay as they were (see `cache.stories`).
    """
    weight = count_weight(total)

    def idf(word: Word) -> float:
        return weight(counts.get(word, 0))

    # Each word's weight is asked for again and again (in every candidate pair it is in):
    # worked out once. `counts` must not change while the function is in use.
    return functools.lru_cache(maxsize=None)(idf)


def count_weight(total: int) -> Callable[[int], float]:
    """The inverse document frequency of a word held by `count` of `total` articles (see
    `idf_from`): by count, for what asks it of every word of a feed (`grouping.group_feed`)."""
    size = 2 ** (round(math.log2(max(total, 1)) * 5) / 5)

    def weight(count: int) -> float:
        return math.log((size + 1) / (count + 1))

    return weight


def near_identical(a: StoryKeys, b: StoryKeys) -> bool:
    """Copies: near-identical titles with the same numbers (Part 1 and Part 2 are not), or
    one title whole at the head of the other (`headed`)."""
    if len(a.title_words) < MIN_TITLE_WORDS or len(b.title_words) < MIN_TITLE_WORDS:
        return False
    if a.numbers != b.numbers:
        return False
    return fuzz.ratio(a.title, b.title) >= NEAR_IDENTICAL or headed(a, b)


def headed(a: StoryKeys, b: StoryKeys) -> bool:
    """Whether the shorter title, of `HEAD_WORDS` content words at least, is the head of the
    longer one: a syndicated copy that adds a line ("Tesla's 'full self-driving' could be
    days away. Here's what you need to know."), or a name's tail ("to Samsung Electronics").
    A short head ("Nvidia earnings") heads many different titles."""
    short, long = (a, b) if len(a.title) <= len(b.title) else (b, a)
    return len(short.title_words) >= HEAD_WORDS and long.title.startswith(short.title + " ")


def two_names(a: StoryKeys, b: StoryKeys, idf: Idf) -> bool:
    """Whether each title holds a rare word the other article lacks: "Cloudcheckr Achieves
    AWS Security Competency Status" and "Lacework Achieves AWS Security Competency Status"
    are near-identical but name two companies. A copy may add or drop a word ("- Bloomberg
    News"), not trade one name for another."""
    return any(idf(w) >= RARE_IDF for w in a.title_words - b.words) and any(
        idf(w) >= RARE_IDF for w in b.title_words - a.words
    )


def linked(a: StoryKeys, b: StoryKeys) -> bool:
    """Whether either names the other in its `related` list (by URL or title)."""
    return bool(a.links & b.related or b.links & a.related)


def overlap(a: StoryKeys, b: StoryKeys, idf: Idf) -> tuple[float, int, bool]:
    """The shared rare weight over the smaller article's, the rare words shared, and
    whether one of them is in both titles."""

    def weight(keys: StoryKeys, word: Word) -> float:
        return idf(word) * (2 if word in keys.title_words else 1)

    shared = [w for w in a.words & b.words if idf(w) >= RARE_IDF]
    if not shared:
        return 0.0, 0, False
    common = sum(min(weight(a, w), weight(b, w)) for w in shared)
    smaller = min(
        sum(weight(a, w) for w in a.words if idf(w) >= RARE_IDF),
        sum(weight(b, w) for w in b.words if idf(w) >= RARE_IDF),
    )
    in_titles = sum(idf(w) for w in shared if w in a.title_words or w in b.title_words)
    return common / smaller, len(shared), in_titles >= TITLE_WEIGHT


def strength(a: StoryKeys, b: StoryKeys, idf: Idf) -> float | None:
    """How surely the two articles report one news event (see the module's docstring): None
    when the rule says they do not, 2.0 for copies, else the shared rare weight."""
    gap = _gap(a, b)
    if gap is None:
        return None
    if gap <= COPY_DAYS and near_identical(a, b) and not two_names(a, b, idf):
        return 2.0
    if gap > EVENT_DAYS:
        return None
    share, rare, in_titles = overlap(a, b, idf)
    if share < bar_for(gap, linked(a, b)) or rare < RARE_SHARED or not in_titles:
        return None
    return None if distinct_subjects(a, b, idf) else share


def attaches(a: StoryKeys, b: StoryKeys, idf: Idf) -> float | None:
    """The shared rare weight when it is enough for one of the two to join a story the other
    is in (never to make a story of the two alone, see `grouping.joined`), else None."""
    gap = _gap(a, b)
    if gap is None or gap > EVENT_DAYS:
        return None
    share, rare, in_titles = overlap(a, b, idf)
    return None if share < VOUCHED_OVERLAP or rare < ATTACH_RARE or not in_titles else share


def attaches_alone(a: StoryKeys, b: StoryKeys, idf: Idf) -> bool:
    """Whether a pair that `attaches` at `ATTACH_OVERLAP` or more may join one of the two to
    the other's story by itself: carried by `JOIN_RARE` rare words (fewer only vouch)."""
    return overlap(a, b, idf)[1] >= JOIN_RARE


def _gap(a: StoryKeys, b: StoryKeys) -> float | None:
    """The days between two articles that could be one story; None when they cannot."""
    if a.day is None or b.day is None:
        return None  # an undated article cannot be placed beside an event
    if a.provider and a.provider == b.provider:
        # One outlet reports an event once (its copies of one URL the loader merges): two of
        # its articles are two stories, even under one title ("Become an FT subscriber").
        return None
    return abs(a.day - b.day)


def distinct_subjects(a: StoryKeys, b: StoryKeys, idf: Idf) -> bool:
    """Whether each title's rarest word is missing from the other article, and rarer than
    anything the titles share: "Core Scientific Achieves AWS Competency Status" and
    "ElectrifAi Achieves AWS Competency Status" are two companies, not one event."""
    shared = max((idf(w) for w in a.title_words & b.title_words), default=0.0)
    own_a = max((idf(w) for w in a.title_words - b.words), default=0.0)
    own_b = max((idf(w) for w in b.title_words - a.words), default=0.0)
    return min(own_a, own_b) >= shared + SUBJECT_MARGIN


def same_story(a: StoryKeys, b: StoryKeys, idf: Idf) -> bool:
    """Whether the rule calls the two articles one story."""
    return strength(a, b, idf) is not None


def compatible(a: StoryKeys, b: StoryKeys, idf: Idf) -> bool:
    """Whether two articles could sit in one story: what joining two groups asks of most
    of their cross pairs (so that one doubtful pair does not chain two stories)."""
    if a.day is None or b.day is None or abs(a.day - b.day) > COPY_DAYS:
        return False
    if a.provider and a.provider == b.provider:
        return False
    if near_identical(a, b) and not two_names(a, b, idf):
        return True
    share, rare, _ = overlap(a, b, idf)
    return share >= COMPATIBLE and rare >= 2


def bar_for(gap: float, is_linked: bool) -> float:
    """The overlap two articles `gap` days apart need: the same day asks least."""
    top = LINKED_OVERLAP if is_linked else OVERLAP
    return SAME_DAY_OVERLAP + (top - SAME_DAY_OVERLAP) * min(1.0, gap / EVENT_DAYS)
