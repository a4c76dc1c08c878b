"""What `reader config` prints: the settings in force, each with where it comes from.

The config file's checks are not all of it: a theme Textual does not have and a `[keys]`
remap the keymap refuses are found here (they need Textual and the command table), and the
theme, hide-read and order last picked in the app are in force where the file sets none (they are
kept in the state database, read here as the file lies: nothing is created or changed).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from reader.core.config import DEFAULT, ConfigLoad, Settings
from reader.core.config_shown import REMEMBERED, Shown, settings_lines
from reader.core.ordering import SORT_ORDERS
from reader.core.resources import sample_feed_path
from reader.core.storage.ownership import STATE, ForeignFile, check_own

# The state's settings that stand in for unset config keys (as the app reads them).
REMEMBERED_KEYS = ("theme", "hide_read", "sort")


@dataclass(frozen=True, slots=True)
class ConfigReport:
    """The lines to print, the problems found beyond the file's own, and what else to say."""

    lines: list[str]
    problems: list[str]
    notices: list[str]


def config_report(load: ConfigLoad, settings: Settings, state_path: Path) -> ConfigReport:
    """The settings in force under `load`'s file and the state at `state_path`."""
    from reader.ui.keymap import build_keymap
    from reader.ui.themes import THEME_SETTING, is_theme, not_a_theme

    keymap = build_keymap(settings.keys)
    problems = [f"{load.path}: {problem}" for problem in keymap.problems]
    refused = dict(load.refused)
    if settings.theme is not None and not is_theme(settings.theme):
        problems.append(not_a_theme(str(load.path), settings.theme))
        refused["theme"] = settings.theme
        sources = {key: source for key, source in settings.sources.items() if key != "theme"}
        settings = replace(settings, theme=None, sources=sources)
    stored, notices = _remembered(state_path)
    remembered: dict[str, object] = {}
    if is_theme(stored.get(THEME_SETTING)):  # as the app: one a newer Textual dropped is not
        remembered["theme"] = stored[THEME_SETTING]
    if "hide_read" in stored:
        remembered["hide_read"] = stored["hide_read"] == "1"
    if settings.source("sort") == DEFAULT and stored.get("sort") in SORT_ORDERS:
        sources = {**settings.sources, "sort": REMEMBERED}  # a default is never None: in force
        settings = replace(settings, sort=stored["sort"], sources=sources)
    refused_keys = {i: _why_refused(i) for i in settings.keys if i not in keymap.keymap}
    shown = Shown(refused, remembered, refused_keys, sample_feed_path())
    return ConfigReport(settings_lines(settings, shown), problems, notices)


def _why_refused(command_id: str) -> str:
    """Beside a remap that is not in force: what is in force instead."""
    from reader.ui.commands import TEXTUAL_KEYS
    from reader.ui.keymap import BY_ID

    command = BY_ID.get(command_id)
    if command is None:
        return "no such command"
    if command_id in TEXTUAL_KEYS:
        return "Textual's own key, which cannot be remapped"
    return f"the default keys stay: {', '.join(command.key_names)}"


def _remembered(path: Path) -> tuple[dict[str, str], list[str]]:
    """The settings the app keeps in the state file, and what kept them from being read.

    A missing file stays missing (no state is made to print the config), and a file that is
    not the reader's is not read.
    """
    try:
        if not check_own(path, STATE):
            return {}, []
    except ForeignFile as error:
        return {}, [str(error)]
    # `immutable` reads the file alone and leaves nothing beside it. A WAL there (a reader
    # is running) may hold the latest picks: read through it, read-only (which, without
    # one, would leave a -wal and an -shm file of its own).
    mode = "mode=ro" if Path(f"{path}-wal").exists() else "immutable=1"
    marks = ", ".join("?" for _ in REMEMBERED_KEYS)
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True, timeout=5.0)
        try:
            query = f"SELECT key, value FROM settings WHERE key IN ({marks})"
            rows = conn.execute(query, REMEMBERED_KEYS).fetchall()
        finally:
            conn.close()
    except (sqlite3.Error, ValueError) as error:
        return {}, [f"the reading state {path} could not be read ({error})"]
    return {str(key): str(value) for key, value in rows}, []
