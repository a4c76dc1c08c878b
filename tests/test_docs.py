"""Every key a user can press is in the help screen and in the README."""

from __future__ import annotations

import re
from pathlib import Path

from reader.ui.app import ReaderApp
from reader.ui.keys import HELP_KEYS
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.virtual_list import VirtualList

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
KEY_NAMES = {"question_mark": "?", "slash": "/"}


def help_keys() -> set[str]:
    keys: set[str] = set()
    for names, _ in HELP_KEYS:
        keys.update(part.strip() for part in re.split(r"[,/]", names.replace(" / ", ",")) if part.strip())
    keys.update(name for name, _ in HELP_KEYS if name in ("/", "?"))
    return keys


def bound_keys() -> set[str]:
    keys: set[str] = set()
    for widget in (ReaderApp, VirtualList, DetailPane, FilterBar):
        for binding in widget.BINDINGS:
            for key in binding.key.split(","):  # type: ignore[union-attr]
                keys.add(KEY_NAMES.get(key, key))
    return keys


def test_every_bound_key_is_in_the_help() -> None:
    missing = bound_keys() - help_keys()
    assert not missing, f"keys bound but not in reader/keys.py HELP_KEYS: {sorted(missing)}"


def test_every_help_key_is_in_the_readme() -> None:
    missing = [key for key in help_keys() if f"`{key}`" not in README]
    assert not missing, f"keys in the help but not in the README: {missing}"
