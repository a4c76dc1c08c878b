"""The code keeps the shape the developers' guide asks for, so that it stays true.

No module in reader/ over 600 lines, no class over 40 methods, no function over 40 lines,
the app's class under 200 lines, and no import cycle among reader's modules (imports run
at import time; those under `if TYPE_CHECKING:` and inside functions are not).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

READER = Path(__file__).resolve().parents[1] / "reader"
MODULE_LINES = 600
CLASS_METHODS = 40
FUNCTION_LINES = 40
APP_LINES = 200

Function = ast.FunctionDef | ast.AsyncFunctionDef


def modules() -> dict[str, Path]:
    """Every module of reader, by its dotted name (a package by its own name)."""
    found = {}
    for path in sorted(READER.rglob("*.py")):
        parts = list(path.relative_to(READER.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def shown(path: Path) -> str:
    return str(path.relative_to(READER.parent))


def test_no_module_is_over_600_lines() -> None:
    long = {
        shown(path): lines
        for path in modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}


def test_no_class_has_over_40_methods() -> None:
    crowded = {}
    for path in modules().values():
        for node in ast.walk(parsed(path)):
            if isinstance(node, ast.ClassDef):
                methods = [item for item in node.body if isinstance(item, Function)]
                if len(methods) > CLASS_METHODS:
                    crowded[f"{shown(path)}:{node.name}"] = len(methods)
    assert crowded == {}


def test_no_function_is_over_40_lines() -> None:
    """From the `def` to the last line of its body (decorators apart, the docstring in)."""
    long = {}
    for path in modules().values():
        for node in ast.walk(parsed(path)):
            if isinstance(node, Function) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long[f"{shown(path)}:{node.lineno} {node.name}"] = lines
    assert long == {}


def test_the_app_class_is_under_200_lines() -> None:
    tree = parsed(READER / "ui" / "app.py")
    app = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ReaderApp")
    assert app.end_lineno is not None and app.end_lineno - app.lineno + 1 < APP_LINES


def run_time_imports(nodes: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported: at its top level, in its classes'
    bodies and under plain `if`/`try`, not in functions nor under `if TYPE_CHECKING:`."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from run_time_imports(node.body)
            yield from run_time_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from run_time_imports(block)
            for handler in node.handlers:
                yield from run_time_imports(handler.body)
        elif isinstance(node, ast.ClassDef | ast.With):
            yield from run_time_imports(node.body)


def imported(name: str, path: Path, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """reader's modules an import statement of module `name` loads (a package's `from p import
    submodule` counts as the submodule)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names} & known
    base = node.module or ""
    if node.level:
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join([*package, base] if base else package)
    submodules = {f"{base}.{alias.name}" for alias in node.names} & known
    return submodules or ({base} & known)


def import_graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {
        name: {
            target
            for node in run_time_imports(parsed(path).body)
            for target in imported(name, path, node, known)
        }
        - {name}
        for name, path in found.items()
    }


def a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, as the modules along it; None if there is none."""
    done: set[str] = set()

    def walk(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for target in sorted(graph[name]):
            cycle = walk(target, [*path, name])
            if cycle is not None:
                return cycle
        done.add(name)
        return None

    return next((c for name in sorted(graph) if (c := walk(name, [])) is not None), None)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert a_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert a_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle() -> None:
    graph = import_graph()
    assert "reader.ui.screens.feed_screen" in graph["reader.ui.app"]  # the graph is read
    assert a_cycle(graph) is None


def test_threads_reach_the_ui_from_one_module_at_most() -> None:
    """Threads speak to the UI in messages (`post_message` is thread-safe): a callback run on
    the event loop from a thread (`call_from_thread`) is left to one module of reader/ui."""
    calling = {
        shown(path)
        for path in (READER / "ui").rglob("*.py")
        if any(
            isinstance(node, ast.Attribute) and node.attr == "call_from_thread"
            for node in ast.walk(parsed(path))
        )
    }
    assert len(calling) <= 1, calling


def fixed_example_counts(path: Path) -> list[int]:
    """The lines of `path` that give Hypothesis a `max_examples` other than `examples(N)`."""
    return [
        node.lineno
        for node in ast.walk(parsed(path))
        if isinstance(node, ast.keyword)
        and node.arg == "max_examples"
        and not (
            isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "examples"
        )
    ]


def test_every_property_test_scales_with_the_profile(tmp_path: Path) -> None:
    """A count given to Hypothesis as a number overrides the profile, so `make test-deep` would
    not multiply it: each goes through `examples()` (tests/examples.py)."""
    sample = tmp_path / "sample.py"
    sample.write_text("settings(max_examples=5)\nsettings(max_examples=examples(5))\n")
    assert fixed_example_counts(sample) == [1]  # the finder finds one
    tests = Path(__file__).resolve().parent
    fixed = {
        f"{path.relative_to(tests)}:{line}"
        for path in sorted(tests.rglob("*.py"))
        if path.name != "conftest.py"  # where the profiles themselves are registered
        for line in fixed_example_counts(path)
    }
    assert not fixed, sorted(fixed)
