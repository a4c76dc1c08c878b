"""`reader import` under faults: killed midway, a full disk, two at once, two feeds with one
story, an index of an earlier version, temporaries left behind. After each, the folder holds
every entry exactly once, nothing else the import wrote, and every file loads cleanly."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from reader.core.importer import import_sources
from reader.core.loader import load_feed

# The import's own files in the folder, as the README names them.
INDEX_NAME, JOURNAL_NAME, LOCK_NAME = (".reader-import.json", ".reader-import.journal",
                                       ".reader-import.lock")  # fmt: skip

CHILD = Path(__file__).resolve().parent / "import_child.py"
REPO = Path(__file__).resolve().parents[2]
ENV = os.environ | {"PYTHONPATH": str(REPO)}
ENTRIES = 100
CHILD_SECONDS = 60  # the test's deadline for one child import


def write_feed(path: Path, count: int, *, title: str = "Story", site: str = "news.example") -> Path:
    items = "".join(
        f"<item><title>{title} {n}</title><link>https://{site}/{n}</link>"
        f"<guid>https://{site}/{n}</guid><pubDate>Tue, 22 Oct 2024 14:05:00 GMT</pubDate>"
        f"<description>What happened, part {n}.</description></item>"
        for n in range(count)
    )
    path.write_text(
        f"<rss version='2.0'><channel><title>{site}</title><link>https://{site}/</link>"
        f"{items}</channel></rss>",
        encoding="utf-8",
    )
    return path


def urls_in(folder: Path) -> Counter[str]:
    """Each article's URL and how many files have it; every file loads with no problem."""
    feed = load_feed(folder)
    assert [str(problem) for problem in feed.problems] == []
    return Counter(article.url or "" for article in feed.articles)


def import_leftovers(folder: Path) -> list[str]:
    """The import's own hidden files besides its index and its lock (a journal, temporaries)."""
    return sorted(
        path.name
        for path in folder.iterdir()
        if path.name.startswith(".") and path.name not in (INDEX_NAME, LOCK_NAME)
    )


def assert_each_entry_once(folder: Path, count: int, site: str = "news.example") -> None:
    assert urls_in(folder) == Counter({f"https://{site}/{n}": 1 for n in range(count)})
    assert len(list(folder.glob("*.md"))) == count
    assert import_leftovers(folder) == []


def run_child(source: Path, folder: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(CHILD), str(source), str(folder), *options],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=CHILD_SECONDS,
        check=False,
    )


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """The imports after a kill without fsync: a process killed is not a power cut, and a few
    hundred fsyncs would only slow the test down."""
    monkeypatch.setattr(os, "fsync", lambda handle: None)


@pytest.mark.slow  # child processes killed
@pytest.mark.usefixtures("no_fsync")
@pytest.mark.parametrize("point", ["mkstemp:40", "replace:1", "replace:70", "replaced:100"])
def test_an_import_killed_at_any_step_is_completed_by_the_next_without_a_duplicate(
    tmp_path: Path, point: str
) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", ENTRIES), tmp_path / "feed"
    killed = run_child(source, folder, "--die-at", point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    done = import_sources([str(source)], folder)
    assert done.counts.new + done.counts.unchanged == ENTRIES and not done.errors
    assert_each_entry_once(folder, ENTRIES)
    again = import_sources([str(source)], folder)
    assert again.summary() == f"0 new, 0 updated, {ENTRIES} unchanged, 0 skipped, 0 errors"


@pytest.mark.slow  # child processes killed
@pytest.mark.usefixtures("no_fsync")
def test_imports_killed_at_random_moments_leave_each_entry_once(tmp_path: Path) -> None:
    """SIGKILL from outside, three times, once a random number of files is in place."""
    source, folder = write_feed(tmp_path / "feed.xml", ENTRIES), tmp_path / "feed"
    chooser = random.Random(20)  # fixed: a failure can be run again as it was
    for low, high in ((5, 30), (35, 65), (70, 95)):
        wanted = chooser.randint(low, high)
        child = subprocess.Popen(
            [sys.executable, str(CHILD), str(source), str(folder)],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + CHILD_SECONDS
        while child.poll() is None and time.monotonic() < deadline:
            if folder.is_dir() and len(list(folder.glob("*.md"))) >= wanted:
                break
            time.sleep(0.002)
        child.kill()
        child.wait(timeout=CHILD_SECONDS)
    done = import_sources([str(source)], folder)
    assert not done.errors
    assert_each_entry_once(folder, ENTRIES)


class FullDisk:
    """A disk with `room` bytes left: a file's fsync and a journal line's write fail with
    ENOSPC once past it (a write is cut short, as a real full disk does)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, room: int) -> None:
        self.room = room
        self.real_write = os.write
        monkeypatch.setattr(os, "write", self.write)
        monkeypatch.setattr(os, "fsync", self.fsync)

    def write(self, handle: int, data: bytes) -> int:
        fits = data[: max(0, self.room)]
        if not fits and data:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(fits)
        return self.real_write(handle, fits)

    def fsync(self, handle: int) -> None:
        size = os.fstat(handle).st_size
        if size > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= size  # and nothing more: the page cache is all a test needs


@pytest.mark.usefixtures("no_fsync")
def test_a_disk_that_fills_up_midway_loses_nothing_and_names_every_entry_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", 120), tmp_path / "feed"
    written = 0
    for room in (30_000, 20_000):  # two runs that each run out of room partway
        with monkeypatch.context() as patch:
            FullDisk(patch, room)
            report = import_sources([str(source)], folder)
        assert 0 < report.counts.new < 120 - written
        written += report.counts.new
        not_written = [error for error in report.errors if ": not written: " in error]
        assert len(not_written) == 120 - written  # each one named, not only the first
        assert all(error.endswith("No space left on device") for error in not_written)
    report = import_sources([str(source)], folder)
    assert (
        report.summary()
        == f"{120 - written} new, 0 updated, {written} unchanged, 0 skipped, 0 errors"
    )
    assert_each_entry_once(folder, 120)


def test_a_journal_line_cut_short_by_a_full_disk_leaves_the_next_lines_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", 3), tmp_path / "feed"
    real_write = os.write
    calls = 0

    def second_write_cut_short(handle: int, data: bytes) -> int:
        nonlocal calls
        calls += 1
        return real_write(handle, data[:10] if calls == 2 else data)

    with monkeypatch.context() as patch:
        patch.setattr(os, "write", second_write_cut_short)
        patch.setattr("reader.core.importer.index.ImportIndex.save", lambda self: None)
        report = import_sources([str(source)], folder)
    assert report.counts.new == 2 and len(report.errors) == 1
    lines = (folder / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["entry"] for line in lines] == [
        "https://news.example/0",
        "https://news.example/2",
    ]
    again = import_sources([str(source)], folder)
    assert again.summary() == "1 new, 0 updated, 2 unchanged, 0 skipped, 0 errors"
    assert_each_entry_once(folder, 3)


def test_two_imports_at_once_are_one_after_the_other(tmp_path: Path) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", ENTRIES), tmp_path / "feed"
    children = [
        subprocess.Popen(
            [sys.executable, str(CHILD), str(source), str(folder), "--wait"],
            env=ENV,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:  # both started, modules imported: then both go at once
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [child.communicate(timeout=CHILD_SECONDS) for child in children]
    assert sorted(out for out, _ in results) == [
        f"0 new, 0 updated, {ENTRIES} unchanged, 0 skipped, 0 errors\n",
        f"{ENTRIES} new, 0 updated, 0 unchanged, 0 skipped, 0 errors\n",
    ]
    assert_each_entry_once(folder, ENTRIES)


def test_an_import_waits_for_the_folder_and_gives_up_at_its_deadline(tmp_path: Path) -> None:
    from reader.core.importer.lock import folder_lock

    source, folder = write_feed(tmp_path / "feed.xml", 3), tmp_path / "feed"
    folder.mkdir()
    events: list[str] = []
    with folder_lock(folder):  # another import is writing
        late = import_sources([str(source)], folder, lock_wait=0.2)
        assert late.errors == [
            f"{source}: another import into {folder} is still running after 0.2 seconds of"
            " waiting; nothing written (try again when it is done)"
        ]
        reports = []
        waiting = threading.Thread(
            target=lambda: reports.append(
                import_sources([str(source)], folder, on_event=events.append, lock_wait=30)
            )
        )
        waiting.start()
        deadline = time.monotonic() + 10
        while not any(event.startswith("Waiting") for event in events):
            assert time.monotonic() < deadline, "the import never said it waits"
            time.sleep(0.01)
        assert list(folder.glob("*.md")) == []  # nothing written while the other holds it
    waiting.join(10)
    assert not waiting.is_alive() and reports[0].counts.new == 3
    assert f"Waiting for another import into {folder} to finish…" in events
    assert_each_entry_once(folder, 3)


def file_by_file(folder: Path) -> list[tuple[str, str]]:
    """(title, URL) of each file, each loaded alone with no problem (the feed as a whole
    would warn of two files with one URL, and show the newer)."""
    loaded = [load_feed(path) for path in sorted(folder.glob("*.md"))]
    assert [str(problem) for feed in loaded for problem in feed.problems] == []
    return sorted((feed.articles[0].title, feed.articles[0].url or "") for feed in loaded)


def test_two_feeds_with_one_story_keep_a_file_each(tmp_path: Path) -> None:
    first = write_feed(tmp_path / "first.xml", 2, title="First's title")
    second = write_feed(tmp_path / "second.xml", 2, title="Second's title")
    folder = tmp_path / "feed"
    report = import_sources([str(first), str(second)], folder)
    assert report.summary() == "4 new, 0 updated, 0 unchanged, 0 skipped, 0 errors"
    expected = [
        (f"{feed}'s title {n}", f"https://news.example/{n}")
        for feed in ("First", "Second")
        for n in range(2)
    ]
    assert file_by_file(folder) == expected
    again = import_sources([str(second), str(first)], folder)
    assert again.summary() == "0 new, 0 updated, 4 unchanged, 0 skipped, 0 errors"
    assert file_by_file(folder) == expected


def as_version_1(folder: Path) -> None:
    """The folder's index rewritten as version 1 wrote it: keyed by link alone."""
    index = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    entries = {
        entry: written
        for articles in index["feeds"].values()
        for entry, written in articles.items()
    }
    entries["https://gone.example/elsewhere"] = {"file": "2020-01-01-gone.md", "digest": "0" * 64}
    (folder / INDEX_NAME).write_text(json.dumps({"version": 1, "entries": entries}))


def test_an_index_of_the_earlier_version_is_migrated_and_loses_track_of_nothing(
    tmp_path: Path,
) -> None:
    source, folder = write_feed(tmp_path / "feed.xml", 5), tmp_path / "feed"
    import_sources([str(source)], folder)
    as_version_1(folder)
    report = import_sources([str(source)], folder)
    assert report.summary() == "0 new, 0 updated, 5 unchanged, 0 skipped, 0 errors"
    index = json.loads((folder / INDEX_NAME).read_text(encoding="utf-8"))
    assert index["version"] == 2 and len(index["feeds"][str(source)]) == 5
    # An entry no feed has claimed yet is kept, to be claimed by its feed's next import.
    assert list(index["unclaimed"]) == ["https://gone.example/elsewhere"]
    write_feed(source, 5, title="Retitled")
    updated = import_sources([str(source)], folder)
    assert updated.summary() == "0 new, 5 updated, 0 unchanged, 0 skipped, 0 errors"
    assert_each_entry_once(folder, 5)


def test_an_interrupted_imports_temporaries_are_removed_and_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "feed"
    folder.mkdir()
    temporaries = [".reader-import-a1b2c3_d.tmp", ".import-zz09yy8x.tmp"]  # this, the old
    for name in temporaries:
        (folder / name).write_text("half an artic")
    theirs = [".import-notes.tmp", ".reader-import-a1b2c3d4.tmp.md", "reader-import-a1b2c3d4.tmp"]
    for name in theirs:
        (folder / name).write_text("mine")
    (folder / ".import-dir12345.tmp").mkdir()
    (folder / ".import-link1234.tmp").symlink_to(folder / ".import-notes.tmp")
    report = import_sources([str(write_feed(tmp_path / "feed.xml", 2))], folder)
    assert report.counts.new == 2 and not report.errors
    assert not any((folder / name).exists() for name in temporaries)
    assert all((folder / name).read_text() == "mine" for name in theirs)
    assert (folder / ".import-dir12345.tmp").is_dir()
    assert (folder / ".import-link1234.tmp").is_symlink()
