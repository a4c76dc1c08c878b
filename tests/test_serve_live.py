"""`reader serve` as a process on a loopback port: who it answers, and how it stops.

The server is a child process; a page and a tab's WebSocket are opened with aiohttp's client
(the web server's own library). Every wait has a deadline: a hang fails the test.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import aiohttp
import psutil
import pytest

from reader.core.config import CONFIG_ENV
from test_serve import free_port

REPO = Path(__file__).resolve().parents[1]
WAIT = 30.0  # seconds; only a hang uses them up
# The stop's own deadlines add up to 7 s (TAB_QUIT, TAB_KILL and HANDLER_STOP_SECONDS); it
# takes ~1.5 s here. Before them, a page that did not answer held it ~20 s (the WebSocket
# heartbeat), a minute at worst (the web server's shutdown timeout).
STOP_WAIT = 12.0


@asynccontextmanager
async def serving(
    tmp_path: Path, *extra: str
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """`reader serve` on a one-article feed and a free port; the process and its URL, once
    it has said its address (and so listens: the test connects without retrying)."""
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "one.md").write_text("---\ntitle: Only article\n---\nBody.\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text("", encoding="utf-8")  # not the user's own
    env = os.environ | {"PYTHONPATH": str(REPO), CONFIG_ENV: str(tmp_path / "config.toml")}
    port = free_port()
    command = ["-m", "reader", "serve", str(feed), "--port", str(port), "--no-cache"]
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        "--state",
        str(tmp_path / "state.db"),
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert server.stdout is not None
        said = (await asyncio.wait_for(server.stdout.readline(), WAIT)).decode()
        assert f"at http://127.0.0.1:{port}" in said, said
        yield server, f"http://127.0.0.1:{port}"
    finally:
        if server.returncode is None:  # the test failed: leave nothing running
            with suppress(psutil.Error):
                for process in psutil.Process(server.pid).children(recursive=True):
                    process.kill()
            server.kill()
            await server.wait()


def running(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def first_screen(tab: aiohttp.ClientWebSocketResponse) -> None:
    """Wait until the tab's reader has drawn the feed's article."""
    drawn = b""
    async with asyncio.timeout(WAIT):
        while b"Only article" not in drawn:
            message = await tab.receive()
            assert message.type == aiohttp.WSMsgType.BINARY, message
            drawn += message.data


async def read_on(tab: aiohttp.ClientWebSocketResponse) -> None:
    async for _ in tab:
        pass


@pytest.mark.parametrize(
    ("page_reads_on", "signals"),
    [
        # A page that no longer answers (a suspended tab, a client whose network went):
        # its connection would hold the stop for the web server's default minute.
        (False, 1),
        # A second one (an impatient Ctrl+C) comes while the first stop is under way.
        (True, 2),
    ],
    ids=["silent-page", "sigterm-twice"],
)
async def test_a_stop_ends_the_server_and_its_tabs_cleanly(
    tmp_path: Path, page_reads_on: bool, signals: int
) -> None:
    async with (
        serving(tmp_path) as (server, url),
        aiohttp.ClientSession() as session,
    ):
        async with session.get(f"{url}/") as page:
            assert page.status == 200
        async with session.ws_connect(f"{url}/ws?width=100&height=30", origin=url) as tab:
            await first_screen(tab)
            tabs = psutil.Process(server.pid).children(recursive=True)
            assert tabs, "no process runs the tab's reader"
            # As a browser does: the page reads on, and so answers the close and the pings.
            reading = asyncio.create_task(read_on(tab)) if page_reads_on else None
            for _ in range(signals):
                server.send_signal(signal.SIGTERM)
                await asyncio.sleep(0.1)
            status = await asyncio.wait_for(server.wait(), STOP_WAIT)
            if reading is not None:
                reading.cancel()
        assert server.stderr is not None
        errors = (await server.stderr.read()).decode("utf-8", "replace")
        assert "Traceback" not in errors and "Event loop is closed" not in errors, errors
        assert status == 0, errors
        assert [tab for tab in tabs if running(tab)] == []


async def test_the_page_loads_nothing_from_another_host(tmp_path: Path) -> None:
    # A reader served on loopback must not tell a font service (or anyone) when it is used.
    async with serving(tmp_path) as (_, url), aiohttp.ClientSession() as session:
        async with session.get(f"{url}/") as page:
            html = await page.text()
        assert page.status == 200 and "textual.js" in html
        loads = re.findall(r"""(?:href|src)=["']([^"']+)["']|url\(["']?([^"')]+)""", html)
        addresses = [address for pair in loads for address in pair if address]
        assert any("fonts/RobotoMono" in address for address in addresses), addresses
        outside = [a for a in addresses if urlsplit(a).netloc not in ("", url[len("http://") :])]
        assert outside == []
        for address in addresses:  # and what it names is there: the font files too
            async with session.get(urljoin(f"{url}/", address)) as served:
                assert served.status == 200, address


async def test_a_request_for_a_name_the_server_does_not_answer_to_is_refused(
    tmp_path: Path,
) -> None:
    async with (
        serving(tmp_path, "--allow-host", "reader.example") as (server, url),
        aiohttp.ClientSession() as session,
    ):
        statuses = {}
        for host in ("evil.example", "reader.example", url.removeprefix("http://")):
            async with session.get(f"{url}/", headers={"Host": host}) as page:
                statuses[host] = page.status
        assert list(statuses.values()) == [403, 200, 200], statuses
        # A rebinding page is same-origin with its own name: no reader starts for it.
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(
                f"{url}/ws", headers={"Host": "evil.example"}, origin="http://evil.example"
            )
        assert refused.value.status == 403
        assert psutil.Process(server.pid).children() == []
