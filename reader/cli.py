"""The command line: `reader [FEED]`, and `reader list`, `check`, `import`, `config`, `serve`."""

from __future__ import annotations

import argparse
import contextlib
import difflib
import shlex
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader import __version__, cli_sync
from reader.cli_fetch import add_texts_argument, fetch_parser, list_texts, run_fetch
from reader.core.config import (
    CONFIG_ENV,
    ConfigLoad,
    Settings,
    config_path,
    load_config,
    resolve,
    write_template,
)
from reader.core.model import plural, printable
from reader.core.ordering import SORT_ORDERS
from reader.core.resources import FEED_ENV, STATE_ENV, sample_feed_path

# Opening the app imports only what it needs: the subcommands import the feed, the index
# cache, the state and the query language where they use them (so does the app).
if TYPE_CHECKING:
    from reader.core.feed_source import OpenedFeed
    from reader.core.model import ArticleSummary
    from reader.core.query import Query
    from reader.core.storage.state import StateStore

DESCRIPTION = f"""\
A keyboard-driven terminal reader for a local feed of news articles.

commands:
  reader [FEED]          open the reader on FEED (press ? inside for every key)
  reader list [FEED]     print the articles, best first
  reader check [FEED]    report every problem in the feed's files
  reader config          show the config file's path and the settings in force
  reader serve [FEED]    serve the reader to a web browser (one reader per tab)
  reader fetch [FEED]    fetch the articles' full texts from their pages, kept offline
  reader import SOURCE... [--into FOLDER]
                         RSS, Atom or JSON feeds (files, URLs, OPML lists) as articles
  reader mark ID... --read|--unread|--star|--unstar   mark articles (or --query Q)
  reader sync            the machines sharing marks through the sync folder

FEED is a folder of article files (searched recursively) or one file; it defaults to
${FEED_ENV}, else the config's `feed`, else the bundled sample feed. `reader COMMAND --help`
tells more.
"""


class UsageError(Exception):
    """A mistake in how the command was called: exit status 2."""


def _parser(**options: Any) -> argparse.ArgumentParser:
    """A parser that takes options only as spelled in full: with argparse's prefix matching,
    `--read` would mean `--read-after`, and a new option could change what an old word means."""
    return argparse.ArgumentParser(allow_abbrev=False, **options)


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


def _add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help=f"config file (default: ${CONFIG_ENV}, else config.toml in the user config folder)",
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
    parser = _parser(
        prog="reader", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--version", action="version", version=f"reader {__version__}")
    _add_app_arguments(parser)
    return parser


def _add_app_arguments(parser: argparse.ArgumentParser) -> None:
    """What the app is opened on: shared by `reader` and `reader serve`."""
    _add_feed_argument(parser)
    _add_config_argument(parser)
    _add_state_argument(parser)
    _add_cache_arguments(parser)
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
        "(default: the config's read_after_seconds, else 1.5; 0: only when opened)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value < 86400 or value != value:
        raise argparse.ArgumentTypeError(f"must be between 0 and 86400 seconds: {text!r}")
    return value


def _list_parser() -> argparse.ArgumentParser:
    parser = _parser(
        prog="reader list", description="Print the feed's articles, in the reader's order."
    )
    _add_feed_argument(parser)
    parser.add_argument("--limit", type=int, metavar="N", help="print at most N articles")
    parser.add_argument(
        "--format",
        choices=("table", "json", "jsonl", "tsv"),
        default="table",
        help="output format (default: table): json is one array, jsonl one object a line",
    )
    parser.add_argument(
        "--sort", choices=SORT_ORDERS, help="order (default: the config's sort, else quality)"
    )
    parser.add_argument(
        "--query",
        "-q",
        default="",
        metavar="Q",
        help="filter with the reader's query language (see README)",
    )
    parser.add_argument("--with-text", action="store_true", help="json: add the fetched text")
    add_texts_argument(parser)
    parser.add_argument("--stories", action="store_true", help="one row per story (see README)")
    _add_config_argument(parser)
    _add_state_argument(parser)
    _add_cache_arguments(parser)
    return parser


def _check_parser() -> argparse.ArgumentParser:
    parser = _parser(
        prog="reader check",
        description="Report every problem in the feed: one line each, then a summary. "
        "Exit status: 0 no errors, 1 errors, 2 usage error.",
    )
    _add_feed_argument(parser)
    _add_config_argument(parser)
    _add_cache_arguments(parser)
    return parser


def _config_parser() -> argparse.ArgumentParser:
    parser = _parser(
        prog="reader config",
        description="Print the config file's path and the settings in force, with where each "
        "comes from. Exit status: 0 fine, 1 when the file has a problem (each is printed).",
    )
    _add_config_argument(parser)
    _add_state_argument(parser)  # the theme and hide-read picked in the app are kept there
    parser.add_argument(
        "--init",
        action="store_true",
        help="write a commented config file with every key at its default (never overwrites)",
    )
    return parser


def _import_parser() -> argparse.ArgumentParser:
    parser = _parser(
        prog="reader import",
        description="Import RSS, Atom and JSON feeds (files or http(s) URLs, or OPML lists of "
        "feed URLs) as article files. Importing again writes only what is new or changed. "
        "Exit status: 0 every source imported, 1 a source failed, 2 usage error.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE", help="feed file, URL or OPML")
    parser.add_argument(
        "--into",
        metavar="FOLDER",
        help=f"the feed folder to write into (default: ${FEED_ENV}, else the config's feed); "
        "made if missing",
    )
    _add_config_argument(parser)
    return parser


def _serve_parser() -> argparse.ArgumentParser:
    from reader.serve import DEFAULT_HOST, DEFAULT_PORT

    parser = _parser(
        prog="reader serve",
        description="Serve the reader to a web browser: each tab runs its own reader on the "
        "same feed, state and cache. Exit status 2 when the address cannot be listened on.",
    )
    _add_app_arguments(parser)
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default: {DEFAULT_HOST}, this machine only)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        type=_allowed_host,
        metavar="NAME",
        help="also answer requests for this host name (a proxy's); repeatable. Otherwise only "
        "this machine's names and addresses are answered",
    )
    return parser


def _allowed_host(text: str) -> str:
    from reader.serve import allowed_host

    try:
        return allowed_host(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number (1 to 65535): {text!r}")
    return int(text)


def run_import(args: argparse.Namespace) -> int:
    from reader.core.importer import import_sources  # feedparser is loaded only to import

    _, settings, problems = read_config(args)
    _say_config_problems("reader import", problems)
    folder = _import_folder(args.into, settings)
    report = import_sources(args.sources, folder)
    for message in report.warnings:
        print(f"reader import: warning: {printable(message)}", file=sys.stderr)
    for message in report.errors:
        print(f"reader import: error: {printable(message)}", file=sys.stderr)
    print(report.summary())
    return 1 if report.errors else 0


def _import_folder(value: str | None, settings: Settings) -> Path:
    """Where `reader import` writes: --into, else $READER_FEED, else the config's feed (never
    the bundled sample)."""
    folder = Path(value).expanduser() if value else settings.feed
    if folder is None:
        raise UsageError(
            f"give --into FOLDER (or set ${FEED_ENV}, or feed in the config) to say where to import"
        )
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"not a folder: {folder}")
    return folder


def resolve_feed(settings: Settings) -> Path:
    """The feed path to read; raises UsageError when it does not exist."""
    path = settings.feed or sample_feed_path()
    if not path.exists():
        raise UsageError(f"feed not found: {path}")
    return path


def read_config(args: argparse.Namespace) -> tuple[ConfigLoad, Settings, list[str]]:
    """The config file read, the settings in force over it, and what is wrong in it."""
    path, required = config_path(args.config)
    load = load_config(path, required=required)
    settings = resolve(
        load.settings,
        feed=getattr(args, "feed", None),
        read_after_seconds=getattr(args, "read_after", None),
    )
    problems = [str(problem) for problem in load.problems]
    if settings.searches:  # the query language is imported only for a config that has some
        from reader.core.view import search_entries

        problems += [
            f"{path}: [[searches]] {entry.name!r}: the query does not parse: {entry.error}"
            for entry in search_entries(settings.searches)
            if entry.error is not None
        ]
    return load, settings, problems


def _say_config_problems(prog: str, problems: list[str]) -> None:
    for problem in problems:
        print(f"{prog}: config: {problem}", file=sys.stderr)


def _parse_query(text: str) -> Query:
    from reader.core.query import QueryError, parse_query

    try:
        return parse_query(text)
    except QueryError as error:
        raise UsageError(f"bad query: {error}") from None


def run_list(args: argparse.Namespace) -> int:
    from reader.core.storage.cache.snapshot import no_gc  # the same pause as the snapshot's

    with no_gc():  # the list builds 100,000s of objects that hold no cycle
        return _run_list(args)


def _run_list(args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 1:
        # 0 would print nothing (or a bare header): a computed limit gone to 0 is a mistake.
        raise UsageError(f"--limit must be 1 or more, not {args.limit} (leave it out for all)")
    query = _parse_query(args.query)
    _, settings, problems = read_config(args)
    _say_config_problems("reader list", problems)
    path = resolve_feed(settings)
    from reader.cli_stories import print_list, stored_list_answers
    from reader.core.storage.state import StateStore

    _refuse_foreign_files(args)
    # Closed when done: left to the garbage collector, its last write-back would land later.
    with contextlib.closing(StateStore.open(state_path(args))) as store:
        for notice in store.notices:
            print(f"reader list: {notice}", file=sys.stderr)
        cli_sync.pull_shared("reader list", settings, store)  # the other machines' marks too
        order = args.sort or settings.sort
        stored = stored_list_answers(args, order, query)
        opened = _open_feed("reader list", path, args, settings.group_stories, stored)
        with opened as feed, list_texts(args) as texts:
            _report_unlisted("reader list", path, feed)
            print_list(feed, store, order, query, args, texts, _table_width)
    return 0


def state_path(args: argparse.Namespace) -> Path | None:
    """The `--state` given (`~` expanded: `--state=~/s.db` reaches Python unexpanded), else
    None for the default; the one spelling every command checks and opens."""
    return Path(args.state).expanduser() if args.state else None


def _refuse_foreign_files(args: argparse.Namespace, *, state: bool = True) -> None:
    """Exit 2 before anything opens a state or cache path that holds someone else's file.

    The stores refuse such a file too (and go on in memory); said here, the user learns
    it before a session whose marks would not be kept.
    """
    from reader.core.storage.cache import default_cache_path
    from reader.core.storage.ownership import CACHE, STATE, ForeignFile, check_own
    from reader.core.storage.state import default_state_path

    paths = []
    if state:
        paths.append((state_path(args) or default_state_path(), STATE))
    if not args.no_cache:
        paths.append((Path(args.cache).expanduser() if args.cache else default_cache_path(), CACHE))
    for path, kind in paths:
        try:
            check_own(path, kind)
        except ForeignFile as error:
            raise UsageError(printable(str(error))) from None


@contextmanager
def _open_feed(
    prog: str, path: Path, args: argparse.Namespace, stories: bool = True, stored: bool = False
) -> Iterator[OpenedFeed]:
    """The feed through the index cache (unless `--no-cache`); the cache's notices on stderr."""
    from reader.core.feed_source import open_feed

    cache_path = Path(args.cache).expanduser() if args.cache else None
    kinds = {"use_cache": not args.no_cache, "stories": stories, "stored": stored}
    with open_feed(path, cache_path=cache_path, **kinds) as feed:
        for notice in feed.notices:
            print(f"{prog}: {notice}", file=sys.stderr)
        yield feed


def _listed(
    feed: OpenedFeed, store: StateStore, order: str, query: Query, limit: int | None, texts: Any
) -> list[ArticleSummary]:
    """The first `limit` articles the app's list shows in that order with that filter."""
    from reader.core.view import FeedView

    view = FeedView(feed.library, store, order=order, query=query, texts=texts)
    return view.articles()[:limit]


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
    from reader.core.loader import ARTICLE_SUFFIXES

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
    _, settings, problems = read_config(args)
    _say_config_problems("reader check", problems)
    path = resolve_feed(settings)
    _refuse_foreign_files(args, state=False)
    with _open_feed("reader check", path, args) as feed:
        if not feed.files and not feed.problems:
            # A check of nothing must not pass: the folder is likely not the feed meant.
            print(f"reader check: {no_articles_message(path)}", file=sys.stderr)
            return 1
        for problem in feed.problems:
            print(problem)
        print(summary_line(feed))
        return 1 if feed.errors else 0


def run_config(args: argparse.Namespace) -> int:
    from reader.config_report import config_report
    from reader.core.storage.state import default_state_path
    from reader.ui.commands import COMMANDS, TEXTUAL_KEYS  # the command table knows the ids

    load, settings, problems = read_config(args)
    if args.init:
        defaults = [(c.id, c.key_names, c.help) for c in COMMANDS if c.id not in TEXTUAL_KEYS]
        if not write_template(load.path, defaults):
            raise UsageError(f"a config file is already there (left as it is): {load.path}")
        print(f"wrote {printable(str(load.path))}")
        return 0
    state = state_path(args) or default_state_path()
    report = config_report(load, settings, state)
    print(printable(f"config file: {load.path}" + ("" if load.found else " (none: defaults)")))
    for line in report.lines:
        print(printable(line))
    for notice in report.notices:
        print(printable(f"reader config: {notice}"), file=sys.stderr)
    for problem in [*problems, *report.problems]:
        print(f"reader config: {problem}", file=sys.stderr)
    return 1 if problems or report.problems else 0


def run_app(args: argparse.Namespace) -> int:
    _, settings, problems = read_config(args)
    path = resolve_feed(settings)
    _refuse_foreign_files(args)
    from reader.core.storage.cache.snapshot import no_gc

    # Textual is imported only as the app runs, the cache's head read meanwhile (a thread), the
    # collector off until the first frame (`feed_screen.after_first_frame`: 40-60 ms before).
    with no_gc():
        from reader.ui.loading import app_loader

        cache = Path(args.cache) if args.cache else None
        loader = app_loader(path, cache, not args.no_cache, settings.group_stories)
        from reader.ui.app import ReaderApp

        watch, notices = False if args.no_watch else None, tuple(problems)
        ReaderApp(
            path, state_path=state_path(args), loader=loader, settings=settings, notices=notices,
            watch=watch, ends_process=True,
        ).run()  # fmt: skip
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from reader.serve import ServeError, check_address, exposure_warning, serve, tab_command

    load, settings, problems = read_config(args)
    _say_config_problems("reader serve", problems)
    path = resolve_feed(settings)
    _refuse_foreign_files(args)
    command = tab_command(
        path,
        state=state_path(args),
        cache=Path(args.cache) if args.cache else None,
        use_cache=not args.no_cache,
        read_after=args.read_after,
        config=load.path if load.found else None,
        watch=not args.no_watch,
    )
    try:
        check_address(args.host, args.port)
        if (warning := exposure_warning(args.host)) is not None:
            print(f"reader serve: {warning}", file=sys.stderr)
        serve(command, args.host, args.port, feed=path, allowed_hosts=args.allow_host)
    except ServeError as error:
        raise UsageError(str(error)) from None
    return 0


Runner = Callable[[argparse.Namespace], int]
# The subcommands: name -> (its parser, what runs it); anything else opens the app.
SUBCOMMANDS: dict[str, tuple[Callable[[], argparse.ArgumentParser], Runner]] = {
    "list": (_list_parser, run_list),
    "check": (_check_parser, run_check),
    "import": (_import_parser, run_import),
    "config": (_config_parser, run_config),
    "serve": (_serve_parser, run_serve),
    "fetch": (fetch_parser, run_fetch),
    "mark": (cli_sync.mark_parser, cli_sync.run_mark),
    "sync": (cli_sync.sync_parser, cli_sync.run_sync),
}


def _command_meant(word: str) -> str | None:
    """`did you mean reader list?` for a first word that is close to a command's name and is
    no option, command or existing path (`reader lst` would open a feed called `lst`)."""
    if word.startswith("-") or word in SUBCOMMANDS or Path(word).expanduser().exists():
        return None
    close = difflib.get_close_matches(word, SUBCOMMANDS, n=1)
    return f"did you mean `reader {close[0]}`?" if close else None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `reader` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and (meant := _command_meant(argv[0])):
        print(f"reader: error: feed not found: {printable(argv[0])} ({meant})", file=sys.stderr)
        return 2
    if argv and argv[0] in SUBCOMMANDS:
        make_parser, runner = SUBCOMMANDS[argv[0]]
        parser, rest = make_parser(), argv[1:]
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
