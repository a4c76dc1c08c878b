"""Readable text in every theme: WCAG contrast, and a floor for colours that fall under it.

Themes choose their accent, warning and panel colours for looks, not for text on every
background (an orange accent on a light grey panel is 1.7:1). The lists keep the theme's
hue but move a colour towards black or white until it reads.
"""

from __future__ import annotations

from functools import lru_cache

from textual.color import Color
from textual.style import Style

TEXT_CONTRAST = 4.5  # WCAG AA for normal text
BLACK = Color(0, 0, 0)
WHITE = Color(255, 255, 255)


def relative_luminance(color: Color) -> float:
    """WCAG 2 relative luminance of an opaque colour (0 black .. 1 white)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(color.r) + 0.7152 * linear(color.g) + 0.0722 * linear(color.b)


def contrast_ratio(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio of two opaque colours: 1 (same) .. 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@lru_cache(maxsize=1024)
def readable_color(foreground: Color, background: Color, minimum: float = TEXT_CONTRAST) -> Color:
    """`foreground` (blended onto the opaque `background`), moved towards black or white just
    far enough to reach `minimum` contrast; unchanged when it already does."""
    solid = background + foreground
    if contrast_ratio(solid, background) >= minimum:
        return solid
    # Whichever extreme contrasts more: against any background one of them reaches 4.58:1.
    target = max((BLACK, WHITE), key=lambda extreme: contrast_ratio(extreme, background))
    low, high = 0.0, 1.0
    for _ in range(12):  # bisect the blend factor: the smallest change that reads
        middle = (low + high) / 2
        if contrast_ratio(solid.blend(target, middle), background) >= minimum:
            high = middle
        else:
            low = middle
    return solid.blend(target, high)


@lru_cache(maxsize=1024)
def readable_style(style: Style, minimum: float = TEXT_CONTRAST) -> Style:
    """`style` with its foreground made readable on its background (ANSI colours are left
    to the terminal: their values are not known here)."""
    foreground, background = style.foreground, style.background
    if (
        foreground is None
        or background is None
        or foreground.ansi is not None
        or background.ansi is not None
    ):
        return style
    if background.a < 1:
        return style  # not composited yet: nothing to measure against
    return Style(
        background,
        readable_color(foreground, background, minimum),
        bold=style.bold,
        dim=style.dim,
        italic=style.italic,
        underline=style.underline,
        underline2=style.underline2,
        reverse=style.reverse,
        strike=style.strike,
        blink=style.blink,
        link=style.link,
        _meta=style._meta,
    )
