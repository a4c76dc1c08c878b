"""`reader list --format json` and `jsonl`: the articles as JSON, streamed as bytes.

Kept apart from the command line so that what a script reads is defined (and tested) in
one place: each object spliced from the index cache's stored text where it has one, else
encoded from the full article, the same bytes either way.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from json.encoder import encode_basestring
from typing import BinaryIO, TextIO

from reader.core.export import JSON_LINE, article_json, spliced_pieces
from reader.core.feed_source import OpenedFeed
from reader.core.model import ArticleSummary
from reader.core.storage.state import StateStore

TextOf = Callable[[ArticleSummary], str | None]  # an article's fetched full text


Pieces = list[bytes]  # of one object: joined, its line


def _json_objects(
    feed: OpenedFeed,
    store: StateStore,
    summaries: Sequence[ArticleSummary],
    errors: str,
    text_of: TextOf | None = None,
    story: Mapping[str, str] | None = None,
    sources: Mapping[str, list[str]] | None = None,
) -> Iterator[Pieces]:
    """One object per article, in UTF-8 pieces: spliced from the cache's stored text where
    it has one (a warm cache), else encoded from the full article; the same bytes either way.
    With `text_of` (`--with-text`) a `text` field follows: the full text, or null; then,
    with `story`, the `story` field last (and `sources` by lead, when given).

    Pieces, not lines: joined a batch at a time, 140 MB of objects are copied once, not twice.
    """
    stored = feed.stored_json([s.path for s in summaries]) if feed.stored_json else {}
    rest = {a.id: a for a in feed.articles([s for s in summaries if s.path not in stored])}
    is_read, is_starred = store.is_read, store.is_starred
    for summary in summaries:
        aid, path = summary.id, summary.path
        text = stored.get(path)
        if text is not None:
            pieces = spliced_pieces(aid, path, text, is_read(aid), is_starred(aid), errors)
        elif (article := rest.get(aid)) is not None:
            record = JSON_LINE.encode(article_json(article, is_read(aid), is_starred(aid)))
            pieces = [record[:-1].encode("utf-8", errors)]  # the brace comes last, below
        else:
            continue
        if text_of is not None:
            full = JSON_LINE.encode(text_of(summary)).encode("utf-8", errors)
            pieces += (b', "text": ', full)
        if story is not None:
            others = None if sources is None else sources[aid]
            pieces.append(_story_fields(story.get(aid, aid), others))
        pieces.append(b"}")
        yield pieces


def _story_fields(story: str, sources: list[str] | None) -> bytes:
    """`story` (the lead's id by article id, else the article's own) and `sources` (the
    story's other ids, by lead) when given: the same bytes whichever way the object was made."""
    fields = b', "story": ' + encode_basestring(story).encode("utf-8")
    if sources is not None:
        fields += b', "sources": ' + JSON_LINE.encode(sources).encode("utf-8")
    return fields


_LINES_PER_WRITE = 500  # about 700 kB of a generated feed


def _write_batches(
    batches: Iterable[list[Pieces]], write: Callable[[bytes], object], *, array: bool
) -> None:
    """A JSON array of the objects, else JSON Lines (each batch ends in a whole line: a
    `while read` gets it as it is written)."""
    opening = b"[\n" if array else b""
    for batch in batches:
        parts = [opening]
        for pieces in batch:
            parts += pieces
            parts.append(b",\n" if array else b"\n")
        if array:
            parts.pop()  # the next batch opens with it, or the closing bracket follows
            opening = b",\n"
        write(b"".join(parts))
    if array:
        write(b"[]\n" if opening == b"[\n" else b"\n]\n")


def write_json(
    feed: OpenedFeed,
    store: StateStore,
    summaries: Sequence[ArticleSummary],
    out: TextIO,
    *,
    array: bool,
    text_of: TextOf | None = None,
    story: Mapping[str, str] | None = None,
    sources: Mapping[str, list[str]] | None = None,
) -> None:
    """`print(to_json(...))` of the articles (else, not `array`, JSON Lines: each object and a
    newline); a line at a time, as bytes, to a UTF-8 output (`story`: see `_story_fields`).

    Not one string: 100,000 articles are 140 MB, which joining, encoding and printing
    would copy three times over.
    """
    buffer: BinaryIO | None = getattr(out, "buffer", None)
    if not (codecs.lookup(out.encoding or "ascii").name == "utf-8" and os.linesep == "\n"):
        buffer = None  # text mode would turn each newline into os.linesep
    chunks: list[bytes] = []
    write: Callable[[bytes], object] = chunks.append
    errors = "surrogateescape"  # into chunks, decoded back below losslessly
    if buffer is not None:
        out.flush()  # what was printed before comes first
        write, errors = buffer.write, out.errors or "strict"
    # Written a few hundred lines at a time: the output may be unbuffered
    # (PYTHONUNBUFFERED), and 200,000 small writes cost more than the rest of the list.
    _write_batches(
        _batches(_json_objects(feed, store, summaries, errors, text_of, story, sources)),
        write,
        array=array,
    )
    if buffer is not None:
        buffer.flush()
    else:
        out.write(b"".join(chunks).decode("utf-8", "surrogateescape"))


def _batches(lines: Iterable[Pieces]) -> Iterator[list[Pieces]]:
    batch: list[Pieces] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _LINES_PER_WRITE:
            yield batch
            batch = []
    if batch:
        yield batch
