"""What the header and an empty list say, worked out from the facts of the view shown.

Plain functions of a `ViewFacts`: the screen gathers the facts, these put them in words, so
that a new status (an import, a fetch) is one more fact and one more line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.core.topics import ALL
from reader.ui.commands import Keymap, first_key
from reader.ui.widgets.feed_header import HeaderFacts


@dataclass(frozen=True, slots=True)
class ViewFacts:
    """The view as the header and the empty list describe it."""

    feed_name: str
    shown: int
    total: int
    unread: int | None
    order: str
    topic: str
    loaded: bool
    hide_read: bool
    query_text: str  # the filter in force, as typed; "" for none
    query_refused: bool  # the text in the bar does not parse: the last good one is shown
    search_error: tuple[str, str] | None  # (name, why) of the saved search shown, if it fails
    work_status: tuple[str, ...] = ()  # what a worker is doing ("Importing https://…")
    watching: bool = False  # the folder is followed: new files show without a reload
    entry_name: str | None = None  # the topic or saved search shown; None for all articles
    stories: int | None = None  # the stories the list shows (None: it shows every article)


def header_facts(facts: ViewFacts) -> HeaderFacts:
    """The header's line: counts, order, and what is going on, joined by " · "."""
    status = [] if facts.loaded else ["loading…"]
    status += facts.work_status
    if facts.hide_read:
        status.append("read hidden")
    if facts.query_refused:
        shown_query = f"“{facts.query_text}”" if facts.query_text else "everything"
        status.append(f"query not valid: showing {shown_query}")
    elif facts.query_text:
        status.append(f"filter: {facts.query_text}")
    return HeaderFacts(
        facts.feed_name,
        facts.shown,
        facts.total,
        facts.unread,
        facts.order,
        " · ".join(status),
        facts.entry_name or "",
        stories=facts.stories,
    )


def list_title(facts: ViewFacts) -> str:
    """The article list's border title: what it shows (the topic or saved search) and how
    many of the feed's articles."""
    what = facts.entry_name or ("Articles" if facts.stories is None else "Stories")
    counts = f"{facts.shown:,} / {facts.total:,}"
    if facts.stories is None:
        return f"{what} {counts}"
    return f"{what} {facts.stories:,} · articles {counts}"


def empty_text(facts: ViewFacts, keymap: Keymap) -> str:
    """What an empty list says: why it is empty, and what to press (the keys in force)."""
    if facts.shown:
        return ""
    if not facts.loaded:
        return "Loading the feed…"
    reload, show_read = first_key("feed.reload", keymap), first_key("feed.hide_read", keymap)
    if not facts.total:
        if facts.watching:
            return f"No articles in {facts.feed_name}: add .md files; they show here as they land."
        return f"No articles in {facts.feed_name}: add .md files, then press {reload} to reload."
    if facts.search_error is not None:
        name, error = facts.search_error
        return f"The saved search “{name}” does not parse: {error}."
    if facts.hide_read and not facts.query_text and facts.topic == ALL:
        return f"Every article is read. {show_read} shows the read ones again."
    if facts.query_text:
        clear, edit = first_key("feed.back", keymap), first_key("feed.filter", keymap)
        return f"No article matches the filter. {clear} clears it, {edit} edits it."
    return f"No article here. Choose another topic, or press {show_read} to show read ones."
