"""`reader import` in a child process, for tests/core/test_import_faults.py.

Usage:
    import_child.py SOURCE FOLDER [--die-at POINT:N] [--wait]
        Imports SOURCE into FOLDER and prints the summary. With --die-at it kills itself
        with SIGKILL at the Nth time it reaches POINT: `mkstemp` (a temporary file made,
        nothing in it), `replace` (the file written and journaled, not renamed into place)
        or `replaced` (renamed, nothing after). With --wait it prints "ready" once imported
        and waits for a line on stdin, so that two imports start together.

`os.fsync` is a no-op here: a process killed is not a power cut (the page cache keeps what
was written), and a few hundred fsyncs would only slow the test down.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reader.core.importer import import_sources


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _counting(real: Callable[..., Any], die_before: int, die_after: int) -> Callable[..., Any]:
    calls = 0

    def hooked(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == die_before:
            _die()
        result = real(*args, **kwargs)
        if calls == die_after:
            _die()
        return result

    return hooked


def _arm(point: str, count: int) -> None:
    if point == "mkstemp":
        tempfile.mkstemp = _counting(tempfile.mkstemp, 0, count)
    elif point == "replace":
        os.replace = _counting(os.replace, count, 0)
    elif point == "replaced":
        os.replace = _counting(os.replace, 0, count)
    else:
        raise SystemExit(f"unknown point {point!r}")


def main(argv: list[str]) -> int:
    source, folder, *options = argv
    os.fsync = lambda fd: None
    if "--die-at" in options:
        point, count = options[options.index("--die-at") + 1].split(":")
        _arm(point, int(count))
    if "--wait" in options:
        print("ready", flush=True)
        sys.stdin.readline()
    report = import_sources([source], Path(folder))
    print(report.summary())
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
