"""The query language of the filter bar and of `reader list --query`."""

from reader.core.query.parse import (
    MARK_STATES,
    MARKS_UNAVAILABLE,
    Marks,
    NoMarks,
    Query,
    QueryError,
    field_hints,
    parse_query,
)

__all__ = ["MARK_STATES", "MARKS_UNAVAILABLE", "Marks", "NoMarks", "Query", "QueryError", "field_hints", "parse_query"]
