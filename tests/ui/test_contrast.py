"""Every built-in theme draws the main screen readably: WCAG 2 contrast of what is drawn.

One app run (the sample feed, some articles read, starred and with a stored full text, filter
words highlighted); the theme is switched, and the screen is read back from Textual's
compositor, segment by segment, as a terminal would get it. In each theme, with the filter
bar open (its placeholder is text too) and border titles on the panes: the list focused, with
the article's top in view; then the detail pane focused (the list's cursor blurred), with the
article's end and related links.

Text must reach 4.5:1 (WCAG AA); the border lines of the panes 3:1 (WCAG's non-text contrast);
and the list's cursor row must stand out from the other rows, focused or not.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.color import Color as RichColor
from rich.color import ColorType
from rich.style import Style as RichStyle
from textual.color import Color
from textual.pilot import Pilot
from textual.strip import Strip

from app_helpers import app_of, loaded_app, make_app
from reader.ui.app import ReaderApp
from reader.ui.contrast import contrast_ratio, readable_color
from reader.ui.widgets.article_list import ArticleList
from reader.ui.widgets.detail_pane import DetailPane

TEXT_RATIO = 4.5
BORDER_RATIO = 3.0
# A cursor row against the other rows: a visible band, though not text.
CURSOR_BAND_RATIO = 1.2
# These themes are ANSI colour names: the terminal decides what they look like, there is
# no colour here to measure.
ANSI_THEMES = {"ansi-dark", "ansi-light"}
PANES = ("#sidebar", "#articles", "#detail")
BORDER_TITLES = {"#sidebar": "Topics", "#articles": "Articles 11 / 71", "#detail": "Article"}
SIZE = (120, 50)  # tall enough for the sample article's top and end to cover all of it
LIST_FOCUSED, DETAIL_FOCUSED = STATES = ("list focused", "detail focused")
READ_ROWS = range(0, 5)  # the cursor's row among them: the dimmest text on the cursor
STARRED_ROWS = (0, 2)
TEXT_ROWS = (0, 1, 6)  # with a stored full text (the list marks them; the cursor's among them)


def is_drawing(text: str) -> bool:
    """Box drawing and block elements: borders, rules and scrollbars, not text."""
    return all("\u2500" <= char <= "\u259f" or char.isspace() for char in text)


def truecolor(color: RichColor | None) -> Color | None:
    """A Rich colour as a Textual one; None for the terminal's default (not measurable)."""
    if color is None or color.type == ColorType.DEFAULT:
        return None
    red, green, blue = color.get_truecolor()
    return Color(red, green, blue)


def colours(style: RichStyle | None) -> tuple[Color | None, Color | None]:
    """Foreground and background as a terminal shows them (reverse swapped, dim halved)."""
    if style is None:
        return None, None
    foreground, background = truecolor(style.color), truecolor(style.bgcolor)
    if style.reverse:
        foreground, background = background, foreground
    if style.dim and foreground is not None and background is not None:
        foreground = foreground.blend(background, 0.5)  # what Textual's DimFilter does
    return foreground, background


@dataclass(frozen=True)
class Piece:
    """A run of cells drawn in one style."""

    x: int
    y: int
    text: str
    foreground: Color | None
    background: Color | None


def pieces(strips: list[Strip]) -> Iterator[Piece]:
    for y, strip in enumerate(strips):
        x = 0
        for segment in strip:
            if segment.control:
                continue
            foreground, background = colours(segment.style)
            yield Piece(x, y, segment.text, foreground, background)
            x += cell_len(segment.text)


class Screen:
    """The pieces of each line, to find the one drawn at a cell."""

    def __init__(self, strips: list[Strip]) -> None:
        self.lines: list[list[Piece]] = [[] for _ in strips]
        for piece in pieces(strips):
            self.lines[piece.y].append(piece)
        self.starts = [[piece.x for piece in line] for line in self.lines]

    def at(self, x: int, y: int) -> Piece | None:
        if not 0 <= y < len(self.lines):
            return None
        index = bisect_right(self.starts[y], x) - 1
        return self.lines[y][index] if index >= 0 else None


@cache
def ratio_between(foreground: Color, background: Color) -> float:
    return contrast_ratio(foreground, background)


def ratio_of(piece: Piece) -> float | None:
    if piece.foreground is None or piece.background is None:
        return None
    return ratio_between(piece.foreground, piece.background)


def where(app: ReaderApp, piece: Piece) -> str:
    """The widget a piece belongs to, for the failure message."""
    try:
        widget, _ = app.screen.get_widget_at(piece.x, piece.y)
    except Exception:  # noqa: BLE001 - only a label
        return "?"
    return f"#{widget.id}" if widget.id else type(widget).__name__


def text_failures(app: ReaderApp, label: str, strips: list[Strip]) -> list[str]:
    """One line per colour pair that fails, with the first text drawn in it."""
    failing: dict[tuple[Color | None, Color | None], Piece] = {}
    for piece in pieces(strips):
        if not piece.text.strip() or is_drawing(piece.text):
            continue
        ratio = ratio_of(piece)
        if ratio is None or ratio < TEXT_RATIO:
            failing.setdefault((piece.foreground, piece.background), piece)
    failures = []
    for (foreground, background), piece in failing.items():
        ratio = ratio_of(piece)
        shown = "no colour" if ratio is None else f"{ratio:.2f}:1"
        colours = (
            f"{foreground.hex if foreground else '?'} on {background.hex if background else '?'}"
        )
        failures.append(f"{label} {where(app, piece)}: {piece.text.strip()!r} {shown} ({colours})")
    return failures


def border_failures(app: ReaderApp, label: str, screen: Screen) -> list[str]:
    failures = []
    for selector in PANES:
        region = app.query_one(selector).region
        edge = [
            (x, y) for x in range(region.x, region.right) for y in (region.y, region.bottom - 1)
        ]
        edge += [
            (x, y) for x in (region.x, region.right - 1) for y in range(region.y, region.bottom)
        ]
        drawn = [
            piece
            for piece in (screen.at(x, y) for x, y in edge)
            if piece and is_drawing(piece.text) and piece.text.strip()
        ]
        worst = min((ratio_of(piece) or 0.0 for piece in drawn), default=None)
        if worst is None or worst < BORDER_RATIO:
            failures.append(
                f"{label} {selector} border: {'not drawn' if worst is None else f'{worst:.2f}:1'}"
            )
    return failures


def row_background(screen: Screen, article_list: ArticleList, row: int) -> Color | None:
    """The background of a list row, taken in the middle of its title."""
    region = article_list.content_region
    piece = screen.at(region.x + 8, region.y + row - article_list.scroll_offset.y)
    return piece.background if piece else None


def cursor_failures(label: str, screen: Screen, article_list: ArticleList) -> list[str]:
    cursor = row_background(screen, article_list, article_list.cursor)
    other = row_background(screen, article_list, article_list.cursor + 1)
    if cursor is None or other is None:
        return [f"{label} list cursor row: no colour"]
    ratio = contrast_ratio(cursor, other)
    return (
        []
        if ratio >= CURSOR_BAND_RATIO
        else [f"{label} list cursor row: {ratio:.2f}:1 against the next row"]
    )


def screen_failures(app: ReaderApp, label: str) -> tuple[list[str], Color | None]:
    """What fails on the screen as drawn now, and the background of the list's cursor row."""
    strips = app.screen._compositor.render_strips()
    screen = Screen(strips)
    article_list = app.query_one(ArticleList)
    failures = text_failures(app, label, strips) + border_failures(app, label, screen)
    failures += cursor_failures(label, screen, article_list)
    return failures, row_background(screen, article_list, article_list.cursor)


async def prepare(pilot: Pilot[None]) -> None:
    """Read and starred rows (the cursor's among them), and filter words in view highlighted."""
    app = app_of(pilot)
    article_list = app.query_one(ArticleList)
    articles = article_list.articles
    for row in READ_ROWS:
        app.feed.store.set_read(articles[row].id)
    for row in STARRED_ROWS:
        app.feed.store.set_starred(articles[row].id)
    texts = app.feed.fulltext.store_for_writing()  # the list's full-text mark is drawn too
    assert texts is not None
    for row in TEXT_ROWS:
        url = articles[row].url or f"https://example.com/{row}"
        texts.put(url, articles[row].id, "A stored full text.", url)
    app.feed.refresh_view()
    app.feed.action_focus_filter()  # the filter bar stays open: its placeholder is text too
    for selector, title in BORDER_TITLES.items():
        pane = app.query_one(selector)
        pane.border_title = pane.border_title or title  # what the app will set, if it does not yet
    article_list.set_highlight(
        [articles[0].title.split()[0].casefold(), articles[6].title.split()[0].casefold()]
    )
    await pilot.pause()


def themes(app: ReaderApp) -> list[str]:
    return [name for name in app.available_themes if name not in ANSI_THEMES]


def test_contrast_ratio_is_wcag() -> None:
    """Known values of the WCAG formula the whole file relies on."""
    assert contrast_ratio(Color(0, 0, 0), Color(255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio(Color(119, 119, 119), Color(255, 255, 255)) == pytest.approx(
        4.48, abs=0.01
    )
    assert contrast_ratio(Color(118, 118, 118), Color(255, 255, 255)) == pytest.approx(
        4.54, abs=0.01
    )
    assert contrast_ratio(Color(10, 20, 30), Color(10, 20, 30)) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "background", [Color(0, 0, 0), Color(255, 255, 255), Color(119, 119, 119), Color(224, 224, 224)]
)
def test_the_floor_reaches_the_minimum_on_any_background(background: Color) -> None:
    for foreground in (
        background,
        Color(255, 166, 43),
        Color(255, 255, 255, 0.6),
        Color(0, 0, 0, 0.3),
    ):
        assert contrast_ratio(readable_color(foreground, background), background) >= TEXT_RATIO


def test_the_floor_keeps_a_colour_that_reads() -> None:
    assert readable_color(Color(0, 0, 0), Color(255, 255, 255)) == Color(0, 0, 0)


async def show_state(pilot: Pilot[None], state: str) -> None:
    """List focused with the article's top in view, or the detail pane focused with its end
    (the related links) in view: between them, the whole article is seen."""
    app = pilot.app
    detail = app.query_one(DetailPane)
    if state == LIST_FOCUSED:
        app.query_one(ArticleList).focus()
        detail.scroll_home(animate=False, immediate=True)
    else:
        detail.focus()
        detail.scroll_end(animate=False, immediate=True)
    await pilot.pause()


@pytest.mark.parametrize("half", [0, 1])  # two tests of ~10 s: the workers share them
async def test_every_builtin_theme_is_readable(tmp_path: Path, half: int) -> None:
    app = make_app(state_path=tmp_path / "state.db")
    async with loaded_app(app, size=SIZE) as pilot:
        await prepare(pilot)
        assert len(themes(app)) >= 18, "the built-in themes went missing"
        failures: list[str] = []
        for number, theme in enumerate(themes(app)[half::2]):
            app.theme = theme
            # Every focus change re-composes the footer (~0.3 s): alternating the order of
            # the states costs one per theme.
            cursors = {}
            for state in STATES if number % 2 == 0 else STATES[::-1]:
                await show_state(pilot, state)
                found, cursors[state] = screen_failures(app, f"{theme} [{state}]")
                failures += found
            if cursors[LIST_FOCUSED] == cursors[DETAIL_FOCUSED]:
                failures.append(f"{theme}: the blurred cursor row looks like the focused one")
        assert not failures, f"{len(failures)} unreadable:\n" + "\n".join(failures)
