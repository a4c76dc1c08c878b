"""OPML subscription lists: the feed URLs they name.

Read with `defusedxml`: a DOCTYPE is allowed (many exporters write one), but a list that
declares an entity is refused rather than expanded, and nothing outside the file (a DTD, an
external entity) is ever fetched or opened.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from reader.core.importer.fetch import FetchError, checked_source_url

# The root element, after an optional BOM, XML declaration, comments, processing
# instructions and a doctype (in any case, with or without an internal subset).
_OPML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?"
    rb"(?:<!--.*?-->\s*|<\?.*?\?>\s*|<!DOCTYPE(?:[^>\[]|\[.*?\])*>\s*)*<opml[\s>]",
    re.S | re.I,
)
_HEAD_BYTES = 64 * 1024  # where the root element must start


class OpmlError(Exception):
    """The list cannot be read; the message says why."""


def is_opml(data: bytes) -> bool:
    return _OPML_START.match(data[:_HEAD_BYTES]) is not None


def feed_urls(data: bytes) -> tuple[list[str], list[str]]:
    """The `xmlUrl` of every outline, once each, in order; and a sentence per URL refused."""
    try:
        root = SafeElementTree.fromstring(data)
    except DefusedXmlException:
        raise OpmlError(
            "not read: the OPML list declares entities (which could expand or read other"
            " files); save it without its DOCTYPE's declarations"
        ) from None
    except ElementTree.ParseError as error:
        raise OpmlError(f"not a readable OPML file ({error})") from None
    urls: list[str] = []
    refused: list[str] = []
    for outline in root.iter():
        if not isinstance(outline.tag, str) or outline.tag.lower() != "outline":
            continue
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
