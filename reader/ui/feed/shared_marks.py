"""Marks shared with other machines while the app runs: the sync folder pulled, the changes shown.

With a sync folder set, a thread of its own opens the `SyncFolder` on the app's reading
state (from then on every mark the user makes is logged there as it is made) and pulls the
other machines' logs: at once, then on each change the OS reports in the folder, and every
`SyncTimes.poll_seconds` whatever it reports (some sync tools and network filesystems send
no notification). A pull may read megabytes, so it never runs on the UI thread; the thread
posts what changed (`MarksPulled`) and what is to be said (`SyncSaid`), and the screen
shows the changes as it shows any change the user did not make: the cursor stays, and an
article read elsewhere stays in a list that hides read ones until the user moves away.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from reader.core.model import plural
from reader.ui.feed.host import FeedHost

if TYPE_CHECKING:
    from watchfiles import Change

    from reader.core.sync import MarkChange, SyncFolder

POLL_SECONDS = 5.0  # a pull at least this often, notified or not
TICK_MS = 1000  # how often the watch looks at the clock (and at a stop) between changes
DEBOUNCE_MS = 400  # a sync tool writing a log in pieces is pulled once, after it paused
STEP_MS = 50


@dataclass(frozen=True, slots=True)
class SyncTimes:
    """How the sync folder is followed (tests shorten them)."""

    poll_seconds: float = POLL_SECONDS
    tick_ms: int = TICK_MS
    debounce_ms: int = DEBOUNCE_MS
    step_ms: int = STEP_MS


@dataclass
class MarksPulled(Message):
    """A pull merged `changes`: marks that changed here, made on other machines."""

    changes: list[MarkChange] = field(default_factory=list)
    asked: bool = False  # the user asked for this pull (Sync now): it answers, even "none"


@dataclass
class SyncSaid(Message):
    """Something about the sync folder to tell the user (a log not read, sharing off)."""

    text: str
    severity: str = "warning"


STATE_CHECK_WAIT_SECONDS = 10.0


class LogChangeFilter:
    """Changes worth a pull: other machines' logs (not this machine's, not temporaries)."""

    def __init__(self, own_log: Path) -> None:
        self.own_log = own_log.name

    def __call__(self, change: Change, path: str) -> bool:
        from reader.core.sync.logfile import machine_of

        name = Path(path).name
        return name != self.own_log and machine_of(Path(name)) is not None


class SharedMarks:
    """The feed screen's side of the sync folder: the pulling thread and what it found."""

    def __init__(self, host: FeedHost, folder: Path | None, times: SyncTimes) -> None:
        self.host = host
        self.folder = folder  # None: marks are not shared
        self.times = times
        self.stopping = threading.Event()
        self.wanted = threading.Event()  # "Sync now": pull at the next tick
        self.ready = threading.Event()  # the folder is followed (watched, else polled)
        self._said: set[str] = set()  # problems said already (each log's, once)
        self.unavailable: str | None = None  # why the folder could not be opened
        self._started = False

    def start(self) -> None:
        """After the first frame: the thread opens the folder and follows it until `stop`."""
        if self.folder is None or self._started:
            return
        self._started = True
        self.host.run_worker(self.run, thread=True, group="sync")

    def stop(self) -> None:
        """The screen goes: the thread ends after the pull under way (the process does not
        wait for it: a quit ends the app at once)."""
        self.stopping.set()
        self.wanted.set()  # a thread polling wakes to see it

    def pull_now(self) -> None:
        """S, "Sync now": pull within a tick, not at the next change or poll."""
        if self.folder is None or self.unavailable is not None:
            why = self.unavailable or "no sync folder is set (sync_folder in the config)"
            self.host.tell(f"Marks are not shared: {why}", severity="warning")
            return
        self.wanted.set()

    # --- in the thread ------------------------------------------------------------------

    def run(self) -> None:
        # The state file's check (begun just before) ends first: the marks of a file it finds
        # damaged go aside with it, they are not shared as this machine's.
        self.host.store.check_done(STATE_CHECK_WAIT_SECONDS)
        sync = self.open()
        if sync is None:
            return
        try:
            self.pull(sync)
            self.follow(sync)
        finally:
            sync.close()

    def open(self) -> SyncFolder | None:
        """The folder tied to the store; its notices from now on posted (None: not shared)."""
        from reader.core.sync import SyncFolder, SyncUnavailable

        assert self.folder is not None
        try:
            sync = SyncFolder.open(self.host.store, self.folder)
        except SyncUnavailable as error:
            self.unavailable = str(error)
            self.host.post_message(SyncSaid(f"Marks are not shared: {error}"))
            return None
        with sync.store.lock:  # no notice slips between the ones said and the callback
            for text in sync.notices:
                self.host.post_message(SyncSaid(text))
            sync.on_notice = lambda text: self.host.post_message(SyncSaid(text))
        return sync

    def follow(self, sync: SyncFolder) -> None:
        """Pull on the folder's changes and every poll, until stopped; without a watch (no
        OS notifications to be had) every poll only."""
        try:
            self.watch(sync)
        except Exception:  # noqa: BLE001 - no watch (a full inotify table…): polling does
            self.ready.set()
            while not self.stopping.is_set():
                self.wanted.wait(self.times.poll_seconds)
                if not self.stopping.is_set():
                    self.pull(sync, asked=self.take_wish())

    def watch(self, sync: SyncFolder) -> None:
        from watchfiles import watch  # imported here: the warm start never pays for it

        pulled_at = time.monotonic()
        for changes in watch(
            sync.folder,
            watch_filter=LogChangeFilter(sync.log_path),
            debounce=self.times.debounce_ms,
            step=self.times.step_ms,
            stop_event=self.stopping,
            rust_timeout=self.times.tick_ms,
            yield_on_timeout=True,
            raise_interrupt=False,
        ):
            if self.stopping.is_set():
                return
            # The first yield (a change, or the first quiet tick): the watch is in place, and
            # what came between the first pull and then is pulled now.
            first = not self.ready.is_set()
            self.ready.set()
            due = time.monotonic() - pulled_at >= self.times.poll_seconds
            if first or changes or due or self.wanted.is_set():
                self.pull(sync, asked=self.take_wish())
                pulled_at = time.monotonic()

    def take_wish(self) -> bool:
        """Whether the user asked for a pull since the last (and the wish is taken)."""
        asked = self.wanted.is_set()
        self.wanted.clear()
        return asked

    def pull(self, sync: SyncFolder, *, asked: bool = False) -> None:
        """Pull until every log is read to its end (a log longer than one read is read on at
        once), then post what changed and each problem not said before."""
        changes: list[MarkChange] = []
        try:
            changes += sync.pull()
            while sync.more and not self.stopping.is_set():
                changes += sync.pull()
        except (OSError, sqlite3.Error) as error:  # the state's file gone, locked for long…
            self.say_once(f"Marks from other machines are not merged for now ({error})")
        for problem in sync.problems.values():
            self.say_once(problem)
        if changes or asked:
            self.host.post_message(MarksPulled(changes, asked))

    def say_once(self, text: str) -> None:
        if text not in self._said:
            self._said.add(text)
            self.host.post_message(SyncSaid(text))

    # --- on the UI thread ---------------------------------------------------------------

    def handle(self, event: MarksPulled | SyncSaid) -> None:
        """A message of the pulling thread, on the UI thread."""
        if isinstance(event, MarksPulled):
            self.pulled(event)
        else:
            self.said(event)

    def pulled(self, event: MarksPulled) -> None:
        """Show the merged marks as any change the user did not make, and say it once."""
        if not event.changes:
            self.host.tell("No new marks from other machines", timeout=3)
            return
        self.host.refresh_marks()
        machines = {change.stamp.machine for change in event.changes}
        where = "another machine" if len(machines) == 1 else f"{len(machines)} other machines"
        self.host.tell(f"{plural(len(event.changes), 'mark')} from {where}", timeout=3)

    def said(self, event: SyncSaid) -> None:
        self.host.tell(event.text, severity=event.severity, timeout=10)
