"""Making untrusted article text safe to show, and URLs safe to open.

Plain Python: the UI builds its `Content` from what these functions return.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

# C0 controls (bar tab and newline), DEL and the C1 range: ESC-based terminal sequences
# (OSC 52 clipboard writes, OSC 0 window titles) all start with one of these.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_CHARS_AND_NEWLINES = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Bidirectional overrides and isolates can make text display in another order than it reads.
_BIDI_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
_WHITESPACE_RUN = re.compile(r"\s+")
# Either of the two: what `clean_text` removes (keeping newlines), found in one pass.
_REMOVED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

SAFE_SCHEMES = ("http", "https")


# Fast paths: `str.isprintable()` is false for every control, format (bidi) and
# separator character bar the ASCII space, so printable text has nothing to remove and
# no whitespace but spaces. Most text of a feed is; the tests hold each fast path to the
# regular expressions below it.


def clean_text(text: str, *, keep_newlines: bool = True) -> str:
    """Remove control characters (keeping tab and, if asked, newline) from untrusted text."""
    if text.isprintable() or (keep_newlines and _REMOVED.search(text) is None):
        return text  # (a "\r" is one of _REMOVED)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pattern = _CONTROL_CHARS if keep_newlines else _CONTROL_CHARS_AND_NEWLINES
    return _BIDI_CONTROLS.sub("", pattern.sub("", text))


def has_control_chars(text: str) -> bool:
    """True when `clean_text` would remove something (newline and tab do not count)."""
    return not text.isprintable() and _REMOVED.search(text) is not None


def clean_line(text: str) -> str:
    """Untrusted text for a one-line slot: controls gone, all whitespace runs one space."""
    if text.isprintable() and "  " not in text:
        return text.strip(" ")
    text = _BIDI_CONTROLS.sub("", _CONTROL_CHARS.sub("", text.replace("\r", "\n")))
    return _WHITESPACE_RUN.sub(" ", text).strip()


# In ASCII, whitespace and control characters are exactly the bytes up to space, and DEL.
_ASCII_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _has_space_or_control(text: str) -> bool:
    """Whitespace, a control or a format character anywhere (a fast path for ASCII URLs)."""
    if text.isascii():
        return _ASCII_SPACE_OR_CONTROL.search(text) is not None
    return any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


class UnsafeUrl(ValueError):
    """A URL the reader refuses to open; the message says why."""


# The usual article link: http(s), a host of letters, digits, dots and dashes, a path,
# and a query and a fragment that are not empty; printable ASCII without a space. Such a
# URL is accepted as it is (`urlsplit` and `urlunsplit` give it back unchanged), without
# their cost: six URLs a file were a third of the field checks. Anything else takes every
# check of `check_url_fully`; the tests hold the two to the same answers.
_PLAIN_HTTP_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+/[\x21\x22\x24-\x3e\x40-\x7e]*"  # path: no '?' or '#'
    r"(?:\?[\x21\x22\x24-\x7e]+)?(?:#[\x21-\x7e]+)?"
)


def check_url(raw: object) -> str:
    """Return the normalised URL if it may be opened in a browser, else raise UnsafeUrl.

    See `check_url_fully`; this is its fast path for plain links.
    """
    if type(raw) is str and _PLAIN_HTTP_URL.fullmatch(raw) is not None:
        return raw
    return check_url_fully(raw)


def check_url_fully(raw: object) -> str:
    """Return the normalised URL if it may be opened in a browser, else raise UnsafeUrl.

    This is the one gate to the browser: http/https only, with a host, no whitespace or
    control characters anywhere (``urlsplit`` silently drops tabs and newlines, so they are
    refused before it runs), never a leading ``-`` that a browser would take as an option,
    and no user name or backslash before the host, which make a URL seem to go elsewhere.
    """
    if not isinstance(raw, str) or not raw:
        raise UnsafeUrl("the article has no URL")
    if raw.startswith("-"):
        raise UnsafeUrl("it starts with '-'")
    if _has_space_or_control(raw):
        raise UnsafeUrl("it contains spaces or control characters")
    try:
        parts = urlsplit(raw)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError as error:
        raise UnsafeUrl(f"it is malformed ({error})") from None
    scheme = parts.scheme.lower()
    if scheme not in SAFE_SCHEMES:
        shown = f"'{scheme}:'" if scheme else "none"
        raise UnsafeUrl(f"only http and https links are opened (scheme: {shown})")
    if not parts.hostname:
        raise UnsafeUrl("it has no host")
    # `https://bank.example@evil.example/` goes to evil.example: refused, naming the real host.
    if "\\" in parts.netloc:
        raise UnsafeUrl(
            "it has a backslash before its path, which hides the host it really goes to: "
            + real_host(parts.netloc)
        )
    if "@" in parts.netloc:
        raise UnsafeUrl(
            "it carries a user name or password, which hides the host it really goes to: "
            + real_host(parts.netloc)
        )
    del port
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, parts.fragment))


def real_host(netloc: str) -> str:
    """The host (and port) a browser goes to for this authority part of a URL.

    What follows the last `@` is the host (before it: a user name and password), and a
    browser ends the authority at a backslash, where `urlsplit` does not.
    """
    return netloc.split("\\", 1)[0].rpartition("@")[2]


def is_safe_url(raw: object) -> bool:
    """True when `check_url` would accept the URL."""
    try:
        check_url(raw)
    except UnsafeUrl:
        return False
    return True
