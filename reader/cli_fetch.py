"""`reader fetch`: the full text of the feed's articles, fetched from their pages and kept.

`reader fetch [FEED] [--query Q] [--limit N] [--refresh] [--forget] [--texts PATH]`. The
articles selected (the feed's, narrowed by `--query`, in the list's order) that have no
stored text are fetched, at most 8 at once; a progress bar on a terminal; then `N fetched,
M already stored, K failed` and each failure's reason; exit 1 if any failed. A stored text
is not asked for again unless `--refresh`. `--forget` removes the stored texts instead (of
the selected articles with `--query`, else every one).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from reader.core.model import plural, printable

if TYPE_CHECKING:
    from reader.core.feed_source import OpenedFeed
    from reader.core.fulltext.fetch import Outcome, Target
    from reader.core.fulltext.store import TextStore
    from reader.core.json_output import TextOf
    from reader.core.model import ArticleSummary
    from reader.core.storage.state import StateStore


def fetch_parser() -> argparse.ArgumentParser:
    from reader import cli

    parser = cli._parser(
        prog="reader fetch",
        description="Fetch the full text of the feed's articles from their pages (webUrl, "
        "else originalUrl) and keep it in the user data folder; exit status 1 if any failed.",
    )
    cli._add_feed_argument(parser)
    parser.add_argument("--query", "-q", default="", metavar="Q", help="only these articles")
    parser.add_argument("--limit", type=int, metavar="N", help="fetch at most N articles")
    parser.add_argument(
        "--refresh", action="store_true", help="fetch again the texts already stored"
    )
    parser.add_argument(
        "--forget",
        action="store_true",
        help="remove the stored texts (of the --query's articles, else all) instead",
    )
    add_texts_argument(parser)
    cli._add_config_argument(parser)
    cli._add_state_argument(parser)
    cli._add_cache_arguments(parser)
    return parser


def add_texts_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--texts",
        metavar="PATH",
        help="full-text database (default: $READER_TEXTS, else the user data folder)",
    )


@contextmanager
def list_texts(args: argparse.Namespace) -> Iterator[tuple[TextStore | None, TextOf | None]]:
    """For `reader list`: the stored texts its `--query` searches (None when none was ever
    fetched: no file is made), and with `--with-text` what gives an article's text.

    Raises:
        UsageError: `--with-text` without a JSON format, or the path holds another file.
    """
    from reader import cli
    from reader.core.fulltext.store import TextStore, TextStoreError

    if args.with_text and args.format not in ("json", "jsonl"):
        raise cli.UsageError("--with-text goes with --format json or jsonl")
    try:
        store = TextStore.open_existing(_texts_path(args))
    except TextStoreError as error:
        raise cli.UsageError(printable(str(error))) from None

    def text_of(summary: ArticleSummary) -> str | None:
        stored = store.get_for(summary.id, summary.url) if store is not None else None
        return stored.markdown if stored is not None else None

    try:
        yield store, text_of if args.with_text else None
    finally:
        if store is not None:
            store.close()


def run_fetch(args: argparse.Namespace) -> int:
    from reader import cli, cli_sync
    from reader.core.fulltext.store import TextStore, TextStoreError

    if args.limit is not None and args.limit < 1:
        raise cli.UsageError(f"--limit must be 1 or more, not {args.limit} (leave it out for all)")
    query = cli._parse_query(args.query)
    _, settings, problems = cli.read_config(args)
    cli._say_config_problems("reader fetch", problems)
    cli._refuse_foreign_files(args)
    path = _texts_path(args)
    if args.forget and not args.query:
        return _forget_all(path)
    try:
        store = TextStore.open(path)
    except TextStoreError as error:
        raise cli.UsageError(printable(str(error))) from None
    feed_path = cli.resolve_feed(settings)
    with store, _state(args) as state, cli._open_feed("reader fetch", feed_path, args) as feed:
        for notice in store.notices:
            print(f"reader fetch: {notice}", file=sys.stderr)
        if args.query:  # its `is:` terms see the other machines' marks too, as the list's do
            cli_sync.pull_shared("reader fetch", settings, state)
        summaries = cli._listed(feed, state, settings.sort, query, None, store)
        targets, no_url = _targets(feed, summaries)
        if args.forget:
            forgotten = store.forget(t.url for t in targets)
            print(f"{plural(forgotten, 'stored text')} removed")
            return 0
        return _fetch(store, targets, no_url, args, settings.fetch_allow)


def _state(args: argparse.Namespace) -> contextlib.closing[StateStore]:
    """The reading state, for the `is:` terms of `--query`; closed with the block."""
    from reader.cli import state_path
    from reader.core.storage.state import StateStore

    store = StateStore.open(state_path(args))
    for notice in store.notices:
        print(printable(f"reader fetch: {notice}"), file=sys.stderr)
    return contextlib.closing(store)


def _texts_path(args: argparse.Namespace) -> Path:
    from reader.core.fulltext.store import default_texts_path

    return Path(args.texts).expanduser() if args.texts else default_texts_path()


def _forget_all(path: Path) -> int:
    from reader import cli
    from reader.core.fulltext.store import TextStore, TextStoreError

    try:
        store = TextStore.open_existing(path)
    except TextStoreError as error:
        raise cli.UsageError(printable(str(error))) from None
    if store is None:
        print("0 stored texts removed")
        return 0
    with store:
        print(f"{plural(store.forget(), 'stored text')} removed")
    return 0


def _targets(feed: OpenedFeed, summaries: Sequence[ArticleSummary]) -> tuple[list[Target], int]:
    """What to fetch for these articles (in their order), and how many have no page URL."""
    from reader.core.fulltext.fetch import target_of

    targets = [t for a in feed.articles(summaries) if (t := target_of(a)) is not None]
    return targets, len(summaries) - len(targets)


def _fetch(
    store: TextStore,
    targets: list[Target],
    no_url: int,
    args: argparse.Namespace,
    configured: Sequence[str],
) -> int:
    from reader.core.fulltext.fetch import Cancel, fetch_many
    from reader.core.fulltext.net import allowed_hosts

    stored = set() if args.refresh else store.stored_urls(t.url for t in targets)
    wanted = [t for t in targets if t.url not in stored]
    wanted = list({t.url: t for t in wanted}.values())[: args.limit]  # a page once
    progress = _Progress(len(wanted), sys.stderr)
    cancel = Cancel()
    try:
        outcomes = fetch_many(
            wanted, store, allow=allowed_hosts(configured), cancel=cancel, done=progress.step
        )
    except KeyboardInterrupt:
        cancel.set()
        progress.end()
        print("reader fetch: interrupted; the texts fetched so far are kept", file=sys.stderr)
        sys.stderr.flush()
        os._exit(130)  # now: the pages under way are not waited for
    progress.end()
    return _summary(outcomes, len({t.url for t in targets} & stored), no_url)


def _summary(outcomes: list[Outcome], already: int, no_url: int) -> int:
    failed = [o for o in outcomes if o.reason is not None]
    for outcome in failed:
        where = f"{outcome.target.path} ({outcome.target.url})"
        print(f"reader fetch: {printable(where)}: {printable(outcome.reason or '')}")
    line = f"{len(outcomes) - len(failed)} fetched, {already} already stored, {len(failed)} failed"
    if no_url:
        line += f", {plural(no_url, 'article')} without a page URL"
    print(line)
    return 1 if failed else 0


class _Progress:
    """A one-line progress bar on a terminal's stderr (nothing into a pipe or a file)."""

    WIDTH = 30

    def __init__(self, total: int, out: TextIO) -> None:
        self.total, self.done, self.out = total, 0, out
        self.shown = total > 0 and out.isatty()

    def step(self, outcome: Outcome) -> None:
        self.done += 1
        if self.shown:
            filled = self.WIDTH * self.done // self.total
            bar = "#" * filled + "-" * (self.WIDTH - filled)
            self.out.write(f"\r[{bar}] {self.done}/{self.total}")
            self.out.flush()

    def end(self) -> None:
        if self.shown:
            self.out.write("\r" + " " * (self.WIDTH + 24) + "\r")
            self.out.flush()
