"""The shared reference articles beside the checkout (`../shared`), which CI always has.

A test that compares the reader with them must not pass by skipping where they are
expected: it fails when CI runs (the `CI` variable, or `READER_REQUIRE_SHARED`, which
`.ci/run` sets) and is skipped, saying why, elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
REQUIRE_ENV = "READER_REQUIRE_SHARED"


def required() -> bool:
    """Whether a missing shared folder is a failure here."""
    return any(os.environ.get(name, "").strip() not in ("", "0") for name in ("CI", REQUIRE_ENV))


def shared_folder(folder: Path = SHARED) -> Path:
    """`folder` when it exists; else fail where it is required, and skip elsewhere."""
    if folder.is_dir():
        return folder
    missing = f"the shared reference files are not at {folder}"
    if required():
        pytest.fail(f"{missing}, and CI or {REQUIRE_ENV} says they must be")
    pytest.skip(f"{missing} (set {REQUIRE_ENV}=1 to make that a failure)")
