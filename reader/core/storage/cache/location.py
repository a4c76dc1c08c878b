"""Where the index cache lives by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

CACHE_ENV = "READER_CACHE"


def default_cache_path() -> Path:
    """Where the index cache lives.

    Returns:
        `$READER_CACHE` if set and not empty, else `index.db` in platformdirs' user
        cache folder for "reader".
    """
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("reader")) / "index.db"
