"""The query language of the filter bar and of `reader list --query`.

`parse.py` turns the text into a tree of terms, `compile.py` the tree into Python
functions (and a plan for the search index), `index.py` is that search index, and
`query.py` the `Query` object built from them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reader.core.query.compile import Marks, NoMarks
    from reader.core.query.index import Key, SearchIndex
    from reader.core.query.parse import MARK_STATES, MARKS_UNAVAILABLE, QueryError, field_hints
    from reader.core.query.query import Query, parse_query

# Each name is imported from its module on first use: the library needs only the search
# index (`index`), and the app's first frame no parser or compiler.
_HOMES = {
    "Marks": "compile", "NoMarks": "compile", "Key": "index", "SearchIndex": "index",
    "MARK_STATES": "parse", "MARKS_UNAVAILABLE": "parse", "QueryError": "parse",
    "field_hints": "parse", "Query": "query", "parse_query": "query",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "MARKS_UNAVAILABLE", "MARK_STATES", "Key", "Marks", "NoMarks", "Query", "QueryError",
    "SearchIndex", "field_hints", "parse_query",
]  # fmt: skip
