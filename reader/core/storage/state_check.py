"""The reading state's `PRAGMA quick_check`, run after the app's first frame.

Plain `sqlite3`. At 100,000 marked articles the check took 15-40 ms of the start, before
anything was drawn; reading the marks does not need it (a file too damaged to read fails
as it is read, and is replaced then). So the app opens its state unchecked and starts the
check once the first frame is up: on a connection of its own, read only, in a daemon
thread, which SQLite leaves free of the GIL. What damage it finds is handed to the store,
which then does what the open would have done (`StateStore._checked_after_open`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

from reader.core.storage.sqlite import is_corrupt

# Told what the check found: None when the file is sound (or the check could not run,
# which the open's own check would not have made a reason to replace the file).
OnChecked = Callable[[str | None], object]


class LaterCheck:
    """One `quick_check` of `path`; `on_checked` is called in the check's thread."""

    def __init__(self, path: Path, timeout: float, on_checked: OnChecked) -> None:
        self.path, self.timeout, self.on_checked = path, timeout, on_checked
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._stopped = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin the check (once)."""
        with self._lock:
            if self._thread is not None or self._stopped:
                return
            self._thread = threading.Thread(target=self._run, name="reader-state-check")
            self._thread.daemon = True  # a check of a huge file never holds the exit
            self._thread.start()

    def stop(self) -> None:
        """End a check under way at once (SQLite interrupts it); nothing is told after."""
        with self._lock:
            self._stopped = True
            if self._conn is not None:
                self._conn.interrupt()

    def join(self, timeout: float) -> bool:
        """Wait at most `timeout` seconds for the check; True once none is under way."""
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(self) -> None:
        answer = self._check()
        with self._lock:
            if self._stopped:
                return
        self.on_checked(answer)

    def _check(self) -> str | None:
        """What `quick_check` says is wrong, or None."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, check_same_thread=False)
        except (sqlite3.Error, OSError, ValueError):
            return None
        try:
            with self._lock:
                if self._stopped:
                    return None
                self._conn = conn
            answer: str = conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.Error as err:
            # What the open's check raising would have replaced the file for, and only that.
            return str(err) if is_corrupt(err) else None
        finally:
            with self._lock:
                self._conn = None
            conn.close()
        return None if answer == "ok" else answer
