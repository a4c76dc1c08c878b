"""The detail pane: the selected article's metadata, excerpt, body and related links."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from reader.core.model import Article
from reader.core.sanitize import clean_text
from reader.ui_text import assemble, line, local_time, paragraph, relative_age
from reader.widgets.related_links import RelatedLinks


class DetailPane(VerticalScroll):
    """Scrolls with j/k; its related links take the focus after it (tab)."""

    BINDINGS = [
        Binding("j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.article: Article | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title", markup=False)
        yield Static(id="detail-meta", markup=False)
        yield Static(id="detail-excerpt", markup=False)
        # Links are never opened by the widget itself: the app checks them first.
        yield Markdown(id="detail-body", open_links=False)
        yield Static(Content("Related"), id="related-heading", markup=False)
        yield RelatedLinks(id="related-links")

    def show(self, article: Article | None, in_feed: Callable[[str | None], bool]) -> None:
        """Show an article (or nothing) from the top."""
        self.article = article
        self.query_one("#detail-title", Static).update(line(article.title) if article else Content("No article selected"))
        self.query_one("#detail-meta", Static).update(self._meta(article) if article else Content(""))
        self.query_one("#detail-excerpt", Static).update(paragraph(article.excerpt) if article else Content(""))
        body = self.query_one("#detail-body", Markdown)
        body.display = bool(article and article.body)
        # The body is Markdown, not markup; its control characters go like every other field's.
        body.update(clean_text(article.body) if article and article.body else "")
        links = article.related if article else ()
        self.query_one("#related-heading").display = bool(links)
        related = self.query_one(RelatedLinks)
        related.display = bool(links)
        related.show(links, in_feed)
        self.scroll_home(animate=False)

    @staticmethod
    def _meta(article: Article) -> Content:
        provider = article.provider_name or "Unknown provider"
        domain = f" ({article.provider_domain})" if article.provider_domain else ""
        age = relative_age(article.published)
        quality = "–" if article.quality is None else str(article.quality)
        heat = "–" if article.heat is None or article.heat < 0 else str(article.heat)
        rows = [
            assemble(("Provider  ", "bold"), provider, domain),
            assemble(("Published ", "bold"), local_time(article.published), f" ({age})" if age else ""),
            assemble(("Quality   ", "bold"), quality, ("   Heat ", "bold"), heat),
            assemble(("Topics    ", "bold"), ", ".join(article.topics) or "none"),
        ]
        if article.url:
            rows.append(assemble(("Link      ", "bold"), article.url))
        return Content("\n").join(rows)
