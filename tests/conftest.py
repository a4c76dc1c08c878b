"""Shared fixtures. Every test runs with its own state and cache files, never the user's."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def isolated_user_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point the reading state and the index cache at a fresh temporary folder."""
    folder = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("READER_STATE", str(folder / "state.db"))
    monkeypatch.setenv("READER_CACHE", str(folder / "index.db"))
    monkeypatch.delenv("READER_FEED", raising=False)
