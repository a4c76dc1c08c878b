"""Every key a user can press, for the help screen and the README (a test keeps them in step)."""

from __future__ import annotations

HELP_KEYS: tuple[tuple[str, str], ...] = (
    ("j / k, down / up", "next / previous row (list, sidebar, related links); scroll the detail pane"),
    ("g / G, home / end", "first / last row (top / bottom of the detail pane and of this help)"),
    ("space, ctrl+f / ctrl+b, pagedown / pageup", "page down / up (list, detail, help)"),
    ("ctrl+d / ctrl+u", "half a page down / up (list, detail, help)"),
    ("n / N", "next / previous unread article"),
    ("J / K", "next / previous article, from anywhere (the detail pane keeps the focus)"),
    ("tab / shift+tab", "move focus: sidebar → list → detail → related links"),
    ("enter", "topic: focus its articles · article: open it in the detail pane (marks it read) · related link: open it (or jump to it when it is in the feed)"),
    ("backspace, ctrl+o", "back to the article you jumped from"),
    ("o", "open the selected article (or the related link under the cursor) in the browser; marks it read"),
    ("y", "copy the selected article's URL to the clipboard"),
    ("/", "filter: type a query (enter keeps it and goes to the list, escape clears it)"),
    ("down, ctrl+n", "in the filter: go to the results, keeping the query"),
    ("escape", "in the filter: clear it, then leave it · in the list: clear the filter · elsewhere: back to the list"),
    ("s", "cycle the order: quality, newest, oldest, provider, title"),
    ("m", "mark the selected article read / unread"),
    ("M", "mark every article shown as read (asks first; no is the default)"),
    ("U", "undo the last change of read / starred marks"),
    ("f", "star / unstar the selected article"),
    ("u", "hide / show read articles (a read article stays until you move away)"),
    ("t", "show / hide the topic sidebar (hidden under 100 columns)"),
    ("r, ctrl+r", "reload the feed from disk"),
    ("?", "this help"),
    ("ctrl+p", "command palette: every action, 'Show topic: …', 'Sort by …', recent queries"),
    ("q", "in the detail, related links or sidebar: back to the list · in the list: quit"),
    ("Q", "quit from anywhere"),
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
