"""The query language of the filter bar and of `reader list --query`.

`parse.py` turns the text into a tree of terms, `compile.py` the tree into Python
functions (and a plan for the search index), `index.py` is that search index, and
`query.py` the `Query` object built from them.
"""

from reader.core.query.compile import Marks, NoMarks
from reader.core.query.index import Key, SearchIndex
from reader.core.query.parse import MARK_STATES, MARKS_UNAVAILABLE, QueryError, field_hints
from reader.core.query.query import Query, parse_query

__all__ = [
    "MARKS_UNAVAILABLE", "MARK_STATES", "Key", "Marks", "NoMarks", "Query", "QueryError",
    "SearchIndex", "field_hints", "parse_query",
]  # fmt: skip
