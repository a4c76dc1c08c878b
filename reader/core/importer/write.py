"""Writing imported articles into a feed folder: safe names, atomic files, idempotent.

What was written is kept in the folder's index (`index.py`). A file the import did not
write, or one edited or deleted since, is never touched: an article whose file is no longer
as written is skipped, with the reason, when the feed has a new version of it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import yaml

from reader.core.importer.convert import ImportedArticle
from reader.core.importer.index import ImportIndex, digest

SLUG_CHARS = 60
# File names are limited in bytes (255 on most file systems): a slug of 60 four-byte letters
# with its date and a `-NNN.md` would not fit, so the slug is cut in UTF-8 bytes too.
SLUG_BYTES = 150
_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "file: why", one per file left alone
    failed: list[str] = field(default_factory=list)  # "title: why", one per article not written


def slug(title: str) -> str:
    """A file-name-safe slug: letters, digits and single dashes, at most SLUG_CHARS long.

    No path separator, control character, leading dot or dash can survive: everything but
    word characters becomes a dash, and dashes and underscores are trimmed from both ends.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    text = _NOT_WORD.sub("-", text).strip("-_")[:SLUG_CHARS]
    while len(text.encode("utf-8")) > SLUG_BYTES:
        text = text[:-1]
    return text.rstrip("-_") or "article"


def day_text(moment: datetime) -> str:
    """`YYYY-MM-DD` with four digits of year, also before the year 1000 (`%Y` gives `1`)."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"


def file_name(article: ImportedArticle, today: datetime) -> str:
    day = (article.published or today).astimezone(UTC)
    return f"{day_text(day)}-{slug(article.title)}.md"


class _Dumper(yaml.SafeDumper):
    """Dates as `2021-04-09T11:00:00Z`, the seed format's spelling (`0001-01-01T00:00:00Z`)."""


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    moment = value.astimezone(UTC)
    text = f"{day_text(moment)}T{moment:%H:%M:%S}Z"
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


_Dumper.add_representer(datetime, _represent_datetime)


def article_text(article: ImportedArticle) -> str:
    front = yaml.dump(
        article.front_matter, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )
    body = f"\n{article.body}\n" if article.body else ""
    return f"---\n{front}---\n{body}"


def write_articles(
    feed: str, articles: list[ImportedArticle], index: ImportIndex, counts: WriteCounts
) -> None:
    """Write each article of `feed` that is new or changed; count what happened in `counts`.

    An article that cannot be written is counted in `counts.failed` and the others go on;
    every file written is in the index's journal before it is in place.
    """
    today = datetime.now(UTC)
    for article in articles:
        write_article(feed, article, index, counts, today)


def write_article(
    feed: str, article: ImportedArticle, index: ImportIndex, counts: WriteCounts, today: datetime
) -> None:
    text = article_text(article)
    key = (feed, article.key)
    known, claimed = index.known(key, article.legacy_key)
    if known is not None:
        if known.digest == digest(text):
            counts.unchanged += 1
            return
        path = index.owned_file(known)
        if path is None:  # deleted or edited by someone since: theirs now
            counts.skipped.append(f"{known.file}: {_why_not_mine(index.folder / known.file)}")
            return
    else:
        path = index.folder / index.free_name(file_name(article, today))
    try:
        index.write(key, path, text, claimed)
    except OSError as error:
        counts.failed.append(f"{article.title}: {error.strerror or error}")
        return
    if known is None:
        counts.new += 1
    else:
        counts.updated += 1
    counts.written.append(path)


def _why_not_mine(path: Path) -> str:
    if not (path.exists() or path.is_symlink()):
        return "deleted since it was imported; the feed's new version is not written"
    return "changed since it was imported; left as it is, the feed's new version not written"
