"""One feed entry as one article: front matter in the seed format, and a Markdown body.

Feed content is untrusted. The HTML is cleaned here (scripts, styles, frames and their
content dropped, every event attribute removed) before `markdownify` turns it into Markdown
(which keeps no HTML, only text, links and images), and every URL written
(the article's link and each link or image in the body) passes the reader's URL gate or
is left out. Every value is cut and cleaned the way the loader reads it, so that a written
file loads with no warning.

`feedparser`'s own sanitizer is not used: it reads an autolink (`<http://auto.link>`, as
authors write them) as an unknown tag and drops it, text and all; here it becomes a link.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from markdownify import MarkdownConverter

from reader.core.fields import MAX_LINE_CHARS, MAX_TOPICS
from reader.core.sanitize import clean_line, clean_text, is_safe_url

EXCERPT_CHARS = 300
MAX_BODY_CHARS = 1_000_000  # well under the loader's file size limit
# Elements whose content is never text to read: dropped whole, not just unwrapped.
DROPPED_ELEMENTS = (
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "template", "form", "input", "button", "select", "textarea", "link", "meta", "base", "svg",
    "math",
)  # fmt: skip
_HTML_HINT = re.compile(r"<[a-zA-Z/!]|&[#a-zA-Z0-9]+;")
_TAG_HINT = re.compile(r"<[a-zA-Z/!]")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^\s<>\"']+)>", re.IGNORECASE)
# Elements that end a line of text: their text is kept apart from what is beside them.
# Inline ones (a, b, em, span…) are not, so that `<a>here</a>.` reads `here.`, not `here .`.
_BLOCK_ELEMENTS = (
    "p", "div", "br", "hr", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5",
    "h6", "blockquote", "pre", "table", "tr", "td", "th", "caption", "figure", "figcaption",
    "section", "article", "aside", "header", "footer", "nav", "main", "address", "details",
    "summary",
)  # fmt: skip

Entry = Mapping[str, Any]  # a `feedparser` entry (a dict with attribute access)


@dataclass(frozen=True, slots=True)
class ImportedArticle:
    """What one entry becomes: its identity in the feed, its file name's parts, its text."""

    key: str  # in its feed: the entry's id, else its link, else a digest of its title
    legacy_key: str  # what version-1 import indexes knew it by: its link first
    title: str
    published: datetime | None
    front_matter: dict[str, object]
    body: str


def is_safe_link(url: object) -> bool:
    """A URL the import may write: the reader's gate, and no user name or password in it
    (`https://bank.example@evil.example/` reads as the bank and goes elsewhere)."""
    return isinstance(url, str) and is_safe_url(url) and "@" not in urlsplit(url).netloc


def sanitized_soup(html: str, base: str | None = None) -> BeautifulSoup:
    """The HTML parsed, with the dropped elements gone and every `on…` attribute removed;
    relative links and images resolved against `base` (the feed's own link)."""
    soup = BeautifulSoup(_AUTOLINK.sub(_autolink_as_link, html), "html.parser")
    for element in soup.find_all(DROPPED_ELEMENTS):
        element.decompose()
    for tag in soup.find_all(True):
        for name in [name for name in tag.attrs if name.lower().startswith("on")]:
            del tag.attrs[name]
        for name in ("href", "src"):
            value = tag.attrs.get(name)
            if base and isinstance(value, str):
                tag.attrs[name] = resolved(value, base)
    _drop_unsafe_links(soup)
    return soup


def _autolink_as_link(match: re.Match[str]) -> str:
    """`<http://auto.link>` as a link with its URL as text (the parser would take it for a
    tag named `http:`); a URL the gate refuses stays as text."""
    url = escape(match.group(1))
    return f'<a href="{url}">{url}</a>'


def _drop_unsafe_links(soup: BeautifulSoup) -> None:
    """A link whose URL fails the gate becomes its text; such an image, its alt text."""
    for link in soup.find_all("a"):
        if link.get("href") is not None and not is_safe_link(link.get("href")):
            link.unwrap()
    for image in soup.find_all("img"):
        if not is_safe_link(image.get("src")):
            alt = image.get("alt")
            image.replace_with(alt if isinstance(alt, str) else "")


def resolved(url: str, base: str | None) -> str:
    """`url` made absolute against `base` (feedparser is told not to: its rewriting of the
    HTML would drop autolinks)."""
    if not base or not url.strip() or urlsplit(url).scheme:
        return url  # an empty link (feedparser's for a `javascript:` one) stays empty
    try:
        return urljoin(base, url)
    except ValueError:
        return url


# `escape_misc`: text that merely spells a tag or a link (`&lt;script&gt;`, `[x](javascript:…)`)
# is written escaped (`\<script\>`, `\[x\]`), so that no Markdown renderer makes it live.
_CONVERTER = MarkdownConverter(
    heading_style="atx", bullets="-", strip=list(DROPPED_ELEMENTS), escape_misc=True
)


def html_to_markdown(html: str, base: str | None = None) -> str:
    return clean_text(_CONVERTER.convert_soup(sanitized_soup(html, base))).strip()


def text_to_markdown(text: str) -> str:
    """Plain-text content as Markdown: each paragraph's text escaped, never markup."""
    paragraphs = (part.strip() for part in re.split(r"\n\s*\n", clean_text(text)))
    return html_to_markdown("".join(f"<p>{escape(part)}</p>" for part in paragraphs if part))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (or of text that merely looks like it), on one line."""
    if not _HTML_HINT.search(html):
        return clean_line(html)
    text = _soup_text(sanitized_soup(html))
    if _TAG_HINT.search(text):
        # Escaped markup (`&lt;script&gt;`) is a tag again once unescaped: an excerpt is read
        # as plain text here, but another tool might render it, so it goes the same way.
        text = _soup_text(sanitized_soup(text))
    return clean_line(text)


def _soup_text(soup: BeautifulSoup) -> str:
    """The text as a browser lays it out on one line: a space between blocks, none added
    between inline elements (nor before the punctuation after a link)."""
    for element in soup.find_all(_BLOCK_ELEMENTS):
        element.insert_before(" ")
        element.insert_after(" ")
    return str(soup.get_text(""))


def cut(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with … when cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    space = head.rfind(" ")
    return (head[:space] if space > limit // 2 else head).rstrip(" ,;:.-") + "…"


def _entry_text(value: object) -> str:
    return html_to_text(value) if isinstance(value, str) else ""


def entry_link(entry: Entry, base: str | None) -> str | None:
    """The entry's page: its `link`, else its first alternate link, if it passes the gate."""
    candidates = [entry.get("link")] + [
        link.get("href") for link in entry.get("links", []) if link.get("rel") == "alternate"
    ]
    absolute = (resolved(url, base) for url in candidates if isinstance(url, str))
    return next((url for url in absolute if is_safe_link(url)), None)


def entry_time(entry: Entry) -> datetime | None:
    """When the entry was published (else updated), in UTC; None for a date feedparser
    could not read."""
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        # dict.get: feedparser's own `get` maps a missing date to another, with a warning.
        parts = dict.get(entry, name) if isinstance(entry, dict) else entry.get(name)
        if parts:
            try:
                year, month, day, hour, minute, second = parts[:6]
                return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
            except (TypeError, ValueError, OverflowError):
                continue
    return None


def entry_body(entry: Entry, base: str | None) -> str:
    """The entry's content as Markdown ('' when the feed carries only a summary)."""
    for content in entry.get("content", []):
        value = content.get("value")
        if not isinstance(value, str) or not value.strip():
            continue
        kind = str(content.get("type", "text/html"))
        # The content's own base (xml:base, or the URL fetched), else the feed's link.
        own_base = content.get("base")
        where = own_base if isinstance(own_base, str) and is_safe_link(own_base) else base
        text = html_to_markdown(value, where) if "html" in kind else text_to_markdown(value)
        return text[:MAX_BODY_CHARS]
    return ""


def entry_plain_text(entry: Entry) -> str:
    """The entry's content as plain text on one line (for an excerpt when it has no summary):
    from the content itself, not from its Markdown, which has escapes in it."""
    for content in entry.get("content", []):
        value = content.get("value")
        if isinstance(value, str) and value.strip():
            return html_to_text(value)
    return ""


def entry_topics(entry: Entry) -> list[str]:
    topics: list[str] = []
    for tag in entry.get("tags", []) or []:
        term = tag.get("label") or tag.get("term")
        topic = cut(_entry_text(term), 80)
        if topic and topic not in topics:
            topics.append(topic)
    return topics[:MAX_TOPICS]


def provider_of(feed: Mapping[str, Any]) -> dict[str, str] | None:
    """`name` from the feed's title, `domain` from its link's host."""
    name = cut(_entry_text(feed.get("title")), 200)
    link = feed.get("link")
    domain = (urlsplit(link).hostname or "") if isinstance(link, str) and is_safe_link(link) else ""
    provider = {key: value for key, value in (("name", name), ("domain", domain)) if value}
    return provider or None


def entry_key(entry: Entry, link: str | None, title: str) -> str:
    """The article's identity in its feed: the entry's id (an RSS guid, an Atom id), else
    its link, else a digest of its title."""
    entry_id = _entry_id(entry)
    return entry_id or link or _title_key(title)


def legacy_entry_key(entry: Entry, link: str | None, title: str) -> str:
    """The identity version-1 indexes gave an article, in every feed at once: its link,
    else `id:` and the entry's id, else a digest of its title."""
    if link:
        return link
    entry_id = _entry_id(entry)
    return f"id:{entry_id}" if entry_id else _title_key(title)


def _entry_id(entry: Entry) -> str | None:
    entry_id = entry.get("id")
    return entry_id.strip() if isinstance(entry_id, str) and entry_id.strip() else None


def _title_key(title: str) -> str:
    return "title:" + hashlib.sha1(title.encode("utf-8", "replace")).hexdigest()


def convert_entry(
    entry: Entry, provider: dict[str, str] | None, base: str | None
) -> ImportedArticle | None:
    """The article of one entry; None when it has neither a title nor any text to make one."""
    summary = _entry_text(entry.get("summary"))
    body = entry_body(entry, base)
    link = entry_link(entry, base)
    plain = entry_plain_text(entry) if body else ""
    title = cut(_entry_text(entry.get("title")) or summary or plain, 200)
    if not title:
        return None
    published = entry_time(entry)
    front: dict[str, object] = {"title": cut(title, MAX_LINE_CHARS)}
    excerpt = cut(summary or plain, EXCERPT_CHARS)
    if excerpt:
        front["excerpt"] = excerpt
    if published is not None:
        front["publishedDateTime"] = published
    if link:
        front["webUrl"] = link
    if provider:
        front["provider"] = dict(provider)
    topics = entry_topics(entry)
    if topics:
        front["topics"] = topics
    return ImportedArticle(
        entry_key(entry, link, title),
        legacy_entry_key(entry, link, title),
        title,
        published,
        front,
        body,
    )


def convert_entries(entries: Iterable[Entry], feed: Mapping[str, Any]) -> list[ImportedArticle]:
    """The feed's articles, one per key: of two entries with one id (or, without ids, one
    link), the later one."""
    provider = provider_of(feed)
    link = feed.get("link")
    base = link if is_safe_link(link) else None
    kept: dict[str, ImportedArticle] = {}
    for entry in entries:
        article = convert_entry(entry, provider, base)
        if article is None:
            continue
        other = kept.get(article.key)
        if other is None or _moment(article) > _moment(other):
            kept[article.key] = article
    return list(kept.values())


def _moment(article: ImportedArticle) -> float:
    return article.published.timestamp() if article.published else float("-inf")
