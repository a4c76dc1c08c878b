"""The one place where untrusted article text becomes something Textual displays.

Every widget builds its text here, from `Content` objects made of plain strings: nothing
is ever parsed as markup (a title of `[@click=app.quit]` stays those characters), and
control characters are removed first (no escape sequence reaches the terminal).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from textual.content import Content, Span
from textual.style import Style

from reader.core.matches import match_spans
from reader.core.sanitize import clean_text

if TYPE_CHECKING:
    from textual.app import App

Part = str | tuple[str, "str | Style"] | Content


def line(text: str | None, style: str | Style = "") -> Content:
    """One line of untrusted text, optionally styled (the style is ours, never the text)."""
    flat = clean_text(text or "").replace("\n", " ").replace("\t", " ")
    content = Content(flat)
    return content.stylize(style) if style else content


def paragraph(text: str | None, style: str | Style = "") -> Content:
    """Untrusted text that may span lines (newlines and tabs kept)."""
    content = Content(clean_text(text or "").expandtabs(4))
    return content.stylize(style) if style else content


def markdown_source(text: str | None) -> str:
    """Untrusted Markdown (an article's body, a fetched full text) for Textual's Markdown
    widget: control characters removed; it is parsed as Markdown only, never as markup, and
    its links are opened by the app's URL gate alone (the widget is told not to)."""
    return clean_text(text or "")


NOT_GIVEN = "\N{EN DASH}"  # a field the article does not give (its provider, quality, heat)


def provider_shown(name: str, domain: str = "", *, with_domain: bool = False) -> str:
    """The provider as the list and the detail both name it: its name (`with_domain`: and
    its domain in brackets), else its domain, else the dash of a field not given (not
    "Unknown provider" in one and blank in the other)."""
    if with_domain and name and domain:
        return f"{name} ({domain})"
    return name or domain or NOT_GIVEN


def assemble(*parts: Part) -> Content:
    """Join parts: a str or (str, style) is untrusted text made safe, Content is kept."""
    pieces: list[Content] = []
    for part in parts:
        if isinstance(part, Content):
            pieces.append(part)
        elif isinstance(part, tuple):
            pieces.append(line(part[0], part[1]))
        else:
            pieces.append(line(part))
    return Content("").join(pieces)


def local_time(moment: datetime | None) -> str:
    """`Tue 09 Apr 2021 13:00` in the local time zone (four-digit years: `0001`)."""
    if moment is None:
        return "unknown date"
    with contextlib.suppress(OverflowError):  # year 1 or 9999 may have no local equivalent
        moment = moment.astimezone()
    return f"{moment:%a %d %b} {moment.year:04d} {moment:%H:%M}"


def relative_age(moment: datetime | None, now: datetime | None = None) -> str:
    """`3 days ago`, `in 2 hours`, `just now`."""
    if moment is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = (now - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for size, unit in (
        (365 * 86400, "year"),
        (30 * 86400, "month"),
        (7 * 86400, "week"),
        (86400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ):
        if seconds >= size:
            count = int(seconds // size)
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {words}" if future else f"{words} ago"
    return "just now"


def highlighted(content: Content, terms: Sequence[str], style: str | Style) -> Content:
    """`content` with every occurrence of the (folded) query terms styled."""
    return stylized(content, match_spans(content.plain, terms), style)


def stylized(content: Content, spans: Iterable[tuple[int, int]], style: str | Style) -> Content:
    """`content.stylize(style, start, end)` for each span in turn, made at once: each
    stylize copies the spans before it (a first letter typed in the filter highlights
    hundreds of places in the titles shown, thousands in an article's text)."""
    if not style:
        return content
    length = len(content)
    added = [
        Span(start, min(end, length), style)
        for start, end in spans
        if start < length and start < end
    ]
    if not added:
        return content
    return Content(content.plain, [*content.spans, *added], strip_control_codes=False)


def tell(app: App[Any], message: str, *, severity: str = "information",
         timeout: float | None = None) -> None:  # fmt: skip
    """A notification whose text is never parsed as markup (every notice goes through here)."""
    app.notify(line(message).plain, severity=severity, markup=False, timeout=timeout)  # type: ignore[arg-type]
