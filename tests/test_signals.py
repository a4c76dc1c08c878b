"""SIGTERM and SIGHUP end the app cleanly: the real app in a child process, on a pseudo-terminal.

A clean end is seen three ways: the exit status, the terminal's alternate screen left
again (`ESC [ ? 1049 l`), and the reading state closed (SQLite deletes the WAL file when
the last connection closes; a killed process leaves it behind).

The pseudo-terminal is the child's controlling terminal, as a terminal window's is: closing
our side hangs it up, and the kernel sends the child SIGHUP (and SIGCONT) as it would.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WAIT = 30.0  # seconds; only a hang uses them up
END_WAIT = 10.0  # seconds a quit or a lost terminal may take to end the process (it takes ~2)
LEAVE_ALT_SCREEN = b"\x1b[?1049l"
BRACKETED_PASTE_ON = b"\x1b[?2004h"  # the app is up and reads its keys
# The child takes the pseudo-terminal (its stdin) as its controlling terminal, then runs
# `python -m reader` with the arguments after `-c`.
AS_TERMINAL_APP = (
    "import fcntl, runpy, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "sys.argv[0] = 'reader'; runpy.run_module('reader', run_name='__main__', alter_sys=True)"
)

pytestmark = pytest.mark.slow  # the app in a pseudo-terminal, signalled and hung up


class Terminal:
    """A child `reader` on a pseudo-terminal whose output is gathered by a thread."""

    def __init__(self, feed: Path, state: Path, cache: Path, launcher: str | None = None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = os.environ | {"PYTHONPATH": str(REPO), "TERM": "xterm-256color"}
        # AS_TERMINAL_APP read now, not at the definition: a test may patch it (test_sync_app).
        code = AS_TERMINAL_APP if launcher is None else launcher
        command = [sys.executable, "-c", code, str(feed), "--state", str(state)]
        self.process = subprocess.Popen(
            [*command, "--cache", str(cache)],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._gather, daemon=True)
        self._reader.start()

    def _gather(self) -> None:
        # `select` with a timeout, not a blocking read: closing a descriptor that another
        # thread is reading does not release it, so the terminal would not hang up.
        while not self._stop.is_set():
            if not select.select([self.master], [], [], 0.05)[0]:
                continue
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed its side
                return
            if not chunk:
                return
            self.output += chunk

    def wait_for(self, what: Callable[[], bool], label: str) -> None:
        deadline = time.monotonic() + WAIT
        while not what():
            assert self.process.poll() is None, f"the app ended before {label}: {self.tail()}"
            assert time.monotonic() < deadline, f"no {label} after {WAIT} s: {self.tail()}"
            time.sleep(0.05)

    def type(self, data: bytes) -> None:
        """Write all of `data` as keys (the child reads them as it goes)."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.master, view) :]

    def ends_within(self, seconds: float) -> bool:
        try:
            self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return False
        return True

    def hang_up(self) -> None:
        """Close our side, as a terminal window closing does (once: the number may be reused)."""
        self._stop.set()
        self._reader.join(5)
        if self.master >= 0:
            os.close(self.master)
            self.master = -1

    def read_to_the_end(self) -> None:
        """Every byte the ended app wrote is gathered (our reader stops at its side's close)."""
        self._reader.join(WAIT)

    def tail(self) -> str:
        return self.output[-2000:].decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.hang_up()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[tuple[Terminal, Path]]:
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "one.md").write_text(
        "---\ntitle: Signal test article\nwebUrl: https://news.example/one\n---\nBody.\n"
    )
    state = tmp_path / "state.db"
    term = Terminal(feed, state, tmp_path / "index.db")
    try:
        yield term, state
    finally:
        term.close()


def _starred(state: Path) -> list[str]:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{state}?mode=ro", uri=True)) as conn:
            return [row[0] for row in conn.execute("SELECT article_id FROM marks WHERE starred")]
    except sqlite3.Error:
        return []  # not created yet


def _star_the_article(term: Terminal, state: Path) -> None:
    term.wait_for(lambda: b"Signal test article" in term.output, "article on screen")
    os.write(term.master, b"f")  # star the selected article
    term.wait_for(lambda: len(_starred(state)) == 1, "star saved")


def test_sigterm_ends_the_app_cleanly_with_status_0(terminal: tuple[Terminal, Path]) -> None:
    term, state = terminal
    _star_the_article(term, state)
    term.process.send_signal(signal.SIGTERM)
    assert term.process.wait(WAIT) == 0
    term.read_to_the_end()
    assert LEAVE_ALT_SCREEN in term.output
    assert not Path(f"{state}-wal").exists()
    assert len(_starred(state)) == 1


def test_sighup_with_the_terminal_gone_ends_the_app_cleanly(
    terminal: tuple[Terminal, Path],
) -> None:
    term, state = terminal
    _star_the_article(term, state)
    term.hang_up()  # the terminal window is closed: nobody reads what the app writes
    term.process.send_signal(signal.SIGHUP)
    assert term.process.wait(WAIT) == 0
    assert not Path(f"{state}-wal").exists()
    assert len(_starred(state)) == 1


def test_a_terminal_closed_after_a_long_paste_ends_the_app(
    terminal: tuple[Terminal, Path],
) -> None:
    """Thousands of keys still queued and a terminal gone: the app ends within seconds.

    Pasted as keys, as `tmux paste-buffer` or a terminal without bracketed paste sends
    them. Before, a write to the gone terminal ended Textual's writer thread, the next 30
    frames filled its queue and the 31st blocked the app for good (SIGTERM ignored too).
    """
    term, _ = terminal
    term.wait_for(lambda: BRACKETED_PASTE_ON in term.output, "the app up")
    term.wait_for(lambda: b"Signal test article" in term.output, "article on screen")
    term.type(b"/" + b"x" * 5000)
    time.sleep(0.2)  # the escape alone, not alt+y
    term.type(b"\x1b")
    time.sleep(0.2)
    term.type(b"y" * 10000)
    term.hang_up()
    assert term.ends_within(END_WAIT), "the app still runs after its terminal was closed"


# A session leader that ignores SIGHUP and waits for the app it starts (as `make run` does):
# the kernel's SIGHUP at a hang-up goes to it alone, the app gets none.
BEHIND_A_LEADER = (
    "import fcntl, signal, subprocess, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "signal.signal(signal.SIGHUP, signal.SIG_IGN); "
    "sys.exit(subprocess.call([sys.executable, '-m', 'reader', *sys.argv[1:]]))"
)


def test_an_idle_app_whose_terminal_closed_ends_without_a_sighup(tmp_path: Path) -> None:
    """Idle, the app writes nothing, so no write fails; with no SIGHUP either, it read
    end-of-file in a loop at 100 % CPU for good (and its parent waited for it)."""
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "one.md").write_text("---\ntitle: Idle article\n---\nBody.\n")
    term = Terminal(feed, tmp_path / "state.db", tmp_path / "index.db", launcher=BEHIND_A_LEADER)
    try:
        term.wait_for(lambda: b"Idle article" in term.output, "article on screen")
        time.sleep(0.5)  # idle: nothing more to draw
        term.hang_up()
        assert term.ends_within(END_WAIT), "the app still runs after its terminal was closed"
    finally:
        term.close()


class StalledServer:
    """A loopback HTTP server that sends its headers, then nothing, until the test ends."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/feed.xml"
        self.asked = threading.Event()
        self.done = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return  # closed before anyone asked
        with connection:
            connection.recv(65536)
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
            connection.sendall(head + b"Content-Length: 100000\r\n\r\n<rss>")
            self.asked.set()
            self.done.wait(WAIT)

    def close(self) -> None:
        self.done.set()
        self.listener.close()


@pytest.mark.parametrize("quit_by", ["q", "SIGTERM"])
def test_quitting_during_a_stalled_import_ends_the_app(
    terminal: tuple[Terminal, Path], quit_by: str
) -> None:
    """The import's thread, stuck on the server for up to its 20 s timeout, holds nothing."""
    term, _ = terminal
    server = StalledServer()
    try:
        term.wait_for(lambda: b"Signal test article" in term.output, "article on screen")
        term.type(b"i")
        term.wait_for(lambda: b"Import a feed" in term.output, "the import's prompt")
        term.type(server.url.encode() + b"\r")
        term.wait_for(server.asked.is_set, "the import's request")
        if quit_by == "q":
            term.type(b"q")
        else:
            term.process.send_signal(signal.SIGTERM)
        assert term.ends_within(END_WAIT), f"the app still runs {END_WAIT} s after {quit_by}"
        assert term.process.returncode == 0
    finally:
        server.close()


def test_a_terminal_closed_during_a_cold_load_ends_the_app(tmp_path: Path) -> None:
    """A first load of 5,000 files (every core parsing, the cache being written), then the
    terminal is gone: the app ends within seconds, whatever the load was doing."""
    from generated_feed import generate_feed

    feed = tmp_path / "feed"
    generate_feed(feed, 5000)
    term = Terminal(feed, tmp_path / "state.db", tmp_path / "index.db")
    try:
        term.wait_for(lambda: BRACKETED_PASTE_ON in term.output, "the app up")
        time.sleep(0.3)  # into the load: parsing has begun
        term.hang_up()
        assert term.ends_within(END_WAIT), "the app still runs after its terminal was closed"
    finally:
        term.close()
