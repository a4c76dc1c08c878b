"""The config file: reading, every kind of bad input, precedence, the `--init` template."""

from __future__ import annotations

import os
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.core.browser import browser_command, command_opener
from reader.core.config import (
    CONFIG_ENV,
    DEFAULT,
    FROM_COMMAND_LINE,
    FROM_FILE,
    KEYS,
    MAX_CONFIG_BYTES,
    ConfigLoad,
    SavedSearch,
    Settings,
    config_path,
    load_config,
    parse_config,
    resolve,
    template,
    write_template,
)
from reader.core.config_shown import toml_value
from reader.core.resources import FEED_ENV

GOOD = """
feed = "{feed}"
theme = "nord"
sort = "newest"
hide_read = true
read_after_seconds = 0
browser = ["firefox", "--new-tab", "{{url}}"]
watch = false

[keys]
"feed.open" = "x"
feed.sort = ["S", "ctrl+s"]

[[searches]]
name = "AI"
query = "topic:ai"
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_key_is_read(tmp_path: Path) -> None:
    load = load_config(write(tmp_path, GOOD.format(feed=tmp_path)))
    settings = load.settings
    assert load.found and load.problems == ()
    assert settings.feed == tmp_path
    assert (settings.theme, settings.sort, settings.hide_read) == ("nord", "newest", True)
    assert settings.read_after_seconds == 0.0 and settings.watch is False
    assert settings.browser == ("firefox", "--new-tab", "{url}")
    # Quoted and dotted (a nested TOML table) spellings name the same command ids.
    assert settings.keys == {"feed.open": ("x",), "feed.sort": ("S", "ctrl+s")}
    assert settings.searches == (SavedSearch("AI", "topic:ai"),)
    assert settings.source("theme") == FROM_FILE and settings.origin == load.path


def test_no_file_at_the_default_place_means_the_defaults(tmp_path: Path) -> None:
    load = load_config(tmp_path / "config.toml")
    assert not load.found and load.problems == () and load.settings == Settings()


def test_a_file_asked_for_must_exist(tmp_path: Path) -> None:
    load = load_config(tmp_path / "nope.toml", required=True)
    assert [p.reason for p in load.problems] == ["no such file"]
    assert str(tmp_path / "nope.toml") in str(load.problems[0])


def test_a_file_that_is_not_toml_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'sort = "newest"\ntheme = \n')
    load = load_config(path)
    (problem,) = load.problems
    assert problem.path == path and problem.where.startswith("line 2")
    assert load.settings == Settings()  # nothing of a file that does not parse is used


def test_a_file_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'theme = "\xff"\n')
    (problem,) = load_config(path).problems
    assert problem.where == "file" and "utf-8" in problem.reason.lower()


def _fifo(folder: Path) -> Path:
    path = folder / "config.toml"
    os.mkfifo(path)  # no writer: a blocking open would wait forever
    return path


def _folder(folder: Path) -> Path:
    path = folder / "config.toml"
    path.mkdir()
    return path


def _two_megabytes(folder: Path) -> Path:
    path = folder / "config.toml"
    with path.open("wb") as file:
        file.truncate(2 * MAX_CONFIG_BYTES)  # sparse: no disk used
    return path


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_fifo, "not a regular file but a named pipe; not read"),
        (lambda _: Path("/dev/zero"), "not a regular file but a character device; not read"),
        (_folder, "is a folder, not a config file"),
        (_two_megabytes, "file is too large (2,097,152 bytes; the limit is 1,048,576)"),
    ],
    ids=["fifo", "dev-zero", "folder", "2MB"],
)
def test_a_config_that_is_not_a_small_file_is_a_problem_at_once(
    tmp_path: Path, make: Callable[[Path], Path], reason: str
) -> None:
    path = make(tmp_path)
    loads: list[ConfigLoad] = []
    reading = threading.Thread(target=lambda: loads.append(load_config(path)), daemon=True)
    reading.start()
    reading.join(timeout=10)  # a hang fails the test instead of holding the suite
    assert not reading.is_alive(), f"reading {path} did not end"
    (load,) = loads
    (problem,) = load.problems
    assert (problem.path, problem.where, problem.reason) == (path, "file", reason)
    assert load.found and load.settings == Settings()


@pytest.mark.parametrize(
    ("line", "key", "reason"),
    [
        ("theme = 3", "theme", "must be a string"),
        ('theme = "  "', "theme", "must name a theme"),
        ("sort = true", "sort", "must be a string"),
        ('sort = "random"', "sort", "must be one of"),
        ('hide_read = "yes"', "hide_read", "must be true or false"),
        ('read_after_seconds = "2"', "read_after_seconds", "must be a number"),
        ("read_after_seconds = -1", "read_after_seconds", "between 0 and"),
        ("read_after_seconds = nan", "read_after_seconds", "between 0 and"),
        ("read_after_seconds = true", "read_after_seconds", "must be a number"),
        ('browser = "firefox {url}"', "browser", "list of words"),
        ('browser = ["firefox"]', "browser", "{url}"),
        ('browser = ["firefox", "--new-tab {url}"]', "browser", "{url}"),
        ("watch = 1", "watch", "must be true or false"),
        ('feed = "/no/such/folder/anywhere"', "feed", "does not exist"),
        ("colour = 1", "colour", "unknown key"),
    ],
)
def test_a_bad_key_is_named_and_keeps_its_default(
    tmp_path: Path, line: str, key: str, reason: str
) -> None:
    # A good key beside the bad one still counts.
    good, check = ("sort = 'newest'", "sort") if key == "watch" else ("watch = false", "watch")
    load = load_config(write(tmp_path, f"{line}\n{good}\n"))
    problems = [p for p in load.problems if p.where == f"key {key!r}"]
    assert len(problems) == 1 and reason in problems[0].reason, load.problems
    assert str(problems[0]).startswith(f"{tmp_path / 'config.toml'}: key {key!r}: ")
    assert getattr(load.settings, key, None) == getattr(Settings(), key, None)
    assert getattr(load.settings, check) != getattr(Settings(), check)
    # What was refused is kept, so that `reader config` can show it beside the default.
    refused = {} if key == "colour" else {key: repr(tomllib.loads(line)[key])}  # repr: nan
    assert {name: repr(value) for name, value in load.refused.items()} == refused


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "(unset)"),
        (True, "true"),
        (1.5, "1.5"),
        ("nrod", '"nrod"'),
        (Path("/a b"), '"/a b"'),
        (("open", "{url}"), '["open", "{url}"]'),
        (["x", 3], '["x", 3]'),
        ({"a": 1}, '{"a": 1}'),
    ],
)
def test_a_value_is_shown_as_toml_writes_it(value: object, shown: str) -> None:
    assert toml_value(value) == shown


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('keys = "o"', "key 'keys'"),
        ('[keys]\n"feed.open" = 3', "key 'keys.feed.open'"),
        ('[keys]\n"feed.open" = []', "key 'keys.feed.open'"),
        ('[keys]\n"feed.open" = "a,b"', "key 'keys.feed.open'"),
        ('searches = "AI"', "key 'searches'"),
        ('[[searches]]\nquery = "ai"', "[[searches]] #1"),
        ('[[searches]]\nname = "AI"', "[[searches]] #1"),
        ('[[searches]]\nname = "AI"\nquery = "ai"\ncolour = "red"', "[[searches]] #1"),
    ],
)
def test_bad_keys_and_searches_are_named(tmp_path: Path, text: str, where: str) -> None:
    load = load_config(write(tmp_path, text))
    assert [p.where for p in load.problems] == [where]


def test_a_search_with_an_unknown_field_is_kept(tmp_path: Path) -> None:
    text = '[[searches]]\nname = "AI"\nquery = "ai"\ncolour = "red"'
    assert load_config(write(tmp_path, text)).settings.searches == (SavedSearch("AI", "ai"),)


def test_config_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert config_path() == (tmp_path / "xdg" / "reader" / "config.toml", False)
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "env.toml"))
    assert config_path() == (tmp_path / "env.toml", True)
    assert config_path(str(tmp_path / "cli.toml")) == (tmp_path / "cli.toml", True)


def test_command_line_beats_environment_beats_file(tmp_path: Path) -> None:
    (tmp_path / "file").mkdir()
    (tmp_path / "env").mkdir()
    text = f'feed = "{tmp_path / "file"}"\nread_after_seconds = 4'
    settings = load_config(write(tmp_path, text)).settings
    assert resolve(settings, environ={}).feed == tmp_path / "file"
    from_env = resolve(settings, environ={FEED_ENV: str(tmp_path / "env")})
    assert from_env.feed == tmp_path / "env" and from_env.source("feed") == f"${FEED_ENV}"
    from_cli = resolve(settings, feed="cli-feed", read_after_seconds=0.5, environ={FEED_ENV: "env"})
    assert from_cli.feed == Path("cli-feed") and from_cli.read_after_seconds == 0.5
    assert from_cli.source("feed") == from_cli.source("read_after_seconds") == FROM_COMMAND_LINE
    assert resolve(Settings(), environ={}).source("feed") == DEFAULT


def test_the_template_changes_nothing_until_a_line_is_uncommented(tmp_path: Path) -> None:
    text = template([("feed.open", ["o"], "open it"), ("feed.reload", ["r", "ctrl+r"], "again")])
    load = parse_config(text, tmp_path / "config.toml")
    assert load.problems == () and load.settings.keys == {}
    assert '# "feed.reload" = ["r", "ctrl+r"]  # again' in text
    for key in KEYS:
        line = next(line for line in text.splitlines() if line.startswith(f"# {key.name} = "))
        uncommented = parse_config(line[2:], tmp_path / "config.toml")
        # Each documented default is a valid value (the example feed folder need not exist).
        assert [p.where for p in uncommented.problems] == (["key 'feed'"] * (key.name == "feed"))
    tomllib.loads(text)


def test_init_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "config.toml"
    assert write_template(path)
    path.write_text('theme = "mine"\n')
    assert not write_template(path)
    assert path.read_text() == 'theme = "mine"\n'


def test_the_browser_command_gets_the_url_as_one_word() -> None:
    url = "https://example.com/a b;$(rm -rf ~)"
    assert browser_command(["open", "-a", "{url}"], url) == ["open", "-a", url]


def test_the_browser_command_runs_without_a_shell(tmp_path: Path) -> None:
    record = tmp_path / "opened.txt"
    script = f"import sys; open({str(record)!r}, 'a').write(sys.argv[1] + '\\n')"
    opener = command_opener([sys.executable, "-c", script, "{url}"])
    url = "https://example.com/?q=1&x=$(touch pwned)"
    assert opener(url) is True
    deadline = time.monotonic() + 30
    # The file exists as soon as the child opens it, before its line is written.
    while not (record.exists() and record.read_text().endswith("\n")):
        assert time.monotonic() < deadline, "the browser command never wrote its argument"
        time.sleep(0.02)
    assert record.read_text() == url + "\n"
    assert not (tmp_path / "pwned").exists()


def test_a_browser_that_cannot_start_raises() -> None:
    with pytest.raises(FileNotFoundError):
        command_opener(["/no/such/browser", "{url}"])("https://example.com/")
