"""The core imports nothing from Textual: each module is imported alone in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "reader"
# The user interface (the app, its command-palette provider, screens, widgets, ui_* helpers);
# everything else in `reader/` must work without Textual. `__main__` only calls `reader.cli`.
UI_MODULES = {"app", "commands", "__main__"}
UI_PREFIXES = ("ui", "screens")


def _core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.glob("*.py")):
        name = path.stem
        if name in UI_MODULES or name.startswith(UI_PREFIXES):
            continue
        names.append("reader" if name == "__init__" else f"reader.{name}")
    return names


CORE_MODULES = _core_modules()


def test_the_core_modules_are_found() -> None:
    expected = {"reader.model", "reader.loader", "reader.fields", "reader.sanitize", "reader.ordering", "reader.export"}
    assert expected | {"reader.cli", "reader.resources"} <= set(CORE_MODULES)
    assert not any(name.startswith(("reader.widgets", "reader.screens", "reader.app")) for name in CORE_MODULES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_does_not_import_textual(module: str) -> None:
    code = (
        "import sys\n"
        f"import {module}\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} imports {result.stdout.strip()}"
