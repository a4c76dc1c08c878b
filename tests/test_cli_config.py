"""`reader config`, `--config`, and the config file's settings in `reader list`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.config import CONFIG_ENV
from reader.core.storage.state import StateStore
from reader.ui.commands import COMMANDS, TEXTUAL_KEYS

TWO = {
    "old.md": "---\ntitle: Old but good\npublishedDateTime: 2020-01-01\nquality: 90\n---\n",
    "new.md": "---\ntitle: New and weak\npublishedDateTime: 2024-01-01\nquality: 10\n---\n",
}


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    folder.mkdir()
    for name, text in TWO.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def config(tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    return path


def titles(out: str) -> list[str]:
    return [record["title"] for record in json.loads(out)]


def test_config_shows_each_setting_and_where_it_comes_from(
    tmp_path: Path, feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, f'feed = "{feed}"\nsort = "newest"\n', monkeypatch)
    status, out, err = run(["config"], capsys)
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"config file: {path}"
    assert f'feed = "{feed}"  # config file' in lines
    assert 'sort = "newest"  # config file' in lines
    assert "read_after_seconds = 1.5  # default" in lines
    monkeypatch.setenv("READER_FEED", str(tmp_path))
    _, out, _ = run(["config"], capsys)
    assert f'feed = "{tmp_path}"  # $READER_FEED' in out.splitlines()


def test_config_prints_toml_that_reads_back_as_the_same_settings(
    tmp_path: Path, feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        f'feed = "{feed}"\nbrowser = ["open", "{{url}}"]\n[keys]\n"feed.toggle_star" = "*"\n'
        '[[searches]]\nname = "Say \\"hi\\""\nquery = "topic:ai"\n'
    )
    config(tmp_path, text, monkeypatch)
    status, out, _ = run(["config"], capsys)
    assert status == 0
    shown = tomllib.loads(out.split("\n", 1)[1])  # after the line naming the file
    assert shown["feed"] == str(feed) and shown["browser"] == ["open", "{url}"]
    assert shown["keys"] == {"feed.toggle_star": ["*"]}
    assert shown["searches"] == [{"name": 'Say "hi"', "query": "topic:ai"}]
    assert "theme" not in shown  # unset: shown commented out


def test_config_without_a_file_says_the_defaults_are_in_force(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(["config"], capsys)
    assert status == 0 and out.splitlines()[0].endswith("config.toml (none: defaults)")


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('sort = "newest"\ntheme = \n', "line 2"),
        ("colour = 1", "key 'colour': unknown key"),
        ('[keys]\n"feed.nope" = "x"', "unknown command 'feed.nope'"),
        ('[keys]\n"feed.sort" = "ctrl+shift+banana"', "'ctrl+shift+banana': 'banana' is not a key"),
        ('[keys]\n"feed.sort" = "o"', "'o' would be bound twice"),
        ('[[searches]]\nname = "Bad"\nquery = "quality>>"', "'Bad': the query does not parse"),
        ('theme = "no-such-theme"', "key 'theme': 'no-such-theme' is not a theme"),
    ],
)
def test_config_reports_each_problem_and_exits_1(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    said: str,
) -> None:
    path = config(tmp_path, text, monkeypatch)
    status, _, err = run(["config"], capsys)
    assert status == 1
    (line,) = err.splitlines()
    assert line.startswith(f"reader config: {path}: ") and said in line


def test_config_init_writes_every_key_and_command_then_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new" / "config.toml"
    status, out, _ = run(["config", "--init", "--config", str(path)], capsys)
    assert (status, out) == (0, f"wrote {path}\n")
    text = path.read_text()
    assert tomllib.loads(text) == {"keys": {}}  # all commented out: it changes nothing
    for command in COMMANDS:
        assert (f'# "{command.id}" = ' in text) == (command.id not in TEXTUAL_KEYS)
    path.write_text("# mine\n")
    status, _, err = run(["config", "--init", "--config", str(path)], capsys)
    assert status == 2 and "already there" in err and path.read_text() == "# mine\n"


def test_list_takes_the_feed_and_order_from_the_config(
    tmp_path: Path, feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config(tmp_path, f'feed = "{feed}"\nsort = "newest"\n', monkeypatch)
    status, out, _ = run(["list", "--format", "json"], capsys)
    assert status == 0 and titles(out) == ["New and weak", "Old but good"]
    _, out, _ = run(["list", "--format", "json", "--sort", "quality"], capsys)
    assert titles(out) == ["Old but good", "New and weak"]  # the command line wins


def test_a_bad_config_does_not_stop_list_and_is_said_on_stderr(
    tmp_path: Path, feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = config(tmp_path, 'sort = "random"\n', monkeypatch)
    status, out, err = run(["list", str(feed), "--format", "json"], capsys)
    assert status == 0 and titles(out) == ["Old but good", "New and weak"]
    assert err.startswith(f"reader list: config: {path}: key 'sort': must be one of")


def test_a_config_file_asked_for_must_exist(
    tmp_path: Path, feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.toml"
    status, _, err = run(["check", str(feed), "--config", str(missing)], capsys)
    assert status == 0 and f"{missing}: file: no such file" in err


def test_config_naming_a_named_pipe_exits_1_at_once_with_the_reason(tmp_path: Path) -> None:
    pipe = tmp_path / "config.toml"
    os.mkfifo(pipe)  # no writer: a blocking open would wait forever
    done = subprocess.run(
        [sys.executable, "-m", "reader", "config", "--config", str(pipe)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"reader config: {pipe}: file: not a regular file but a named pipe" in done.stderr
    assert "Traceback" not in done.stderr


def shown_settings(out: str) -> dict[str, object]:
    return tomllib.loads(out.split("\n", 1)[1])  # after the line naming the file


def test_config_shows_a_refused_value_beside_the_default_in_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'theme = "nrod"\nsort = "random"\n[keys]\n"feed.sort" = "ctrl+shift+banana"\n'
    text += '"feed.toggle_star" = "*"\n"feed.star" = "x"\n'
    config(tmp_path, text, monkeypatch)
    status, out, err = run(["config"], capsys)
    assert status == 1 and len(err.splitlines()) == 4  # sort, two keys, theme
    lines = out.splitlines()
    assert '# theme = (unset)  # default; refused in the config file: "nrod"' in lines
    assert 'sort = "quality"  # default; refused in the config file: "random"' in lines
    refused = '# "feed.sort" = ["ctrl+shift+banana"]  # refused: the default keys stay: s'
    assert refused in lines and '# "feed.star" = ["x"]  # refused: no such command' in lines
    shown = shown_settings(out)  # what is in force, as TOML
    assert "theme" not in shown and shown["sort"] == "quality"
    assert shown["keys"] == {"feed.toggle_star": ["*"]}


def remember(state: Path, **settings: str) -> None:
    with StateStore.open(state) as store:
        for key, value in settings.items():
            store.set_setting(key, value)


def test_config_shows_the_theme_and_hide_read_remembered_from_the_app(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state.db"
    monkeypatch.setenv("READER_STATE", str(state))
    remember(state, theme="nord", hide_read="1", sort="newest")
    status, out, _ = run(["config"], capsys)
    assert status == 0
    assert 'theme = "nord"  # remembered: as last set in the app (state database)' in out
    assert "hide_read = true  # remembered: as last set in the app (state database)" in out
    assert 'sort = "newest"  # remembered: as last set in the app (state database)' in out
    remember(state, hide_read="0")
    assert shown_settings(run(["config"], capsys)[1])["hide_read"] is False
    # The config's choice wins at start; a refused one does not, and is said beside.
    config(tmp_path, 'theme = "dracula"\nhide_read = "yes"\n', monkeypatch)
    shown = shown_settings(run(["config"], capsys)[1])
    assert (shown["theme"], shown["hide_read"]) == ("dracula", False)
    config(tmp_path, 'theme = "nrod"\n', monkeypatch)
    _, out, _ = run(["config"], capsys)
    assert 'theme = "nord"  # remembered: as last set in the app (state database); ' in out
    assert 'refused in the config file: "nrod"' in out


def test_config_creates_no_state_and_leaves_nothing_beside_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "new" / "state.db"
    status, out, _ = run(["config", "--state", str(missing)], capsys)
    assert status == 0 and "# theme = (unset)  # default" in out
    assert not missing.parent.exists()
    state = tmp_path / "state.db"
    remember(state, theme="nord")
    before = sorted(tmp_path.iterdir())
    assert 'theme = "nord"' in run(["config", "--state", str(state)], capsys)[1]
    assert sorted(tmp_path.iterdir()) == before  # no -wal, no -shm


def test_config_reads_a_running_readers_latest_pick(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.db"
    remember(state, theme="nord")
    with StateStore.open(state) as running:  # its write may still be in the WAL only
        running.set_setting("theme", "dracula")
        _, out, _ = run(["config", "--state", str(state)], capsys)
    assert 'theme = "dracula"  # remembered' in out


def test_config_does_not_read_a_state_path_holding_another_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    status, out, err = run(["config", "--state", str(notes)], capsys)
    assert status == 0 and "# theme = (unset)  # default" in out
    assert err.startswith(f"reader config: {notes} is not an SQLite database")
    assert notes.read_text() == "mine\n"
