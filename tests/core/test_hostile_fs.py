"""What a feed folder can hold besides article files: one test per kind, made in tmp_path.

Each test puts one odd thing beside a good article and checks that the load, a cache sync,
`reader check` and `reader list` all finish (run in a thread with a deadline, so that a
blocking `open()` fails the test instead of hanging it), that the odd thing is skipped or
reported by a problem line naming it, and that the good article still loads.

Running as root, `chmod 000` does not deny reading; the permission tests then make the
denial themselves by patching `os.open` or `os.scandir` for that one path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from reader.cli import main
from reader.core.loader import MAX_FILE_BYTES, load_feed
from reader.core.model import FeedLoad, printable
from reader.core.storage.cache import FeedCache

T = TypeVar("T")
DEADLINE = 20.0  # seconds: far more than any of these loads takes; only a hang reaches it
GOOD = "---\ntitle: Good article\nwebUrl: https://news.example/good\n---\nBody.\n"


def finishes(work: Callable[[], T]) -> T:
    """`work()` in a daemon thread; fails the test if it has not returned by DEADLINE."""
    outcome: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as error:  # noqa: BLE001 - handed to the test below
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    assert not thread.is_alive(), f"still running after {DEADLINE} s: it blocks"
    if errors:
        raise errors[0]
    return outcome[0]


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    """A feed folder holding one good article."""
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "good.md").write_text(GOOD)
    return folder


def assert_skipped_with_problem(
    feed: Path, odd: Path | str, reason: str, capsys: pytest.CaptureFixture[str]
) -> FeedLoad:
    """Everything finishes, `odd` is named with `reason`, and the good article loads."""
    odd = str(odd)
    loaded = finishes(lambda: load_feed(feed))
    assert [a.title for a in loaded.articles] == ["Good article"]
    assert [p.reason for p in loaded.problems if p.path == odd] == [reason], loaded.problems

    with FeedCache.open(feed.parent / "index.db", feed) as cache:
        synced = finishes(lambda: cache.sync(workers=1))
    assert [s.title for s in synced.summaries] == ["Good article"]
    assert [p.reason for p in synced.problems if p.path == odd] == [reason]

    capsys.readouterr()
    assert finishes(lambda: main(["check", str(feed)])) == 1
    out = capsys.readouterr().out
    assert f"{printable(odd)}: error: {printable(reason)}" in out.splitlines()
    assert out.splitlines()[-1].startswith("1 article, 1 error")

    assert finishes(lambda: main(["list", str(feed), "--format", "tsv"])) == 0
    listed = capsys.readouterr()
    assert [line.split("\t")[3] for line in listed.out.splitlines()[1:]] == ["Good article"]
    assert "1 file skipped" in listed.err
    return loaded


def test_a_named_pipe_is_skipped_without_being_opened(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(feed / "pipe.md")
    assert_skipped_with_problem(
        feed, feed / "pipe.md", "not a regular file but a named pipe; not read", capsys
    )


def test_a_socket_is_skipped(
    feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(feed)  # a relative address: tmp_path may be longer than sun_path allows
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind("socket.md")
        server.listen()
        assert_skipped_with_problem(
            feed, feed / "socket.md", "not a regular file but a socket; not read", capsys
        )


@pytest.mark.parametrize("device", ["/dev/null", "/dev/zero"])
def test_a_symlink_to_a_character_device_is_skipped(
    feed: Path, device: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """/dev/zero would never end if it were read; /dev/null would look like an empty file."""
    (feed / "device.md").symlink_to(device)
    assert_skipped_with_problem(
        feed, feed / "device.md", "not a regular file but a character device; not read", capsys
    )


def test_a_block_device_is_skipped(feed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        # A loop device's number: only stat'ed, never opened (nor need it exist).
        os.mknod(feed / "disk.md", 0o600 | stat.S_IFBLK, os.makedev(7, 200))
    except PermissionError:
        pytest.skip("making a block device node needs root (CAP_MKNOD)")
    assert_skipped_with_problem(
        feed, feed / "disk.md", "not a regular file but a block device; not read", capsys
    )


def test_a_loop_of_file_symlinks_is_reported(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (feed / "a.md").symlink_to("b.md")
    (feed / "b.md").symlink_to("a.md")
    loaded = finishes(lambda: load_feed(feed))
    assert [a.title for a in loaded.articles] == ["Good article"]
    assert {(Path(p.path).name, p.reason) for p in loaded.problems} == {
        ("a.md", "the file is a loop of symbolic links"),
        ("b.md", "the file is a loop of symbolic links"),
    }


def test_a_loop_of_folder_symlinks_is_entered_once(feed: Path) -> None:
    (feed / "sub").mkdir()
    (feed / "sub" / "inner.md").write_text(GOOD.replace("good", "inner"))
    (feed / "sub" / "back").symlink_to("..")
    (feed / "self").symlink_to("self")  # a link to itself: ELOOP, not an article name
    loaded = finishes(lambda: load_feed(feed))
    assert sorted(a.path for a in loaded.articles) == [
        str(feed / "good.md"),
        str(feed / "sub" / "inner.md"),
    ]
    assert loaded.problems == []


def test_a_symlink_to_a_file_outside_the_feed_is_followed(feed: Path, tmp_path: Path) -> None:
    """The documented choice: the feed is the user's folder, its links are theirs."""
    outside = tmp_path / "elsewhere" / "kept.md"
    outside.parent.mkdir()
    outside.write_text(GOOD.replace("Good article", "From elsewhere").replace("good", "else"))
    (feed / "link.md").symlink_to(outside)
    loaded = finishes(lambda: load_feed(feed))
    assert sorted(a.title for a in loaded.articles) == ["From elsewhere", "Good article"]
    assert {a.path for a in loaded.articles if a.title == "From elsewhere"} == {
        str(feed / "link.md")
    }


@contextlib.contextmanager
def unreadable(path: Path, call: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """`path` with mode 000; as root, where that denies nothing, `os.<call>` refuses it."""
    mode = path.stat().st_mode
    path.chmod(0)
    try:
        if path.is_dir():
            os.listdir(path)
        else:
            os.close(os.open(path, os.O_RDONLY))
    except PermissionError:
        pass  # the mode is enough
    else:
        real = getattr(os, call)

        def denying(target: object, *args: object, **kwargs: object) -> object:
            if os.fspath(target) == str(path):  # type: ignore[call-overload]
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real(target, *args, **kwargs)

        monkeypatch.setattr(os, call, denying)
    try:
        yield
    finally:
        path.chmod(mode)


def test_an_unreadable_file_is_reported(
    feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = feed / "locked.md"
    locked.write_text(GOOD.replace("good", "locked"))
    with unreadable(locked, "open", monkeypatch):
        reason = "cannot read the file (no permission: Permission denied)"
        assert_skipped_with_problem(feed, locked, reason, capsys)


def test_an_unreadable_folder_is_reported_and_the_rest_loads(
    feed: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = feed / "locked"
    locked.mkdir()
    (locked / "hidden.md").write_text(GOOD.replace("good", "hidden"))
    with unreadable(locked, "scandir", monkeypatch):
        reason = "cannot read the folder (no permission: Permission denied)"
        assert_skipped_with_problem(feed, locked, reason, capsys)


def test_a_name_that_is_not_utf8_loads_and_is_reported_printably(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = os.fsencode(feed) + b"/caf\xe9.md"
    with open(raw, "wb") as handle:
        handle.write(b"no front matter")
    odd = os.fsdecode(raw)
    assert "\udce9" in odd  # kept as the surrogate escape Python gives undecodable bytes
    assert_skipped_with_problem(
        feed, odd, "no front matter (the file must start with a '---' line)", capsys
    )
    assert "\udce9" not in printable(odd)


def test_a_name_with_control_characters_is_reported_escaped(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    odd = feed / "\x1b]0;owned\x07\nname.md"
    odd.write_text("no front matter")
    assert_skipped_with_problem(
        feed, odd, "no front matter (the file must start with a '---' line)", capsys
    )
    assert "\x1b" not in printable(str(odd)) and "\n" not in printable(str(odd))


def test_a_very_deep_tree_loads(feed: Path) -> None:
    folder = feed
    for _ in range(300):
        folder = folder / "d"
    folder.mkdir(parents=True)
    (folder / "deep.md").write_text(GOOD.replace("Good article", "Deep").replace("good", "deep"))
    loaded = finishes(lambda: load_feed(feed))
    assert sorted(a.title for a in loaded.articles) == ["Deep", "Good article"]


def _nest_past_path_max(top: Path) -> Iterator[str]:
    """Folders nested under `top` until the path is longer than the OS allows (by fd)."""
    name = "n" * 200
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    length = len(str(top))
    try:
        while length <= os.pathconf(top, "PC_PATH_MAX") + len(name):
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd, length = inner, length + len(name) + 1
            yield name
        with open(os.open("x.md", os.O_WRONLY | os.O_CREAT, dir_fd=fd), "w") as handle:
            handle.write(GOOD)
    finally:
        os.close(fd)


def test_a_path_too_long_for_the_system_is_reported(
    feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = list(_nest_past_path_max(feed))
    loaded = finishes(lambda: load_feed(feed))
    assert [a.title for a in loaded.articles] == ["Good article"]
    [problem] = loaded.problems
    assert problem.path.startswith(str(feed / names[0]))
    assert problem.reason.startswith("the path is too long for the system to open")


def test_a_file_that_grows_after_it_was_stated_is_read_only_up_to_the_limit(
    feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The size from stat is not trusted: the read itself stops at the limit."""
    grown = feed / "grown.md"
    grown.write_bytes(GOOD.encode() + b"x" * MAX_FILE_BYTES)
    real_stat = os.stat

    def small_at_first(path: str | Path, *, follow_symlinks: bool = True) -> os.stat_result:
        info = real_stat(path, follow_symlinks=follow_symlinks)
        if os.fspath(path) == str(grown):
            return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))
        return info

    monkeypatch.setattr(os, "stat", small_at_first)
    loaded = finishes(lambda: load_feed(feed))
    assert [a.title for a in loaded.articles] == ["Good article"]
    assert [p.reason for p in loaded.problems] == [
        f"file is too large (over {MAX_FILE_BYTES:,} bytes)"
    ]


def test_a_file_replaced_by_a_pipe_between_stat_and_open_does_not_block(
    feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The open does not block and the open descriptor is checked again (fstat)."""
    swapped = feed / "swapped.md"
    os.mkfifo(swapped)
    regular = os.stat(feed / "good.md")
    real_stat = os.stat

    def looks_regular(path: str | Path, *, follow_symlinks: bool = True) -> os.stat_result:
        if os.fspath(path) == str(swapped):  # as it was a moment before being replaced
            return regular
        return real_stat(path, follow_symlinks=follow_symlinks)

    monkeypatch.setattr(os, "stat", looks_regular)
    loaded = finishes(lambda: load_feed(feed))
    assert [a.title for a in loaded.articles] == ["Good article"]
    assert [(p.path, p.reason) for p in loaded.problems] == [
        (str(swapped), "not a regular file but a named pipe; not read")
    ]
