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
from typing import TYPE_CHECKING, BinaryIO, TextIO

from reader.core.export import JSON_LINE, STATE_FIELDS, article_json, spliced_head
from reader.core.feed_source import OpenedFeed
from reader.core.model import ArticleSummary
from reader.core.storage.state import StateStore
from reader.core.stories.rows import StoryIndex

if TYPE_CHECKING:
    from reader.core.storage.cache.listing_order import StoredList

TextOf = Callable[[ArticleSummary], str | None]  # an article's fetched full text


# One object: the text before its stored fields, those fields (None: none stored, the text
# before is the whole object but its closing), and the text after them, its brace included.
Spliced = tuple[str, bytes | None, str]


def _json_objects(
    feed: OpenedFeed,
    store: StateStore,
    summaries: Sequence[ArticleSummary],
    text_of: TextOf | None = None,
    story: Mapping[str, str] | None = None,
    sources: Mapping[str, list[str]] | None = None,
) -> Iterator[Spliced]:
    """One object per article: spliced around the cache's stored text where it has one (a
    warm cache), else encoded from the full article; the same text either way. With
    `text_of` (`--with-text`) a `text` field follows: the full text, or null; then, with
    `story`, the `story` field last (and `sources` by lead, when given).
    """
    stored = feed.stored_json([s.path for s in summaries]) if feed.stored_json else {}
    rest = {a.id: a for a in feed.articles([s for s in summaries if s.path not in stored])}
    read, starred = store.read_ids(), store.starred_ids()  # a set each: no call per article
    for summary in summaries:
        aid, path = summary.id, summary.path
        text = stored.get(path)
        if text is not None:
            head, tail = spliced_head(aid, path), STATE_FIELDS[aid in read, aid in starred]
        elif (article := rest.get(aid)) is not None:
            head, tail = JSON_LINE.encode(article_json(article, aid in read, aid in starred)), ""
            head = head[:-1]  # the brace comes last, below
        else:
            continue
        if text_of is not None:
            tail += ', "text": ' + JSON_LINE.encode(text_of(summary))
        if story is not None:
            tail += _story_fields(story.get(aid, aid), None if sources is None else sources[aid])
        yield head, text, tail + "}"


def _story_fields(story: str, sources: list[str] | None) -> str:
    """`story` (the lead's id by article id, else the article's own) and `sources` (the
    story's other ids, by lead) when given: the same text whichever way the object was made."""
    fields = ', "story": ' + encode_basestring(story)
    if sources is not None:
        fields += ', "sources": ' + JSON_LINE.encode(sources)
    return fields


_LINES_PER_WRITE = 500  # about 700 kB of a generated feed


def _write_batches(
    objects: Iterable[Spliced], write: Callable[[bytes], object], errors: str, *, array: bool
) -> None:
    """A JSON array of the objects, else JSON Lines (each batch ends in a whole line: a
    `while read` gets it as it is written)."""
    first, between, after = ("[\n", ",\n", "") if array else ("", "", "\n")
    for batch in _batches(objects):
        write(_encoded(batch, first, between, after, errors))
        first = between
    if array:
        write(b"[]\n" if first == "[\n" else b"\n]\n")


def _encoded(batch: list[Spliced], first: str, between: str, after: str, errors: str) -> bytes:
    """The objects of a batch in UTF-8: `first` before the first, `between` before each
    other, `after` after each. The text between two stored pieces is encoded in one go
    (once an object, not four times)."""
    parts: list[bytes] = []
    text, before = "", first
    for head, stored, tail in batch:
        text += before + head
        before = between
        if stored is None:
            text += tail + after
            continue
        parts.append(text.encode("utf-8", errors))
        parts.append(stored)
        text = tail + after
    parts.append(text.encode("utf-8", errors))
    return b"".join(parts)


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
    objects = _json_objects(feed, store, summaries, text_of, story, sources)
    _write(out, lambda write, errors: _write_batches(objects, write, errors, array=array))


def write_stored_json(
    listed: StoredList, store: StateStore, stories: list[tuple[str, ...]], out: TextIO, *,
    array: bool, limit: int | None = None,
) -> None:  # fmt: skip
    """`write_json` of the whole feed in DEFAULT_ORDER (the first `limit`), no query, no
    `--with-text`: the same bytes from the stored list, without a summary (see
    `listing_order`). `stories`: the feed's, as `Library.set_stories` takes them."""
    read, starred = store.read_ids(), store.starred_ids()
    lead, encode = story_leads(listed.ids, StoryIndex(stories)), encode_basestring
    states = {flags: fields + ', "story": ' for flags, fields in STATE_FIELDS.items()}
    ids, rels, texts = listed.ids[:limit], listed.rels[:limit], listed.listings[:limit]
    prefix = listed.prefix

    def emit(write: Callable[[bytes], object], errors: str) -> None:
        first, between, after = ("[\n", ",\n", "") if array else ("", "", "\n")
        for start in range(0, len(ids), _LINES_PER_WRITE):
            batch = slice(start, start + _LINES_PER_WRITE)
            # Each object but its stored text, a NUL where that goes (JSON text has none: a
            # control character is escaped): the batch's text is encoded in one go.
            objects = between.join([
                f"{spliced_head(aid, prefix + rel)}\x00{states[aid in read, aid in starred]}"
                f"{encode(lead.get(aid, aid))}}}{after}"
                for aid, rel in zip(ids[batch], rels[batch], strict=True)
            ])  # fmt: skip
            pieces = (first + objects).encode("utf-8", errors).split(b"\x00")
            parts = [b""] * (2 * len(pieces) - 1)
            parts[0::2], parts[1::2] = pieces, texts[batch]
            write(b"".join(parts))
            first = between
        if array:
            write(b"[]\n" if first == "[\n" else b"\n]\n")

    _write(out, emit)


def story_leads(in_order: Iterable[str], stories: StoryIndex) -> dict[str, str]:
    """`leads_by_article(story_rows(...))` of the whole list, by id: each grouped article's
    story's lead (its first article in the order). An article alone is left out."""
    get, seen, leads = stories.by_article.get, set(), []
    for article_id in in_order:
        story = get(article_id)
        if story is not None and story[0] not in seen:
            seen.add(story[0])
            leads.append(article_id)
    story_of = stories.story_of
    return {member: lead for lead in leads for member in story_of(lead)}


def _write(out: TextIO, emit: Callable[[Callable[[bytes], object], str], None]) -> None:
    """What `emit` writes (given a write and the encoding errors to use) to `out` (see
    `write_json`), as bytes when it is a UTF-8 stream."""
    buffer: BinaryIO | None = getattr(out, "buffer", None)
    if not (codecs.lookup(out.encoding or "ascii").name == "utf-8" and os.linesep == "\n"):
        buffer = None  # text mode would turn each newline into os.linesep
    chunks: list[bytes] = []
    write: Callable[[bytes], object] = chunks.append
    # A name that is not UTF-8 (a lone surrogate) goes as the stream's errors say; a strict
    # stream gets its JSON escape ("\udce9": json.loads gives the name back), not a crash.
    strict = (out.errors or "strict") == "strict"
    errors = "backslashreplace" if strict else "surrogateescape"  # into chunks, decoded back
    if buffer is not None:
        out.flush()  # what was printed before comes first
        write, errors = buffer.write, "backslashreplace" if strict else (out.errors or "strict")
    # Written a few hundred lines at a time: the output may be unbuffered
    # (PYTHONUNBUFFERED), and 200,000 small writes cost more than the rest of the list.
    emit(write, errors)
    if buffer is not None:
        buffer.flush()
    else:
        out.write(b"".join(chunks).decode("utf-8", "surrogateescape"))


def _batches(lines: Iterable[Spliced]) -> Iterator[list[Spliced]]:
    batch: list[Spliced] = []
    for line in lines:
        batch.append(line)
        if len(batch) == _LINES_PER_WRITE:
            yield batch
            batch = []
    if batch:
        yield batch
