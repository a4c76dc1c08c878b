"""Which names are themes, asked by the app and by `reader config` alike, and where the theme
last picked is kept (the state database's settings)."""

from __future__ import annotations

THEME_SETTING = "theme"


def is_theme(name: str | None) -> bool:
    """Whether Textual has a theme of that name (a remembered one a newer Textual dropped is
    not one)."""
    from textual.theme import BUILTIN_THEMES

    return name is not None and name in BUILTIN_THEMES


def not_a_theme(origin: str, name: str) -> str:
    """The problem a configured theme that is none is said as."""
    return f"{origin}: key 'theme': {name!r} is not a theme"
