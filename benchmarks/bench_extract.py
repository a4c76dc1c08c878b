"""How well the full-text extraction finds an article's body: F1 over 4-token shingles.

Each `tests/fixtures/fulltext/NAME.html` is a news page as sites serve them (navigation,
cookie banner, ads, share buttons, comments, related and most-read boxes) and `NAME.md` the
body written out by hand: what the journalist wrote, the standfirst included (where the
page prints one), the headline, byline, dates, captions, ads, promos, share buttons,
"related" and "most read" boxes, comments, cookie banners, navigation and footer left out.
The pages imitate the markup of major sites of several kinds (a British daily with an
`<article>`, a wire service's `div`s, a WordPress magazine with a pull quote and comments, a
German regional paper in windows-1252 with a table, a script-built site with generated
class names); `paywall-teaser` and `javascript-only` have no `.md`: they must give no
text at all (the tests see to that). Both are cut into words (lowercased runs of letters and digits,
so Markdown's marks do not count) and into shingles of 4 consecutive words; precision is
the share of the extracted shingles found in the expected ones (as multisets), recall the
share of the expected ones extracted, F1 their harmonic mean. Prints each page's scores
and the mean F1.

    python benchmarks/bench_extract.py [FOLDER]
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from reader.core.fulltext.extract import NoText, decoded_page, extract_markdown

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "fulltext"
SHINGLE = 4
_WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The multiset of `size` consecutive words of the text."""
    words = _WORD.findall(text.casefold())
    return Counter(tuple(words[i : i + size]) for i in range(max(len(words) - size + 1, 0)))


def scores(extracted: str, expected: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of the extracted text's shingles against the expected ones."""
    got, want = shingles(extracted), shingles(expected)
    common = sum((got & want).values())
    precision = common / max(sum(got.values()), 1)
    recall = common / max(sum(want.values()), 1)
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def main(folder: Path = FIXTURES) -> float:
    """Print each page's precision, recall and F1, then the mean F1, and return it."""
    results: list[float] = []
    for page in sorted(folder.glob("*.html")):
        expected = page.with_suffix(".md")
        if not expected.exists():
            continue  # a page with no article text, for the tests
        try:
            text = extract_markdown(decoded_page(page.read_bytes(), "text/html"), page.as_uri())
        except NoText:
            text = ""
        precision, recall, f1 = scores(text, expected.read_text(encoding="utf-8"))
        results.append(f1)
        print(f"{page.stem:32} precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    mean = sum(results) / max(len(results), 1)
    print(f"{'mean F1':32} {mean:.3f} over {len(results)} pages")
    return mean


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else FIXTURES)
