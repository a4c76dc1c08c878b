"""The `browser` setting: a command, as a list of words, that opens a URL.

Run without a shell, the URL as one word where `{url}` stands, so that nothing in a URL can
become a command. The process is left to run (a browser may stay open); its output goes
nowhere, so that it never draws over the reader's screen.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence

from reader.core.config import URL_PLACEHOLDER


def browser_command(words: Sequence[str], url: str) -> list[str]:
    """The command line that opens `url`: each `{url}` word replaced by the URL."""
    return [url if word == URL_PLACEHOLDER else word for word in words]


def command_opener(words: Sequence[str]) -> Callable[[str], bool]:
    """An opener (like `webbrowser.open`) that runs the configured command.

    A command that cannot be started raises OSError, which the app reports.
    """

    def open_url(url: str) -> bool:
        subprocess.Popen(
            browser_command(words, url),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # the terminal's signals (ctrl+c, closing it) spare it
        )
        return True

    return open_url
