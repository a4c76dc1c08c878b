"""`reader mark` and `reader sync`, and `reader list` showing the marks of other machines.

A "machine" here is a `--state` file of its own; all of them share one sync folder
(`$READER_SYNC_FOLDER`), as machines do through a sync tool.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.core.config import SYNC_ENV
from reader.core.storage.state import StateStore


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def listed(state: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[bool, bool]]:
    """id -> (read, starred) of every sample article, as `reader list --format json` says."""
    status, out, _ = run(["list", "--state", str(state), "--format", "json"], capsys)
    assert status == 0
    return {record["id"]: (record["read"], record["starred"]) for record in json.loads(out)}


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shared = tmp_path / "sync"
    shared.mkdir()
    monkeypatch.setenv(SYNC_ENV, str(shared))
    return shared


@pytest.fixture
def sample_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    return sorted(listed(tmp_path / "lister.db", capsys))


def test_marks_made_on_one_machine_are_listed_on_another(
    folder: Path, tmp_path: Path, sample_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = sample_ids[:2]
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    assert run(["mark", "--state", a, "--read", first, second], capsys)[1] == (
        "marked read 2 articles (2 changed)\n"
    )
    assert run(["mark", "--state", b, "--star", first], capsys)[0] == 0
    assert run(["mark", "--state", b, "--unread", second], capsys)[0] == 0
    marks = listed(tmp_path / "c.db", capsys)
    assert marks[first] == (True, True) and marks[second] == (False, False)
    assert listed(tmp_path / "a.db", capsys) == marks


def test_a_query_marks_what_it_selects_after_the_merge(
    folder: Path, tmp_path: Path, sample_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    run(["mark", "--state", a, "--read", sample_ids[0]], capsys)
    status, out, _ = run(["mark", "--state", b, "--star", "--query", "is:unread"], capsys)
    assert status == 0
    assert out == f"starred {len(sample_ids) - 1} articles ({len(sample_ids) - 1} changed)\n"
    marks = listed(tmp_path / "c.db", capsys)
    assert [aid for aid, (_, starred) in marks.items() if not starred] == [sample_ids[0]]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["mark", "--read"], "give the ids of the articles to mark, or --query Q"),
        (["mark", "--read", ""], "not an article id"),
        # Bytes not valid UTF-8 reach Python as lone surrogates: a message, not a traceback.
        (["mark", "--read", "ab\udcffc"], "not an article id"),
        (["mark", "--read", "--query", "is:banana"], "bad query"),
        (["sync"], f"no sync folder: set sync_folder in the config, or ${SYNC_ENV}"),
    ],
)
def test_mistakes_are_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(argv, capsys)
    assert status == 2
    assert message in err


def test_mark_needs_exactly_one_of_read_unread_star_unstar(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (["mark", "x"], ["mark", "--read", "--star", "x"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    assert "--read" in capsys.readouterr().err


def test_sync_names_the_machines_seen_and_the_logs_it_could_not_read(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    run(["mark", "--state", a, "--star", "x"], capsys)
    status, out, err = run(["sync", "--state", b], capsys)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"sync folder: {folder}"
    assert lines[1].startswith("this machine: ")
    assert lines[2].startswith("machine ") and "1 changes; last change starred x at " in lines[2]
    (folder / "reader-elsewhere.jsonl").write_text("not a log\n")
    status, out, err = run(["sync", "--state", b], capsys)
    assert status == 1
    assert f"{folder / 'reader-elsewhere.jsonl'}: not read:" in err
    assert (folder / "reader-elsewhere.jsonl").read_text() == "not a log\n"


def test_a_mark_made_while_the_folder_is_missing_is_shared_once_it_is_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shared = tmp_path / "not-mounted-yet"
    monkeypatch.setenv(SYNC_ENV, str(shared))
    a, b = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    status, out, err = run(["mark", "--state", a, "--read", "x"], capsys)
    assert status == 0 and out == "marked read 1 article (1 changed)\n"
    assert f"marks are not shared: the sync folder {shared} does not exist" in err
    assert not shared.exists()  # the user's to make: a mistyped name is not made
    shared.mkdir()
    assert run(["sync", "--state", a], capsys)[0] == 0  # logs what was not logged
    run(["sync", "--state", b], capsys)
    with StateStore.open(tmp_path / "b.db") as store:
        assert store.read_ids() == {"x"}


def reader(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reader", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def test_two_reader_processes_marking_hundreds_at_once_all_arrive(
    folder: Path, tmp_path: Path, sample_ids: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    ids_a = [sample_ids[0], *(f"a-{n}" for n in range(300))]
    ids_b = [sample_ids[1], *(f"b-{n}" for n in range(300))]
    both = [
        reader("mark", "--state", str(tmp_path / "a.db"), "--read", *ids_a),
        reader("mark", "--state", str(tmp_path / "b.db"), "--read", *ids_b),
    ]
    for process in both:
        out, err = process.communicate(timeout=60)
        assert (process.returncode, err) == (0, "")
        assert out == "marked read 301 articles (301 changed)\n"
    lister = reader("list", "--state", str(tmp_path / "c.db"), "--format", "json")
    out, err = lister.communicate(timeout=60)
    assert lister.returncode == 0
    read = {record["id"] for record in json.loads(out) if record["read"]}
    assert read == {sample_ids[0], sample_ids[1]}
    with StateStore.open(tmp_path / "c.db") as store:
        assert store.read_ids() == {*ids_a, *ids_b}  # also those not in this feed


def test_two_processes_of_one_machine_marking_at_once_lose_no_line_of_its_log(
    folder: Path, tmp_path: Path
) -> None:
    state = str(tmp_path / "a.db")
    both = [
        reader("mark", "--state", state, "--star", *(f"{side}-{n}" for n in range(200)))
        for side in ("left", "right")
    ]
    for process in both:
        _, err = process.communicate(timeout=60)
        assert (process.returncode, err) == (0, "")
    assert main(["sync", "--state", str(tmp_path / "b.db")]) == 0
    with StateStore.open(tmp_path / "b.db") as store:
        assert len(store.starred_ids()) == 400
    lines = sorted(len(log.read_bytes().splitlines()) for log in folder.iterdir())
    assert lines == [1, 1 + 400]  # b's log: its header; a's: the header, then each change once
