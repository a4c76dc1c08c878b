"""The command line: `reader [FEED]`, `reader list`, `reader check`, `reader import`."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from reader import __version__
from reader.core.export import article_json, to_json, to_table, to_tsv
from reader.core.library import Library
from reader.core.loader import ARTICLE_SUFFIXES, load_feed
from reader.core.model import Article, FeedLoad, plural, printable
from reader.core.ordering import DEFAULT_ORDER, SORT_ORDERS
from reader.core.query import Query, QueryError, parse_query
from reader.core.resources import FEED_ENV, default_feed_path
from reader.core.storage.state import STATE_ENV, StateStore
from reader.core.view import FeedView

COMMANDS = ("list", "check", "import")

DESCRIPTION = f"""\
A keyboard-driven terminal reader for a local feed of news articles.

commands:
  reader [FEED]          open the reader on FEED (press ? inside for every key)
  reader list [FEED]     print the articles, best first
  reader check [FEED]    report every problem in the feed's files
  reader import SOURCE... [--into FOLDER]
                         RSS, Atom or JSON feeds (files, URLs, OPML lists) as articles

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


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _add_feed_argument(parser)
    _add_state_argument(parser)
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
    parser.add_argument(
        "--no-watch",
        action="store_true",
        help="do not watch the feed folder for new, changed and deleted files",
    )
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
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader check",
        description="Report every problem in the feed: one line each, then a summary. "
        "Exit status: 0 no errors, 1 errors, 2 usage error.",
    )
    _add_feed_argument(parser)
    return parser


def _import_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reader import",
        description="Import RSS, Atom and JSON feeds (files or http(s) URLs, or OPML lists of "
        "feed URLs) as article files. Importing again writes only what is new or changed. "
        "Exit status: 0 every source imported, 1 a source failed, 2 usage error.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="feed file, URL or OPML")
    parser.add_argument(
        "--into",
        metavar="FOLDER",
        help=f"the feed folder to write into (default: ${FEED_ENV}); made if missing",
    )
    return parser


def run_import(args: argparse.Namespace) -> int:
    from reader.core.importer import import_sources  # feedparser is loaded only to import

    folder = _import_folder(args.into)
    report = import_sources(args.sources, folder)
    for message in report.warnings:
        print(f"reader import: warning: {printable(message)}", file=sys.stderr)
    for message in report.errors:
        print(f"reader import: error: {printable(message)}", file=sys.stderr)
    print(report.summary())
    return 1 if report.errors else 0


def _import_folder(value: str | None) -> Path:
    """Where `reader import` writes: --into, else $READER_FEED (never the bundled sample)."""
    raw = value or os.environ.get(FEED_ENV)
    if not raw:
        raise UsageError(f"give --into FOLDER (or set ${FEED_ENV}) to say where to import")
    folder = Path(raw).expanduser()
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    return folder


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
    feed = load_feed(path)
    _report_unlisted("reader list", path, feed)
    articles = _listed(feed, store, args.sort, query, args.limit)
    if args.format == "json":
        print(
            to_json(article_json(a, store.is_read(a.id), store.is_starred(a.id)) for a in articles)
        )
    elif args.format == "tsv":
        print(to_tsv(articles))
    else:
        print(to_table(articles, _table_width()))
    return 0


def _listed(
    feed: FeedLoad, store: StateStore, order: str, query: Query, limit: int | None
) -> list[Article]:
    """The first `limit` articles the app's list shows in that order with that filter."""
    library = Library()
    library.add_articles(feed.articles)
    shown = FeedView(library, store, order=order, query=query).articles()[:limit]
    return [article for summary in shown if (article := library.article(summary.id)) is not None]


def _table_width() -> int | None:
    """The terminal's width; None (cut nothing) when the output goes to a file or a pipe."""
    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _report_unlisted(prog: str, path: Path, feed: FeedLoad) -> None:
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


def summary_line(feed: FeedLoad) -> str:
    """`N articles, E errors, W warnings`."""
    counts = (
        plural(len(feed.articles), "article"),
        plural(len(feed.errors), "error"),
        plural(len(feed.warnings), "warning"),
    )
    return ", ".join(counts)


def run_check(args: argparse.Namespace) -> int:
    path = resolve_feed(args.feed)
    feed = load_feed(path)
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
        watch=not args.no_watch,
    ).run()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `reader` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in COMMANDS:
        command, rest = argv[0], argv[1:]
        make_parser, runner = {
            "list": (_list_parser, run_list),
            "check": (_check_parser, run_check),
            "import": (_import_parser, run_import),
        }[command]
        parser = make_parser()
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
