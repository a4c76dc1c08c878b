"""`reader mark` (marks from scripts) and `reader sync` (what the sync folder holds).

Both go through the same log as the app: with a sync folder set (`sync_folder`,
`$READER_SYNC_FOLDER`), every mark is appended to this machine's log there and the other
machines' logs are merged in first. `pull_shared` does that merge for `reader list`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from reader.core.config import SYNC_ENV, Settings
from reader.core.model import plural, printable
from reader.core.resources import FEED_ENV

if TYPE_CHECKING:
    from reader.core.query import Query
    from reader.core.storage.state import StateStore
    from reader.core.sync import SyncFolder

PULL_SECONDS = 30.0  # a command merges for at most this long (a huge backlog: run it again)
MAX_ID_CHARS = 1024
# option -> (field, value, what was done, its help)
_ACTIONS = {
    "read": ("read", True, "marked read", "mark them read"),
    "unread": ("read", False, "marked unread", "mark them unread"),
    "star": ("starred", True, "starred", "star them"),
    "unstar": ("starred", False, "unstarred", "take their star away"),
}


def mark_parser() -> argparse.ArgumentParser:
    from reader.cli import _add_cache_arguments, _add_config_argument, _add_state_argument, _parser

    parser = _parser(
        prog="reader mark",
        description="Mark articles read, unread, starred or unstarred, by id (as `reader list "
        "--format json` prints them) or by a query; shared through the sync folder when one "
        "is set. Exit status: 0 marked, 2 usage error.",
    )
    parser.add_argument("ids", nargs="*", metavar="ID", help="article id")
    action = parser.add_mutually_exclusive_group(required=True)
    for name, (*_, what) in _ACTIONS.items():
        action.add_argument(f"--{name}", dest="action", action="store_const", const=name, help=what)
    parser.add_argument(
        "--query", "-q", metavar="Q", help="also mark every article this query selects"
    )
    parser.add_argument(
        "--feed",
        metavar="FEED",
        help=f"the feed --query looks in (default: ${FEED_ENV}, else the config's feed, else the "
        "sample feed)",
    )
    _add_config_argument(parser)
    _add_state_argument(parser)
    _add_cache_arguments(parser)
    return parser


def sync_parser() -> argparse.ArgumentParser:
    from reader.cli import _add_config_argument, _add_state_argument, _parser

    parser = _parser(
        prog="reader sync",
        description="Merge the other machines' marks from the sync folder, then print the "
        "folder, this machine, the machines seen with their last change and its time, and "
        "any log that could not be read. Exit status: 0 fine, 1 a log or the folder could "
        "not be read, 2 no sync folder set.",
    )
    _add_config_argument(parser)
    _add_state_argument(parser)
    return parser


def run_mark(args: argparse.Namespace) -> int:
    from reader.cli import UsageError, _parse_query, _say_config_problems, read_config

    if not args.ids and args.query is None:
        raise UsageError("give the ids of the articles to mark, or --query Q")
    for article_id in args.ids:
        if not article_id or len(article_id) > MAX_ID_CHARS or not _is_text(article_id):
            raise UsageError(f"not an article id: {printable(article_id[:80])!r}")
    query = None if args.query is None else _parse_query(args.query)  # before anything opens
    _, settings, problems = read_config(args)
    _say_config_problems("reader mark", problems)
    field, value, what, _ = _ACTIONS[args.action]
    with _state("reader mark", args) as store, shared("reader mark", settings, store):
        # Queried after the merge: `is:unread` means unread on every machine.
        ids = list(dict.fromkeys([*args.ids, *_queried(query, args, settings, store)]))
        changed = store.set_marks(field, ids, value)
    print(f"{what} {plural(len(ids), 'article')} ({changed} changed)")
    return 0


def _is_text(word: str) -> bool:
    """Whether an argument is text (bytes not valid in the locale's encoding come from the
    command line as lone surrogates, which no article id holds)."""
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _queried(
    query: Query | None, args: argparse.Namespace, settings: Settings, store: StateStore
) -> list[str]:
    """The ids of the articles `--query` selects in the feed, in the reader's order."""
    if query is None:
        return []
    from reader.cli import _open_feed, resolve_feed
    from reader.core.view import FeedView

    with _open_feed("reader mark", resolve_feed(settings), args) as feed:
        view = FeedView(feed.library, store, order=settings.sort, query=query)
        return [summary.id for summary in view.articles()]


def run_sync(args: argparse.Namespace) -> int:
    from reader.cli import UsageError, _say_config_problems, read_config
    from reader.core.sync.status import status_lines

    _, settings, problems = read_config(args)
    _say_config_problems("reader sync", problems)
    if settings.sync_folder is None:
        raise UsageError(f"no sync folder: set sync_folder in the config, or ${SYNC_ENV}")
    with _state("reader sync", args) as store, shared("reader sync", settings, store) as sync:
        if sync is None:
            return 1
        for line in status_lines(sync):
            print(printable(line))
        for problem in sync.problems.values():
            print(printable(f"reader sync: {problem}"), file=sys.stderr)
        return 1 if sync.problems else 0


@contextmanager
def _state(prog: str, args: argparse.Namespace) -> Iterator[StateStore]:
    from reader.cli import _refuse_foreign_files, state_path
    from reader.core.storage.state import StateStore

    args.no_cache = getattr(args, "no_cache", True)
    _refuse_foreign_files(args)
    with StateStore.open(state_path(args)) as store:
        for notice in store.notices:
            print(printable(f"{prog}: {notice}"), file=sys.stderr)
        yield store


@contextmanager
def shared(prog: str, settings: Settings, store: StateStore) -> Iterator[SyncFolder | None]:
    """The sync folder tied to `store` and merged in (None, said on stderr, when there is
    none or it cannot be used: the marks stay here and are logged the next time it can)."""
    if settings.sync_folder is None:
        yield None
        return
    from reader.core.sync import SyncFolder, SyncUnavailable

    try:
        sync = SyncFolder.open(store, settings.sync_folder)
    except SyncUnavailable as error:
        print(printable(f"{prog}: marks are not shared: {error}"), file=sys.stderr)
        yield None
        return
    try:
        _pull_all(sync)
        yield sync
    finally:
        for notice in sync.notices:
            print(printable(f"{prog}: {notice}"), file=sys.stderr)
        sync.close()


def _pull_all(sync: SyncFolder) -> None:
    """Merge until every log is read to its end, or for PULL_SECONDS."""
    deadline = time.monotonic() + PULL_SECONDS
    sync.pull()
    while sync.more and time.monotonic() < deadline:
        sync.pull()


def pull_shared(prog: str, settings: Settings, store: StateStore) -> None:
    """For `reader list`: merge the other machines' marks into `store` before it is read."""
    with shared(prog, settings, store):
        pass
