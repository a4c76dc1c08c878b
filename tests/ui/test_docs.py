"""Every key is in the help and in the README, because both come from the one command table."""

from __future__ import annotations

from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from reader.ui.app import ReaderApp
from reader.ui.commands import COMMANDS, TEXTUAL_KEYS, bindings, readme_key_table
from reader.ui.screens.confirm_screen import ConfirmScreen
from reader.ui.screens.feed_screen import FeedScreen
from reader.ui.screens.help_screen import HelpScreen
from reader.ui.screens.prompt_screen import PromptScreen
from reader.ui.widgets.detail_pane import DetailPane
from reader.ui.widgets.filter_bar import FilterBar
from reader.ui.widgets.related_links import RelatedLinks
from reader.ui.widgets.virtual_list import VirtualList

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
BOUND: dict[str, type[DOMNode]] = {
    "app": ReaderApp,
    "feed": FeedScreen,
    "list": VirtualList,
    "related": RelatedLinks,
    "detail": DetailPane,
    "filter": FilterBar,
    "help": HelpScreen,
    "confirm": ConfirmScreen,
    "prompt": PromptScreen,
}


def binding_ids(owner: type[DOMNode]) -> set[str | None]:
    """The ids of a class's bindings (Textual also allows (key, action) tuples, which have
    none: the command table makes Bindings only)."""
    ids: set[str | None] = set()
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding), f"{owner.__name__} binds a tuple: {binding}"
        ids.add(binding.id)
    return ids


def test_the_readme_key_table_is_the_command_table() -> None:
    table = readme_key_table()
    assert table in README, (
        "README.md's key table differs from reader/ui/commands.py: paste readme_key_table()"
    )


def test_every_command_is_bound_where_it_says() -> None:
    for command in COMMANDS:
        if command.id in TEXTUAL_KEYS:
            continue
        owner = BOUND[command.scope]
        assert command.id in binding_ids(owner), f"{command.id} is not bound on {owner.__name__}"


def test_ids_are_unique_and_keys_do_not_clash_in_a_scope() -> None:
    ids = [command.id for command in COMMANDS]
    assert len(ids) == len(set(ids))
    for scope in BOUND:
        made = Binding.make_bindings(bindings(scope))
        keys = [key for binding in made for key in binding.key.split(",")]
        assert len(keys) == len(set(keys)), f"a key bound twice in {scope}: {sorted(keys)}"
