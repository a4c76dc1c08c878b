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
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from aiohttp import web

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Set by the server for the readers it starts (they inherit its environment).
SERVE_HOST_ENV = "READER_SERVE_HOST"
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
# Wildcard addresses listen everywhere; a browser cannot be pointed at them.
WILDCARDS = frozenset({"", "0.0.0.0", "::"})


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


def refusal(request_host: str, origin: str | None, *, loopback_only: bool) -> str | None:
    """Why a request to the server is refused, or None.

    A browser lets any web page open a WebSocket to any address, and sends the page's origin
    with it: a tab's reader is only started for the server's own page. Served on loopback,
    the Host must name this machine too, or a site could rebind its own name to 127.0.0.1.
    """
    host_name = urlsplit(f"//{request_host}").hostname or ""
    if loopback_only and not is_loopback(host_name):
        return f"this server answers to localhost addresses only, not {request_host!r}"
    if origin is not None and urlsplit(origin).netloc != request_host:
        return f"a page from {origin!r} may not start a reader here"
    return None


def serve(command: str, host: str, port: int, *, feed: Path) -> None:
    """Serve the reader until interrupted (Ctrl+C)."""
    from textual_serve.server import Server

    loopback_only = is_loopback(host)
    os.environ[SERVE_HOST_ENV] = host

    class ReaderServer(Server):
        async def handle_index(self, request: web.Request) -> web.StreamResponse:
            _refuse(request, loopback_only)
            # The page's absolute links must name the host the browser used (a wildcard or
            # the other of `localhost` and 127.0.0.1 would fail the origin check).
            self.public_url = f"{request.scheme}://{request.host}"
            response: web.StreamResponse = await super().handle_index(request)
            return response

        async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
            _refuse(request, loopback_only)
            return await super().handle_websocket(request)

        def initialize_logging(self) -> None:
            super().initialize_logging()
            # A line per request is noise beside a reader; warnings and errors still show.
            logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

        async def on_startup(self, app: web.Application) -> None:
            print(f"reader: serving {feed} at {address_to_open(host, port)}", flush=True)
            print("reader: each browser tab runs its own reader; Ctrl+C stops", flush=True)

    try:
        ReaderServer(command, host=host, port=port, title="reader").serve()
    except OSError as error:  # taken between the check and the start
        raise ServeError(_bind_failure(host, port, error)) from None


def _refuse(request: web.Request, loopback_only: bool) -> None:
    from aiohttp import web

    reason = refusal(request.host, request.headers.get("Origin"), loopback_only=loopback_only)
    if reason is not None:
        raise web.HTTPForbidden(text=f"reader serve: {reason}\n")


def served_to_this_machine() -> bool:
    """In a tab's reader: whether its server listens on loopback only (so the page is a
    localhost one, which a browser lets use the clipboard); False outside `reader serve`."""
    return is_loopback(os.environ.get(SERVE_HOST_ENV, "-"))
