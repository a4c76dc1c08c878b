"""The palette's Screenshot: saved where it can be, and the notice says where.

Textual saves it into the user's downloads folder in a thread, and when that folder is
missing says only "Failed to save screenshot". Here the folder is made when it is missing,
and when it cannot be (or takes no file) the screenshot goes to the temporary folder
instead; the notice names the file, or every folder tried and why not. An SVG of a screen
is a few hundred kilobytes: written at once, not in a thread.
"""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from textual.app import App

from reader.ui.text import tell


def screenshot_folders() -> list[Path]:
    """Where a screenshot may go, in order: the downloads folder, then the temporary one."""
    return [platformdirs.user_downloads_path(), Path(tempfile.gettempdir())]


def screenshot_name(title: str, now: datetime | None = None) -> str:
    """`reader 2026-12-07 01-44-05.svg`: a name that sorts by time and needs no quoting
    in a file manager (no colon)."""
    moment = now or datetime.now()
    return f"{title} {moment:%Y-%m-%d %H-%M-%S}.svg"


def write_new(folder: Path, name: str, text: str) -> Path:
    """Write `text` to a new file in `folder` (made if missing), never over one already
    there: a second screenshot in the same second gets ` (2)`, and so on."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = name.removesuffix(".svg")
    for number in range(1, 100):
        path = folder / (name if number == 1 else f"{stem} ({number}).svg")
        try:
            with path.open("x", encoding="utf-8") as file:
                file.write(text)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{folder / name} and 98 others exist")


def save_screenshot(app: App[Any], folders: list[Path] | None = None) -> Path | None:
    """Save the screen as an SVG in the first folder that takes it, and say where (or why
    nowhere). Under `reader serve` the browser downloads it, as Textual does."""
    if app.is_web:
        App.deliver_screenshot(app)
        return None
    text = app.export_screenshot()
    refusals: list[str] = []
    for folder in folders if folders is not None else screenshot_folders():
        try:
            path = write_new(folder, screenshot_name(app.title), text)
        except OSError as error:
            refusals.append(f"{folder}: {error.strerror or error}")
            continue
        where = f"Screenshot saved to {path}"
        if refusals:  # not where the user looks first: say why
            where += f" (not in {'; '.join(refusals)})"
        tell(app, where, timeout=10)
        return path
    tell(app, f"Screenshot not saved: {'; '.join(refusals)}", severity="error", timeout=10)
    return None
