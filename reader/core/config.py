"""The config file: TOML at platformdirs' `user_config_dir("reader")/config.toml`.

Read with the standard library's `tomllib`; every key is optional. A faulty part (a file
that is not TOML, a key of the wrong type, an unknown key, a feed folder that does not
exist, a browser command without `{url}`) is a `ConfigProblem` naming the file, the line or
key and the reason, and that part keeps its default: the rest of the file still counts.
The reader never writes the file, except `reader config --init` (`template`), which never
overwrites one.

Precedence, applied by `resolve`: command line > environment > config file > defaults.
Plain Python, no Textual: which key names and command ids exist is checked by the UI
(`reader.ui.keymap`), which knows the command table.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs

from reader.core.model import printable
from reader.core.ordering import DEFAULT_ORDER, SORT_ORDERS
from reader.core.resources import FEED_ENV

CONFIG_ENV = "READER_CONFIG"
SYNC_ENV = "READER_SYNC_FOLDER"
READ_AFTER_SECONDS = 1.5
MAX_READ_AFTER = 86400
URL_PLACEHOLDER = "{url}"
# A config file is a few kB; a larger one is not read (nor waited for).
MAX_CONFIG_BYTES = 1024 * 1024

FETCH_MANUAL = "manual"
FETCH_MODES = (FETCH_MANUAL, "on-open")

DEFAULT = "default"
FROM_FILE = "config file"
FROM_COMMAND_LINE = "command line"


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A `[[searches]]` entry: a named query shown in the sidebar."""

    name: str
    query: str


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """What is wrong in a config file: which file, where in it, and why."""

    path: Path
    where: str  # "line 3, column 7" or "key 'sort'"
    reason: str

    def __str__(self) -> str:
        return printable(f"{self.path}: {self.where}: {self.reason}")


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings in force, and where each came from (`sources`: key -> origin)."""

    feed: Path | None = None
    theme: str | None = None
    sort: str = DEFAULT_ORDER
    hide_read: bool | None = None
    read_after_seconds: float = READ_AFTER_SECONDS
    browser: tuple[str, ...] | None = None
    watch: bool = True
    fetch: str = FETCH_MANUAL
    fetch_allow: tuple[str, ...] = ()
    sync_folder: Path | None = None  # the reading state shared through it (reader.core.sync)
    group_stories: bool = True
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    searches: tuple[SavedSearch, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)
    origin: Path | None = None  # the config file they were read from

    def source(self, key: str) -> str:
        return self.sources.get(key, DEFAULT)


@dataclass(frozen=True, slots=True)
class ConfigLoad:
    """A config file read: its path, whether it exists, the settings and the problems."""

    path: Path
    found: bool
    settings: Settings
    problems: tuple[ConfigProblem, ...] = ()
    # key -> the value the file gave it that its check refused (its default is in force).
    refused: Mapping[str, Any] = field(default_factory=dict)


# --- where the file is -----------------------------------------------------------------


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir("reader")) / "config.toml"


def config_path(command_line: str | None = None) -> tuple[Path, bool]:
    """The config file to read and whether it was asked for (`--config`, `$READER_CONFIG`).

    A file asked for must exist; the default one may be missing (then defaults apply).
    """
    chosen = command_line or os.environ.get(CONFIG_ENV)
    if chosen:
        return Path(chosen).expanduser(), True
    return default_config_path(), False


# --- the keys --------------------------------------------------------------------------

Check = Callable[[Any], Any]  # returns the value to use, or raises ValueError saying why


@dataclass(frozen=True, slots=True)
class Key:
    """A top-level key: its check, its default as written in `--init`, what it does."""

    name: str
    check: Check
    example: str
    help: str


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be a string, not {_type_name(value)}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_type_name(value)}")
    return value


def _feed(value: Any) -> Path:
    path = Path(_string(value)).expanduser()
    if not path.exists():
        raise ValueError(f"the feed folder does not exist: {path}")
    return path


def _folder(value: Any) -> Path:
    return Path(_string(value)).expanduser()  # may be missing now: a drive not mounted yet


def _sort(value: Any) -> str:
    order = _string(value)
    if order not in SORT_ORDERS:
        raise ValueError(f"must be one of {', '.join(SORT_ORDERS)}, not {order!r}")
    return order


def _theme(value: Any) -> str:
    name = _string(value).strip()
    if not name:
        raise ValueError("must name a theme")
    return name


def read_after(value: Any) -> float:
    """Seconds on an article before it becomes read: 0 to a day (0: only when opened)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"must be a number of seconds, not {_type_name(value)}")
    if math.isnan(value) or not 0 <= value < MAX_READ_AFTER:
        raise ValueError(f"must be between 0 and {MAX_READ_AFTER} seconds, not {value}")
    return float(value)


def _browser(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(w, str) for w in value):
        raise ValueError('must be a list of words, e.g. ["firefox", "--new-tab", "{url}"]')
    if URL_PLACEHOLDER not in value:
        raise ValueError(f"must have {URL_PLACEHOLDER} as one of its words (the URL goes there)")
    return tuple(value)


def _fetch(value: Any) -> str:
    if value not in FETCH_MODES:
        raise ValueError(f"must be one of {', '.join(map(repr, FETCH_MODES))}, not {value!r}")
    return str(value)


def _fetch_allow(value: Any) -> tuple[str, ...]:
    """Host names or addresses a full-text fetch may reach though they are on this network."""
    words = [value] if isinstance(value, str) else value
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ValueError('must be a list of host names or addresses, e.g. ["127.0.0.1"]')
    return tuple(word.strip().lower() for word in words)


KEYS: tuple[Key, ...] = (
    Key("feed", _feed, '"~/news"', "the feed folder opened when none is given (an example)"),
    Key(
        "theme",
        _theme,
        '"textual-dark"',
        "a Textual theme (an example); unset: the one you last picked",
    ),
    Key("sort", _sort, f'"{DEFAULT_ORDER}"', f"the order at start: {', '.join(SORT_ORDERS)}"),
    Key("hide_read", _boolean, "false", "start with read articles hidden (unset: as you left it)"),
    Key(
        "read_after_seconds",
        read_after,
        str(READ_AFTER_SECONDS),
        "an article you stay on becomes read after this long (0: only when opened)",
    ),
    Key(
        "browser",
        _browser,
        '["firefox", "--new-tab", "{url}"]',
        "the command that opens a link, run without a shell (an example; unset: $BROWSER, "
        "else the system's)",
    ),
    Key("watch", _boolean, "true", "notice new, changed and deleted files while running"),
    Key("fetch", _fetch, f'"{FETCH_MANUAL}"', "an article's full text: manual, or on-open"),
    Key(
        "fetch_allow",
        _fetch_allow,
        '["127.0.0.1"]',
        "hosts on this machine or network a full-text fetch may reach (an example; unset: none)",
    ),
    Key(
        "sync_folder",
        _folder,
        '"~/Sync/reader"',
        "share read and starred marks with other machines through this folder, carried by "
        "Syncthing, Dropbox, git... (an example; unset: not shared)",
    ),
    Key("group_stories", _boolean, "true", "one row per story: the same news from several outlets"),
)
KEY_NAMES = frozenset(key.name for key in KEYS) | {"keys", "searches"}


def _type_name(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


# --- reading ---------------------------------------------------------------------------


def load_config(path: Path, *, required: bool = False) -> ConfigLoad:
    """Read the config file at `path`; a missing file is a problem only when `required`.

    Read as an article file is (`loader.read_bytes`): a regular file only, opened without
    blocking (a named pipe would wait for a writer forever), at most MAX_CONFIG_BYTES (a
    device such as /dev/zero never ends). Anything else is a problem naming the reason.
    """
    if not path.exists() and not path.is_symlink():
        problems = (ConfigProblem(path, "file", "no such file"),) if required else ()
        return ConfigLoad(path, False, Settings(), problems)
    if path.is_dir():
        return _unreadable(path, "is a folder, not a config file")
    from reader.core.fields import FileSkipped  # the loader: only when there is a file
    from reader.core.loader import read_bytes

    try:
        text = read_bytes(path, MAX_CONFIG_BYTES).decode("utf-8")
    except FileSkipped as skipped:
        return _unreadable(path, skipped.reason)
    except UnicodeDecodeError as error:
        return _unreadable(path, f"not valid UTF-8 ({error})")
    return parse_config(text, path)


def _unreadable(path: Path, reason: str) -> ConfigLoad:
    """A config file that is there but cannot be read: the defaults, and why."""
    return ConfigLoad(path, True, Settings(), (ConfigProblem(path, "file", reason),))


_TOML_POSITION = re.compile(r"\s*\(at (line \d+, column \d+|end of document)\)$")


def parse_config(text: str, path: Path) -> ConfigLoad:
    """The settings a config file's text gives, with a problem for each faulty part."""
    import tomllib  # here: most runs have no config file, and tomllib takes ~20 ms to import

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _TOML_POSITION.search(message)
        where = found.group(1) if found else "file"
        reason = message[: found.start()] if found else message
        return ConfigLoad(path, True, Settings(), (ConfigProblem(path, where, reason),))
    problems: list[ConfigProblem] = []

    def problem(where: str, reason: str) -> None:
        problems.append(ConfigProblem(path, where, reason))

    values: dict[str, Any] = {}
    refused: dict[str, Any] = {}
    for name, value in data.items():
        key = next((k for k in KEYS if k.name == name), None)
        if name in ("keys", "searches"):
            continue
        if key is None:
            problem(f"key {name!r}", f"unknown key (known: {', '.join(sorted(KEY_NAMES))})")
            continue
        try:
            values[name] = key.check(value)
        except ValueError as error:
            problem(f"key {name!r}", f"{error}; the default is used")
            refused[name] = value
    keys = _key_table(data.get("keys", {}), problem)
    searches = _searches(data.get("searches", []), problem)
    sources = dict.fromkeys(values, FROM_FILE)
    if keys:
        sources["keys"] = FROM_FILE
    if searches:
        sources["searches"] = FROM_FILE
    settings = Settings(**values, keys=keys, searches=searches, sources=sources, origin=path)
    return ConfigLoad(path, True, settings, tuple(problems), refused)


Report = Callable[[str, str], None]


def _key_table(table: Any, problem: Report) -> dict[str, tuple[str, ...]]:
    """`[keys]`: command id -> keys. `feed.open = "x"` (a nested table in TOML) is
    `"feed.open" = "x"`: both spellings name the command `feed.open`."""
    if not isinstance(table, dict):
        problem("key 'keys'", f"must be a table of command id = key(s), not {_type_name(table)}")
        return {}
    keys: dict[str, tuple[str, ...]] = {}
    for command_id, value in _flatten(table):
        words = [value] if isinstance(value, str) else value
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            problem(f"key 'keys.{command_id}'", "must be a key or a list of keys")
            continue
        cleaned = tuple(word.strip() for word in words)
        if any(not word or "," in word for word in cleaned):
            problem(f"key 'keys.{command_id}'", "a key name is empty or has a comma in it")
            continue
        keys[command_id] = cleaned
    return keys


def _flatten(table: dict[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    for name, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", value


def _searches(entries: Any, problem: Report) -> tuple[SavedSearch, ...]:
    if not isinstance(entries, list):
        problem("key 'searches'", 'must be [[searches]] tables with name = "…" and query = "…"')
        return ()
    searches: list[SavedSearch] = []
    for number, entry in enumerate(entries, 1):
        where = f"[[searches]] #{number}"
        if not isinstance(entry, dict):
            problem(where, "must be a table with name and query")
            continue
        unknown = sorted(set(entry) - {"name", "query"})
        if unknown:
            problem(where, f"unknown key {unknown[0]!r} (known: name, query)")
        name, query = entry.get("name"), entry.get("query")
        if not isinstance(name, str) or not name.strip():
            problem(where, "needs a name (a string)")
        elif not isinstance(query, str):
            problem(where, f"{name!r} needs a query (a string)")
        else:
            searches.append(SavedSearch(name.strip(), query))
    return tuple(searches)


# --- precedence ------------------------------------------------------------------------


def resolve(
    settings: Settings,
    *,
    feed: str | None = None,
    read_after_seconds: float | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings in force: the command line's, then the environment's, over the file's."""
    environ = os.environ if environ is None else environ
    sources = dict(settings.sources)
    changes: dict[str, Any] = {}
    if feed:
        changes["feed"], sources["feed"] = Path(feed).expanduser(), FROM_COMMAND_LINE
    elif environ.get(FEED_ENV):
        changes["feed"], sources["feed"] = Path(environ[FEED_ENV]).expanduser(), f"${FEED_ENV}"
    if environ.get(SYNC_ENV):
        changes["sync_folder"] = Path(environ[SYNC_ENV]).expanduser()
        sources["sync_folder"] = f"${SYNC_ENV}"
    if read_after_seconds is not None:
        changes["read_after_seconds"] = read_after_seconds
        sources["read_after_seconds"] = FROM_COMMAND_LINE
    return replace(settings, **changes, sources=sources)


def problems_notice(problems: Sequence[str], origin: Path | None) -> str:
    """What the app says at start of the config's problems: the problem itself when it is the
    only one; else one notice that counts them and names the command that lists them (a
    toast each would stack over half the list)."""
    if len(problems) == 1:
        return problems[0]
    command = "reader config"
    if origin is not None and origin != default_config_path():
        command += f" --config {shlex.quote(str(origin))}"
    return printable(
        f"The config file has {len(problems)} problems (their defaults are used): "
        f"`{command}` lists them"
    )


# --- writing the commented file ------------------------------------------------------


# (command id, its default keys as a person types them, what it does)
DefaultKeys = Iterable[tuple[str, Sequence[str], str]]


def template(default_keys: DefaultKeys = ()) -> str:
    """What `reader config --init` writes: every key at its default, commented out (so that
    the file changes nothing until a line is uncommented); the commands' keys as `[keys]`."""
    lines = [
        "# reader's configuration (TOML). Every key is optional and commented out: uncomment one",
        "# to change it. Each shows its default, or an example where it is unset by default.",
        "# `reader config` shows the settings in force and where each one comes from.",
        "",
    ]
    for key in KEYS:
        lines += [f"# {key.help}", f"# {key.name} = {key.example}", ""]
    lines += [
        "# Saved searches: shown in the sidebar under Starred, with their counts.",
        "# [[searches]]",
        '# name = "Unread AI"',
        '# query = "topic:ai is:unread"',
        "",
        "# Keys: command id = a key or a list of keys (these are the defaults).",
        "[keys]",
    ]
    for command_id, keys, help_text in default_keys:
        lines.append(f"# {json.dumps(command_id)} = {_toml_words(keys)}  # {help_text}")
    return "\n".join(lines) + "\n"


def _toml_words(words: Sequence[str]) -> str:
    quoted = [json.dumps(word) for word in words]
    return quoted[0] if len(quoted) == 1 else f"[{', '.join(quoted)}]"


def write_template(path: Path, default_keys: DefaultKeys = ()) -> bool:
    """Write `template()` to `path` unless a file is there; returns whether it wrote."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(template(default_keys))
    except FileExistsError:
        return False
    return True
