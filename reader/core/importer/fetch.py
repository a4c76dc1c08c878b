"""Fetching a feed over HTTP: `http`/`https` only, a deadline, a size cap, few redirects.

Plain `urllib`: one GET, no cookies, no credentials. The time limit is a wall-clock deadline
for the whole fetch (connecting, every redirect, the headers and the body): every read from
the socket is given only the time that is left, so a server that trickles a byte every few
seconds is cut off at the deadline like one that says nothing. Every failure is a
`FetchError` whose message says what went wrong in words a reader of the summary understands.
"""

from __future__ import annotations

import io
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http.client import HTTPConnection, HTTPMessage, HTTPResponse, HTTPSConnection
from typing import IO, Any
from urllib.parse import urlsplit

from reader import __version__
from reader.core.sanitize import UnsafeUrl, check_url

TIMEOUT_SECONDS = 20.0
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = f"reader-tui/{__version__} (feed import)"
_CHUNK = 64 * 1024
_REDIRECT_CODES = (301, 302, 303, 307, 308)


_FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json,"
    " application/json, application/xml, text/xml, */*"
)

# Opens the TCP connection to (host, port) within the timeout: `socket.create_connection`
# unless the caller checks where it connects (the full-text fetch does, see its `net`).
Connector = Callable[[tuple[str, int], float], socket.socket]


class FetchError(Exception):
    """A source URL could not be fetched; the message is the reason."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched body, the URL it finally came from and the type the server said it is."""

    body: bytes
    url: str
    content_type: str


def checked_source_url(raw: str) -> str:
    """The URL if it may be fetched (the reader's URL gate, and no user name or password)."""
    try:
        url = check_url(raw)
    except UnsafeUrl as unsafe:
        raise FetchError(f"not fetched: {unsafe}") from None
    if "@" in urlsplit(url).netloc:
        raise FetchError("not fetched: the URL carries a user name or password")
    return url


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    """Follows at most `MAX_REDIRECTS` redirects, and only to http(s) URLs that pass the gate."""

    max_redirections = MAX_REDIRECTS
    max_repeats = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        checked_source_url(newurl)  # urllib itself would follow ftp:// too
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Deadline:
    """A moment on the monotonic clock; `left()` is the time until it, or TimeoutError."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        return remaining


class _DeadlineReader(io.RawIOBase):
    """The socket's bytes; before each read the socket's timeout becomes the time left."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)  # keeps the socket open until closed
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(self._deadline.left())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _SocketView:
    """What `HTTPResponse` asks of its socket, a file to read: one that keeps the deadline."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))


def _connection_class(
    base: type[HTTPConnection], deadline: Deadline, connector: Connector | None
) -> type[HTTPConnection]:
    """`base` (plain or TLS) whose connecting, sending and reading keep to `deadline`,
    its socket opened by `connector` when one is given (TLS then wraps that socket,
    checking the URL's host name).
    """

    def create_connection(address: tuple[str, int], *args: Any) -> socket.socket:
        assert connector is not None
        return connector(address, deadline.left())

    class Response(HTTPResponse):
        def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
            super().__init__(_SocketView(sock, deadline), *args, **kwargs)  # type: ignore[arg-type]

    class Connection(base):  # type: ignore[valid-type,misc]
        response_class = Response

        def connect(self) -> None:
            # Connecting (and, for TLS, the handshake as a whole) gets what is left too.
            self.timeout = deadline.left()
            if connector is not None:
                self._create_connection = create_connection
            super().connect()

    return Connection


def _opener(deadline: Deadline, connector: Connector | None) -> urllib.request.OpenerDirector:
    """An opener whose connections (each redirect's too) keep to `deadline`, opened by
    `connector` when one is given."""
    plain = _connection_class(HTTPConnection, deadline, connector)
    secure = _connection_class(HTTPSConnection, deadline, connector)

    class Plain(urllib.request.HTTPHandler):
        def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> HTTPResponse:
            return super().do_open(plain, req, **kwargs)

    class Secure(urllib.request.HTTPSHandler):
        def do_open(self, http_class: Any, req: Any, **kwargs: Any) -> HTTPResponse:
            return super().do_open(secure, req, **kwargs)

    handlers: list[urllib.request.BaseHandler] = [Plain(), Secure(), _LimitedRedirects()]
    if connector is not None:
        # No proxy from the environment: through one, only the proxy's address would be
        # checked, and it would fetch a host on the user's network the connector refuses.
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def fetch(
    url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_FEED_BYTES
) -> tuple[bytes, str]:
    """The body of `url` and the URL it finally came from (after redirects).

    `timeout` bounds the whole fetch, redirects, headers and body, not only each read.
    """
    got = fetch_page(url, timeout=timeout, max_bytes=max_bytes, accept=_FEED_ACCEPT)
    return got.body, got.url


def fetch_page(
    url: str,
    *,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_FEED_BYTES,
    accept: str = "*/*",
    user_agent: str = USER_AGENT,
    connector: Connector | None = None,
    what: str = "feed",
    deadline: Deadline | None = None,
) -> Fetched:
    """`fetch` with its request's `Accept` and `User-Agent`, and the connections opened by
    `connector` (see `Connector`); `what` names the body in the size cap's message. A
    `deadline` given takes the place of `timeout` (one that can end early, say)."""
    request = urllib.request.Request(
        checked_source_url(url),
        headers={"User-Agent": user_agent, "Accept-Encoding": "identity", "Accept": accept},
    )
    deadline = Deadline(timeout) if deadline is None else deadline
    try:
        with _opener(deadline, connector).open(request, timeout=deadline.seconds) as response:
            _refuse_compressed(response.headers.get("Content-Encoding"))
            body = _read_capped(response, max_bytes, what)
            return Fetched(body, response.geturl(), response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as error:
        raise FetchError(_http_error_reason(error)) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise FetchError(_late(deadline)) from None
        raise FetchError(f"cannot fetch it ({_reason(error.reason)})") from None
    except TimeoutError:
        raise FetchError(_late(deadline)) from None
    except OSError as error:
        raise FetchError(f"cannot fetch it ({error.strerror or error})") from None


def _late(deadline: Deadline) -> str:
    return f"no answer within {deadline.seconds:g} seconds (the whole download is limited)"


def _http_error_reason(error: urllib.error.HTTPError) -> str:
    if error.code in _REDIRECT_CODES:
        if "not allowed" in str(error.msg):  # urllib's own refusal of a file: redirect
            return "redirected elsewhere than http or https; only http and https URLs are fetched"
        return f"too many redirects (more than {MAX_REDIRECTS})"
    return f"the server answered {error.code} {error.reason}"


def _refuse_compressed(encoding: str | None) -> None:
    """The request asks for the body as it is: a compressed one is refused, never expanded
    (a few kilobytes of gzip can unpack to gigabytes)."""
    if encoding and encoding.strip().lower() not in ("identity", ""):
        raise FetchError(
            f"the server sent it compressed ({encoding.strip()[:40]}) though asked not to; not read"
        )


def _read_capped(response: IO[bytes], max_bytes: int, what: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the {what} is larger than {max_bytes:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(reason: object) -> str:
    if isinstance(reason, OSError):
        return reason.strerror or str(reason)
    return str(reason)
