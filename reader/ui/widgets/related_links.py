"""The related links of the article shown, then the links in its body: selectable, one row each."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import unquote, urlsplit

from rich.cells import cell_len
from textual.binding import BindingType
from textual.content import Content

from reader.core.export import short_date
from reader.core.model import RelatedLink
from reader.core.sanitize import real_host
from reader.ui.commands import bindings
from reader.ui.text import assemble, line, provider_shown
from reader.ui.widgets.virtual_list import VirtualList

if TYPE_CHECKING:  # markdown-it is imported when a body is first read, after the first frame
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

BODY_LINKS_HEADING = "Links in the article"
# A query string this short is part of the address (`?id=42`); a longer one is tracking noise.
SHORT_QUERY = 16
# Where a shortened link may be cut: after one of these, never inside a word.
CUT_AFTER = "/?&=-_.+"
LINK_GAP = "  "
# With less room than this, the address is left for the list to cut at its edge.
MIN_LINK_ROOM = 8

_parser: MarkdownIt | None = None


def short_url(url: str) -> str:
    """Host and path, without the scheme, a long query or the fragment (`example.com/a/b`)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.netloc:
        return url  # not a web address: shown as it is
    host = real_host(parts.netloc)  # never a user name or password, which can pose as a host
    path = "" if parts.path == "/" else parts.path
    query = f"?{parts.query}" if parts.query and len(parts.query) <= SHORT_QUERY else ""
    return f"{host}{path}{query}"


def cut_link(link: Content, width: int) -> list[Content]:
    """The link on one line: cut with an ellipsis after a separator, so no word is split."""
    if link.cell_length <= width:
        return [link]
    text, room, fits = link.plain, width - 1, 0  # one cell for the ellipsis
    while fits < len(text) and cell_len(text[: fits + 1]) <= room:
        fits += 1
    cut = max((i + 1 for i in range(fits) if text[i] in CUT_AFTER), default=0)
    return [link[: cut or fits] + Content("…")]  # no separator fits: cut where the room ends


def body_links(markdown: str) -> list[RelatedLink]:
    """Every link (and image) of a Markdown body as Textual's Markdown shows them, each URL once."""
    global _parser
    if _parser is None:
        from markdown_it import MarkdownIt

        _parser = MarkdownIt("gfm-like")  # the parser Textual's Markdown widget uses
    found: dict[str, str] = {}
    for token in _parser.parse(markdown):
        for url, text in _inline_links(token.children or ()):
            found.setdefault(url, text)
    return [RelatedLink(text, url=url) for url, text in found.items()]


def _inline_links(children: Sequence[Token]) -> list[tuple[str, str]]:
    """(URL, text) of the links among an inline token's children."""
    links: list[tuple[str, str]] = []
    href: str | None = None
    text: list[str] = []
    for child in children:
        if child.type == "link_open":
            href, text = str(child.attrs.get("href", "")), []
        elif child.type == "link_close" and href is not None:
            links.append((_as_clicked(href), " ".join("".join(text).split())))
            href = None
        elif child.type == "image" and href is None:
            alt = " ".join(child.content.split())
            links.append(
                (_as_clicked(str(child.attrs.get("src", ""))), f"image: {alt}" if alt else "image")
            )
        elif child.type in ("text", "code_inline", "image"):
            text.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            text.append(" ")
    return links


def _as_clicked(href: str) -> str:
    """The URL a click on the link hands the app (`Markdown.LinkClicked` unquotes it)."""
    return unquote(href)


class RelatedLinks(VirtualList):
    """Each related link (title, provider, date, quality), then the body's; enter opens or jumps."""

    DEFAULT_CSS = """
    RelatedLinks > .related-links--meta {
        color: $text-muted;
    }

    RelatedLinks > .related-links--in-feed {
        color: $text-success;
    }

    RelatedLinks:focus {
        background: $boost;
    }

    RelatedLinks > .related-links--heading {
        text-style: bold;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("related")
    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "related-links--meta",
        "related-links--in-feed",
        "related-links--heading",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.links: Sequence[RelatedLink] = ()
        self.body_links: Sequence[RelatedLink] = ()
        self.rows: list[RelatedLink | None] = []  # None: the heading above the body's links
        self.in_feed: Callable[[str | None], bool] = lambda url: False

    def show(
        self,
        links: Sequence[RelatedLink],
        in_feed: Callable[[str | None], bool],
        body_links: Sequence[RelatedLink] = (),
    ) -> None:
        """Swap in the links; `in_feed` tells which URLs are articles of the feed."""
        self.links = links
        self.body_links = body_links
        heading: list[RelatedLink | None] = [None] if links and body_links else []
        self.rows = [*links, *heading, *body_links]
        self.in_feed = in_feed
        self.styles.height = max(len(self.rows), 1)
        self.set_row_count(len(self.rows), 0)

    @property
    def current(self) -> RelatedLink | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor]
        return None

    def move_cursor(self, index: int) -> None:
        """The heading is not a row to stand on: step over it the way the cursor goes."""
        if 0 <= index < len(self.rows) and self.rows[index] is None:
            index += 1 if index > self.cursor else -1
        super().move_cursor(index)

    def render_row(self, index: int, width: int) -> Content:
        link = self.rows[index]
        if link is None:
            return line(BODY_LINKS_HEADING, self.part_style("related-links--heading"))
        marker = (
            line("↪ ", self.part_style("related-links--in-feed"))
            if self.in_feed(link.url)
            else "  "
        )
        if index >= len(self.links):
            return assemble(marker, *self._body_link(link, width - 2))
        meta = self.part_style("related-links--meta")
        quality = "" if link.quality is None else f" · {link.quality}"
        return assemble(
            marker,
            line(link.title),
            line(
                f"  {provider_shown(link.provider_name)} · {short_date(link.published)}{quality}",
                meta,
            ),
        )

    def _body_link(self, link: RelatedLink, width: int) -> tuple[Content, ...]:
        """Its text, then where it goes, cut after a separator to the room left (only where it
        goes when it has no text)."""
        where = line(short_url(link.url or ""))
        if not link.title:
            return (cut_link(where, width)[0],)
        title = line(link.title)
        room = width - title.cell_length - len(LINK_GAP)
        if room >= MIN_LINK_ROOM:
            where = cut_link(where, room)[0]
        return (
            title,
            line(LINK_GAP, self.part_style("related-links--meta")),
            where.stylize(self.part_style("related-links--meta")),
        )
