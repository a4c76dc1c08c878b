"""Where the files that ship with the reader are: styles and the sample feed.

Installed from a wheel they sit inside the package; in a source checkout (an editable
install) they sit at the top of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

FEED_ENV = "READER_FEED"
STATE_ENV = "READER_STATE"  # here, not in the state module: the command line names it
_PACKAGE = Path(__file__).resolve().parents[1]  # the `reader` package: this file is in reader/core


def _shipped(name: str) -> Path:
    inside = _PACKAGE / name
    return inside if inside.exists() else _PACKAGE.parent / name


def sample_feed_path() -> Path:
    """The bundled sample feed."""
    return _shipped("sample_feed")


def styles_path() -> Path:
    """The folder of `.tcss` files."""
    return _shipped("styles")


def default_feed_path() -> Path:
    """$READER_FEED when set, else the bundled sample feed."""
    configured = os.environ.get(FEED_ENV)
    return Path(configured).expanduser() if configured else sample_feed_path()
