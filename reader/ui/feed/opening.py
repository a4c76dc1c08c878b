"""Leaving the reader for the web: o opens the article (or the related link under the cursor),
y copies its URL, a related link of the feed jumps to its article. Every URL goes through the
app's `LinkGate`; the browser's answer comes back as `LinkOpened` / `LinkFailed`."""

from __future__ import annotations

from reader.core.sanitize import UnsafeUrl, check_url
from reader.ui.feed.host import FeedHost
from reader.ui.feed.navigation import Navigation
from reader.ui.links import LinkGate, copied_note
from reader.ui.widgets.related_links import RelatedLinks
from reader.ui.widgets.story_outlets import StoryOutlets


class Opening:
    """The link commands of the feed screen."""

    def __init__(self, host: FeedHost, links: LinkGate, navigation: Navigation) -> None:
        self.host = host
        self.links = links
        self.navigation = navigation

    def open_url(self, raw_url: str | None, article_id: str | None = None) -> None:
        """Through the gate; `article_id`: the article it is, read once the browser has it."""
        self.links.open(raw_url, self.host, article_id)

    def open_selected(self) -> None:
        """`o`: the related link (or the story's outlet) under the cursor when the links have
        focus, else the article."""
        related = self.host.query_one(RelatedLinks)
        if related.has_focus and related.current is not None:
            self.open_url(related.current.url)
            return
        outlet = self.host.query_one(StoryOutlets)
        if outlet.has_focus and outlet.current is not None:  # another outlet of the story
            self.open_url(outlet.current.url, outlet.current.id)
            return
        article = self.host.selected
        if article is None:
            self.host.tell("No article selected", severity="warning")
            return
        self.open_url(article.url, article.id)

    def copy_url(self) -> None:
        article = self.host.selected
        try:
            url = check_url(article.url if article else None)
        except UnsafeUrl as refused:
            self.host.tell(f"Not copied: {refused}", severity="warning")
            return
        self.host.app.copy_to_clipboard(url)
        if not self.links.in_page():
            self.host.run_worker(self._tell_terminal_copy(url), group="copy-notice")
            return
        note = copied_note(in_page=True)
        self.host.tell(f"Copied {url}{note}", timeout=6 if note else 2)  # a note: longer to read

    async def _tell_terminal_copy(self, url: str) -> None:
        """Say where the copy went once tmux (if any) has said whether it keeps it."""
        from reader.ui.clipboard import terminal_copy_notice  # not for the first frame

        notice, severity = await terminal_copy_notice(url)
        self.host.tell(notice, severity=severity, timeout=8)

    def related_chosen(self) -> None:
        """enter on a related link: its article when it is one of the feed's, else the web."""
        link = self.host.query_one(RelatedLinks).current
        if link is None:
            return
        target = self.host.library.id_for_url(link.url)
        if target is not None:
            self.navigation.jump_to(target)
        else:
            self.open_url(link.url)
