"""What `y` says it did with a URL: the truth about where the copy went.

A terminal app has one way to the clipboard: an OSC 52 escape sequence, which the terminal
takes or ignores without a word back. Inside tmux it is dropped unless tmux's `set-clipboard`
is `on` (its default, `external`, ignores an application's copy), so "Copied" there was
often untrue. tmux is asked for the setting (within `TMUX_DEADLINE_SECONDS`, without holding
the event loop: a tmux slow to answer must not freeze the keys); the notice says what was
sent and, when tmux keeps it, the one line that lets it through.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Mapping

TMUX_DEADLINE_SECONDS = 1.0
TMUX_FIX = "set -g set-clipboard on"
INFO = "information"


async def tmux_clipboard_setting() -> str | None:
    """tmux's `set-clipboard` (`on`, `external`, `off`), or None when tmux does not say
    within the deadline (the question is then ended, not left running)."""
    try:
        tmux = await asyncio.create_subprocess_exec(
            "tmux",
            "show-options",
            "-gv",
            "set-clipboard",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None
    try:
        output, _ = await asyncio.wait_for(tmux.communicate(), TMUX_DEADLINE_SECONDS)
    except TimeoutError:
        return None
    finally:
        if tmux.returncode is None:  # out of time, or the app is quitting
            tmux.kill()
    setting = output.decode(errors="replace").strip()
    return setting if tmux.returncode == 0 and setting else None


async def terminal_copy_notice(
    url: str, environ: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """The notice after `url` was sent to the terminal's clipboard (OSC 52), and its
    severity: a warning when tmux keeps it."""
    environ = os.environ if environ is None else environ
    if not environ.get("TMUX"):
        return f"Copied {url} (sent to the terminal as OSC 52; a few terminals ignore it)", INFO
    setting = await tmux_clipboard_setting()
    if setting == "on":
        return f"Copied {url} (through tmux, as OSC 52)", INFO
    if setting is None:
        return f"Sent {url} as OSC 52; tmux passes it on only with `{TMUX_FIX}`", INFO
    return (
        f"Not copied: tmux drops an application's copy (its set-clipboard is {setting}); "
        f"`{TMUX_FIX}` in ~/.tmux.conf lets it through. The URL: {url}",
        "warning",
    )
