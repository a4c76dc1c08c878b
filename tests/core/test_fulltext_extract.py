"""A page's main text as Markdown: structure kept, clutter and unsafe links left out."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reader.core.config import parse_config
from reader.core.fulltext.extract import NoText, decoded_page, extract_markdown, media_type
from reader.core.fulltext.markdown import xml_to_markdown

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "fulltext"
sys.path.insert(0, str(REPO / "benchmarks"))
from bench_extract import scores  # noqa: E402


def test_the_structure_is_written_as_markdown() -> None:
    xml = (
        "<doc><main><head rend='h1'>The headline</head><p>A <hi rend='#b'>bold</hi> start,"
        " <ref target='https://a.example/x'>a link</ref> and"
        " <ref target='javascript:alert(1)'>a trap</ref>.</p>"
        "<head rend='h3'>Sub</head><list rend='ol'><item>one</item><item>two</item></list>"
        "<quote><p>Said once.</p><p>Said twice.</p></quote>"
        "<table><row><cell>a</cell><cell>b|c</cell></row><row><cell>1</cell></row></table>"
        "</main></doc>"
    )
    assert xml_to_markdown(xml) == (
        "A **bold** start, [a link](https://a.example/x) and a trap.\n\n"
        "### Sub\n\n1. one\n2. two\n\n> Said once.\n>\n> Said twice.\n\n"
        "| a | b\\|c |\n| --- | --- |\n| 1 |  |"
    )


def test_bidi_controls_never_reach_the_text() -> None:
    xml = "<doc><main><p>Looks like \u202etxt.exe</p></main></doc>"
    assert xml_to_markdown(xml) == "Looks like txt.exe"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/html; charset=ISO-8859-1", ("text/html", "ISO-8859-1")),
        ("Text/HTML", ("text/html", None)),
        ("", ("application/octet-stream", None)),
    ],
)
def test_media_type(header: str, expected: tuple[str, str | None]) -> None:
    assert media_type(header) == expected


def test_the_charset_of_a_meta_tag_is_used() -> None:
    page = (FIXTURES / "stadtrat-altstadt.html").read_bytes()  # windows-1252, said in a meta
    assert "Oberbürgermeisterin Jördis Häußler" in decoded_page(page, "text/html")


def test_a_page_with_no_article_text_is_refused() -> None:
    page = decoded_page((FIXTURES / "paywall-teaser.html").read_bytes(), "text/html")
    with pytest.raises(NoText, match="no article text found"):
        extract_markdown(page, "https://news.example/fusion")


def test_the_fixture_pages_are_extracted_well() -> None:
    """The benchmark's measure (F1 over 4-word shingles) on the pages kept here."""
    found = []
    for page in sorted(FIXTURES.glob("*.html")):
        expected = page.with_suffix(".md")
        if expected.exists():
            html = decoded_page(page.read_bytes(), "text/html")
            text = extract_markdown(html, "https://news.example/a")
            found.append(scores(text, expected.read_text(encoding="utf-8"))[2])
    assert len(found) >= 5 and sum(found) / len(found) >= 0.95 and min(found) >= 0.9


def test_the_fetch_config_keys_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    good = parse_config('fetch = "on-open"\nfetch_allow = ["127.0.0.1", " Intranet "]', path)
    assert good.problems == ()
    assert good.settings.fetch == "on-open"
    assert good.settings.fetch_allow == ("127.0.0.1", "intranet")
    bad = parse_config('fetch = "always"\nfetch_allow = [1]', path)
    assert [p.where for p in bad.problems] == ["key 'fetch'", "key 'fetch_allow'"]
    assert "must be one of 'manual', 'on-open'" in bad.problems[0].reason
    assert bad.settings.fetch == "manual" and bad.settings.fetch_allow == ()
