"""The feed on screen kept in step with the feed on disk: the load's and the watch's messages
folded into the library and the load state.

`FeedSync.fold` takes each message of `reader.ui.messages` (`HeadReady` … `FeedGone`, and the
watcher's `FeedChanged`) and answers with a `Fold`: what the screen must redraw and say. It
keeps the load state, the problems of the last load, an article whose file was deleted while
it was read (until the user moves away), and the pace of the streamed refresh. It holds no
widget and no timer: the screen draws and times what it is told.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from textual.message import Message

from reader.core.library import Library
from reader.core.model import Article, ArticleSummary, FeedLoad, Problem, plural
from reader.core.ordering import DEFAULT_ORDER
from reader.core.stories.rows import StoryIndex
from reader.core.view import FeedView
from reader.ui.loading import FeedLoader, LoadState
from reader.ui.messages import (
    BatchParsed,
    CachedLibraryReady,
    CacheOpened,
    FeedChanged,
    FeedGone,
    FeedLoaded,
    HeadReady,
    LoadConfirmed,
    LoadProgressed,
    StoriesFound,
)

STREAM_REFRESH_SECONDS = 1.0  # a streamed load redraws at most this often…
STREAM_REFRESH_SHARE = 5  # …and spends at most a fifth of its time redrawing
MIN_TIMER_SECONDS = 0.01  # the shortest wait handed to a timer


def grown_stories(
    before: StoryIndex, known: frozenset[str], groups: list[tuple[str, ...]]
) -> list[tuple[str, int]]:
    """The stories of `groups` larger than the largest part of them one story of `before`
    held (of the `known` articles, those grouped then): (an article they had, how many they
    gained) each. A story of articles all new is no story grown."""
    grown = []
    for group in groups:
        members = known.intersection(group)
        kept, largest = group[0], 0
        for member in (member for member in group if member in members):  # in the group's order
            held = len(members.intersection(before.story_of(member)))
            if held > largest:
                kept, largest = member, held
        if largest and len(group) > largest:
            grown.append((kept, len(group) - largest))
    return grown


def shorten(text: str, width: int) -> str:
    """`text`, its middle replaced by … when it is longer than `width` (the ends tell most)."""
    if len(text) <= width:
        return text
    keep = width - 1
    return f"{text[: keep - keep // 2]}…{text[len(text) - keep // 2 :]}"


@dataclass(frozen=True, slots=True)
class Notice:
    """A sentence for the user: `severity` as Textual's notify has it."""

    text: str
    severity: str = "information"
    timeout: float | None = None


@dataclass(slots=True)
class Fold:
    """What one message asks of the screen."""

    redraw: bool = False  # the view must be worked out again
    keep_id: str | None = None  # …keeping this article under the cursor
    head: tuple[list[ArticleSummary], int] | None = None  # the cached head to draw as it is
    progress: tuple[int, int] | None = None  # files parsed, of files to parse
    streamed: bool = False  # a batch came: draw it at the pace of `stream_delay`
    ended: bool = False  # the load is over (done or failed): the loading bar finishes
    complete: bool = False  # the feed on screen is the feed on disk: follow it, index its words
    header: bool = False  # the header's status changed
    notices: list[Notice] = field(default_factory=list)


class FeedSync:
    """The load state and the library of one feed screen, changed only by `fold`."""

    def __init__(self, view: FeedView, loader: FeedLoader) -> None:
        self.view = view
        self.loader = loader
        self.load_state = LoadState.STREAMING
        self.reloading = False  # a reload the user asked for: its end says what changed
        self.problems: list[Problem] = []
        # A file deleted while its article was selected: kept readable until the user moves.
        self.vanished: str | None = None
        self._last_stream_refresh = 0.0
        self._stream_refresh_cost = 0.0
        # The articles of the last grouping (None before the first, which is no news).
        self._grouped: frozenset[str] | None = None

    @property
    def library(self) -> Library:
        return self.view.library

    @property
    def loaded(self) -> bool:
        return self.load_state in (LoadState.COMPLETE, LoadState.FAILED)

    def fold(
        self,
        message: Message,
        current: ArticleSummary | None = None,
        selected: Article | None = None,
    ) -> Fold:
        """Fold `message` in; `current` and `selected`: the article under the cursor and the
        one the detail shows (a deleted one stays while it is read)."""
        if isinstance(message, FeedChanged):
            return self._changed(message, current, selected)
        if isinstance(message, HeadReady):
            return self._head(message)
        if isinstance(message, CacheOpened):
            self.library.set_detail_source(message.detail_source)
            return Fold(notices=[Notice(text, "warning") for text in message.notices])
        if isinstance(message, CachedLibraryReady):
            self.view.library, self.load_state = message.library, LoadState.WARM
            gc.freeze()  # long-lived: keep the collector from walking 100,000 summaries again
            return Fold(redraw=True)
        if isinstance(message, LoadProgressed):
            return Fold(progress=None if self.loaded else (message.done, message.total))
        if isinstance(message, BatchParsed):
            return self._batch(message)
        if isinstance(message, LoadConfirmed):
            return self._finished(message.problems, message.changes, redraw=False)
        if isinstance(message, FeedLoaded):
            self.library.replace_all(message.summaries, message.details)
            if message.in_order is not None:
                self.library.set_sorted(DEFAULT_ORDER, message.in_order)
            self.library.kept_words = message.kept_words
            gc.freeze()
            return self._finished(message.problems, message.changes, redraw=True)
        if isinstance(message, FeedGone):
            return self._gone()
        if isinstance(message, StoriesFound):
            return self._stories(message.groups, keep_id=current.id if current else None)
        raise TypeError(f"not a load message: {type(message).__name__}")

    def _batch(self, message: BatchParsed) -> Fold:
        if self.loaded:
            return Fold()  # a late message: the complete feed is already shown
        self.library.add_summaries(message.summaries, streamed=True)
        # Long-lived too: else the collector walks the feed so far, again and again (it
        # cost a 100,000-file load ~7 s of the one core the parsers leave the app).
        gc.freeze()
        return Fold(streamed=True)

    def _head(self, message: HeadReady) -> Fold:
        # The head is the cache's first rows in the default order: in another order (the
        # config's `sort`) they are not the first rows, so the list waits for the feed.
        if self.library.summaries or self.view.order != DEFAULT_ORDER:
            return Fold()
        self.load_state = LoadState.WARM
        return Fold(head=(message.head, message.total))

    def _finished(self, problems: list[Problem], changes: str | None, *, redraw: bool) -> Fold:
        self.problems = problems
        self.load_state = LoadState.COMPLETE
        notices = []
        if self.reloading and changes is not None:
            notices.append(Notice(f"Reloaded: {changes}", timeout=3))
        self.reloading = False
        notices += self.problems_notice(FeedLoad(problems=problems))
        return Fold(redraw, header=not redraw, ended=True, complete=True, notices=notices)

    def _gone(self) -> Fold:
        """The feed folder (or file) is gone: say so, and keep what is on screen."""
        self.load_state = LoadState.FAILED
        self.reloading = False
        what = "folder" if self.loader.feed_is_folder is not False else "file"
        path = self.loader.feed_path
        text = f"The feed {what} {path} no longer exists; the articles shown are kept"
        return Fold(header=True, ended=True, notices=[Notice(text, "error")])

    def _changed(
        self, message: FeedChanged, current: ArticleSummary | None, selected: Article | None
    ) -> Fold:
        """What changed on disk: the cursor, filter and topic stay; new articles are told."""
        if not self.loaded:
            return Fold()  # a load is on its way: it shows the files as they are
        before = {s.id for s in self.library.summaries}
        summaries, details = list(message.summaries), list(message.details)
        now = {s.id for s in summaries}
        new = sum(1 for article_id in now if article_id not in before)
        in_order = message.in_order
        gone = current if current is not None and current.id not in now else None
        if gone is not None and selected is not None and selected.id == gone.id:
            # Deleted while read: it stays readable until the user moves away.
            summaries.append(gone)
            details.append(selected)
            self.vanished, in_order = gone.id, None
        self.library.replace_all(summaries, details)
        if in_order is not None:
            self.library.set_sorted(DEFAULT_ORDER, in_order)
        if gone is None:  # the summaries are the sync's: its word index may be kept
            self.library.kept_words = message.kept_words
        old_problems = set(self.problems)
        self.problems = message.problems
        notices = [Notice(plural(new, "new article"), timeout=4)] if new else []
        fresh = [problem for problem in message.problems if problem not in old_problems]
        notices += self.problems_notice(FeedLoad(problems=fresh))
        return Fold(redraw=True, keep_id=current.id if current else None, notices=notices)

    def _stories(self, groups: list[tuple[str, ...]], keep_id: str | None) -> Fold:
        """The feed's stories, grouped again: a story that gained an outlet since is told."""
        before, known = self.library.stories, self._grouped
        self.library.set_stories(groups)
        self._grouped = frozenset(summary.id for summary in self.library.summaries)
        grown = grown_stories(before, known, groups) if known is not None else []
        notices = [self.outlets_notice(grown)] if grown else []
        return Fold(redraw=True, keep_id=keep_id, notices=notices)

    def outlets_notice(self, grown: list[tuple[str, int]]) -> Notice:
        """`+1 outlet: “Title”` for one story, `+3 outlets on 2 stories` for more."""
        outlets = plural(sum(gained for _, gained in grown), "outlet")
        if len(grown) > 1:
            return Notice(f"+{outlets} on {len(grown)} stories", timeout=4)
        summary = self.library.summary(grown[0][0])
        title = f": “{summary.title}”" if summary is not None else ""
        return Notice(f"+{outlets}{title}", timeout=4)

    def moved_to(self, article_id: str | None) -> bool:
        """The user moved to `article_id`: a vanished article left behind leaves the library.
        True when it did (the view must be redrawn)."""
        if self.vanished is None or article_id == self.vanished:
            return False
        self.library.remove(self.vanished)
        self.vanished = None
        return True

    def reload(self) -> None:
        """The user asked for a reload: its end says what changed."""
        self.reloading = True
        self.load_state = LoadState.WARM if self.library.summaries else LoadState.STREAMING

    def stream_delay(self, now: float) -> float:
        """Seconds until the next streamed refresh is due. Redrawing a growing feed on every
        batch would starve the keyboard: at most once a second, never spending more than a
        fifth of the time refreshing (the refresh then draws the latest batch). Never 0: a
        zero-delay Textual timer that fires late divides by zero in its loop."""
        wait = max(STREAM_REFRESH_SECONDS, STREAM_REFRESH_SHARE * self._stream_refresh_cost)
        return max(self._last_stream_refresh + wait - now, MIN_TIMER_SECONDS)

    def stream_refreshed(self, started: float, ended: float) -> None:
        """A streamed refresh ran from `started` to `ended` (time.monotonic())."""
        self._last_stream_refresh = ended
        self._stream_refresh_cost = ended - started

    def problems_notice(self, feed: FeedLoad) -> list[Notice]:
        """The load's problems in one sentence (the first one named), if there are any."""
        errors, warnings = len(feed.errors), len(feed.warnings)
        if not (errors or warnings):
            return []
        first = feed.errors[0] if feed.errors else feed.warnings[0]
        first = first.relative_to(self.loader.feed_path)
        counts = [plural(errors, "file") + " skipped"] if errors else []
        counts += [plural(warnings, "warning")] if warnings else []
        where = shorten(first.path, 40)
        what = (
            f" in {where}: {first.reason}" if errors + warnings == 1 else f", the first in {where}"
        )
        text = f"{', '.join(counts)}{what} (reader check lists every problem)"
        return [Notice(text, "warning" if not errors else "error")]
