"""The last ten filters the user kept, for the palette (in the reading state's settings)."""

from __future__ import annotations

import json

from reader.core.storage.state import StateStore

RECENT_QUERIES = 10
RECENT_SETTING = "recent_queries"


def recent_queries(store: StateStore) -> list[str]:
    """The kept queries, newest first; a setting that is not a list of strings is none."""
    try:
        value = json.loads(store.get_setting(RECENT_SETTING) or "[]")
    except ValueError:
        return []
    return [q for q in value if isinstance(q, str)] if isinstance(value, list) else []


def remember_query(store: StateStore, text: str) -> None:
    """Keep `text` first (once), dropping the oldest beyond ten."""
    if not text:
        return
    recent = [q for q in recent_queries(store) if q != text]
    store.set_setting(RECENT_SETTING, json.dumps([text, *recent][:RECENT_QUERIES]))
