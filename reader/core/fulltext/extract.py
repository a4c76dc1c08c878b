"""An article page's main text as Markdown: trafilatura, with what it must not be given.

The page is bytes from the network: its type and charset are checked here (a PDF or an
image served as `text/html`, a charset no codec knows), then trafilatura finds the main
text (headings, paragraphs, lists, quotes, links) and leaves navigation, ads, comments and
"related" boxes out. Each link of the result goes through the reader's URL gate: one it
would not open keeps its text only (see `markdown`). A page without enough text (a paywall,
a page drawn by JavaScript) is `NoText`, with a reason, and nothing of it is kept.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

from reader.core.fulltext.markdown import xml_to_markdown
from reader.core.fulltext.reading import word_count

HTML_TYPES = ("text/html", "application/xhtml+xml")
MIN_WORDS = 60  # fewer is a teaser, a paywall's first lines or a script's shell
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"RIFF", "a media file"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


class NoText(Exception):
    """No article text could be taken from the page; the message says why."""


def media_type(content_type: str) -> tuple[str, str | None]:
    """The type (lowercased, no parameters) and the charset of a Content-Type header."""
    message = Message()
    message["content-type"] = content_type or "application/octet-stream"
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def decoded_page(body: bytes, content_type: str) -> str:
    """The page's text, if it is an HTML page in a charset that decodes.

    Raises:
        NoText: not a web page (by its header or by its first bytes), or a bad charset.
    """
    kind, charset = media_type(content_type)
    if content_type and kind not in HTML_TYPES:
        raise NoText(f"not a web page (the server says {kind}); nothing stored")
    head = body[:16].lstrip()
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise NoText(f"not a web page ({what}, though the server says {kind}); nothing stored")
    if charset is None:
        found = _META_CHARSET.search(body[:4096])
        charset = found.group(1).decode("ascii") if found else "utf-8"
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        raise NoText(f"the page's charset {charset[:40]!r} is unknown; nothing stored") from None
    text = body.decode(codec, errors="replace")
    if text.count("\ufffd") > max(16, len(text) // 100):
        raise NoText(f"the page is not valid {codec} text (a wrong charset); nothing stored")
    return text


def extract_markdown(html: str, url: str) -> str:
    """The main text of the page as Markdown, its links through the URL gate.

    Raises:
        NoText: fewer than MIN_WORDS words were found (links' targets not counted).
    """
    import trafilatura  # here: it takes a while to import, and only a fetch needs it

    found = trafilatura.extract(
        html,
        url=url,
        output_format="xml",
        include_links=True,
        include_formatting=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        deduplicate=False,  # True drops a page whose text it saw before, in any call
    )
    text = xml_to_markdown(found).strip() if found else ""
    if word_count(text) < MIN_WORDS:
        raise NoText(
            "no article text found on the page (a paywall, or a page that needs JavaScript?); "
            "nothing stored"
        )
    return text + "\n"
