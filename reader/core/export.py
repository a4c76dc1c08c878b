"""Articles as JSON, TSV and a table (fitting the terminal, or whole), for `reader list`."""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from json.encoder import encode_basestring
from typing import Protocol

from reader.core.model import Article, RelatedLink
from reader.core.sanitize import clean_line


class Listed(Protocol):
    """What the table and TSV show of an article: an `ArticleSummary` has it all."""

    @property
    def title(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def provider_name(self) -> str: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def quality(self) -> int | None: ...


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC ending in `Z` (`0001-01-01T00:00:00Z`: four-digit years), or None."""
    if moment is None:
        return None
    if moment.tzinfo is UTC and not moment.microsecond:
        # Most moments (three a listed article): their own text, its "+00:00" written "Z",
        # in a third of the time of the steps below.
        return moment.isoformat()[:-6] + "Z"
    # Not strftime: its %Y gives `1` for the year 1 on glibc, which is not ISO 8601.
    utc = moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)
    return f"{utc.isoformat()}Z"


def short_date(moment: datetime | None) -> str:
    """`09 Apr 2021` (`01 Jan 0001`), or an empty string."""
    return _day_text(moment.date()) if moment else ""


@functools.lru_cache(maxsize=4096)
def _day_text(day: date) -> str:
    # Once per day, not per article: strftime was a third of a 100,000-article table.
    return f"{day:%d %b} {day.year:04d}"


def _related_json(link: RelatedLink) -> dict[str, object]:
    return {
        "title": link.title,
        "url": link.url,
        "provider": link.provider_name or None,
        "published": iso_utc(link.published),
        "quality": link.quality,
    }


def listed_fields(article: Article) -> dict[str, object]:
    """The JSON fields of an article that depend on its file alone: all bar id, path and state.

    The index cache keeps them encoded (`stored_fields_json`), so that `reader list` of a
    warm cache only splices id, path and state around each (`spliced_json`).
    """
    return {
        "title": article.title,
        "url": article.url,
        "provider": article.provider_name or None,
        "provider_domain": article.provider_domain or None,
        "published": iso_utc(article.published),
        "quality": article.quality,
        "heat": article.heat,
        "topics": list(article.topics),
        "excerpt": article.excerpt,
        "related": [_related_json(link) for link in article.related],
    }


def article_json(
    article: Article, read: bool | None = None, starred: bool | None = None
) -> dict[str, object]:
    """The JSON object of one article (`read`/`starred` only when the state is known)."""
    record: dict[str, object] = {"id": article.id, "path": article.path}
    record.update(listed_fields(article))
    if read is not None:
        record["read"] = read
    if starred is not None:
        record["starred"] = starred
    return record


JSON_LINE = json.JSONEncoder(ensure_ascii=False)  # made once: `dumps` with options makes one a call


def to_json(records: Iterable[dict[str, object]]) -> str:
    """One JSON array, an article a line; non-ASCII kept readable.

    Not `indent=2`: that runs the pure-Python encoder, 2.4 s of 10,000 articles' list; each
    record through the C encoder is a few times faster, and still one object a line.
    """
    encode = JSON_LINE.encode
    return json_array([encode(record) for record in records])


def json_array(lines: Sequence[str]) -> str:
    """Encoded objects as `to_json` joins them: `[`, one a line, `]`."""
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


def stored_fields_json(article: Article) -> str:
    """`listed_fields` encoded as `to_json` encodes them, without the enclosing braces."""
    return JSON_LINE.encode(listed_fields(article))[1:-1]


# What follows the stored fields: the state, in article_json's order (the brace is not in).
STATE_FIELDS = {
    (read, starred): f', "read": {json.dumps(read)}, "starred": {json.dumps(starred)}'
    for read in (False, True)
    for starred in (False, True)
}


def spliced_head(article_id: str, path: str) -> str:
    """What comes before the stored fields in `spliced_json`'s line: `{"id": …, "path": …, `."""
    # What JSON_LINE.encode does with a string, without its Python-level steps.
    encode = encode_basestring
    return f'{{"id": {encode(article_id)}, "path": {encode(path)}, '


def spliced_json(
    article_id: str, path: str, stored: bytes, read: bool, starred: bool, errors: str = "strict"
) -> bytes:
    """`to_json`'s line of `article_json(article, read, starred)` in UTF-8, from the UTF-8 of
    `stored_fields_json` (`errors`: for a path that is not UTF-8, as the output stream has it).

    The same text byte for byte (tests compare them), without building the article; `reader
    list` splices the same `spliced_head` and `STATE_FIELDS` around each stored text.
    """
    head = spliced_head(article_id, path).encode("utf-8", errors)
    return b"".join((head, stored, STATE_FIELDS[read, starred].encode(), b"}"))


def to_tsv(articles: Sequence[Listed]) -> str:
    """Tab-separated: quality, published, provider, title, url (tabs inside fields removed)."""
    lines = ["quality\tpublished\tprovider\ttitle\turl"]
    for a in articles:
        fields = (
            "" if a.quality is None else str(a.quality),
            iso_utc(a.published) or "",
            a.provider_name,
            a.title,
            a.url or "",
        )
        lines.append("\t".join(clean_line(field) for field in fields))
    return "\n".join(lines)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal cells the text takes: wide (CJK) characters count two, combining marks none."""
    return len(text) if text.isascii() else sum(_char_width(ch) for ch in text)


def _fit(text: str, width: int) -> str:
    """The text cut with `…` and padded with spaces to exactly `width` cells."""
    if width <= 0:
        return ""
    if display_width(text) > width:
        kept, used = [], 1
        for ch in text:
            used += _char_width(ch)
            if used > width:
                break
            kept.append(ch)
        text = "".join(kept) + "…"
    return text + " " * (width - display_width(text))


def to_table(articles: Sequence[Listed], width: int | None) -> str:
    """Quality, date, provider and title in columns that fit `width` characters.

    `width` None: nothing is cut (output to a file or a pipe), the columns still line up.
    """
    if width is None:
        return _full_table(articles)
    width = max(width, 40)
    widest = max((display_width(a.provider_name) for a in articles), default=8)
    provider_width = min(22, max(widest, 8), max(width // 5, 8))
    title_width = width - 5 - 12 - provider_width - 2
    rows = [f"{'Q':>4} {'Date':<11} {_fit('Provider', provider_width)}  Title"]
    for a in articles:
        quality = "" if a.quality is None else str(a.quality)
        quality = quality.rjust(4) if len(quality) <= 4 else _fit(quality, 4)
        provider = _fit(a.provider_name, provider_width)
        title = _fit(a.title, title_width).rstrip()
        rows.append(f"{quality} {short_date(a.published):<11} {provider}  {title}")
    return "\n".join(rows)


def _full_table(articles: Sequence[Listed]) -> str:
    """The table with every value whole: each column as wide as its widest value."""
    qualities = ["" if a.quality is None else str(a.quality) for a in articles]
    quality_width = max(map(len, qualities), default=0)
    provider_width = max((display_width(a.provider_name) for a in articles), default=0)
    quality_width, provider_width = max(quality_width, 4), max(provider_width, 8)
    rows = [f"{'Q':>{quality_width}} {'Date':<11} {_pad('Provider', provider_width)}  Title"]
    for a, quality in zip(articles, qualities, strict=True):
        provider = _pad(a.provider_name, provider_width)
        rows.append(
            f"{quality:>{quality_width}} {short_date(a.published):<11} {provider}  {a.title}"
        )
    return "\n".join(rows)


def _pad(text: str, width: int) -> str:
    """The text padded with spaces to `width` cells (wide characters count two)."""
    return text + " " * (width - display_width(text))
