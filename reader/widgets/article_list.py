"""The article list: one row per article, only the visible rows rendered."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from reader.core.export import short_date
from reader.core.model import ArticleSummary
from reader.ui_text import assemble, line
from reader.widgets.virtual_list import VirtualList

DATE_WIDTH = 11
QUALITY_WIDTH = 4


class ArticleList(VirtualList):
    """Title, provider, date and quality of each article; unread rows bold, starred ones marked."""

    COMPONENT_CLASSES = VirtualList.COMPONENT_CLASSES | {
        "article-list--unread",
        "article-list--quality",
        "article-list--meta",
        "article-list--star",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.articles: Sequence[ArticleSummary] = ()
        self.read_ids: frozenset[str] | set[str] | None = None
        self.starred_ids: frozenset[str] | set[str] = frozenset()

    def show(self, articles: Sequence[ArticleSummary], keep_id: str | None = None) -> None:
        """Swap in the articles to show; the cursor stays on `keep_id` when it is still there."""
        self.articles = articles
        cursor = 0
        if keep_id is not None:
            cursor = next((i for i, a in enumerate(articles) if a.id == keep_id), 0)
        self.set_row_count(len(articles), cursor)

    def set_marks(self, read_ids: frozenset[str] | set[str] | None, starred_ids: frozenset[str] | set[str]) -> None:
        """The reading state to draw (None: no reading state)."""
        self.read_ids = read_ids
        self.starred_ids = starred_ids
        self.refresh()

    @property
    def current(self) -> ArticleSummary | None:
        """The article under the cursor."""
        if 0 <= self.cursor < len(self.articles):
            return self.articles[self.cursor]
        return None

    def is_unread(self, article: ArticleSummary) -> bool:
        return self.read_ids is not None and article.id not in self.read_ids

    def row_style(self, index: int) -> str:
        return "article-list--unread" if self.is_unread(self.articles[index]) else ""

    def render_row(self, index: int, width: int) -> Content:
        article = self.articles[index]
        provider_width = max(min(18, width // 5), 6)
        title_width = max(width - 2 - provider_width - DATE_WIDTH - QUALITY_WIDTH - 3, 8)
        marker = "●" if self.is_unread(article) else " "
        meta = self.part_style("article-list--meta")
        star = line("★", self.part_style("article-list--star")) if article.id in self.starred_ids else " "
        quality = "" if article.quality is None else str(article.quality)
        return assemble(
            marker,
            star,
            line(article.title).truncate(title_width, ellipsis=True, pad=True),
            " ",
            line(article.provider_name, meta).truncate(provider_width, ellipsis=True, pad=True),
            " ",
            line(short_date(article.published).rjust(DATE_WIDTH), meta),
            line(quality.rjust(QUALITY_WIDTH + 1), self.part_style("article-list--quality")),
        )
