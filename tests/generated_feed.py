"""`benchmarks/generate_feed.py`'s `generate_feed`, for tests that need a feed of many files.

The benchmarks folder is not a package: the script is loaded from its path, once.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "generate_feed.py"


def _load() -> Callable[..., None]:
    spec = importlib.util.spec_from_file_location("generate_feed", _SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generate: Callable[..., None] = module.generate_feed
    return generate


generate_feed = _load()
