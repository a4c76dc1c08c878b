"""What the story rule reads of an article: its words, its time, its outlet, its links.

An article's `StoryKeys` are made once, when its file is parsed (in the index cache they are
stored beside it), so that grouping never needs the article itself. They are small: the
title's normal form, the content words of the title and of the excerpt, the publication
time in days, the provider, and short hashes of the article's own URL and of the URLs and
titles its `related` list names.
"""

from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass

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
_AMOUNT = re.compile(r"^(\d+)(bn|bln|b|mn|mln|m|k)$")
# Straight, curly and stray apostrophes: "Nvidia's" and "Nvidia\u2019s" are both "nvidia".
_APOSTROPHE_MARKS = ("'", "\u2019", "\u2018", "`", "\u00b4")
_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4]s\\b|['\u2019\u2018`\u00b4]")


# Not frozen: a frozen dataclass's __init__ goes through object.__setattr__ for every field,
# and the first grouping makes 100,000 of these from the index cache. Treat it as immutable.
@dataclass(slots=True, eq=True)
class StoryKeys:
    """What grouping needs of one article (see the module's docstring)."""

    article_id: str
    title: str  # folded, punctuation gone, single spaces
    day: float | None  # publication time in days since the epoch
    provider: str
    title_words: frozenset[str]
    words: frozenset[str]  # the title's and the excerpt's content words
    numbers: frozenset[str]  # the numbers in the title ("Part 1" and "Part 2" differ)
    links: frozenset[str]  # hashes of the article's own URL and normal-form title
    related: frozenset[str]  # hashes of what its `related` list names (URLs and titles)


def words_of(text: str) -> list[str]:
    """The content words of `text`: folded, stopwords gone, plurals cut to the singular."""
    found: list[str] = []
    known = _KNOWN
    for word in _WORD.findall(_without_apostrophes(fold(text))):
        normal = known.get(word)
        if normal is None:
            normal = _normal(word)
            if len(known) < _KNOWN_MAX:
                known[word] = normal
        found += normal
    return found


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


# Words repeat across a feed: each is normalised once (up to a bound, for memory).
_KNOWN: dict[str, tuple[str, ...]] = {}
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


def _hash(text: str) -> str:
    """A short stable hash (CRC-32: a rare collision only lowers one pair's bar a little)."""
    return f"{zlib.crc32(text.encode('utf-8', 'surrogatepass')):08x}"


def keys_of(article: Article) -> StoryKeys:
    """The story keys of one article."""
    title = normal_title(article.title)
    title_words = words_of(article.title)
    published = article.published
    own = {_hash(title)} | {_hash(url) for url in (article.url, article.original_url) if url}
    related = {_hash(link.url) for link in article.related if link.url}
    related |= {_hash(normal_title(link.title)) for link in article.related if link.title}
    return StoryKeys(
        article_id=article.id,
        title=title,
        day=published.timestamp() / 86400 if published is not None else None,
        provider=fold(article.provider_name or article.provider_domain),
        title_words=frozenset(title_words),
        words=frozenset(title_words) | frozenset(words_of(article.excerpt)),
        numbers=frozenset(word for word in title.split() if word.isdigit()),
        links=frozenset(own),
        related=frozenset(related),
    )


def keys_to_json(keys: StoryKeys) -> str:
    """The keys as the index cache stores them (the article id and day have columns)."""
    return json.dumps(
        [
            keys.title,
            keys.provider,
            " ".join(sorted(keys.title_words)),
            " ".join(sorted(keys.words - keys.title_words)),
            " ".join(sorted(keys.links)),
            " ".join(sorted(keys.related)),
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def keys_from_json(article_id: str, day: float | None, text: str) -> StoryKeys:
    """The keys `keys_to_json` wrote."""
    title, provider, title_words, other_words, links, related = json.loads(text)
    in_title = frozenset(title_words.split())
    return StoryKeys(
        article_id=article_id,
        title=title,
        day=day,
        provider=provider,
        title_words=in_title,
        words=in_title | frozenset(other_words.split()),
        numbers=frozenset(filter(str.isdigit, title.split())),
        links=frozenset(links.split()),
        related=frozenset(related.split()),
    )
