"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1) in the shape `feedparser` gives.

The released `feedparser` (6.0) reads RSS and Atom only; its JSON Feed support exists
only on its unreleased development branch. JSON Feed is plain JSON with a handful of
documented keys, so the standard `json` module and this mapping do the job; the entries
then go through the same conversion (and the same HTML cleaning) as feedparser's.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from time import struct_time
from typing import Any

JSON_FEED_PREFIX = "https://jsonfeed.org/version/"


class JsonFeedError(Exception):
    """Not a JSON Feed; the message says why."""


def looks_like_json(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_json_feed(data: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(feed, entries) with feedparser's key names: title, link, id, summary, content, tags,
    published_parsed and updated_parsed."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise JsonFeedError(f"not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise JsonFeedError("the JSON is not an object")
    version = document.get("version")
    if not (isinstance(version, str) and version.startswith(JSON_FEED_PREFIX)):
        raise JsonFeedError("not a JSON Feed (no 'version' naming jsonfeed.org)")
    items = document.get("items")
    if not isinstance(items, list):
        raise JsonFeedError("a JSON Feed without an 'items' list")
    feed = {"title": _text(document.get("title")), "link": _text(document.get("home_page_url"))}
    return feed, [_entry(item) for item in items if isinstance(item, dict)]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    content = []
    if html := _text(item.get("content_html")):
        content.append({"type": "text/html", "value": html})
    elif text := _text(item.get("content_text")):
        content.append({"type": "text/plain", "value": text})
    tags = item.get("tags")
    tags = tags if isinstance(tags, list) else []
    raw_id = item.get("id")
    return {
        "id": str(raw_id) if isinstance(raw_id, (str, int)) and raw_id != "" else None,
        "link": _text(item.get("url")) or _text(item.get("external_url")),
        "title": _text(item.get("title")),
        "summary": _text(item.get("summary")),
        "content": content,
        "tags": [{"term": tag} for tag in tags if isinstance(tag, str)],
        "published_parsed": _time(item.get("date_published")),
        "updated_parsed": _time(item.get("date_modified")),
    }  # fmt: skip


def _time(value: object) -> struct_time | None:
    """An RFC 3339 date as a UTC `struct_time` (as feedparser gives dates), None if unreadable."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC).timetuple()
    except (OverflowError, ValueError):
        return None
