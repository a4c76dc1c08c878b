"""What the first frame does without: modules imported only when their feature is first used.

The app is started in a fresh interpreter (this one has imported everything long ago) and the
modules it holds as the first frame is drawn are listed; each feature left out is then used
at once in a Pilot test, so that what waits for its first use still works the first time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from textual.command import CommandList
from textual.widgets import Input

from app_helpers import make_app, settle, type_text, wait_loaded
from reader.ui.widgets.filter_bar import FilterBar

# Imported where they are used: none of them draws anything in the first frame.
NOT_IN_THE_FIRST_FRAME = (
    "reader.config_report",  # `reader config`
    "reader.core.config_shown",  # `reader config`: the settings in force, as TOML
    "reader.core.importer",  # i: import a feed
    "reader.core.sync",  # the sync folder's pulls, after the first frame
    "reader.serve",  # `reader serve`
    "reader.ui.clipboard",  # y: the note about where the copy went
    "reader.ui.command_palette",  # ctrl+p: the palette's commands
    "reader.ui.screens.confirm_screen",  # M, forget texts: the question
    "reader.ui.screens.help_screen",  # ?
    "reader.ui.screens.prompt_screen",  # i: the prompt for the URL
    "reader.ui.screenshot",  # the palette's Screenshot
    "textual.widgets._markdown",  # the detail's body, mounted after the first frame
)

_FIRST_FRAME_MODULES = """
import json, sys
from pathlib import Path
from reader.ui.app import ReaderApp
from reader.ui.feed.load_view import LoadView

feed, folder = Path(sys.argv[1]), Path(sys.argv[2])
seen: list[list[str]] = []
start = LoadView.start

def record_then_start(view: LoadView) -> None:
    if not view.started:
        seen.append(sorted(sys.modules))
    start(view)

LoadView.start = record_then_start

async def main() -> None:
    app = ReaderApp(feed, state_path=folder / "s.db", cache_path=folder / "c.db",
                    browser=lambda url: True, watch=False)
    async with app.run_test() as pilot:
        await pilot.pause()

import asyncio
asyncio.run(main())
print(json.dumps(seen[0]))
"""


def first_frame_modules(feed: Path, folder: Path) -> set[str]:
    """The modules imported by the time the app's first frame is drawn (a fresh interpreter)."""
    result = subprocess.run(
        [sys.executable, "-c", _FIRST_FRAME_MODULES, str(feed), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_the_first_frame_imports_none_of_what_waits_for_its_first_use(tmp_path: Path) -> None:
    from reader.core.resources import sample_feed_path

    loaded = first_frame_modules(sample_feed_path(), tmp_path)
    # What the first frame draws is there: the list is made of the module's widget.
    assert {"reader.ui.widgets.article_list", "textual.app"} <= loaded
    assert sorted(set(NOT_IN_THE_FIRST_FRAME) & loaded) == []


async def test_a_filter_typed_with_the_first_frame_reaches_the_input(tmp_path: Path) -> None:
    """The filter bar's input is mounted after the first frame: `/` and a word typed before
    that open the bar, focus the input and filter by the word."""
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        bar = app.query_one(FilterBar)
        assert not bar.children  # its input is not there yet
        await pilot.press("slash", *"spacex")
        await wait_loaded(pilot)
        await pilot.pause()
        assert app.focused is bar.input
        assert bar.input.value == "spacex"
        assert bar.text == "spacex"
        assert app.feed.view.query is bar.parsed


async def test_the_filter_bars_parts_are_mounted_after_the_first_frame(tmp_path: Path) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        await wait_loaded(pilot)
        bar = app.query_one(FilterBar)
        assert [type(part) for part in bar.query(Input)] == [type(bar.input)]
        assert len(bar.children) == 2  # the input and the error line, once
        assert not bar.display  # hidden until `/`


async def test_the_palette_opened_with_the_first_frame_offers_the_readers_commands(
    tmp_path: Path,
) -> None:
    app = make_app(state_path=tmp_path / "s.db")
    async with app.run_test() as pilot:
        await pilot.press("ctrl+p")
        await type_text(pilot, "star")
        await settle(pilot)
        commands = pilot.app.screen.query_one(CommandList)
        prompts = [
            str(getattr(commands.get_option_at_index(i).prompt, "plain", ""))
            for i in range(commands.option_count)
        ]
        assert any(prompt.startswith("Toggle star") for prompt in prompts), prompts
