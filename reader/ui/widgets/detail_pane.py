"""The detail pane: the selected article's metadata, excerpt, body and links, then its
stored full text (if one was fetched) in a readable measure."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.visual import VisualType, visualize
from textual.widget import Widget
from textual.widgets import Static

from reader.core.model import Article, ArticleSummary, RelatedLink, plural
from reader.ui.commands import bindings
from reader.ui.text import (
    NOT_GIVEN,
    assemble,
    highlighted,
    line,
    local_time,
    markdown_source,
    paragraph,
    provider_shown,
    relative_age,
)
from reader.ui.widgets.reflowed import Fit, Reflowed, labelled_rows, wrap

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from reader.core.fulltext.store import StoredText
from reader.ui.widgets.related_links import (
    BODY_LINKS_HEADING,
    RelatedLinks,
    body_links,
    cut_link,
    short_url,
)
from reader.ui.widgets.story_outlets import StoryOutlets

# A component class, not a colour: the highlight follows the theme (light or dark).
HIGHLIGHT = ".detail-pane--highlight"


def update_part(part: Static, content: VisualType) -> None:
    """Put new content in a part of the pane, laying the screen out again only when the part's
    height at its width changes: a layout arranges every widget and repaints what it moved
    (20-40 ms at 100,000 articles), and the next article's title and metadata often take as
    many lines as the last one's (each filter key that changes the top article shows it)."""
    width, height = part.size
    same = False
    if part.display and width > 0:  # laid out: else it is measured with the next layout
        visual = visualize(part, content, markup=False)
        # Measured as Textual's layout measures it (`Widget.get_content_height`).
        same = visual.get_height(part.styles, width) == height  # type: ignore[arg-type]
    part.update(content, layout=not same)


def scroll_by_pages(scrollable: Widget, pages: float) -> None:
    """Scroll a page (keeping a line of the last one) or half a page; negative `pages`: up.

    Not animated: a second press right after the first must land a page further.
    """
    height = scrollable.scrollable_content_region.height
    rows = max(height - 1, 1) if abs(pages) >= 1 else max(height // 2, 1)
    scrollable.scroll_to(
        y=scrollable.scroll_target_y + (rows if pages > 0 else -rows), animate=False, immediate=True
    )


def scroll_where(scrollable: Widget, where: str) -> None:
    """One line down or up, or to the top (`home`) or bottom (`end`) of a scrolling pane."""
    moves = {
        "down": scrollable.scroll_down,
        "up": scrollable.scroll_up,
        "home": scrollable.scroll_home,
        "end": scrollable.scroll_end,
    }
    moves[where]()


class DetailPane(VerticalScroll):
    """Scrolls with j/k and pages like a pager; its links take the focus after it (tab)."""

    DEFAULT_CSS = """
    DetailPane #detail-title {
        text-style: bold;
        color: $text-primary;  /* $text-accent is 3.3:1 in textual-light */
        margin: 1 0 1 0;
    }

    DetailPane #detail-meta {
        margin: 0 0 1 0;
    }

    DetailPane #detail-excerpt {
        margin: 0 0 1 0;
        text-style: italic;
    }

    DetailPane #detail-body {
        margin: 0;
        padding: 0;
    }

    /* The full text: a column of at most 80 cells (longer lines are hard to read),
       centred in a wider pane. */
    DetailPane #detail-text-column {
        height: auto;
        align-horizontal: center;
        margin: 1 0 0 0;
    }

    DetailPane #detail-text-heading {
        width: 100%;
        max-width: 80;
        color: $text-muted;
        text-style: bold;
        border-top: solid $primary 50%;
        margin: 0 0 1 0;
    }

    DetailPane #detail-text {
        width: 100%;
        max-width: 80;
        margin: 0;
        padding: 0;
    }

    DetailPane #related-heading {
        text-style: bold;
        margin: 1 0 0 0;
    }

    DetailPane #outlets-heading {
        text-style: bold;
    }

    DetailPane #related-links {
        height: auto;
        margin: 0 0 1 0;
    }

    /* Textual draws `##` in the primary colour and underlined, as a link is drawn (and in the
       ANSI themes in the very blue of links): a heading here is bold text, never underlined. */
    DetailPane #detail-body MarkdownH1, DetailPane #detail-body MarkdownH2,
    DetailPane #detail-text MarkdownH1, DetailPane #detail-text MarkdownH2 {
        color: $foreground;
        background: transparent;
        text-style: bold;
        margin: 1 0 1 0;
    }

    DetailPane #detail-body MarkdownH3, DetailPane #detail-body MarkdownH4,
    DetailPane #detail-body MarkdownH5, DetailPane #detail-body MarkdownH6,
    DetailPane #detail-text MarkdownH3, DetailPane #detail-text MarkdownH4,
    DetailPane #detail-text MarkdownH5, DetailPane #detail-text MarkdownH6 {
        color: $foreground;
        background: transparent;
        text-style: bold italic;
        margin: 1 0 0 0;
    }

    /* The excerpt's margin is the one blank line before the body: a body that starts with
       a heading (as imported ones often do), a quote or a fence showed two. (A margin-top
       here would set the whole margin: the bottoms are said again.) */
    DetailPane #detail-body > MarkdownH1:first-child,
    DetailPane #detail-body > MarkdownH2:first-child,
    DetailPane #detail-body > MarkdownBlockQuote:first-child,
    DetailPane #detail-body > MarkdownFence:first-child {
        margin: 0 0 1 0;
    }

    DetailPane #detail-body > MarkdownH3:first-child,
    DetailPane #detail-body > MarkdownH4:first-child,
    DetailPane #detail-body > MarkdownH5:first-child,
    DetailPane #detail-body > MarkdownH6:first-child {
        margin: 0;
    }

    /* Query words found in the title and excerpt: the theme's text on a tint of its warning
       colour (readable on light and dark themes); ANSI themes cannot tint, so black on yellow,
       as a pager. */
    DetailPane > .detail-pane--highlight {
        color: $foreground;
        background: $warning 35%;
        text-style: bold;
    }

    DetailPane:ansi > .detail-pane--highlight {
        color: ansi_black;
        background: ansi_yellow;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = bindings("detail")
    COMPONENT_CLASSES: ClassVar[set[str]] = {"detail-pane--highlight"}

    def __init__(self, *, id: str | None = None, body_on_request: bool = False) -> None:
        """`body_on_request`: the parts under the title are mounted by `mount_body`, not
        after the first frame (the feed screen first sets the load going, then asks)."""
        super().__init__(id=id)
        self.body_on_request = body_on_request
        self.article: Article | None = None
        self.highlight_terms: tuple[str, ...] = ()
        self._body: Markdown | None = None  # mounted after the first frame
        self._body_text = ""
        self._body_given = ""  # what the Markdown body was last given (made with "")
        self._text: Markdown | None = None  # the stored full text's, mounted with the body
        self.stored: StoredText | None = None  # the shown article's full text, if kept
        self._in_feed: Callable[[str | None], bool] = lambda url: False
        self._outlets: tuple[ArticleSummary, ...] = ()  # the story's other outlets

    def compose(self) -> ComposeResult:
        # Only the title for the first frame (no article is shown before the feed's rows
        # are all there): the rest is mounted by `mount_body`.
        yield Static(id="detail-title", markup=False)

    def on_mount(self) -> None:
        if not self.body_on_request:
            self.call_after_refresh(self.mount_body)

    async def mount_body(self) -> None:
        """The parts under the title, with the Markdown body, once the first frame is drawn:
        Textual's Markdown widget and markdown-it take 0.06-0.1 s to import, and none of it
        shows in that frame (empty or hidden), so it would only add to its styling. Not once
        the screen is closing (a quit can come with the first frame)."""
        if self._body is not None or not self.is_attached:
            return
        from textual.containers import Vertical
        from textual.widgets import Markdown

        # Links are never opened by the widget itself: the app checks them first.
        body = Markdown("", id="detail-body", open_links=False)
        body.display = False
        self._body = body
        self._text = Markdown("", id="detail-text", open_links=False)
        column = Vertical(
            Static(id="detail-text-heading", markup=False), self._text, id="detail-text-column"
        )
        column.display = False
        await self.mount(
            Static(id="detail-meta", markup=False),
            Static(id="outlets-heading", markup=False),
            StoryOutlets(id="story-outlets"),
            Static(id="detail-excerpt", markup=False),
            body,
            column,
            Static(Content("Related"), id="related-heading", markup=False),
            RelatedLinks(id="related-links"),
        )
        scrolled = self.scroll_y
        self.show(self.article, self._in_feed)  # what was shown meanwhile (its title only)
        self.show_text(self.stored)
        self.show_outlets(self._outlets, force=True)
        self.scroll_to(y=scrolled, animate=False)

    def _update_body(self) -> None:
        body = self._body
        if body is not None:
            body.display = bool(self._body_text)
            if self._body_text != self._body_given:  # the same again: nothing to parse or mount
                self._body_given = self._body_text
                body.update(self._body_text)

    @property
    def parts_mounted(self) -> bool:
        """Whether the parts under the title are there (see `mount_body`)."""
        return self._body is not None and self._body.is_attached

    def show(self, article: Article | None, in_feed: Callable[[str | None], bool]) -> None:
        """Show an article (or nothing) from the top."""
        self.article = article
        self._in_feed = in_feed
        self._show_highlighted()
        if not self.parts_mounted:
            return  # shown in full once they are (`mount_body`)
        update_part(
            self.query_one("#detail-meta", Static), self._meta(article) if article else Content("")
        )
        # The body is Markdown, not markup; its control characters go like every other field's.
        text = markdown_source(article.body) if article and article.body else ""
        self._body_text = text
        self._update_body()
        self._show_links(article, body_links(text) if text else [], in_feed)
        self.scroll_home(animate=False)

    def show_text(self, stored: StoredText | None) -> None:
        """The article's stored full text under the rest, with its reading time (or none)."""
        self.stored = stored
        if not self.parts_mounted or self._text is None:
            return  # shown once they are (`mount_body`)
        self.query_one("#detail-text-column").display = stored is not None
        if stored is None:
            self._text.update("")
            return
        heading = f"Full text · {stored.reading_minutes} min read"
        self.query_one("#detail-text-heading", Static).update(line(heading))
        self._text.update(markdown_source(stored.markdown))

    def show_outlets(self, outlets: Sequence[ArticleSummary], *, force: bool = False) -> None:
        """The other outlets of the story shown (none: an article alone, or every article)."""
        outlets = tuple(outlets)
        if outlets == self._outlets and not force:
            return
        self._outlets = outlets
        if not self.parts_mounted:
            return  # shown once they are (`mount_body`)
        heading = self.query_one("#outlets-heading", Static)
        heading.update(Content(f"Also reported by {plural(len(outlets), 'other outlet')}"))
        listed = self.query_one(StoryOutlets)
        heading.display = listed.display = bool(outlets)
        listed.show(outlets)

    def set_highlight(self, terms: Sequence[str]) -> None:
        """Highlight these (folded) query words in the title and excerpt, now and from now on."""
        if tuple(terms) != self.highlight_terms:
            self.highlight_terms = tuple(terms)
            # The same text, other colours: no line moves, so no layout (a full repaint).
            self._show_highlighted(layout=False)

    def action_page(self, pages: float) -> None:
        scroll_by_pages(self, pages)

    def action_scroll(self, where: str) -> None:
        scroll_where(self, where)

    def _show_highlighted(self, *, layout: bool = True) -> None:
        article, terms = self.article, self.highlight_terms
        title = (
            highlighted(line(article.title), terms, HIGHLIGHT)
            if article
            else Content("No article selected")
        )
        excerpt = (
            highlighted(paragraph(article.excerpt), terms, HIGHLIGHT) if article else Content("")
        )
        update = update_part if layout else partial(Static.update, layout=False)
        update(self.query_one("#detail-title", Static), title)
        if self.parts_mounted:
            shown = self.query_one("#detail-excerpt", Static)
            update(shown, excerpt)
            shown.display = bool(excerpt.plain)  # an empty one was a blank line and a margin

    def _show_links(
        self,
        article: Article | None,
        in_body: list[RelatedLink],
        in_feed: Callable[[str | None], bool],
    ) -> None:
        """The related links, then the body's (one already among the related is not repeated)."""
        related = article.related if article else ()
        known = {link.url for link in related}
        in_body = [link for link in in_body if link.url not in known]
        heading = self.query_one("#related-heading", Static)
        update_part(heading, Content("Related" if related else BODY_LINKS_HEADING))
        heading.display = bool(related or in_body)
        links = self.query_one(RelatedLinks)
        links.display = bool(related or in_body)
        links.show(related, in_feed, in_body)

    @staticmethod
    def _meta(article: Article) -> Reflowed:
        provider = provider_shown(article.provider_name, article.provider_domain, with_domain=True)
        age = relative_age(article.published)
        quality = NOT_GIVEN if article.quality is None else str(article.quality)
        heat = NOT_GIVEN if article.heat is None or article.heat < 0 else str(article.heat)
        rows: list[tuple[str, Content, Fit]] = [
            ("Provider", assemble(provider), wrap),
            (
                "Published",
                assemble(local_time(article.published), f" ({age})" if age else ""),
                wrap,
            ),
            ("Quality", assemble(quality, ("   Heat ", "bold"), heat), wrap),
            ("Topics", assemble(", ".join(article.topics) or "none"), wrap),
        ]
        if article.url:
            # The whole URL is what `o` and `y` use; this is only where it goes, on one line.
            rows.append(("Link", line(short_url(article.url)), cut_link))
        return labelled_rows(rows)
