"""F: an article's full text, fetched in a worker (`reader.ui.workers.fetch_text`) and kept.

Owns the stored texts (`TextStore`, opened by the app and handed here; made at the first
fetch when none was ever kept), the fetches under way (one per article at a time, each with
its `Cancel`, all cancelled when the screen goes), what the header says while they run,
the fetch on opening an article (`fetch = "on-open"`), which articles have a text (the
list's mark), forgetting them all (the palette), and the texts' word index, made in a
thread after the first draw. Nothing is fetched that the user did not ask for.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message
from textual.worker import get_current_worker

from reader.core.model import Article, KeptUrlHits, plural
from reader.ui.feed.host import FeedHost
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.workers import FetchDone, FetchProgressed, fetch_text

if TYPE_CHECKING:
    from reader.core.fulltext.fetch import Cancel
    from reader.core.fulltext.net import Slots
    from reader.core.fulltext.store import StoredText, TextStore

ON_OPEN = "on-open"  # the config's `fetch` value that fetches an article opened with enter


@dataclass
class TextWordsReady(Message):
    """The stored texts' word index is made: the filter answers from it."""


class FullText:
    """The full texts of the feed screen's articles."""

    def __init__(
        self,
        host: FeedHost,
        texts: TextStore | None,
        *,
        texts_path: Path | None,
        mode: str,
        allow: tuple[str, ...],
    ) -> None:
        self.host = host
        self.texts = texts  # None until a text is first stored (no file is made before)
        self.texts_path = texts_path
        self.on_open = mode == ON_OPEN
        self.configured_allow = allow
        self.under_way: dict[str, Cancel] = {}  # article id -> its fetch's cancel
        self.status_text: str | None = None  # the newest step, while fetches run
        self.words_ready = False
        self._slots: Slots | None = None  # shared by the app's fetches: 2 per host at once
        self._urls: tuple[int, frozenset[str]] | None = None  # (generation, the stored URLs)
        # (summaries, how many, their ids with a text)
        self._stored: tuple[object, int, frozenset[str]] | None = None

    # --- what is stored -------------------------------------------------------------

    def text_of(self, article: Article | None) -> StoredText | None:
        """The stored text of an article, or None."""
        if article is None or self.texts is None:
            return None
        # From the store, not the fetcher: this runs for every article shown, and the
        # fetcher's import brings urllib and the importer with it.
        from reader.core.fulltext.store import page_url

        return self.texts.get_for(article.id, page_url(article))

    def stored_ids(self) -> frozenset[str]:
        """The ids of the feed's articles with a stored text (the list's mark). The store's
        URLs are read again only when it changed; the ids when they or the feed did."""
        texts, summaries = self.texts, self.host.library.summaries
        if texts is None or not summaries:
            return frozenset()  # the first frame asks nothing of the store
        generation = texts.generation
        if self._urls is None or self._urls[0] != generation:
            self._urls = (generation, texts.urls())
            self._stored = None
        known = self._stored
        # The library grows its list in place while a feed streams in: its length too.
        if known is None or known[0] is not summaries or known[1] != len(summaries):
            # A summary's URL is its webUrl, else its originalUrl: the page's (`page_url`).
            has_url = KeptUrlHits(self._urls[1])  # one lookup by URL where they are kept
            ids = frozenset(s.id for s in summaries if has_url(s))
            known = self._stored = (summaries, len(summaries), ids)
        return known[2]

    # --- fetching -------------------------------------------------------------------

    @property
    def status(self) -> str | None:
        """What the header says while fetches run."""
        if not self.under_way:
            return None
        if len(self.under_way) > 1:
            return f"Fetching {len(self.under_way)} full texts…"
        return f"{self.status_text or 'Fetching the full text'}…"

    def fetch_selected(self) -> None:
        """F: fetch the selected article's text (again, if one is stored)."""
        summary = self.host.current_summary()  # the cursor's, even before the detail shows it
        article = self.host.library.article(summary.id) if summary is not None else None
        if article is None:
            self.host.tell("No article selected to fetch", severity="warning")
        elif article.id in self.under_way:
            self.host.tell("This article's full text is being fetched already")
        elif not self.start(article):
            self.host.tell("This article has no page URL to fetch", severity="warning")

    def opened(self, article_id: str) -> None:
        """An article opened with enter: with `fetch = "on-open"`, its text if none is kept."""
        if not self.on_open or article_id in self.under_way:
            return
        article = self.host.library.article(article_id)
        if article is not None and self.text_of(article) is None:
            self.start(article)

    def start(self, article: Article) -> bool:
        """Start the fetch of an article's page in a worker; False: it has no page URL."""
        from reader.core.fulltext.fetch import Cancel, target_of
        from reader.core.fulltext.net import Slots, allowed_hosts

        target = target_of(article)
        if target is None:
            return False
        cancel = self.under_way[article.id] = Cancel()
        slots = self._slots = self._slots or Slots()
        allow, post = allowed_hosts(self.configured_allow), self.host.post_message
        self.host.run_worker(
            lambda: fetch_text(target, allow, slots, cancel, post), thread=True, group="fetch"
        )
        self.host.update_header()
        return True

    def handle(self, message: FetchProgressed | TextWordsReady) -> None:
        """A fetch's step, or the stored texts' word index made (the filter may use it)."""
        if isinstance(message, FetchProgressed):
            self.progressed(message)
        else:
            self.words_ready = True

    def progressed(self, message: FetchProgressed) -> None:
        self.status_text = message.text
        self.host.update_header()

    def done(self, message: FetchDone) -> bool:
        """Keep the text (or say why there is none); True when the selected article's is new."""
        self.under_way.pop(message.article_id, None)
        if not self.under_way:
            self.status_text = None
        self.host.update_header()
        outcome = message.outcome
        if outcome.markdown is None:
            if outcome.reason != "cancelled":
                self.host.tell(f"No full text of {message.url}: {outcome.reason}", severity="error")
            return False
        texts = self.store_for_writing()
        if texts is None:
            return False
        try:
            stored = texts.put(message.url, message.article_id, outcome.markdown, outcome.final_url)
        except sqlite3.Error as error:  # a full disk, a store locked too long by another process
            self.host.tell(f"The full text cannot be kept in {texts.path}: {error}",
                           severity="error")  # fmt: skip
            return False
        self.host.tell(f"Full text kept: {plural(stored.words, 'word')}, "
                       f"{stored.reading_minutes} min read", timeout=4)  # fmt: skip
        self.index_words()
        selected = self.host.selected
        return selected is not None and selected.id == message.article_id

    def store_for_writing(self) -> TextStore | None:
        """The store, made now if none was ever kept (None, and said, when it cannot be)."""
        if self.texts is None:
            from reader.core.fulltext.store import TextStore, TextStoreError

            try:
                self.texts = TextStore.open(self.texts_path)
            except TextStoreError as error:
                self.host.tell(f"The full text cannot be kept: {error}", severity="error")
                return None
            self.host.view.texts = self.texts
            for notice in self.texts.notices:
                self.host.tell(notice, severity="warning")
        return self.texts

    def stop(self) -> None:
        """The screen goes (a quit): every fetch under way ends at once, the store closes."""
        for cancel in self.under_way.values():
            cancel.set()
        if self.texts is not None:
            self.texts.close()

    # --- forgetting -----------------------------------------------------------------

    def forget_all(self) -> None:
        """The palette's "Forget stored full texts": every text, after a question."""
        texts = self.texts
        count = len(texts) if texts is not None else 0
        if texts is None or not count:
            self.host.tell("No full text is stored")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                removed = texts.forget()
                self.host.tell(f"{plural(removed, 'stored text')} removed")
                self.host.query_one(DetailPane).show_text(None)
                self.host.refresh_view()
                self.index_words()

        from reader.ui.screens.confirm_screen import ConfirmScreen  # not for the first frame

        question = f"Forget the {plural(count, 'stored full text')}? (reader fetch gets them again)"
        self.host.app.push_screen(ConfirmScreen(question, default=False), answered)

    # --- the word index -------------------------------------------------------------

    def index_words(self) -> None:
        """Make the texts' word index in a thread (after the first draw; again after a
        change); `TextWordsReady` is posted once it is there."""
        texts = self.texts
        if texts is None:
            return
        post = self.host.post_message

        def build() -> None:
            worker = get_current_worker()
            try:
                made = texts.build_words(lambda: not worker.is_cancelled)
            except sqlite3.ProgrammingError:
                return  # the store was closed meanwhile: the app is quitting
            if made:
                post(TextWordsReady())

        self.words_ready = False
        self.host.run_worker(build, thread=True, group="text-words", exclusive=True)


def open_texts(path: Path | None, refused: Callable[[str], object]) -> TextStore | None:
    """The stored texts if any were ever kept (no file is made); else None, and when the
    path cannot be used, `refused` is told why."""
    from reader.core.fulltext.store import TextStore, TextStoreError

    try:
        texts = TextStore.open_existing(path)
    except TextStoreError as error:
        refused(f"Full texts: {error}")
        return None
    for notice in texts.notices if texts is not None else ():
        refused(notice)
    return texts
