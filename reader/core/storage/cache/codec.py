"""How an article file becomes rows of the index cache, and how the rows become articles.

A file is one `files` row (its stamp, its problems as JSON, its summary columns) and, if it
gave an article, one `details` row: the whole article as JSON, read back
for the detail pane, and what `reader list --format json` prints of it (see `listing`).
Paths are stored relative to the feed root, so that the same cache serves every spelling
of that root.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from reader.core.model import (
    Article,
    ArticleSummary,
    Image,
    Problem,
    Provider,
    RelatedLink,
    Severity,
    search_text_of,
    summarize,
)
from reader.core.storage.cache.listing import listing_text
from reader.core.storage.cache.stories import KeysRow
from reader.core.stories.features import KeysColumns

Stamp = tuple[int, int, int]  # size, mtime_ns, ctime_ns
NO_STAT: Stamp = (-1, -1, -1)  # the stamp of a file that could not be stat'ed


def stamp_of(info: os.stat_result) -> Stamp:
    """A file's stamp: what tells that it changed (ctime too: a rewrite keeping size and
    mtime)."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns)


FileRow = tuple[Any, ...]  # one row of `files`, in column order
# feed, rel, data, listing, and the story keys' row (see `stories`) or None
DetailRow = tuple[int, str, bytes, bytes | None, "KeysRow | None"]

_SEVERITY = {s.value: s for s in Severity}
_INT64 = range(-(2**63), 2**63)
_TOPIC_SEPARATOR = "\x1f"  # the unit separator: no topic holds one


# --- paths in the database ---------------------------------------------------------------


def to_db(text: str) -> str:
    """A path as TEXT: file names that are not UTF-8 travel as latin-1 behind a NUL."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "\x00" + os.fsencode(text).decode("latin-1")
    return text


def from_db(text: str) -> str:
    return os.fsdecode(text[1:].encode("latin-1")) if text.startswith("\x00") else text


def path_prefix(root: Path) -> str:
    """What `str(path)` of every file `discover_files(root)` yields starts with."""
    base = root if root.is_dir() else root.parent
    return str(base / "x")[:-1]  # Path("."): "", Path("/f"): "/f/"


def root_key(root: Path) -> str:
    """The feed's key in the cache: its resolved path."""
    try:
        return str(root.resolve())
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return str(root.absolute())


# --- articles as JSON --------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def date(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _provider_json(provider: Provider | None) -> list[str] | None:
    return [provider.name, provider.domain] if provider else None


def _provider(value: list[str] | None) -> Provider | None:
    return Provider(value[0], value[1]) if value else None


# Made once: `json.dumps` with options makes an encoder at every call.
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":"))


def article_to_json(article: Article) -> str:
    """The article (bar its path, which depends on how the root is spelled) as JSON (ASCII)."""
    return _COMPACT_JSON.encode(
        [
            article.id, article.title, article.excerpt, article.body, iso(article.published),
            article.url, article.original_url, article.amp_url, article.cdn_amp_url,
            article.type, article.category, article.quality, article.heat,
            _provider_json(article.provider), list(article.topics),
            [[i.url, i.width, i.height] for i in article.images],
            [
                [r.title, r.url, r.excerpt, iso(r.published), _provider_json(r.provider),
                 r.quality, r.type]
                for r in article.related
            ],
        ]
    )  # fmt: skip


def article_from_json(text: str, path: str) -> Article:
    """The article `article_to_json` wrote, found at `path`."""
    (aid, title, excerpt, body, published, url, original, amp, cdn, kind, category, quality,
     heat, provider, topics, images, related) = json.loads(text)  # fmt: skip
    return Article(
        id=aid, path=path, title=title, excerpt=excerpt, body=body, published=date(published),
        url=url, original_url=original, amp_url=amp, cdn_amp_url=cdn, type=kind,
        category=category, quality=quality, heat=heat, provider=_provider(provider),
        topics=tuple(topics),
        images=tuple(Image(*image) for image in images),
        related=tuple(
            RelatedLink(title=t, url=u, excerpt=e, published=date(p), provider=_provider(pr),
                        quality=q, type=k)
            for t, u, e, p, pr, q, k in related
        ),
    )  # fmt: skip


def article_from_detail(data: bytes, path: str) -> Article:
    """The article of a `details` row's data, found at `path`."""
    return article_from_json(data.decode("ascii"), path)


# --- a parsed file as rows -----------------------------------------------------------------


def problems_json(problems: list[Problem], path: str) -> str | None:
    """The problems column: [[severity, reason, line], ...], a path only if not the file's."""
    if not problems:
        return None
    return json.dumps(
        [
            [p.severity.value, p.reason, p.line] + ([] if p.path == path else [p.path])
            for p in problems
        ]
    )


def problems_from_json(text: str, path: str) -> Iterator[Problem]:
    """The problems `problems_json` wrote for the file at `path`."""
    for severity, reason, line, *other in json.loads(text):
        yield Problem(other[0] if other else path, _SEVERITY[severity], reason, line)


def summary_columns(article: Article) -> tuple[Any, ...]:
    """article_id .. exact of the `files` row; exact=0 when a value does not fit SQLite."""
    columns = (
        article.id, article.title, article.url, article.provider_name, article.provider_domain,
        iso(article.published), article.quality, article.heat,
        _TOPIC_SEPARATOR.join(article.topics), search_text_of(article),
    )  # fmt: skip
    fits = all(n is None or n in _INT64 for n in (article.quality, article.heat))
    try:
        for text in columns:
            if type(text) is str and not text.isascii():
                text.encode("utf-8")  # a lone surrogate cannot go into a TEXT column
    except UnicodeEncodeError:
        fits = False
    if not fits:
        return (article.id,) + (None,) * 9 + (0,)
    return (*columns, 1)


def file_rows(
    feed: int,
    seq: int,
    rel: str,
    path: str,
    stamp: Stamp,
    article: Article | None,
    problems: list[Problem],
    keys: KeysColumns | None = None,
    listing: bool = True,
) -> tuple[FileRow, DetailRow | None]:
    """The `files` row of one parsed file, and its `details` row if it gave an article (with
    the columns of the article's story keys, `keys` (`features.row_of`), when they are
    given: see `pool.parse_task`; and its listing unless not `listing`: see
    `listing_rows.fill_listings`)."""
    head = (feed, to_db(rel), seq, *stamp, problems_json(problems, path))
    if article is None:
        return head + (None,) * 10 + (1,), None
    # Not compressed: zlib was an eighth of a file's parse in the workers, for a details
    # table about a third smaller (the whole cache file a sixth).
    data = article_to_json(article).encode("ascii")
    story = (feed, head[1], article.id, *keys) if keys else None
    detail = (feed, head[1], data, listing_text(article) if listing else None, story)
    return head + summary_columns(article), detail


# --- summaries from rows -----------------------------------------------------------------


class SummaryBuilder:
    """Turns `files` rows into summaries, sharing repeated strings and topic tuples."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.strings: dict[str, str] = {}
        self.topics: dict[str, tuple[str, ...]] = {"": ()}

    def topic_tuple(self, joined: str) -> tuple[str, ...]:
        found = self.topics.get(joined)
        if found is None:
            found = self.topics[joined] = tuple(
                self.strings.setdefault(t, t) for t in joined.split(_TOPIC_SEPARATOR)
            )
        return found

    def build(
        self, rows: list[tuple[Any, ...]], fetch: Callable[[str], Article | None]
    ) -> list[ArticleSummary]:
        """Summaries of rows (rel, article_id, title, ..., exact) in order."""
        prefix, share, topic_tuple, from_iso = (
            self.prefix,
            self.strings.setdefault,
            self.topic_tuple,
            datetime.fromisoformat,
        )
        out: list[ArticleSummary] = []
        append = out.append
        for (rel, aid, title, url, pname, pdomain, published, quality, heat, topics, text,
             exact) in rows:  # fmt: skip
            if not exact:
                article = fetch(rel)
                if article is not None:
                    append(summarize(article))
                continue
            if rel[0] == "\x00":
                rel = from_db(rel)
            append(ArticleSummary(
                aid, prefix + rel, title, url, share(pname, pname), share(pdomain, pdomain),
                from_iso(published) if published else None, quality, heat, topic_tuple(topics),
                text,
            ))  # fmt: skip
        return out


def later(published: str | None, path: str) -> tuple[float, str]:
    """The loader's order for duplicates: publication time, then path."""
    when = date(published)
    return (when.timestamp() if when else float("-inf"), path)
