"""The config's `[keys]` checked against the command table, made into a Textual keymap.

Three things are reported, and the command keeps its default keys: an id that is not a
command, a key name Textual does not know, and a key bound twice (two commands that can be
active at once, at least one of them remapped, sharing a key). Remapping a key that Textual
handles itself (the palette, tab) is refused too. Swapping two commands' keys is fine: the
check is made on the keys in force, not the defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Textual's own rule for a character's key name (`?` -> `question_mark`), so that a key
# written as a character is named exactly as Textual will name the key pressed.
from textual.keys import _character_to_key, key_to_character

from reader.ui.commands import COMMANDS, NAMED_KEYS, TEXTUAL_KEYS, Command, key_display

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
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
    *modifiers, base = key.split("+") if len(key) > 1 else [key]
    modifiers = [modifier.lower() for modifier in modifiers]
    if not base or any(m not in MODIFIERS for m in modifiers):
        return None
    if len(base) == 1 and base.isalpha():
        # As terminals send them: shift with a letter is the capital letter (shift+f is F),
        # and ctrl with a letter is the lower-case one (ctrl+X is ctrl+x).
        if "shift" in modifiers and not {"ctrl", "alt", "meta"} & set(modifiers):
            modifiers.remove("shift")
            base = base.upper()
        elif modifiers:
            base = base.lower()
    if len(base) == 1:
        base = _character_to_key(base)
    elif base.lower() in NAMED_KEYS:
        base = base.lower()  # F5 is f5; a single letter keeps its case (A is shift+a)
    elif key_to_character(base) is None:
        return None
    return "+".join([*modifiers, base])


def build_keymap(remaps: Mapping[str, Iterable[str]]) -> KeymapResult:
    """Check `[keys]` (command id -> keys) and give the keymap of what is right."""
    problems: list[str] = []
    wanted: dict[str, tuple[str, ...]] = {}
    for command_id, keys in remaps.items():
        keys = tuple(keys)
        if command_id not in BY_ID:
            problems.append(f"keys: unknown command {command_id!r} (`?` lists them)")
        elif command_id in TEXTUAL_KEYS:
            problems.append(f"keys: {command_id!r} is Textual's own key and cannot be remapped")
        elif bad := [key for key in keys if key_name(key) is None]:
            problems.append(f"keys: {command_id!r}: unknown key name {bad[0]!r}")
        elif kept := [key for key in keys if key_name(key) in TEXTUAL_OWN]:
            problems.append(f"keys: {command_id!r}: {kept[0]!r} is Textual's own key (quit, copy)")
        else:
            wanted[command_id] = tuple(dict.fromkeys(key_name(key) or key for key in keys))
    problems += _drop_clashes(wanted)
    return KeymapResult({i: ",".join(keys) for i, keys in wanted.items()}, tuple(problems))


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
