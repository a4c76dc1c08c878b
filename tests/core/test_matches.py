"""Highlight spans: the query's words found in the original text, ignoring case and accents."""

from __future__ import annotations

from reader.core.matches import match_spans
from reader.core.query import parse_query


def test_terms_are_the_positive_words_and_phrases() -> None:
    query = parse_query('robot "open model" -climate topic:ai Málaga OR rocket')
    assert set(query.highlight_terms()) == {"robot", "open model", "malaga", "rocket"}


def test_spans_land_on_the_original_characters() -> None:
    text = "The Robot in MÁLAGA"
    spans = match_spans(text, ("robot", "malaga"))
    assert [text[start:end] for start, end in spans] == ["Robot", "MÁLAGA"]


def test_a_phrase_matches_across_any_whitespace_and_overlaps_merge() -> None:
    text = "an open  model opening"
    spans = match_spans(text, ("open model", "open"))
    assert [text[start:end] for start, end in spans] == ["open  model", "open"]


def test_no_terms_no_spans() -> None:
    assert match_spans("anything", ()) == []
    assert match_spans("", ("word",)) == []
