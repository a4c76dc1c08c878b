"""Shared fixtures. Every test runs with its own state and cache files, never the user's."""

from __future__ import annotations

import pytest
from hypothesis import settings

from examples import DEEP_FACTOR, FAST_DIVISOR, ORDINARY

# `pytest --hypothesis-profile=deep` (`make test-deep`): ten times the examples everywhere,
# with no deadline (a slow example on a busy machine is not a failure). See tests/examples.py.
settings.register_profile("deep", max_examples=ORDINARY * DEEP_FACTOR, deadline=None)
# `make test-fast`, the edit-test loop: a fifth of the examples (CI and `make test` run all).
settings.register_profile("fast", max_examples=ORDINARY // FAST_DIVISOR)


@pytest.fixture(autouse=True)
def isolated_user_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point the reading state, the index cache, the fetched texts and the config folder at
    a fresh temporary folder (no config file there: the defaults)."""
    folder = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("READER_STATE", str(folder / "state.db"))
    monkeypatch.setenv("READER_CACHE", str(folder / "index.db"))
    monkeypatch.setenv("READER_TEXTS", str(folder / "texts.db"))
    monkeypatch.delenv("READER_FETCH_ALLOW", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))
    monkeypatch.delenv("READER_FEED", raising=False)
    monkeypatch.delenv("READER_CONFIG", raising=False)
