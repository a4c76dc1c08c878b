"""Parsing the files a sync found new or changed, in several processes when there are many.

The files are cut into tasks of CHUNK_SIZE; each task is parsed (`parse_task`, at module
level so that it pickles) into the rows the cache stores. Below IN_PROCESS_BELOW files, or
with one usable core, this process does it all: starting processes would cost more.
`batches` gathers the results into the write transactions of the cache.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from reader.core.loader import FilePath, parse_file
from reader.core.model import Article, Problem
from reader.core.storage.cache.codec import (
    NO_STAT,
    DetailRow,
    FileRow,
    Stamp,
    file_rows,
    stamp_of,
)
from reader.core.stories.features import row_of

CHUNK_SIZE = 100  # files handed to a worker process at a time
IN_PROCESS_BELOW = 200  # fewer files to parse than this: starting processes costs more

# seq, rel, path, stamp of one file; no stamp: the parser takes it (see `parse_task`)
Item = tuple[int, str, str, Stamp | None]
Rows = tuple[list[FileRow], list[DetailRow]]


@dataclass(frozen=True, slots=True)
class Task:
    """Files for one worker call: (seq, rel, path, stamp) each."""

    feed: int
    root: str
    items: list[Item]
    stories: bool = True  # make each article's story keys (see cache.stories)
    listings: bool = True  # make each article's `reader list` JSON (see cache.listing)


def parse_task(task: Task) -> Rows:
    """Parse the task's files into `files` and `details` rows (module level: picklable)."""
    root = Path(task.root)
    parsed = [_parsed(root, path, known) for _, _, path, known in task.items]
    # The story keys are made once all the task's files are parsed, not file by file: in
    # turn, the parser and the keys evict each other's code and tables from the CPU's
    # caches, and the keys cost a worker three times what they cost in one run.
    keys = [row_of(a) if task.stories and a is not None else None for a, _, _ in parsed]
    files: list[FileRow] = []
    details: list[DetailRow] = []
    for (seq, rel, path, _), (article, problems, stamp), story in zip(
        task.items, parsed, keys, strict=True
    ):
        row, detail = file_rows(
            task.feed, seq, rel, path, stamp, article, problems, story, task.listings
        )
        files.append(row)
        if detail is not None:
            details.append(detail)
    return files, details


def _parsed(
    root: Path, path: str, known: Stamp | None
) -> tuple[Article | None, list[Problem], Stamp]:
    """One file's article, problems and stamp."""
    # The walk's names are in the normal form a `Path` gives them (`loader.discover_paths`,
    # under the root `.` too): no `Path` made, ~4% of a file's parse.
    file: FilePath = path
    if known is not None:
        return (*parse_file(file, root), known)
    # The stat `read_bytes` makes before it opens the file: what the scan would have
    # found, taken here in the worker, and before the content is read.
    stats: list[os.stat_result] = []
    article, problems = parse_file(file, root, stats.append)
    return article, problems, stamp_of(stats[0]) if stats else NO_STAT


def tasks_for(
    feed: int, root: Path, items: list[Item], stories: bool = True, listings: bool = True
) -> list[Task]:
    """The items cut into tasks of CHUNK_SIZE files."""
    return [
        Task(feed, str(root), items[i : i + CHUNK_SIZE], stories, listings)
        for i in range(0, len(items), CHUNK_SIZE)
    ]


def worker_count(files: int, tasks: int, workers: int | None) -> int:
    """Processes to parse `files` files in `tasks` tasks: at most `workers`, the usable cores."""
    if files < IN_PROCESS_BELOW:
        return 1
    cores = usable_cores()
    return max(1, min(workers or cores, cores, tasks))


def usable_cores() -> int:
    """How many cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


@contextlib.contextmanager
def results(tasks: list[Task], workers: int) -> Iterator[Iterator[Rows]]:
    """The tasks' results in order, from `workers` processes (or this one for 1).

    A pool that breaks (a worker killed, say by the OOM killer) leaves the rest of the
    tasks to this process. Leaving the block early cancels the tasks not yet started.
    """
    if workers <= 1:
        yield map(parse_task, tasks)
        return
    pool = _new_pool(workers)
    try:
        yield _pooled(pool, tasks)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pooled(pool: ProcessPoolExecutor, tasks: list[Task]) -> Iterator[Rows]:
    done = 0
    try:
        for result in pool.map(parse_task, tasks):
            yield result
            done += 1
    except BrokenProcessPool:
        yield from map(parse_task, tasks[done:])


class Stream:
    """Parsing files while they are still being found (a first build: all of them are new).

    Iterating gives (rows, files found so far) in feed order. The first `first` files are
    parsed in this process at once, before any worker starts, so that a first screen
    needs neither the whole scan nor the pool; then, past IN_PROCESS_BELOW files, tasks of
    CHUNK_SIZE go to `workers` processes as the scan finds them, and the rows come back
    while it goes on. A pool that breaks leaves the rest to this process, as `results`
    does. Leave the `with` block to stop: the tasks not started are cancelled.
    """

    def __init__(
        self, feed: int, root: Path, items: Iterable[Item], workers: int | None, first: int,
        stories: bool = True, listings: bool = True,
    ) -> None:  # fmt: skip
        self._feed, self._root, self._stories = feed, str(root), stories
        self._listings = listings
        self._items = iter(items)
        self._wanted = workers
        self._first = first
        self.workers = 0  # processes that parsed, once iterated: 1 for this one alone
        self.found = 0
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def _take(self, count: int) -> Task | None:
        items = list(itertools.islice(self._items, count))
        self.found += len(items)
        return Task(self._feed, self._root, items, self._stories, self._listings) if items else None

    def __iter__(self) -> Iterator[tuple[Rows, int]]:
        head = self._take(self._first) if self._first else None
        if head is not None:
            self.workers = 1
            yield parse_task(head), self.found
        held: list[Task] = []  # found before the choice of one process or several
        while self.found < IN_PROCESS_BELOW and (task := self._take(CHUNK_SIZE)) is not None:
            held.append(task)
        if not held:
            return
        cores = usable_cores()
        workers = max(1, min(self._wanted or cores, cores))
        if self.found < IN_PROCESS_BELOW or workers == 1:
            self.workers = 1
            for task in itertools.chain(held, iter(lambda: self._take(CHUNK_SIZE), None)):
                yield parse_task(task), self.found
            return
        self.workers = workers
        yield from self._pooled(workers, held)

    def _pooled(self, workers: int, held: list[Task]) -> Iterator[tuple[Rows, int]]:
        self._pool = pool = _new_pool(workers)
        pending: deque[tuple[Task, Future[Rows]]] = deque()
        tasks = itertools.chain(held, iter(lambda: self._take(CHUNK_SIZE), None))
        unsent: list[Task] = []
        try:
            for task in tasks:
                unsent = [task]
                future = pool.submit(parse_task, task)
                unsent = []
                pending.append((task, future))
                # Rows that are ready are handed on while the scan goes on.
                while pending and pending[0][1].done():
                    rows = pending[0][1].result()
                    pending.popleft()
                    yield rows, self.found
            while pending:
                rows = pending[0][1].result()
                pending.popleft()
                yield rows, self.found
        except BrokenProcessPool:
            for task in itertools.chain([task for task, _ in pending], unsent, tasks):
                yield parse_task(task), self.found


def batches(
    results: Iterable[tuple[Rows, int]],
    size: int,
    total: int | None,
    is_cancelled: Callable[[], bool],
    first_alone: bool = False,
) -> Iterator[tuple[list[FileRow], list[DetailRow], int]]:
    """The parsed rows gathered into batches of at least `size` files (and the rest), each
    with the count of files to parse as the results had it (`total`, if known, ends the
    last batch at once; else the results ending do). `first_alone`: the first result is a
    batch of its own, for a first screen.

    A cancelled sync gets what it has at once: quitting (or SIGTERM) mid-build waits for
    one task of the pool, not for a whole batch.
    """
    files: list[FileRow] = []
    details: list[DetailRow] = []
    done = found = 0
    for (batch_files, batch_details), found in results:
        files += batch_files
        details += batch_details
        alone = first_alone and done == 0
        last = total is not None and len(files) + done >= total
        if len(files) < size and not (alone or last) and not is_cancelled():
            continue
        done += len(files)
        yield files, details, found
        files, details = [], []
    if files:
        yield files, details, found


def _new_pool(workers: int) -> ProcessPoolExecutor:
    prepare_process_pool()
    return ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())


def _pool_context() -> multiprocessing.context.BaseContext:
    """forkserver where there is one: forking a process that runs threads (Textual) is unsafe."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # What every worker needs: this module, and the YAML parsers it imports at its
        # first file (~20 ms a worker otherwise).
        context.set_forkserver_preload([__name__, "reader.core.yaml_fast"])
        return context
    return multiprocessing.get_context("spawn")


def prepare_process_pool() -> None:
    """Start multiprocessing's helper processes (resource tracker, fork server) if needed.

    They hand `sys.stderr`'s descriptor to their children; inside a Textual app that is a
    capture object whose `fileno()` is -1, and spawning fails. So they are started with the
    real stderr in place for that moment (Textual itself draws on its own file handle).
    """
    from multiprocessing import resource_tracker

    context = _pool_context()
    with _real_stderr():
        with contextlib.suppress(Exception):
            resource_tracker.ensure_running()
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            with contextlib.suppress(Exception):
                forkserver.ensure_running()


@contextlib.contextmanager
def _real_stderr() -> Iterator[None]:
    try:
        usable = sys.stderr is not None and sys.stderr.fileno() >= 0
    except Exception:  # noqa: BLE001 - no descriptor at all
        usable = False
    if usable or sys.__stderr__ is None:
        yield
        return
    with contextlib.redirect_stderr(sys.__stderr__):
        yield
