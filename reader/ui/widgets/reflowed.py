"""Text laid out for the width it is drawn at: label/value rows, phrases that never split.

A Static wraps its Content at any space and starts every wrapped line at column 0. These
visuals break lines themselves, for the width Textual gives them, and keep the text unbroken
as `plain` (one line per row: what a test or a reader of the widget's content sees).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

# Below this many cells for the values, a hanging indent wastes more than it shows.
MIN_VALUE_WIDTH = 12

Fit = Callable[[Content, int], list[Content]]


def wrap(value: Content, width: int) -> list[Content]:
    """Lines of at most `width` cells, broken at spaces (a longer word is cut with an ellipsis)."""
    return value.wrap(width, overflow="ellipsis")


class Reflowed(Visual):
    """`plain` as the text, drawn as `layout(width)` (cached for the last width)."""

    def __init__(self, content: Content, layout: Callable[[int], Content]) -> None:
        self.content = content
        self._layout = layout
        self._last: tuple[int, Content] | None = None

    @property
    def plain(self) -> str:
        return self.content.plain

    def laid_out(self, width: int) -> Content:
        if self._last is None or self._last[0] != width:
            self._last = (width, self._layout(width))
        return self._last[1]

    def render_strips(
        self, width: int, height: int | None, style: Style, options: RenderOptions
    ) -> list[Strip]:
        return self.laid_out(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.laid_out(width).get_height(rules, width)


def labelled_rows(rows: Sequence[tuple[str, Content, Fit]], label_style: str = "bold") -> Reflowed:
    """A label column and a value column; a value's wrapped lines stay in the value column."""
    label_width = max((cell_len(label) for label, _, _ in rows), default=0) + 1
    labels = [Content.styled(label.ljust(label_width), label_style) for label, _, _ in rows]
    plain = Content("\n").join(
        label + value for label, (_, value, _) in zip(labels, rows, strict=True)
    )

    def layout(width: int) -> Content:
        value_width = width - label_width
        if value_width < MIN_VALUE_WIDTH:
            return plain  # too narrow for two columns: plain wrapping
        indent = Content(" " * label_width)
        lines: list[Content] = []
        for label, (_, value, fit) in zip(labels, rows, strict=True):
            for index, piece in enumerate(fit(value, value_width)):
                lines.append((label if index == 0 else indent) + piece)
        return Content("\n").join(lines)

    return Reflowed(plain, layout)


def phrases(text: str, separator: str = ", ", style: str = "") -> Reflowed:
    """`text` broken only after a separator (a phrase longer than the width is folded)."""
    content = Content.styled(text, style) if style else Content(text)
    parts = text.split(separator)
    pieces = [part + separator for part in parts[:-1]] + [parts[-1]]

    def layout(width: int) -> Content:
        lines: list[str] = [""]
        for piece in pieces:
            if lines[-1] and cell_len((lines[-1] + piece).rstrip()) > width:
                lines.append("")
            lines[-1] += piece
        joined = "\n".join(line.rstrip() for line in lines)
        return Content.styled(joined, style) if style else Content(joined)

    return Reflowed(content, layout)
