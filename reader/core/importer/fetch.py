"""Fetching a feed over HTTP: `http`/`https` only, a timeout, a size cap, few redirects.

Plain `urllib`: one GET, no cookies, no credentials. Every failure is a `FetchError` whose
message says what went wrong in words a reader of the summary understands.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from http.client import HTTPMessage
from typing import IO
from urllib.parse import urlsplit

from reader import __version__
from reader.core.sanitize import UnsafeUrl, check_url

TIMEOUT_SECONDS = 20.0
MAX_FEED_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 5
USER_AGENT = f"reader-tui/{__version__} (feed import)"
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A source URL could not be fetched; the message is the reason."""


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


_OPENER = urllib.request.build_opener(_LimitedRedirects())


def fetch(
    url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_FEED_BYTES
) -> tuple[bytes, str]:
    """The body of `url` and the URL it finally came from (after redirects).

    `timeout` bounds the whole download, not only each read: a server that trickles one
    byte a second is cut off too.
    """
    request = urllib.request.Request(
        checked_source_url(url),
        headers={"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml,"
                 " application/feed+json, application/json, application/xml, text/xml, */*"},
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return _read_capped(response, deadline, max_bytes), response.geturl()
    except urllib.error.HTTPError as error:
        if error.code in (301, 302, 303, 307, 308):
            if "not allowed" in str(error.msg):  # urllib's own refusal of a file: redirect
                raise FetchError("redirected elsewhere than http or https; only http and https"
                                 " URLs are fetched") from None  # fmt: skip
            raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})") from None
        raise FetchError(f"the server answered {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FetchError(f"cannot fetch it ({_reason(error.reason)})") from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} seconds") from None
    except OSError as error:
        raise FetchError(f"cannot fetch it ({error.strerror or error})") from None


def _read_capped(response: IO[bytes], deadline: float, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"the feed is larger than {max_bytes:,} bytes")
        if time.monotonic() > deadline:
            raise TimeoutError
        chunks.append(chunk)
    return b"".join(chunks)


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError):
        return "no answer in time"
    if isinstance(reason, OSError):
        return reason.strerror or str(reason)
    return str(reason)
