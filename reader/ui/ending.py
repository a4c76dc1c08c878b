"""How the reader's process ends: at once, whatever its threads are doing.

Quitting, SIGTERM, SIGHUP and a lost terminal all come to `App.exit`. Two things could
still hold the process after it: a thread worker stuck in a call that does not return
(an import from a server that sends its headers, then nothing), which Python joins at
exit, and an event loop with a backlog of work queued before the exit (thousands of keys
pasted into a terminal that is gone). `DaemonThreads` removes the first; `end_within`
bounds both.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import FrameType
from typing import ParamSpec, TypeVar

EXIT_DEADLINE_SECONDS = 2.0  # what a clean exit may take (the state closed, the terminal reset)

P = ParamSpec("P")
T = TypeVar("T")


class DaemonThreads(ThreadPoolExecutor):
    """Runs each task in a daemon thread of its own, which the process does not wait for.

    The event loop's default executor (Textual runs its thread workers there) is a
    `ThreadPoolExecutor`, whose threads `asyncio.run` and the interpreter join at exit;
    asyncio takes no other kind, so this is one that starts none of its pool's threads.
    """

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        future: Future[T] = Future()

        def run() -> None:
            if not future.set_running_or_notify_cancel():
                return
            try:
                result = fn(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - handed to whoever awaits it
                future.set_exception(error)
            else:
                future.set_result(result)

        threading.Thread(target=run, name=f"reader-{fn.__name__}", daemon=True).start()
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing to wait for: a task still running ends with the process."""


_deadline_armed = threading.Lock()


def end_within(seconds: float, status: Callable[[], int]) -> None:
    """The process ends `seconds` from now at the latest, with `status()`, clean exit or not.

    A daemon thread: a process that ends sooner takes it along. Armed once; later calls
    keep the first deadline. What the reader keeps is safe on a hard end: the reading
    state is committed at every change, and the index cache is a cache.
    """
    if not _deadline_armed.acquire(blocking=False):
        return

    def end_now() -> None:
        # No flush of stdout or stderr first: on a terminal that does not read, it would
        # block (the app writes nothing to them that is not on the screen already).
        os._exit(status())

    timer = threading.Timer(seconds, end_now)
    timer.daemon = True
    timer.name = "reader-exit-deadline"
    timer.start()


PreviousHandlers = dict[int, "signal.Handlers | Callable[..., object] | int | None"]


def exit_on_signals(exit_now: Callable[[], None], bound: Callable[[], None]) -> PreviousHandlers:
    """SIGTERM and SIGHUP (the terminal was closed) end the app as quitting does; returns
    the handlers they had (a test's process goes on after the app: it puts them back).

    Python's default for both ends the process at once: the terminal stays in the app's
    mode and the reading state is closed uncleanly. Through the event loop the app unmounts
    as usual: marks saved, the terminal restored, exit status 0.

    The handler is Python's, not the event loop's: Python runs it between two bytecodes of
    the main thread, where the loop's would wait behind every callback queued before it
    (each key of a paste is one), so the exit's deadline (`bound`) starts at the signal.
    """
    loop = asyncio.get_running_loop()
    before: PreviousHandlers = {}

    def signalled(number: int, frame: FrameType | None) -> None:
        bound()
        loop.call_soon_threadsafe(exit_now)

    for name in ("SIGTERM", "SIGHUP"):  # Windows has no SIGHUP
        if hasattr(signal, name):
            number = getattr(signal, name)
            try:
                before[number] = signal.signal(number, signalled)
            except ValueError:
                break  # off the main thread: Python's defaults stay
    return before
