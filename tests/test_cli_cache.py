"""`reader list` and `reader check` through the index cache print what `--no-cache` prints.

The feed: the sample feed, the real-article and hostile fixtures (errors, warnings, two
copies of one URL), read cold (empty cache), warm, and after files are added, changed and
deleted behind the cache's back.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from reader.cli import main

REPO = Path(__file__).resolve().parents[1]
COMMANDS = (
    ["list", "--format", "json"],
    ["list", "--format", "tsv", "--sort", "newest"],
    ["list", "--format", "table", "--query", "ai -robot", "--limit", "7"],
    ["check"],
)


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    root = tmp_path / "feed"
    shutil.copytree(REPO / "sample_feed", root / "sample")
    shutil.copytree(REPO / "tests" / "fixtures" / "real_sample", root / "real")
    shutil.copytree(REPO / "tests" / "fixtures" / "hostile", root / "hostile")
    # a second copy of one article: the later path wins, the other gets a warning
    first = sorted((root / "real").iterdir())[0]
    shutil.copy(first, root / "real" / f"zz-copy-{first.name}")
    return root


def outputs(
    feed: Path, capsys: pytest.CaptureFixture[str], *cache: str
) -> list[tuple[int, str, str]]:
    """Every command's (status, stdout, stderr) with these cache options."""
    results = []
    for command in COMMANDS:
        status = main([*command, str(feed), *cache])
        out, err = capsys.readouterr()
        results.append((status, out, err))
    return results


def test_cached_output_equals_parsing_every_file(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache", str(tmp_path / "index.db")]
    fresh = outputs(feed, capsys, "--no-cache")
    assert fresh[-1][0] == 1 and "error" in fresh[-1][1]  # the hostile files have errors
    assert outputs(feed, capsys, *cache) == fresh  # cold: the cache is filled
    assert (tmp_path / "index.db").is_file()
    assert outputs(feed, capsys, *cache) == fresh  # warm: read from the cache

    # behind the cache's back: one file changed, one deleted, one added
    changed = feed / "sample" / sorted(os.listdir(feed / "sample"))[0]
    changed.write_text(changed.read_text().replace("title:", "title: Changed", 1))
    sorted((feed / "real").iterdir())[1].unlink()
    (feed / "sample" / "new.md").write_text("---\ntitle: A new article\nquality: 99\n---\n")
    fresh_again = outputs(feed, capsys, "--no-cache")
    assert fresh_again != fresh
    assert outputs(feed, capsys, *cache) == fresh_again


def test_the_environment_names_the_default_cache(
    feed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("READER_CACHE", str(tmp_path / "env.db"))
    assert main(["check", str(feed)]) == 1
    capsys.readouterr()
    assert (tmp_path / "env.db").is_file()


def test_no_cache_writes_no_cache_file(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["list", str(feed), "--no-cache", "--cache", str(tmp_path / "unused.db")])
    capsys.readouterr()
    assert not (tmp_path / "unused.db").exists()


def test_an_unusable_cache_is_said_on_stderr_and_the_list_still_printed(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    status, fresh = main(["list", str(feed), "--no-cache"]), capsys.readouterr().out
    assert main(["list", str(feed), "--cache", str(blocked / "index.db")]) == status
    out, err = capsys.readouterr()
    assert out == fresh
    assert "reader list: " in err and "index cache" in err


def _places(path: Path) -> bytes:
    """A browser's history database: an SQLite file the reader must never touch."""
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places(id INTEGER PRIMARY KEY, url TEXT)")
    conn.execute("INSERT INTO moz_places(url) VALUES ('https://example.org/')")
    conn.commit()
    conn.close()
    return path.read_bytes()


@pytest.mark.parametrize("command", [["list"], ["check"], []], ids=["list", "check", "the app"])
def test_a_foreign_cache_is_refused_with_exit_2_and_left_untouched(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    places = tmp_path / "places.sqlite"
    before = _places(places)
    state = ["--state", str(tmp_path / "state.db")] if command != ["check"] else []
    assert main([*command, str(feed), "--cache", str(places), *state]) == 2
    err = capsys.readouterr().err
    assert str(places) in err and "index cache" in err and "untouched" in err
    assert places.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed", "places.sqlite"]


def test_the_state_given_as_the_cache_is_refused(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    state = tmp_path / "state.db"
    assert main(["list", str(feed), "--state", str(state), "--no-cache"]) == 0
    before = state.read_bytes()
    assert main(["list", str(feed), "--state", str(state), "--cache", str(state)]) == 2
    assert "is the reader's reading state" in capsys.readouterr().err
    assert state.read_bytes() == before


@pytest.mark.parametrize("content", [b"my notes\n", b""], ids=["text", "empty"])
def test_a_state_path_that_is_not_a_database_is_refused_not_renamed(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(content)
    assert main(["list", str(feed), "--state", str(notes), "--no-cache"]) == 2
    assert str(notes) in capsys.readouterr().err
    assert notes.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed", "notes.txt"]


def test_a_cache_symlink_is_followed_only_to_a_reader_cache(
    feed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty, link = tmp_path / "empty", tmp_path / "index.db"
    empty.write_bytes(b"")
    link.symlink_to(empty)
    assert main(["check", str(feed), "--cache", str(link)]) == 2
    assert empty.read_bytes() == b""
    link.unlink()
    real = tmp_path / "real.db"
    main(["check", str(feed), "--cache", str(real)])
    link.symlink_to(real)
    capsys.readouterr()
    assert main(["check", str(feed), "--cache", str(link)]) == 1  # the hostile files' errors
    assert "untouched" not in capsys.readouterr().err
