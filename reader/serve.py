"""`reader serve`: the reader in a web browser.

textual-serve runs one command per browser tab and relays its terminal to xterm.js in the
page; each tab runs this same reader on the same feed, state and cache. Textual and the web
server are imported only when the server starts (`reader list` never pays for them).
"""

from __future__ import annotations

import errno
import ipaddress
import logging
import os
import shlex
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import psutil
    from aiohttp import web
    from textual_serve.server import Server

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Set by the server for the readers it starts (they inherit its environment).
SERVE_HOST_ENV = "READER_SERVE_HOST"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Wildcard addresses listen everywhere; a browser cannot be pointed at them.
WILDCARDS = frozenset({"", "0.0.0.0", "::"})
# When the server stops: how long the tabs' readers have to quit before they are killed,
# how long a killed one may take to go, and how long a connection still open is waited for.
TAB_QUIT_SECONDS = 3.0
TAB_KILL_SECONDS = 2.0
HANDLER_STOP_SECONDS = 2.0


class ServeError(Exception):
    """The server cannot listen where it was asked to (exit status 2)."""


def tab_command(
    feed: Path,
    *,
    state: Path | None = None,
    cache: Path | None = None,
    use_cache: bool = True,
    read_after: float | None = None,
    config: Path | None = None,
    watch: bool = True,
) -> str:
    """The shell command each browser tab runs: this Python's reader on the same files.

    Paths are made absolute (the server may be reached long after a `cd`) and every word is
    quoted for the shell, which textual-serve hands the command to.
    """
    words = [sys.executable, "-m", "reader", str(feed.resolve())]
    if state is not None:
        words += ["--state", str(state.resolve())]
    if cache is not None:
        words += ["--cache", str(cache.resolve())]
    if not use_cache:
        words.append("--no-cache")
    if read_after is not None:
        words += ["--read-after", repr(read_after)]
    if config is not None:
        words += ["--config", str(config.resolve())]
    if not watch:
        words.append("--no-watch")
    return shlex.join(words)


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host`."""
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str | None:
    """What to tell the user who serves beyond this machine (None on a loopback address)."""
    if is_loopback(host):
        return None
    return (
        f"warning: listening on {host or 'every address'}: anyone who can reach it can read "
        "the feed, change its reading state and import feeds through this machine "
        "(there is no login)"
    )


def check_address(host: str, port: int) -> None:
    """Bind `host:port` once and let go, so that a port in use or an address this machine
    does not have is a clear message before the server starts; raises ServeError."""
    try:
        addresses = socket.getaddrinfo(
            host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (socket.gaierror, UnicodeError) as error:
        raise ServeError(f"cannot listen on {host!r}: {_reason(error)}") from None
    for family, kind, protocol, _, address in addresses:
        with socket.socket(family, kind, protocol) as probe:
            # As the web server does: a port left in TIME_WAIT is free, one listened on is not.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(address)
            except OSError as error:
                raise ServeError(_bind_failure(host, port, error)) from None


def _bind_failure(host: str, port: int, error: OSError) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"port {port} is already in use on {host}; choose another with --port"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine; choose another with --host"
    return f"cannot listen on {host}:{port}: {_reason(error)}"


def _reason(error: OSError | UnicodeError) -> str:
    return (error.strerror if isinstance(error, OSError) else None) or str(error)


def address_to_open(host: str, port: int) -> str:
    """The URL to print: a wildcard is replaced by this machine's name."""
    name = socket.gethostname() if host in WILDCARDS else host
    if ":" in name:  # an IPv6 address goes in brackets in a URL
        name = f"[{name}]"
    return f"http://{name}:{port}"


@dataclass(frozen=True, slots=True)
class Audience:
    """Who the server answers: the names and addresses a request's Host may give.

    A web page can rebind its own name to this machine's address, and its requests then
    carry that name as their Host: a name the server does not know is refused. Loopback
    names and addresses are always this machine's own; `allowed` (`--allow-host`) adds a
    proxy's name.
    """

    loopback_only: bool
    names: frozenset[str]

    def admits(self, host_name: str) -> bool:
        name = _normal(host_name)
        return is_loopback(name) or name in self.names


def audience(
    host: str,
    allowed: Iterable[str] = (),
    *,
    interfaces: Callable[[], Iterable[str]] | None = None,
) -> Audience:
    """Who a server listening on `host` answers: beyond loopback, this machine's names
    (its host name, fully qualified too) and the addresses of its interfaces as well."""
    names = {_normal(name) for name in allowed}
    loopback_only = is_loopback(host)
    if not loopback_only:
        own = (host, socket.gethostname(), socket.getfqdn())
        addresses = interface_addresses() if interfaces is None else interfaces()
        names |= {_normal(name) for name in (*own, *addresses)}
    return Audience(loopback_only, frozenset(names - WILDCARDS))


def interface_addresses() -> list[str]:
    """The IPv4 and IPv6 addresses of this machine's network interfaces (psutil: the
    standard library only resolves the host name, often to 127.0.1.1 alone)."""
    import psutil

    families = (socket.AF_INET, socket.AF_INET6)
    return [
        entry.address
        for entries in psutil.net_if_addrs().values()
        for entry in entries
        if entry.family in families
    ]


def _normal(name: str) -> str:
    """A host name or address as compared: lower case, no brackets, no zone, no final dot."""
    name = name.strip().strip("[]").lower().rstrip(".")
    try:
        return str(ipaddress.ip_address(name.split("%", 1)[0]))
    except ValueError:
        return name


def allowed_host(text: str) -> str:
    """An `--allow-host` value: a host name or an address (no port, no scheme)."""
    name = _normal(text)
    if not name or (any(mark in name for mark in "/:@ ") and not _is_address(name)):
        raise ValueError(f"not a host name or address: {text!r}")
    return name


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def refusal(request_host: str, origin: str | None, hosts: Audience) -> str | None:
    """Why a request to the server is refused, or None.

    A browser lets any web page open a WebSocket to any address, and sends the page's origin
    with it: a tab's reader is only started for the server's own page. The Host must be one
    the server answers to (`Audience`), or a site could rebind its own name to this machine.
    """
    host_name = urlsplit(f"//{request_host}").hostname or ""
    if not hosts.admits(host_name):
        if hosts.loopback_only:
            return f"this server answers to localhost addresses only, not {request_host!r}"
        return (
            f"this server answers to this machine's names and addresses only, not "
            f"{request_host!r} (a proxy's name can be added with --allow-host)"
        )
    if origin is not None and urlsplit(origin).netloc != request_host:
        return f"a page from {origin!r} may not start a reader here"
    return None


def serve(
    command: str, host: str, port: int, *, feed: Path, allowed_hosts: Sequence[str] = ()
) -> None:
    """Serve the reader until interrupted (Ctrl+C, SIGTERM)."""
    from textual_serve.server import Server

    hosts = audience(host, allowed_hosts)
    os.environ[SERVE_HOST_ENV] = host

    class ReaderServer(Server):
        stopping = False

        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            _refuse(request, hosts)
            # The page's absolute links must name the host the browser used (a wildcard or
            # the other of `localhost` and 127.0.0.1 would fail the origin check).
            self.public_url = f"{request.scheme}://{request.host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            _refuse(request, hosts)
            return await super().handle_websocket(request)

        def initialize_logging(self) -> None:
            super().initialize_logging()
            # A line per request is noise beside a reader; warnings and errors still show.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def _make_app(self) -> web.Application:
            import aiohttp_jinja2

            from reader.serve_page import LocalPageLoader

            app: web.Application = await super()._make_app()
            aiohttp_jinja2.setup(app, loader=LocalPageLoader(self.templates_path))
            return app

        async def on_startup(self, app: web.Application) -> None:
            """Nothing: the address is said once the server listens (`say_listening`)."""

        def say_listening(self, *_: object) -> None:
            print(f"reader: serving {feed} at {address_to_open(host, port)}", flush=True)
            print("reader: each browser tab runs its own reader; Ctrl+C stops", flush=True)

        def request_exit(self) -> None:
            # A second Ctrl+C or SIGTERM while stopping would escape the web server's
            # cleanup (exit status 1, tabs left running): the stop has its deadline anyway.
            if not self.stopping:
                self.stopping = True
                super().request_exit()

        async def on_shutdown(self, app: web.Application) -> None:
            # A tab ended while it started says "Application failed to start": not news.
            logging.getLogger("textual-serve").setLevel(logging.CRITICAL)
            await end_tabs()

        def serve(self, debug: bool = False) -> None:
            run_server(self, host, port, self.say_listening)

    try:
        ReaderServer(command, host=host, port=port, title="reader").serve()
    except OSError as error:  # taken between the check and the start
        raise ServeError(_bind_failure(host, port, error)) from None


def run_server(server: Server, host: str, port: int, listening: Callable[[], None]) -> None:
    """textual-serve's `Server.serve`, but `listening` is called once the port is listened
    on (not before, so a client that reads the address can connect), and the web server
    waits HANDLER_STOP_SECONDS, not a minute, for a connection still open when it stops."""
    import asyncio

    from aiohttp import web

    server.initialize_logging()
    loop = asyncio.new_event_loop()
    with suppress(NotImplementedError):  # Windows: Ctrl+C is a KeyboardInterrupt there
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, server.request_exit)
    web.run_app(
        server._make_app(),
        host=host,
        port=port,
        handle_signals=False,
        loop=loop,
        print=lambda *_: listening(),
        shutdown_timeout=HANDLER_STOP_SECONDS,
    )


async def end_tabs() -> None:
    """End this process's children, the tabs' shells and readers, when the server stops.

    Waited for on the event loop, so that each tab's exit is seen before the loop closes:
    a process's transport left open then fails at exit with "Event loop is closed".
    """
    import psutil

    await end_processes(psutil.Process().children(recursive=True))


async def end_processes(
    processes: list[psutil.Process],
    quit_seconds: float = TAB_QUIT_SECONDS,
    kill_seconds: float = TAB_KILL_SECONDS,
) -> None:
    """SIGTERM, which a reader takes as quitting (its state saved, exit status 0); any
    process still running `quit_seconds` later is killed."""
    import psutil

    for process in processes:
        with suppress(psutil.Error):
            process.terminate()
    left = await _outlive(processes, quit_seconds)
    for process in left:
        with suppress(psutil.Error):
            process.kill()
    await _outlive(left, kill_seconds)


async def _outlive(processes: list[psutil.Process], seconds: float) -> list[psutil.Process]:
    """Wait up to `seconds` for `processes` to end; returns those still running."""
    import asyncio

    deadline = time.monotonic() + seconds
    me = os.getpid()
    while (processes := [p for p in processes if _running(p, me)]) and (
        time.monotonic() < deadline
    ):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.05)  # for the event loop's child watcher to report the last exits
    return processes


def _running(process: psutil.Process, parent: int) -> bool:
    """Whether `process` has not ended, or ended as `parent`'s child and is not yet reaped
    (the event loop has not seen its exit); another's zombie has ended."""
    import psutil

    try:
        return process.status() != psutil.STATUS_ZOMBIE or process.ppid() == parent
    except psutil.NoSuchProcess:
        return False


def _refuse(request: web.Request, hosts: Audience) -> None:
    from aiohttp import web

    reason = refusal(request.host, request.headers.get("Origin"), hosts)
    if reason is not None:
        raise web.HTTPForbidden(text=f"reader serve: {reason}\n")


def served_to_this_machine() -> bool:
    """In a tab's reader: whether its server listens on loopback only (so the page is a
    localhost one, which a browser lets use the clipboard); False outside `reader serve`."""
    return is_loopback(os.environ.get(SERVE_HOST_ENV, "-"))
