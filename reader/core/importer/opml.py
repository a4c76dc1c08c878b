"""OPML subscription lists: the feed URLs they name.

Read with the standard library's ElementTree: it resolves no external entity, and the
expat it runs on (2.4 and later) refuses entity-expansion bombs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

from reader.core.importer.fetch import FetchError, checked_source_url

# The root element, after an optional BOM, XML declaration, comments and doctype.
_OPML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<opml[\s>]",
    re.S,
)


class OpmlError(Exception):
    """The list cannot be read; the message says why."""


def is_opml(data: bytes) -> bool:
    return _OPML_START.match(data[:4096]) is not None


def feed_urls(data: bytes) -> tuple[list[str], list[str]]:
    """The `xmlUrl` of every outline, once each, in order; and a sentence per URL refused."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise OpmlError(f"not a readable OPML file ({error})") from None
    urls: list[str] = []
    refused: list[str] = []
    for outline in root.iter("outline"):
        raw = outline.get("xmlUrl") or outline.get("xmlurl")
        if not raw:
            continue
        try:
            url = checked_source_url(raw.strip())
        except FetchError as error:
            refused.append(f"{raw[:200]!r}: {error}")
            continue
        if url not in urls:
            urls.append(url)
    return urls, refused
