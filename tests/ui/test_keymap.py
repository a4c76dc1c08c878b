"""`[keys]` checked against the command table (no terminal needed)."""

from __future__ import annotations

import re

import pytest
from textual import events
from textual._xterm_parser import XTermParser

from reader.ui.commands import COMMANDS, help_rows, key_display
from reader.ui.keymap import MODIFIERS, build_keymap, key_name, parse_key


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("?", "question_mark"),
        ("/", "slash"),
        ("x", "x"),
        ("X", "X"),
        ("ctrl+x", "ctrl+x"),
        ("Ctrl+X", "ctrl+x"),
        ("F5", "f5"),
        ("space", "space"),
        ("pagedown", "pagedown"),
        ("shift+tab", "shift+tab"),
        ("question_mark", "question_mark"),
        ("shift+f", "F"),
        ("Shift+F", "F"),
        ("ctrl+X", "ctrl+x"),
        ("ctrl+shift+x", "ctrl+shift+x"),
        # Textual names a key's modifiers in one order (sorted): a binding written in
        # another would never match the key pressed.
        ("shift+ctrl+X", "ctrl+shift+x"),
        ("Ctrl+Alt+left", "alt+ctrl+left"),
        ("ctrl+ctrl+x", "ctrl+x"),
        # A character by its Unicode name is named as Textual names the key pressed.
        ("hyphen_minus", "minus"),
        ("Question_Mark", "question_mark"),
        ("+", "plus"),
        ("§", "section_sign"),  # any character, written as itself
        ("shift+space", "shift+space"),
    ],
)
def test_key_names_as_a_person_writes_them(written: str, name: str) -> None:
    assert key_name(written) == name


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("", "no key"),
        ("foo", "'foo' is not a key"),
        ("ctrl+", "no key after the last +"),
        ("ctrl++", "the + key is written plus"),
        ("cmd+x", "'cmd' is not a modifier"),
        ("a+b", "'a' is not a modifier"),
        ("f99", "'f99' is not a key"),
        # A Unicode name is a key name only for the characters Textual names by name.
        ("banana", "'banana' is not a key"),
        ("ctrl+shift+banana", "'banana' is not a key"),
        ("section_sign", "'section_sign' is not a key"),
        ("shift+1", "shift+1 is typed as another character"),
    ],
)
def test_unknown_key_names(written: str, reason: str) -> None:
    assert key_name(written) is None
    with pytest.raises(ValueError, match=re.escape(reason)):
        parse_key(written)


def test_the_modifiers_are_those_textual_puts_in_a_key_name() -> None:
    # The kitty keyboard protocol's `a` with every modifier bit set (shift is 1, alt 2,
    # ctrl 4, super 8, hyper 16, meta 32; the number sent is one more than their sum).
    (event,) = [e for e in XTermParser().feed("\x1b[97;64u") if isinstance(e, events.Key)]
    *modifiers, base = event.key.split("+")
    assert (tuple(modifiers), base) == (MODIFIERS, "a")
    assert key_name(event.key) == event.key


@pytest.mark.parametrize("sequence", ["\x1b[1;6D", "\x1b[97;7u", "\x1b[15;5~", "\x1b[Z"])
def test_a_key_textual_reads_is_a_key_name(sequence: str) -> None:
    (event,) = [e for e in XTermParser().feed(sequence) if isinstance(e, events.Key)]
    assert key_name(event.key) == event.key


@pytest.mark.parametrize("name", ["question_mark", "slash", "space", "ctrl+x", "enter", "G"])
def test_a_key_shown_is_a_key_read_back(name: str) -> None:
    assert key_name(key_display(name)) == name


def test_a_good_remap_becomes_the_keymap() -> None:
    result = build_keymap({"feed.toggle_star": ["*"], "feed.reload": ["F5", "r"]})
    assert result.problems == ()
    assert result.keymap == {"feed.toggle_star": "asterisk", "feed.reload": "f5,r"}


def test_swapping_two_commands_keys_is_no_clash() -> None:
    result = build_keymap({"feed.open": ["s"], "feed.sort": ["o"]})
    assert result.problems == () and result.keymap == {"feed.open": "s", "feed.sort": "o"}


@pytest.mark.parametrize(
    ("remaps", "said"),
    [
        ({"feed.nope": ["x"]}, "unknown command 'feed.nope' ("),
        ({"nope": ["x"]}, "unknown command 'nope' (`reader config --init` lists them all)"),
        # The help (`?`) lists keys, not ids; an id that has the words is the one meant.
        ({"feed.star": ["x"]}, "'feed.star' (did you mean 'feed.toggle_star'? `reader config"),
        ({"feed.sortt": ["x"]}, "'feed.sortt' (did you mean 'feed.sort'?"),
        ({"feed.open": ["hyperspace"]}, "unknown key name 'hyperspace'"),
        ({"feed.sort": ["ctrl+shift+banana"]}, "'ctrl+shift+banana': 'banana' is not a key"),
        ({"app.palette": ["ctrl+k"]}, "Textual's own key"),
        ({"feed.sort": ["o"]}, "'o' would be bound twice (feed.open and feed.sort)"),
        # The list's j shadows a screen key: the list is focused, so the sort would never run.
        ({"feed.sort": ["j"]}, "'j' would be bound twice"),
        ({"feed.sort": ["x"], "feed.open": ["x"]}, "'x' would be bound twice"),
        # ctrl+F is ctrl+f, the list's page down: the same key, so a clash.
        ({"feed.sort": ["ctrl+F"]}, "'ctrl+f' would be bound twice"),
        ({"feed.sort": ["ctrl+q"]}, "Textual's own key"),
        ({"prompt.cancel": ["Q"]}, "'Q' would be bound twice (app.quit_now and prompt.cancel)"),
    ],
)
def test_a_wrong_remap_is_said_and_keeps_the_defaults(
    remaps: dict[str, list[str]], said: str
) -> None:
    result = build_keymap(remaps)
    assert len(result.problems) == 1 and said in result.problems[0], result.problems
    assert result.keymap == {}


def test_the_same_key_in_scopes_never_active_together_is_fine() -> None:
    # The help's keys and the detail pane's are never in force at once; nor the list's enter
    # and the related links' enter (the focused one wins, as the table means).
    assert build_keymap({"help.close": ["x"], "feed.sort": ["x"]}).problems == ()
    assert build_keymap({"list.choose": ["enter", "l"]}).problems == ()
    assert build_keymap({"confirm.yes": ["j"]}).problems == ()


def test_only_the_wrong_part_keeps_its_defaults() -> None:
    result = build_keymap({"feed.toggle_star": ["*"], "feed.nope": ["x"], "feed.sort": ["o"]})
    assert result.keymap == {"feed.toggle_star": "asterisk"} and len(result.problems) == 2


def test_the_help_shows_the_keys_in_force() -> None:
    keymap = build_keymap({"feed.toggle_star": ["*", "W"]}).keymap
    rows = dict(row for _, rows in help_rows(keymap) for row in rows)
    star = next(c for c in COMMANDS if c.id == "feed.toggle_star")
    assert rows["*, W"] == star.help
    assert "f" not in rows  # the default is gone from the help
