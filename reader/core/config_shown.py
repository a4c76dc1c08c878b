"""What `reader config` prints of the settings in force: one TOML line per key, saying where
its value comes from (the file, a default, the app's memory) and what the file had refused.

Apart from `reader.core.config`, which every start reads: only `reader config` needs these.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reader.core.config import KEYS, Settings

# Where `reader config` says a value in force comes from when the file sets none.
REMEMBERED = "remembered: as last set in the app (state database)"


@dataclass(frozen=True, slots=True)
class Shown:
    """What `reader config` shows besides the settings: what the checks refused and what the
    app remembered.

    Attributes:
        refused: key -> the file's value that was refused (its default, or what the app
            remembered, is in force).
        remembered: key -> the value the app keeps for a key the file does not set.
        refused_keys: command id -> why its `[keys]` remap is not in force.
        default_feed: the feed opened when none is set (the bundled sample).
    """

    refused: Mapping[str, Any] = field(default_factory=dict)
    remembered: Mapping[str, Any] = field(default_factory=dict)
    refused_keys: Mapping[str, str] = field(default_factory=dict)
    default_feed: Path | None = None


def settings_lines(settings: Settings, shown: Shown) -> list[str]:
    """`key = value  # where it comes from`, for every key in force (a refused value is said
    beside its key, as refused); then the keys and searches. TOML that reads back as the
    settings in force."""
    lines = [_setting_line(settings, key.name, shown) for key in KEYS]
    if settings.feed is None and shown.default_feed is not None:
        lines[0] = f"feed = {toml_value(shown.default_feed)}  # default: the bundled sample feed"
        if "feed" in shown.refused:
            lines[0] += f"; refused in the config file: {toml_value(shown.refused['feed'])}"
    if settings.keys:
        lines += ["", "[keys]  # config file"]
        for command_id, keys in settings.keys.items():
            line = f"{json.dumps(command_id)} = {json.dumps(list(keys))}"
            why = shown.refused_keys.get(command_id)
            lines.append(line if why is None else f"# {line}  # refused: {why}")
    for search in settings.searches:
        lines += ["", "[[searches]]  # config file", f"name = {json.dumps(search.name)}"]
        lines.append(f"query = {json.dumps(search.query)}")
    return lines


def _setting_line(settings: Settings, name: str, shown: Shown) -> str:
    value, source = getattr(settings, name), settings.source(name)
    if value is None and name in shown.remembered:
        value, source = shown.remembered[name], REMEMBERED
    line = f"{'# ' if value is None else ''}{name} = {toml_value(value)}  # {source}"
    if name in shown.refused:
        line += f"; refused in the config file: {toml_value(shown.refused[name])}"
    return line


def toml_value(value: Any) -> str:
    """A value as TOML would write it, for `reader config` (`(unset)` for None)."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Path | str):
        return json.dumps(str(value))  # a JSON string is a TOML basic string
    if isinstance(value, tuple | list):
        return "[" + ", ".join(toml_value(word) for word in value) + "]"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, default=str)  # a refused table or date, shown as it was read
