"""`reader list`'s output: the articles, or with `--stories` one row per story.

Every JSON object carries `story`: the id of its story's lead (the best of the story's
articles in the list's order), its own id when it stands alone. With `--stories` each row is
a story's lead; its JSON object adds `sources` (the other articles' ids, in the order), the
table puts `+N` (the other outlets) before the title, and the TSV adds a `sources` column.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable

from reader.core.export import to_table, to_tsv
from reader.core.feed_source import OpenedFeed
from reader.core.fulltext.store import TextStore
from reader.core.json_output import TextOf
from reader.core.model import ArticleSummary, hold_urls
from reader.core.query import Query
from reader.core.storage.state import StateStore
from reader.core.stories.rows import StoryRow, leads_by_article


def print_list(
    feed: OpenedFeed, store: StateStore, order: str, query: Query, args: argparse.Namespace,
    texts: tuple[TextStore | None, TextOf | None], width: Callable[[], int | None],
) -> None:  # fmt: skip
    """Print the list as `reader list` does (see the module's docstring): `args` gives the
    format, `--limit` and `--stories`; `texts` the stored full texts the query searches and
    (`--with-text`) what gives an article's text."""
    output, stories, limit = args.format, args.stories, args.limit
    if feed.stored_list is not None:  # asked for by `stored_list_answers`
        from reader.core.json_output import write_stored_json

        write_stored_json(feed.stored_list, store, feed.story_groups(), sys.stdout,
                          array=output == "json", limit=limit)  # fmt: skip
        return
    from reader.core.view import FeedView

    as_json = output in ("json", "jsonl")
    if as_json or stories:
        feed.library.set_stories(feed.story_groups())
    view = FeedView(feed.library, store, order=order, query=query, texts=texts[0])
    grouped = view.story_rows() if as_json or stories else None
    rows = grouped[:limit] if grouped is not None and stories else []
    summaries = [row.lead for row in rows] if stories else view.articles()[:limit]
    if as_json:
        from reader.core.json_output import write_json

        sources = {row.lead.id: [o.id for o in row.others] for row in rows} if stories else None
        story = leads_by_article(grouped) if grouped is not None else {}
        write_json(feed, store, summaries, sys.stdout, array=output == "json",
                   text_of=texts[1], story=story, sources=sources)  # fmt: skip
    elif output == "tsv":
        hold_urls([row.lead for row in rows] if stories else summaries)  # read in batches
        print(_story_tsv(rows) if stories else to_tsv(summaries))
    else:
        print(to_table([_badged(row) for row in rows] if stories else summaries, width()))


def stored_list_answers(args: argparse.Namespace, order: str, query: Query) -> bool:
    """Whether `print_list` can print the cache's stored list (see `OpenedFeed.stored_list`):
    JSON of the whole feed in the default order, no query, no `--stories`, no text."""
    from reader.core.ordering import DEFAULT_ORDER

    plain = not (args.stories or args.with_text or args.no_cache) and query.is_empty
    return plain and args.format in ("json", "jsonl") and order == DEFAULT_ORDER


def _badged(row: StoryRow) -> ArticleSummary:
    """The lead with `+N ` (its story's other outlets) before its title."""
    if not row.others:
        return row.lead
    return dataclasses.replace(row.lead, title=f"+{len(row.others)} {row.lead.title}")


def _story_tsv(rows: list[StoryRow]) -> str:
    """The leads' TSV with a last column: the other articles' ids, comma-separated."""
    lines = to_tsv([row.lead for row in rows]).split("\n")
    others = ["sources", *(",".join(o.id for o in row.others) for row in rows)]
    return "\n".join(f"{line}\t{ids}" for line, ids in zip(lines, others, strict=True))
