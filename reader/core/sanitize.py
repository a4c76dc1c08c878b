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

SAFE_SCHEMES = ("http", "https")


def clean_text(text: str, *, keep_newlines: bool = True) -> str:
    """Remove control characters (keeping tab and, if asked, newline) from untrusted text."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pattern = _CONTROL_CHARS if keep_newlines else _CONTROL_CHARS_AND_NEWLINES
    return _BIDI_CONTROLS.sub("", pattern.sub("", text))


def has_control_chars(text: str) -> bool:
    """True when `clean_text` would remove something (newline and tab do not count)."""
    return bool(_CONTROL_CHARS.search(text) or _BIDI_CONTROLS.search(text))


def clean_line(text: str) -> str:
    """Untrusted text for a one-line slot: controls gone, all whitespace runs one space."""
    if _already_clean(text):
        return text
    text = _BIDI_CONTROLS.sub("", _CONTROL_CHARS.sub("", text.replace("\r", "\n")))
    return _WHITESPACE_RUN.sub(" ", text).strip()


def _already_clean(text: str) -> bool:
    """What `clean_line` leaves as it is, told without its three regex passes (most titles:
    `reader list --format tsv` cleans 500,000 fields at 100,000 articles).

    A printable string holds no control, no bidi control and no whitespace but the space
    (they are all in categories `isprintable` refuses); then only doubled, leading or
    trailing spaces would change.
    """
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


# In ASCII, whitespace and control characters are exactly the bytes up to space, and DEL.
_ASCII_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def _has_space_or_control(text: str) -> bool:
    """Whitespace, a control or a format character anywhere (a fast path for ASCII URLs)."""
    if text.isascii():
        return _ASCII_SPACE_OR_CONTROL.search(text) is not None
    return any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


class UnsafeUrl(ValueError):
    """A URL the reader refuses to open; the message says why."""


def check_url(raw: object) -> str:
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
