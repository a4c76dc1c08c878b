"""Every key a user can press, for the help screen and the README (a test keeps them in step)."""

from __future__ import annotations

HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("j / k, down / up", "next / previous row (list, sidebar, related links); scroll the detail pane"),
    ("g / G, home / end", "first / last row"),
    ("pageup / pagedown", "page up / down"),
    ("tab / shift+tab", "move focus: sidebar → list → detail → related links"),
    ("enter", "topic: show it and focus the list · article: focus the detail · related link: open it (or jump to it when it is in the feed)"),
    ("o", "open the selected article (or the related link under the cursor) in the browser"),
    ("y", "copy the selected article's URL to the clipboard"),
    ("/", "filter: type a query (enter keeps it and returns to the list, escape clears it)"),
    ("escape", "in the filter: clear it, then leave it · in the detail: back to the list"),
    ("s", "cycle the order: quality, newest, oldest, provider, title"),
    ("m", "mark the selected article read / unread"),
    ("M", "mark every article shown as read (asks first)"),
    ("f", "star / unstar the selected article"),
    ("u", "hide / show read articles"),
    ("r", "reload the feed from disk"),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action, 'Show topic: …', 'Sort by …', recent queries"),
    ("q", "quit"),
)

QUERY_HELP: tuple[tuple[str, str], ...] = (
    ("word", "the word appears in the title, excerpt, provider, topics or body"),
    ('"two words"', "the phrase appears"),
    ("-term", "not the term"),
    ('topic:ai, topic:"computer vision"', "has that topic"),
    ("provider:name, source:name", "the provider's name or domain contains it"),
    ("quality>=60, q<20, quality=0", "compare the quality"),
    ("after:2021-04-01, before:2021-05-01, after:7d, after:2w", "published on/after, before; relative ages"),
    ("is:unread, is:read, is:starred", "reading state"),
    ("a OR b", "either term"),
)
