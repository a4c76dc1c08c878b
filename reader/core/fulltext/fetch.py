"""Fetching articles' pages and extracting their text: one (for a worker) or many at once.

`fetch_one` fetches one article's page (`webUrl`, else `originalUrl`) within a wall-clock
deadline for the whole page (redirects, headers and body), under a 5 MB cap, through the
URL gate and the address check of `net`, and returns its Markdown or why there is none; it
may be cancelled from another thread (`Cancel`), which ends it at once. Nothing
is stored by it: `fetch_many` stores each text as it comes and says what became of each.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from urllib.parse import urlsplit

from reader import __version__
from reader.core.fulltext.extract import NoText, decoded_page, extract_markdown
from reader.core.fulltext.net import MAX_IN_ALL, Slots, checked_connector
from reader.core.fulltext.store import TextStore, page_url
from reader.core.importer.fetch import Connector, Deadline, FetchError, fetch_page
from reader.core.model import Article

TIMEOUT_SECONDS = 20.0
MAX_PAGE_BYTES = 5 * 1024 * 1024
SLOT_WAIT_SECONDS = 120.0  # for a free connection to a busy host, before the page's own time
USER_AGENT = f"reader-tui/{__version__} (full text of an article, fetched on request)"
ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


@dataclass(frozen=True, slots=True)
class Target:
    """What to fetch for one article: its page URL, and how to name it in messages."""

    url: str
    article_id: str
    path: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """A fetched text (`markdown`, from `final_url`) or why there is none (`reason`)."""

    target: Target
    markdown: str | None = None
    final_url: str = ""
    reason: str | None = None


def target_of(article: Article) -> Target | None:
    url = page_url(article)
    return Target(url, article.id, article.path) if url else None


class Cancel:
    """Set from any thread to stop the fetches given it: their connections are shut down
    at once (a read waiting on a silent server returns), and no new one starts."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def is_set(self) -> bool:
        return self._event.is_set()

    def set(self) -> None:
        self._event.set()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down when cancelled (at once if cancelled already)."""
        with self._lock:
            self._sockets.add(sock)
        if self.is_set():
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _Watched(Deadline):
    """A deadline that also ends when `cancel` is set (checked before every read)."""

    def __init__(self, seconds: float, cancel: Cancel | None) -> None:
        super().__init__(seconds)
        self.cancel = cancel

    def left(self) -> float:
        if self.cancel is not None and self.cancel.is_set():
            raise FetchError("cancelled")
        return super().left()


def _connector(allow: frozenset[str], cancel: Cancel | None) -> Connector:
    """`net.checked_connector`, each socket it opens watched by `cancel`."""
    connect = checked_connector(allow)
    if cancel is None:
        return connect

    def watched(address: tuple[str, int], timeout: float) -> socket.socket:
        sock = connect(address, timeout)
        cancel.watch(sock)
        return sock

    return watched


def fetch_one(
    target: Target,
    *,
    allow: frozenset[str] = frozenset(),
    slots: Slots | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_PAGE_BYTES,
    cancel: Cancel | None = None,
) -> Outcome:
    """The article's text, or why not; never raises for the page or the network.

    Args:
        allow: Hosts and addresses on this machine or network that may be reached.
        slots: Shared by the fetches under way, to keep to 2 per host and 8 in all.
        timeout: The whole page's wall-clock deadline, once a slot is free.
        cancel: Set from another thread to stop the fetch at once.
    """
    slots = Slots() if slots is None else slots
    host = urlsplit(target.url).hostname or ""
    try:
        with slots.taken(host, SLOT_WAIT_SECONDS, cancel):
            got = fetch_page(
                target.url,
                deadline=_Watched(timeout, cancel),
                max_bytes=max_bytes,
                accept=ACCEPT,
                user_agent=USER_AGENT,
                connector=_connector(allow, cancel),
                what="page",
            )
        if cancel is not None and cancel.is_set():
            return Outcome(target, reason="cancelled")  # what was read may be cut short
        markdown = extract_markdown(decoded_page(got.body, got.content_type), got.url)
    except TimeoutError:
        return Outcome(target, reason=f"no free connection to {host} in time")
    except (FetchError, NoText) as error:
        # The cancel shuts the sockets down: a read under way then fails, as a reset.
        cancelled = cancel is not None and cancel.is_set()
        return Outcome(target, reason="cancelled" if cancelled else str(error))
    return Outcome(target, markdown, got.url)


def fetch_many(
    targets: Iterable[Target],
    store: TextStore,
    *,
    allow: frozenset[str] = frozenset(),
    timeout: float = TIMEOUT_SECONDS,
    cancel: Cancel | None = None,
    done: Callable[[Outcome], object] = lambda outcome: None,
) -> list[Outcome]:
    """Fetch every target, at most 8 at once (2 per host), storing each text as it comes.

    `done` is told each outcome as it comes (a progress bar). The outcomes, in the order
    they came.
    """
    slots = Slots()
    outcomes: list[Outcome] = []
    for outcome in _as_done(targets, slots, allow, timeout, cancel):
        if outcome.markdown is not None:
            t = outcome.target
            store.put(t.url, t.article_id, outcome.markdown, outcome.final_url)
        outcomes.append(outcome)
        done(outcome)
    return outcomes


def _as_done(
    targets: Iterable[Target],
    slots: Slots,
    allow: frozenset[str],
    timeout: float,
    cancel: Cancel | None,
) -> Iterator[Outcome]:
    """The outcomes as they finish; only MAX_IN_ALL pages are under way (or waiting) at once."""
    queue = iter(targets)
    pool = ThreadPoolExecutor(MAX_IN_ALL, thread_name_prefix="reader-fetch")
    running: set[Future[Outcome]] = set()

    def submit() -> bool:
        target = next(queue, None)
        if target is None or (cancel is not None and cancel.is_set()):
            return False
        running.add(
            pool.submit(fetch_one, target, allow=allow, slots=slots, timeout=timeout, cancel=cancel)
        )
        return True

    try:
        while len(running) < MAX_IN_ALL and submit():
            pass
        while running:  # each fetch keeps to its own deadlines
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                running.discard(future)
                yield future.result()
                submit()
    finally:
        # Not waited for: on Ctrl+C the caller cancels (which shuts their sockets) and goes.
        pool.shutdown(wait=False, cancel_futures=True)
