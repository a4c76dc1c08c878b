"""The article model: immutable records built by the loader, no Textual here."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeGuard, cast


@dataclass(frozen=True, slots=True)
class Provider:
    """The publisher of an article."""

    name: str
    domain: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    """A picture of an article."""

    url: str
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """Another article on the same story."""

    title: str
    url: str | None = None
    excerpt: str = ""
    published: datetime | None = None
    provider: Provider | None = None
    quality: int | None = None
    type: str = ""

    @property
    def provider_name(self) -> str:
        return self.provider.name if self.provider else ""


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the feed, with every field the format defines (bar `secured`)."""

    id: str
    path: str
    title: str
    excerpt: str = ""
    body: str = ""
    published: datetime | None = None
    url: str | None = None
    original_url: str | None = None
    amp_url: str | None = None
    cdn_amp_url: str | None = None
    type: str = ""
    category: str = ""
    quality: int | None = None
    heat: int | None = None
    provider: Provider | None = None
    topics: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    related: tuple[RelatedLink, ...] = ()

    @property
    def provider_name(self) -> str:
        return self.provider.name if self.provider else ""

    @property
    def provider_domain(self) -> str:
        return self.provider.domain if self.provider else ""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file: an error skips the file, a warning does not."""

    path: str
    severity: Severity
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line else ""
        return printable(f"{self.path}: {self.severity.value}: {self.reason}{where}")

    def relative_to(self, root: Path | str) -> Problem:
        """This problem with its path relative to the feed `root`, for a short notice.

        Unlike `Path.relative_to` it never raises: a path outside the root, or the root
        folder itself (a feed that vanished), is kept whole. A single-file feed's own
        problems keep the file's name.
        """
        return replace(self, path=relative_path(self.path, root))


def relative_path(path: str, root: Path | str) -> str:
    """`path` (as the loader spelled it) relative to the feed `root`; see `Problem.relative_to`.

    Plain string work: the feed may no longer exist when its problems are shown.
    """
    root_text = str(root)
    # "news/": what every file's path in the folder starts with
    inside = os.path.join(root_text, "")
    if path.startswith(inside) and len(path) > len(inside):
        return path[len(inside) :]
    if path == root_text and os.path.isfile(root_text):
        return os.path.basename(root_text)
    return path


def plural(count: int, noun: str, plural: str | None = None) -> str:
    """`1 file`, `2 files`, `1,024 articles`; `plural` for nouns that do not just take an s."""
    word = noun if count == 1 else (plural or f"{noun}s")
    return f"{count:,} {word}"


def printable(text: str) -> str:
    """Text safe to print to a terminal: invisible characters shown as escapes (`\\x1b`).

    File names may hold ESC sequences too; `reader check` prints them through this.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )


class ProblemsMixin:
    """`errors` and `warnings` of a result that has `problems`."""

    __slots__ = ()
    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


@dataclass(slots=True)
class FeedLoad(ProblemsMixin):
    """What loading a feed gave: the articles and every problem met on the way."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # article files read
    skipped: int = 0  # files that gave no article (each has an error in `problems`)
    # The feed folder (or file) is gone: `problems` holds one error, naming the feed.
    feed_missing: bool = False


def fold(text: str) -> str:
    """Lowercase and strip accents, so that searching `Malaga` finds `Málaga`."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


# The combining-mark blocks (diacritics of Latin, Greek, Cyrillic and the supplements):
# one regex pass instead of a Python loop over every character of every article.
_COMBINING_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


# Not frozen: a frozen dataclass's __init__ goes through object.__setattr__ for every
# field, which is a third of the time of a warm start at 100,000 articles. Treat it as
# immutable all the same.
@dataclass(slots=True)
class ArticleSummary:
    """What the list, the sidebar and the filter need of an article, and nothing more.

    A feed of 100,000 articles keeps only these in memory; the excerpt, body and related
    links of the selected article are fetched when it is shown.
    """

    id: str
    path: str
    title: str
    url: str | None
    provider_name: str
    provider_domain: str
    published: datetime | None
    quality: int | None
    heat: int | None
    topics: tuple[str, ...]
    # Folded (see `fold`) title, excerpt, provider name and domain, topics and body,
    # joined by newlines: what a free-text query term searches.
    search_text: str


class SearchTexts(Protocol):
    """Where a `StoredSummary`'s search text is kept (the index cache), read when asked for."""

    def texts_of(self, paths: Sequence[str]) -> list[str]:
        """The search texts of the articles at these paths ("" for one no longer there)."""
        ...


class KeptUrls(Protocol):
    """Where a `StoredSummary`'s URL is kept (the index cache), read when asked for."""

    def urls_of(self, paths: Sequence[str]) -> list[str | None]:
        """The URLs of the articles at these paths (None: none, or no longer there)."""
        ...

    def rows_at_urls(self, urls: Iterable[str]) -> set[tuple[str, str]]:
        """The path and id of each article kept here whose URL is one of `urls`."""
        ...


class KeptFields(SearchTexts, KeptUrls, Protocol):
    """Where both a `StoredSummary`'s search text and its URL are kept."""


# The slots' own descriptors, which the properties below read and set.
_TEXT_SLOT: Any = vars(ArticleSummary)["search_text"]
_URL_SLOT: Any = vars(ArticleSummary)["url"]


class StoredSummary(ArticleSummary):
    """A summary whose search text (and URL) stays where it is kept (`SearchTexts`,
    `KeptUrls`) until asked for.

    At 100,000 articles the folded texts are ~47 MB, most of what the app would hold: the
    search index answers words from its word index and reads the texts only of the few
    articles a phrase must be tested on (see `reader.core.query.index`). The slot holds
    either the text (once given one, say by `dataclasses.replace`) or where it is kept.
    So may the URL slot (~19 MB at 100,000 with the lookup by URL): what needs the URLs
    of many articles asks where they are kept at once (`KeptUrlHits`, `hold_urls`).
    It is equal to an `ArticleSummary` of the same fields.
    """

    __slots__ = ()

    @property
    def search_text(self) -> str:
        held = _TEXT_SLOT.__get__(self)
        return held if isinstance(held, str) else held.texts_of((self.path,))[0]

    @search_text.setter
    def search_text(self, value: str | SearchTexts) -> None:
        _TEXT_SLOT.__set__(self, value)

    @property
    def url(self) -> str | None:
        held = _URL_SLOT.__get__(self)
        return held if held is None or type(held) is str else held.urls_of((self.path,))[0]

    @url.setter
    def url(self, value: str | KeptUrls | None) -> None:
        _URL_SLOT.__set__(self, value)

    @property
    def kept_in(self) -> SearchTexts | None:
        """Where the search text is kept; None when it is held here."""
        held = _TEXT_SLOT.__get__(self)
        return None if isinstance(held, str) else held

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ArticleSummary):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in _SUMMARY_FIELDS)

    __hash__ = None  # type: ignore[assignment]


_SUMMARY_FIELDS = tuple(ArticleSummary.__dataclass_fields__)


def held_text(summary: ArticleSummary) -> str | SearchTexts:
    """The summary's search text if it holds it, else where it is kept (nothing is read)."""
    held: str | SearchTexts = _TEXT_SLOT.__get__(summary)
    return held


def held_url(summary: ArticleSummary) -> str | KeptUrls | None:
    """The summary's URL if it holds it, else where it is kept (nothing is read)."""
    held: str | KeptUrls | None = _URL_SLOT.__get__(summary)
    return held


class KeptUrlHits:
    """Whether a summary's URL is one of `urls`: each place keeping the URLs of summaries
    that do not hold theirs is asked once which of its rows have one (a lookup by URL
    there), on meeting its first summary; not once per summary."""

    __slots__ = ("_paths", "urls")

    def __init__(self, urls: frozenset[str]) -> None:
        self.urls = urls
        self._paths: dict[KeptUrls, set[str]] = {}  # place -> the paths of its rows found

    def __call__(self, summary: ArticleSummary) -> bool:
        held = _URL_SLOT.__get__(summary)
        if held is None or type(held) is str:
            return held in self.urls
        return summary.path in self.paths_in(held)

    def found_at(self, place: KeptUrls) -> set[tuple[str, str]]:
        """The path and id of the rows kept at `place` whose URL is one of `urls`."""
        rows = place.rows_at_urls(self.urls) if self.urls else set()
        self._paths[place] = {path for path, _ in rows}
        return rows

    def paths_in(self, place: KeptUrls) -> set[str]:
        """The paths of the rows kept at `place` whose URL is one of `urls`."""
        if place not in self._paths:
            self.found_at(place)
        return self._paths[place]


def held_urls(summaries: Iterable[ArticleSummary]) -> list[str | KeptUrls | None]:
    """`held_url` of each summary, in C (nothing is read)."""
    return list(map(_URL_SLOT.__get__, summaries))


def url_places(summaries: Iterable[ArticleSummary]) -> set[KeptUrls]:
    """Where the URLs of the summaries that do not hold theirs are kept."""
    return places_among(held_urls(summaries))


def places_among(held: list[str | KeptUrls | None]) -> set[KeptUrls]:
    """The places among `held_urls`' answers: in C when no URL is held (a warm start's)."""
    if str in set(map(type, held)):
        return {h for h in held if _is_place(h)}
    places = cast("set[KeptUrls | None]", set(held))
    places.discard(None)
    return cast("set[KeptUrls]", places)


def _is_place(held: str | KeptUrls | None) -> TypeGuard[KeptUrls]:
    return held is not None and type(held) is not str


def kept_urls_of(summaries: Sequence[ArticleSummary]) -> list[str | None]:
    """The URL of each summary, those kept elsewhere read a batch a place (none is held)."""
    held = held_urls(summaries)
    urls = [None if _is_place(url) else cast(str | None, url) for url in held]
    at: dict[KeptUrls, list[int]] = {}
    for number, url in enumerate(held):
        if _is_place(url):
            at.setdefault(url, []).append(number)
    for place, numbers in at.items():
        read = place.urls_of([summaries[number].path for number in numbers])
        for number, url in zip(numbers, read, strict=True):
            urls[number] = url
    return urls


def hold_urls(summaries: Sequence[ArticleSummary]) -> None:
    """Give each summary its URL from where it is kept, read a batch at a time: for what
    reads every URL of a list (an export), not one read per summary."""
    urls = kept_urls_of(summaries)
    for summary, held, url in zip(summaries, held_urls(summaries), urls, strict=True):
        if _is_place(held):
            _URL_SLOT.__set__(summary, url)


class Picked(list[ArticleSummary]):
    """Summaries picked from a sequence (`source`) at `positions` (ascending): what a filter
    answered from its index. What counts them per position (the sidebar's topic counts,
    `topics.TopicColumns`) then need not walk the summaries themselves. `bits`, when the
    filter answered with one, is the bitset of the positions (bit i: position i)."""

    __slots__ = ("bits", "positions", "source")

    def __init__(
        self,
        picked: Iterable[ArticleSummary],
        positions: Sequence[int],
        source: object,
        bits: int | None = None,
    ) -> None:
        super().__init__(picked)
        self.positions = positions
        self.source = source
        self.bits = bits


def held_texts(summaries: Sequence[ArticleSummary]) -> list[str] | None:
    """The search texts of the summaries if they all hold theirs, else None (nothing read)."""
    held = list(map(_TEXT_SLOT.__get__, summaries))
    return held if set(map(type, held)) <= {str} else None


def search_text_of(article: Article) -> str:
    """The folded text a free-text query searches for this article."""
    parts = (
        article.title,
        article.excerpt,
        article.provider_name,
        article.provider_domain,
        *article.topics,
        article.body,
    )
    return fold("\n".join(part for part in parts if part))


def summarize(article: Article) -> ArticleSummary:
    """The in-memory summary of an article."""
    return ArticleSummary(
        id=article.id,
        path=article.path,
        title=article.title,
        url=article.url,
        provider_name=article.provider_name,
        provider_domain=article.provider_domain,
        published=article.published,
        quality=article.quality,
        heat=article.heat,
        topics=article.topics,
        search_text=search_text_of(article),
    )
