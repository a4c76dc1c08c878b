"""Nothing under reader/core imports Textual or the user interface.

The modules are found by walking the package, not from a list, so a new module is checked
without anyone remembering to add it. Two checks: each module imported alone in a fresh
interpreter loads neither (what happens at import time, through every indirection), and no
import statement anywhere in a core file, even one inside a function, names them.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "reader"
CORE = PACKAGE / "core"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


CORE_FILES = sorted(CORE.rglob("*.py"))
CORE_MODULES = [_module_name(path) for path in CORE_FILES]
# The package itself may be imported: it holds only the version.
PACKAGE_ITSELF = {"reader", "reader.__version__"}


def is_forbidden(module: str) -> bool:
    """Textual, or any part of `reader` outside the core (the UI, the command line)."""
    if module == "textual" or module.startswith("textual."):
        return True
    if module in PACKAGE_ITSELF or module == "reader.core" or module.startswith("reader.core."):
        return False
    return module.startswith("reader.")


def test_the_walk_finds_the_core_modules() -> None:
    expected = {
        "reader.core", "reader.core.model", "reader.core.loader", "reader.core.view",
        "reader.core.query", "reader.core.query.parse", "reader.core.storage.state",
        "reader.core.storage.sqlite", "reader.core.storage.cache",
        "reader.core.storage.cache.feed_cache",
    }  # fmt: skip
    assert expected <= set(CORE_MODULES)


def test_the_rule_tells_core_from_the_rest() -> None:
    assert is_forbidden("textual") and is_forbidden("textual.widgets")
    assert (
        is_forbidden("reader.ui.app")
        and is_forbidden("reader.ui")
        and is_forbidden("reader.ui.widgets")
    )
    assert is_forbidden("reader.cli") and is_forbidden("reader.corefake")
    assert not is_forbidden("reader") and not is_forbidden("reader.__version__")
    assert not is_forbidden("reader.core.model") and not is_forbidden("textwrap")


_PROBE = """
import sys
import {module}
print(",".join(sorted(sys.modules)))
"""


def _loaded_by_import(module: str) -> list[str]:
    code = _PROBE.format(module=module)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().split(",")


@pytest.mark.parametrize("module", CORE_MODULES)
def test_a_core_module_loads_neither_textual_nor_the_ui(module: str) -> None:
    loaded = [name for name in _loaded_by_import(module) if is_forbidden(name)]
    assert loaded == [], f"{module} loads {loaded}"


def _imported_names(path: Path) -> list[str]:
    """Every module an import statement of the file names, absolute or relative."""
    package = (
        _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    )
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", CORE_FILES, ids=CORE_MODULES)
def test_no_import_statement_in_the_core_names_textual_or_the_ui(path: Path) -> None:
    found = [name for name in _imported_names(path) if is_forbidden(name)]
    assert found == [], f"{path.relative_to(PACKAGE.parent)} imports {found}"


def test_the_command_line_loads_no_textual_until_the_app_runs() -> None:
    # `reader list` and `reader check` must start without paying for Textual.
    loaded = [
        name
        for name in _loaded_by_import("reader.cli")
        if name == "textual" or name.startswith("textual.")
    ]
    assert loaded == []
