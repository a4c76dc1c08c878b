"""One import at a time into a folder: an exclusive `flock` on `.reader-import.lock`.

Two terminals, a cron job and the app's `i` may import into one folder at once; each holds
the lock while it reads the index and writes its files, so none writes what another has
just written. The lock file stays (removing it would let a third import lock a new file
while a second still waits on the old one); the lock goes with the process that held it,
however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

LOCK_NAME = ".reader-import.lock"
LOCK_WAIT_SECONDS = 60.0
_POLL_SECONDS = 0.05


class FolderBusy(Exception):
    """Another import held the folder for longer than the wait; the message says so."""


@contextlib.contextmanager
def folder_lock(
    folder: Path,
    *,
    wait: float = LOCK_WAIT_SECONDS,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[None]:
    """Hold the folder's import lock, waiting for it at most `wait` seconds (`on_wait` is
    called once if it has to wait); FolderBusy when it is not had by then."""
    flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    handle = os.open(folder / LOCK_NAME, flags, 0o666)
    try:
        _acquire(handle, folder, wait, on_wait)
        yield
    finally:
        os.close(handle)  # the lock goes with it


def _acquire(handle: int, folder: Path, wait: float, on_wait: Callable[[], None] | None) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        if time.monotonic() >= deadline:
            raise FolderBusy(
                f"another import into {folder} is still running after {wait:g} seconds of"
                f" waiting; nothing written (try again when it is done)"
            )
        if on_wait is not None and not told:
            on_wait()
            told = True
        time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
