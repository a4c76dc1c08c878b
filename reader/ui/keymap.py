"""The config's `[keys]` checked against the command table, made into a Textual keymap.

Three things are reported, and the command keeps its default keys: an id that is not a
command, a key name Textual does not know, and a key bound twice (two commands that can be
active at once, at least one of them remapped, sharing a key). Remapping a key that Textual
handles itself (the palette, tab) is refused too. Swapping two commands' keys is fine: the
check is made on the keys in force, not the defaults.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Textual's own rule for a character's key name (`?` -> `question_mark`), so that a key
# written as a character is named exactly as Textual will name the key pressed.
from textual.keys import KEY_TO_UNICODE_NAME, _character_to_key

from reader.ui.commands import COMMANDS, NAMED_KEYS, TEXTUAL_KEYS, Command, key_display

# The modifiers Textual's input parser puts in a key's name, in the order it puts them
# (sorted). textual.keys has no list of them (the parser's is local to a function); a test
# holds this one to what the parser makes of a key pressed with every modifier.
MODIFIERS = ("alt", "ctrl", "hyper", "meta", "shift", "super")
# A key written by name that is a character: Textual's names of the printable ASCII
# characters (`question_mark`, `slash`, `minus`), and the Unicode names it renames
# (`hyphen_minus` is `minus`). Any other character is written as itself (`é`, `§`): a
# name such as `banana` is the name of a character no keyboard has a key for.
CHARACTER_NAMES: dict[str, str] = {
    _character_to_key(character): character
    for character in map(chr, range(0x21, 0x7F))
    if not character.isalnum()
} | {name: unicodedata.lookup(unicode_name) for name, unicode_name in KEY_TO_UNICODE_NAME.items()}
# The keys Textual's App binds itself (quit, and copy or quit): a remap there never runs.
TEXTUAL_OWN = frozenset({"ctrl+q", "ctrl+c"})
# Scopes whose bindings are in force together (the focused widget's, its screen's, the app's).
CHAINS: tuple[frozenset[str], ...] = tuple(
    frozenset(chain)
    for chain in (
        ("app", "feed", "list", "related"),
        ("app", "feed", "detail"),
        ("app", "feed", "filter"),
        ("app", "help"),
        ("app", "confirm"),
        ("app", "prompt"),
    )
)
BY_ID: dict[str, Command] = {command.id: command for command in COMMANDS}


@dataclass(frozen=True, slots=True)
class KeymapResult:
    """A keymap Textual can take (id -> comma-separated keys) and what was wrong."""

    keymap: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def key_name(key: str) -> str | None:
    """Textual's name of a key as a person writes it (`?` -> `question_mark`), or None."""
    try:
        return parse_key(key)
    except ValueError:
        return None


def parse_key(key: str) -> str:
    """Textual's name of a key as a person writes it (`Shift+Ctrl+X` -> `ctrl+shift+x`).

    Raises:
        ValueError: a part of it is no modifier or key Textual knows, saying which.
    """
    *written, base = key.split("+") if len(key) > 1 else [key]
    if "" in written:
        raise ValueError("a + with no modifier before it (the + key is written plus)")
    if not base:
        raise ValueError("no key after the last +" if written else "no key")
    modifiers = {modifier.lower() for modifier in written}
    if unknown := sorted(modifiers - set(MODIFIERS)):
        raise ValueError(f"{unknown[0]!r} is not a modifier ({', '.join(MODIFIERS)})")
    if len(base) == 1 and base.isalpha() and modifiers:
        # As terminals send them: shift with a letter is the capital letter (shift+f is F),
        # and ctrl with a letter is the lower-case one (ctrl+X is ctrl+x).
        if modifiers == {"shift"}:
            modifiers, base = set(), base.upper()
        else:
            base = base.lower()
    elif len(base) == 1 and modifiers == {"shift"} and base.isprintable():
        raise ValueError(f"shift+{base} is typed as another character: write that one")
    return "+".join([*(m for m in MODIFIERS if m in modifiers), _base_name(base)])


def _base_name(base: str) -> str:
    """Textual's name of the key a combination ends in."""
    if len(base) == 1 and base.isprintable() and not base.isspace():
        return _character_to_key(base)
    if base.lower() in NAMED_KEYS:
        return base.lower()  # F5 is f5; a single letter keeps its case (A is shift+a)
    if (character := CHARACTER_NAMES.get(base.lower())) is not None:
        return _character_to_key(character)  # the name Textual gives the key pressed
    raise ValueError(
        f"{base!r} is not a key (write a character as you type it, or a name such as "
        "f5, pageup, space, question_mark)"
    )


def build_keymap(remaps: Mapping[str, Iterable[str]]) -> KeymapResult:
    """Check `[keys]` (command id -> keys) and give the keymap of what is right."""
    problems: list[str] = []
    wanted: dict[str, tuple[str, ...]] = {}
    for command_id, keys in remaps.items():
        keys = tuple(keys)
        if command_id not in BY_ID:
            problems.append(f"keys: {_unknown_command(command_id)}")
        elif command_id in TEXTUAL_KEYS:
            problems.append(f"keys: {command_id!r} is Textual's own key and cannot be remapped")
        elif bad := [(key, reason) for key in keys if (reason := _key_problem(key))]:
            key, reason = bad[0]
            problems.append(f"keys: {command_id!r}: unknown key name {key!r}: {reason}")
        elif kept := [key for key in keys if key_name(key) in TEXTUAL_OWN]:
            problems.append(f"keys: {command_id!r}: {kept[0]!r} is Textual's own key (quit, copy)")
        else:
            wanted[command_id] = tuple(dict.fromkeys(key_name(key) or key for key in keys))
    problems += _drop_clashes(wanted)
    return KeymapResult({i: ",".join(keys) for i, keys in wanted.items()}, tuple(problems))


def _unknown_command(command_id: str) -> str:
    """What to say of an id that is no command: the ones it may mean, and where every id is
    listed (the help lists keys, not ids)."""
    meant = _commands_meant(command_id)
    said = f"did you mean {' or '.join(map(repr, meant))}? " if meant else ""
    return f"unknown command {command_id!r} ({said}`reader config --init` lists them all)"


def _commands_meant(command_id: str) -> list[str]:
    """The ids of its scope that have every word of its name (`feed.star` is
    `feed.toggle_star`, which spelling alone would not find: `feed.sort` is closer), else
    the closest spelling."""
    scope, _, name = command_id.rpartition(".")
    words = set(name.lower().split("_"))
    sharing = [
        known
        for known in BY_ID
        if known.startswith(f"{scope}.") and words <= set(known.rpartition(".")[2].split("_"))
    ]
    return sharing[:3] or difflib.get_close_matches(command_id, BY_ID, n=1)


def _key_problem(key: str) -> str | None:
    try:
        parse_key(key)
    except ValueError as error:
        return str(error)
    return None


def _drop_clashes(wanted: dict[str, tuple[str, ...]]) -> list[str]:
    """Remove the remaps that bind a key twice (until none does); say which and why."""
    problems: list[str] = []
    while clash := _first_clash(wanted):
        key, ids = clash
        remapped = [command_id for command_id in ids if command_id in wanted]
        for command_id in remapped:
            del wanted[command_id]
        problems.append(
            f"keys: {key_display(key)!r} would be bound twice ({' and '.join(ids)}); "
            f"{' and '.join(remapped)} keep{'s' if len(remapped) == 1 else ''} the default keys"
        )
    return problems


def _first_clash(wanted: Mapping[str, tuple[str, ...]]) -> tuple[str, list[str]] | None:
    """A key that two commands active together share, one of them remapped, or None."""
    in_force = {command.id: keys_in_force(command, wanted) for command in COMMANDS}
    for chain in CHAINS:
        owners: dict[str, list[str]] = {}
        for command in COMMANDS:
            if command.scope in chain:
                for key in in_force[command.id]:
                    owners.setdefault(key, []).append(command.id)
        for key, ids in owners.items():
            if len(ids) > 1 and any(_new_key(command_id, key, wanted) for command_id in ids):
                return key, ids
    return None


def _new_key(command_id: str, key: str, wanted: Mapping[str, tuple[str, ...]]) -> bool:
    """Whether the command has `key` only through a remap (the table's own overlaps, like
    enter in a list and in the related links, are meant: the focused one wins)."""
    return command_id in wanted and key not in BY_ID[command_id].keys.split(",")


def keys_in_force(command: Command, wanted: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The command's keys (Textual names) with the remaps applied."""
    return wanted.get(command.id) or tuple(command.keys.split(","))
