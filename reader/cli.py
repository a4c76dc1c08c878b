"""The command line: `reader [FEED]`, `reader list`, `reader check`."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from reader import __version__
from reader.core.export import article_json, to_json, to_table, to_tsv
from reader.core.feed_source import OpenedFeed, open_feed
from reader.core.loader import ARTICLE_SUFFIXES
from reader.core.model import Article, plural, printable
from reader.core.ordering import DEFAULT_ORDER, SORT_ORDERS
from reader.core.query import Query, QueryError, parse_query
from reader.core.resources import FEED_ENV, default_feed_path
from reader.core.storage.state import STATE_ENV, StateStore
from reader.core.view import FeedView

COMMANDS = ("list", "check")

DESCRIPTION = f"""\
A keyboard-driven terminal reader for a local feed of news articles.

commands:
  reader [FEED]          open the reader on FEED (press ? inside for every key)
  reader list [FEED]     print the articles, best first
  reader check [FEED]    report every problem in the feed's files

FEED is a folder of article files (searched recursively) or one file; it defaults to
${FEED_ENV}, else the bundled sample feed. `reader COMMAND --help` tells more.
"""


class UsageError(Exception):
    """A mistake in how the command was called: exit status 2."""


def _add_feed_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "feed",
        nargs="?",
        metavar="FEED",
        help=f"feed folder or file (default: ${FEED_ENV}, else the sample feed)",
    )


def _add_state_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state",
        metavar="PATH",
        help=f"reading-state database (default: ${STATE_ENV}, else the user data folder)",
    )


def _add_cache_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--cache",
        metavar="PATH",
        help="index cache database (default: $READER_CACHE, else the user cache folder)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="parse every file, without reading or writing the index cache",
    )


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _add_feed_argument(parser)
    _add_state_argument(parser)
    _add_cache_arguments(parser)
    parser.add_argument(
        "--read-after",
        metavar="SECONDS",
        type=_seconds,
        help="an article you move to becomes read after this long on it "
        "(default 1.5; 0: only when opened)",
    )
    return parser


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < 86400 or value != value:
        raise argparse.ArgumentTypeError(f"must be between 0 and 86400 seconds: {text!r}")
    return value


def _list_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader list", description="Print the feed's articles, in the reader's order."
    )
    _add_feed_argument(parser)
    parser.add_argument("--limit", type=int, metavar="N", help="print at most N articles")
    parser.add_argument(
        "--format",
        choices=("table", "json", "tsv"),
        default="table",
        help="output format (default: table)",
    )
    parser.add_argument(
        "--sort", choices=SORT_ORDERS, default=DEFAULT_ORDER, help="order (default: quality)"
    )
    parser.add_argument(
        "--query",
        "-q",
        default="",
        metavar="Q",
        help="filter with the reader's query language (see README)",
    )
    _add_state_argument(parser)
    _add_cache_arguments(parser)
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader check",
        description="Report every problem in the feed: one line each, then a summary. "
        "Exit status: 0 no errors, 1 errors, 2 usage error.",
    )
    _add_feed_argument(parser)
    _add_cache_arguments(parser)
    return parser


def resolve_feed(value: str | None) -> Path:
    """The feed path to read; raises UsageError when it does not exist."""
    path = Path(value).expanduser() if value else default_feed_path()
    if not path.exists():
        raise UsageError(f"feed not found: {path}")
    return path


def _parse_query(text: str) -> Query:
    try:
        return parse_query(text)
    except QueryError as error:
        raise UsageError(f"bad query: {error}") from None


def run_list(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    query = _parse_query(args.query)
    path = resolve_feed(args.feed)
    store = StateStore.open(Path(args.state) if args.state else None)
    for notice in store.notices:
        print(f"reader list: {notice}", file=sys.stderr)
    with _open_feed("reader list", path, args) as feed:
        _report_unlisted("reader list", path, feed)
        articles = _listed(feed, store, args.sort, query, args.limit)
        if args.format == "json":
            print(
                to_json(
                    article_json(a, store.is_read(a.id), store.is_starred(a.id)) for a in articles
                )
            )
        elif args.format == "tsv":
            print(to_tsv(articles))
        else:
            print(to_table(articles, _table_width()))
    return 0


@contextmanager
def _open_feed(prog: str, path: Path, args: argparse.Namespace) -> Iterator[OpenedFeed]:
    """The feed through the index cache (unless `--no-cache`); the cache's notices on stderr."""
    cache_path = Path(args.cache).expanduser() if args.cache else None
    with open_feed(path, cache_path=cache_path, use_cache=not args.no_cache) as feed:
        for notice in feed.notices:
            print(f"{prog}: {notice}", file=sys.stderr)
        yield feed


def _listed(
    feed: OpenedFeed, store: StateStore, order: str, query: Query, limit: int | None
) -> list[Article]:
    """The first `limit` articles the app's list shows in that order with that filter."""
    return feed.articles(FeedView(feed.library, store, order=order, query=query).articles()[:limit])


def _table_width() -> int | None:
    """The terminal's width; None (cut nothing) when the output goes to a file or a pipe."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _report_unlisted(prog: str, path: Path, feed: OpenedFeed) -> None:
    """Tell stderr why some (or all) files are not in the list: the list itself stays clean."""
    if feed.feed_missing:
        for problem in feed.problems:
            print(f"{prog}: {problem}", file=sys.stderr)
    elif not feed.files:
        print(f"{prog}: {no_articles_message(path)}", file=sys.stderr)
    elif feed.skipped:
        command = printable(f"reader check {shlex.quote(str(path))}")
        print(
            f"{prog}: {plural(feed.skipped, 'file')} skipped; run `{command}` for the reasons",
            file=sys.stderr,
        )


def no_articles_message(path: Path) -> str:
    """What to say about a folder with no article file in it."""
    suffixes = ", ".join(ARTICLE_SUFFIXES)
    return printable(f"no article files ({suffixes}) were found in {path}")


def summary_line(feed: OpenedFeed) -> str:
    """`N articles, E errors, W warnings`."""
    counts = (
        plural(len(feed.library), "article"),
        plural(len(feed.errors), "error"),
        plural(len(feed.warnings), "warning"),
    )
    return ", ".join(counts)


def run_check(args: argparse.Namespace) -> int:
    path = resolve_feed(args.feed)
    with _open_feed("reader check", path, args) as feed:
        if not feed.files and not feed.problems:
            # A check of nothing must not pass: the folder is likely not the feed meant.
            print(f"reader check: {no_articles_message(path)}", file=sys.stderr)
            return 1
        for problem in feed.problems:
            print(problem)
        print(summary_line(feed))
        return 1 if feed.errors else 0


def run_app(args: argparse.Namespace) -> int:
    path = resolve_feed(args.feed)
    from reader.ui.app import ReaderApp  # Textual is imported only when the app runs

    ReaderApp(
        path,
        state_path=Path(args.state) if args.state else None,
        cache_path=Path(args.cache) if args.cache else None,
        use_cache=not args.no_cache,
        read_after=args.read_after,
    ).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `reader` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        command, rest = argv[0], argv[1:]
        parser = _list_parser() if command == "list" else _check_parser()
        runner = run_list if command == "list" else run_check
    else:
        parser, rest, runner = _app_parser(), argv, run_app
    args = parser.parse_args(rest)
    try:
        return runner(args)
    except UsageError as error:
        print(f"{parser.prog}: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
