"""The filter's queries as the screen uses them: applied, refused, left, and the recent ones.

The filter bar owns its text (it parses it and posts `QueryApplied` / `QueryRefused` /
`FilterLeft`); this part puts the query in the view and keeps the last ten for the palette.
"""

from __future__ import annotations

from reader.core.recent_queries import remember_query
from reader.ui.feed.host import FeedHost
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.filter_bar import FilterBar


class Filtering:
    """The filter commands of the feed screen."""

    def __init__(self, host: FeedHost) -> None:
        self.host = host

    @property
    def bar(self) -> FilterBar:
        return self.host.query_one(FilterBar)

    @property
    def text(self) -> str:
        """The filter in force, as typed (stripped); "" for none."""
        return self.bar.text

    def applied(self, event: FilterBar.QueryApplied) -> None:
        """A new filter: the list and header at once, the sidebar and detail after a rest."""
        self.host.view.query = event.query
        self.host.view.pinned = None
        self.host.query_one(ArticleList).set_highlight(event.query.highlight_terms())
        self.host.refresh_view(rest_later=True)

    def refused(self) -> None:
        self.host.update_header()  # the bar shows why; the header says the last good one is shown

    def left(self, event: FilterBar.FilterLeft) -> None:
        if event.kept is not None:
            remember_query(self.host.store, event.kept)
        self.host.query_one(ArticleList).focus()

    def apply(self, text: str) -> None:
        """Put `text` in the filter and filter by it, at once (the palette, escape, a test);
        a bad query is shown by the bar, the list keeps the last good one."""
        outcome = self.bar.put(text)
        if isinstance(outcome, FilterBar.QueryApplied):
            self.applied(outcome)
        elif isinstance(outcome, FilterBar.QueryRefused):
            self.refused()

    def clear(self) -> None:
        self.apply("")
