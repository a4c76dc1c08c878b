"""`reader serve` before any browser: the address checks, the warning, the command per tab.

The served reader itself is driven in a real browser in test_serve_browser.py.
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import psutil
import pytest

from reader import serve
from reader.cli import main
from reader.serve import (
    SERVE_HOST_ENV,
    Audience,
    address_to_open,
    audience,
    end_processes,
    exposure_warning,
    interface_addresses,
    refusal,
    served_to_this_machine,
    tab_command,
)


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "one.md").write_text("---\ntitle: One\n---\nBody.\n", encoding="utf-8")
    return folder


@pytest.fixture
def listening() -> Iterator[int]:
    """A loopback port that something else is listening on."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


Served = list[tuple[str, str, int, tuple[str, ...]]]  # command, host, port, allowed hosts


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Served:
    """Stands in for the blocking web server: records what it would have served."""
    calls: Served = []

    def record(
        command: str, host: str, port: int, *, feed: Path, allowed_hosts: Sequence[str] = ()
    ) -> None:
        calls.append((command, host, port, tuple(allowed_hosts)))

    monkeypatch.setattr(serve, "serve", record)
    return calls


# --- the command each tab runs ---------------------------------------------------------------


def test_each_tab_runs_this_python_s_reader_on_the_same_files(tmp_path: Path) -> None:
    # Spaces, quotes and a `$` would each break an unquoted shell command.
    odd = tmp_path / "it's a $HOME feed"
    odd.mkdir()
    command = tab_command(
        odd,
        state=tmp_path / "my state.db",
        cache=tmp_path / "cache;rm -rf.db",
        read_after=0.5,
        config=tmp_path / "my config.toml",
        watch=False,
    )
    assert shlex.split(command) == [
        sys.executable,
        "-m",
        "reader",
        str(odd.resolve()),
        "--state",
        str((tmp_path / "my state.db").resolve()),
        "--cache",
        str((tmp_path / "cache;rm -rf.db").resolve()),
        "--read-after",
        "0.5",
        "--config",
        str((tmp_path / "my config.toml").resolve()),
        "--no-watch",
    ]


def test_a_relative_feed_becomes_absolute_and_no_cache_is_passed_on(
    feed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(feed.parent)
    words = shlex.split(tab_command(Path("feed"), use_cache=False))
    assert words == [sys.executable, "-m", "reader", str(feed.resolve()), "--no-cache"]


def test_serve_hands_the_tab_command_to_the_server(
    feed: Path, served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()
    status = main(["serve", str(feed), "--port", str(port), "--state", "s.db", "--no-cache"])
    assert status == 0
    [(command, host, served_port, _)] = served
    assert (host, served_port) == ("127.0.0.1", port)
    words = shlex.split(command)
    assert words[3:] == [str(feed.resolve()), "--state", str(Path("s.db").resolve()), "--no-cache"]
    assert capsys.readouterr().err == ""  # loopback: no warning


# --- addresses -------------------------------------------------------------------------------


def test_a_port_in_use_is_a_message_and_exit_2(
    feed: Path, listening: int, served: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve", str(feed), "--port", str(listening)])
    assert status == 2
    assert f"port {listening} is already in use on 127.0.0.1" in capsys.readouterr().err
    assert served == []


def test_an_address_this_machine_does_not_have_is_a_message_and_exit_2(
    feed: Path, served: list[object], capsys: pytest.CaptureFixture[str]
) -> None:
    # 203.0.113.0/24 is reserved for documentation: no machine has it.
    status = main(["serve", str(feed), "--host", "203.0.113.7", "--port", str(free_port())])
    assert status == 2
    assert "203.0.113.7 is not an address of this machine" in capsys.readouterr().err
    assert served == []


@pytest.mark.parametrize("port", ["0", "65536", "http", "-1"])
def test_a_bad_port_number_is_a_usage_error(
    port: str, feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", str(feed), "--port", port])
    assert exit_info.value.code == 2
    assert "not a port number" in capsys.readouterr().err


def test_serving_beyond_this_machine_warns(
    feed: Path, served: Served, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["serve", str(feed), "--host", "0.0.0.0", "--port", str(free_port())])
    assert status == 0
    assert served[0][1] == "0.0.0.0"
    err = capsys.readouterr().err
    assert "warning: listening on 0.0.0.0: anyone who can reach it can read the feed" in err


@pytest.mark.parametrize(
    ("host", "warns"),
    [
        ("127.0.0.1", False),
        ("127.8.9.10", False),
        ("::1", False),
        ("localhost", False),
        ("0.0.0.0", True),
        ("::", True),
        ("192.168.1.20", True),
        ("reader.example", True),
    ],
)
def test_only_loopback_addresses_go_without_a_warning(host: str, warns: bool) -> None:
    assert (exposure_warning(host) is not None) is warns


# --- who the server answers --------------------------------------------------------------------


ON_LOOPBACK = audience("127.0.0.1")


@pytest.mark.parametrize(
    ("host", "origin", "refused"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000", False),
        ("localhost:8000", "http://localhost:8000", False),
        ("127.0.0.1:8000", None, False),  # not a browser: it sends no origin
        # Any page may open a WebSocket to localhost: it must not start a reader.
        ("127.0.0.1:8000", "https://news.example", True),
        # A site that rebinds its own name to 127.0.0.1 is same-origin with itself.
        ("news.example:8000", "http://news.example:8000", True),
    ],
)
def test_the_server_answers_its_own_page_only(host: str, origin: str | None, refused: bool) -> None:
    assert (refusal(host, origin, ON_LOOPBACK) is not None) is refused


@pytest.fixture
def everywhere(monkeypatch: pytest.MonkeyPatch) -> Audience:
    """Who a server on 0.0.0.0 answers, on a machine named readerbox with these interfaces."""
    monkeypatch.setattr(socket, "gethostname", lambda: "readerbox")
    monkeypatch.setattr(socket, "getfqdn", lambda: "readerbox.lan.")
    interfaces = ["127.0.0.1", "::1", "192.0.2.2", "fd00::2", "fe80::fc:ff:fe00:1%eth0"]
    return audience("0.0.0.0", ["Proxy.Example"], interfaces=lambda: interfaces)


@pytest.mark.parametrize(
    "host",
    [
        "readerbox:8000",
        "READERBOX.lan:8000",
        "readerbox.lan.:8000",  # the fully qualified spelling, final dot and all
        "192.0.2.2:8000",
        "[fd00::2]:8000",
        "[FD00:0:0::2]:8000",  # the same address, spelled otherwise
        "[fe80::fc:ff:fe00:1]:8000",
        "localhost:8000",
        "127.0.0.1:8000",
        "proxy.example",  # --allow-host, behind a proxy on port 443
    ],
)
def test_beyond_loopback_this_machine_s_names_and_addresses_are_answered(
    everywhere: Audience, host: str
) -> None:
    assert refusal(host, f"http://{host}", everywhere) is None


@pytest.mark.parametrize(
    "host",
    ["evil.example:8000", "readerbox.evil.example:8000", "192.0.2.3:8000", "0.0.0.0:8000", ""],
)
def test_beyond_loopback_another_name_is_refused_whatever_its_origin(
    everywhere: Audience, host: str
) -> None:
    # A rebinding page is same-origin with its own name: its Origin matches its Host.
    reason = refusal(host, f"http://{host}", everywhere)
    assert reason is not None and "--allow-host" in reason


def test_on_loopback_an_allowed_name_is_answered_too() -> None:
    behind_a_proxy = audience("127.0.0.1", ["reader.example"])
    assert refusal("reader.example", "https://reader.example", behind_a_proxy) is None
    assert refusal("other.example", "https://other.example", behind_a_proxy) is not None


def test_this_machine_s_interface_addresses_include_loopback() -> None:
    assert "127.0.0.1" in interface_addresses()


def test_allowed_hosts_are_handed_to_the_server(feed: Path, served: Served) -> None:
    argv = ["serve", str(feed), "--port", str(free_port())]
    status = main([*argv, "--allow-host", "Reader.Example", "--allow-host", "[2001:DB8::1]"])
    assert status == 0 and served[0][3] == ("reader.example", "2001:db8::1")


@pytest.mark.parametrize("name", ["http://reader.example", "reader.example:443", "", "a b"])
def test_an_allowed_host_is_a_name_or_an_address(
    name: str, feed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", str(feed), "--allow-host", name])
    assert exit_info.value.code == 2
    assert "not a host name or address" in capsys.readouterr().err


async def test_a_process_that_ignores_sigterm_is_killed_at_the_deadline() -> None:
    ignoring = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); " + (
        "print('ready', flush=True); time.sleep(60)"
    )
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", ignoring, stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    await asyncio.wait_for(child.stdout.readline(), timeout=30)  # its handler is set
    await end_processes([psutil.Process(child.pid)], quit_seconds=0.2, kill_seconds=10)
    assert await asyncio.wait_for(child.wait(), timeout=10) == -signal.SIGKILL


@pytest.mark.parametrize(("host", "local"), [("127.0.0.1", True), ("0.0.0.0", False)])
def test_a_tab_knows_whether_its_page_is_a_localhost_one(
    host: str, local: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SERVE_HOST_ENV, host)
    assert served_to_this_machine() is local


def test_outside_reader_serve_no_page_is_assumed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SERVE_HOST_ENV, raising=False)
    assert served_to_this_machine() is False


@pytest.mark.parametrize(
    ("host", "url"),
    [("127.0.0.1", "http://127.0.0.1:8000"), ("::1", "http://[::1]:8000")],
)
def test_the_address_to_open_is_printable_as_a_url(host: str, url: str) -> None:
    assert address_to_open(host, 8000) == url


def test_a_wildcard_address_is_shown_as_this_machine_s_name() -> None:
    assert address_to_open("0.0.0.0", 8000) == f"http://{socket.gethostname()}:8000"
