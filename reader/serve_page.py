"""The page `reader serve` hands a browser: textual-serve's own, with nothing from elsewhere.

textual-serve's page asks Google's font service for its typeface, so each visit to a
reader served on loopback would tell a third party when it is used. The page is read from
textual-serve's templates as it ships and every stylesheet from another host is replaced by
the same typeface from the server's own static folder (textual-serve ships its font files).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import jinja2

# A <link> whose href leaves the server (http://, https:// or protocol-relative //).
OUTSIDE_STYLESHEET = re.compile(r"<link\b[^>]*\bhref=\"(?:https?:)?//[^\"]*\"[^>]*>", re.I)
LOCAL_FONTS = """<style>
      @font-face {
        font-family: "Roboto Mono";
        font-style: normal;
        src: url("{{ config.static.url }}fonts/RobotoMono-VariableFont_wght.ttf");
      }
      @font-face {
        font-family: "Roboto Mono";
        font-style: italic;
        src: url("{{ config.static.url }}fonts/RobotoMono-Italic-VariableFont_wght.ttf");
      }
    </style>"""


def without_outside_stylesheets(page: str) -> str:
    """`page` with its stylesheets from other hosts taken out and the local fonts in."""
    page, count = OUTSIDE_STYLESHEET.subn("", page)
    return page.replace("</head>", f"{LOCAL_FONTS}\n  </head>", 1) if count else page


class LocalPageLoader(jinja2.FileSystemLoader):
    """textual-serve's templates, each with `without_outside_stylesheets` applied."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return without_outside_stylesheets(source), filename, uptodate
