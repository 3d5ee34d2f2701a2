"""No import cycle in ``bot/`` or ``index/``, counting every import the code can run.

The graph is read from the source with ``ast``, not from ``sys.modules``: imports inside
functions (lazy ones), under ``if TYPE_CHECKING:`` and in ``try`` blocks all count, because
each of them is a dependency a reader has to follow and a cycle hidden in a function is
still a knot. ``from package import name`` is an edge to ``package.name`` when that is a
module, otherwise to ``package``. A parent package is not an implicit dependency of its
submodules (Python runs the parent's ``__init__`` first, but that only matters if the
``__init__`` imports something, which is then an edge of its own).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from pathlib import Path

from support import ROOT


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules_of(package: str) -> dict[str, Path]:
    """Every module of ``package`` (a folder under the repository root) by dotted name."""
    return {module_name(p): p for p in sorted((ROOT / package).rglob("*.py"))}


def imported_names(tree: ast.AST, here: str, is_package: bool) -> Iterator[str]:
    """Every dotted name an Import/ImportFrom anywhere in ``tree`` may load."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = here.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, *(node.module.split(".") if node.module else [])])
            else:
                origin = node.module or ""
            yield origin
            for alias in node.names:
                yield f"{origin}.{alias.name}"


def import_graph(packages: Iterable[str]) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports (edges leaving them are dropped)."""
    known: dict[str, Path] = {}
    for package in packages:
        known.update(modules_of(package))
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = set()
        for target in imported_names(tree, name, path.name == "__init__.py"):
            if target in known and target != name:
                targets.add(target)
        # `from a.b import c` where c is not a module yields "a.b.c" (unknown) and "a.b"
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def describe(found: list[list[str]]) -> str:
    return "import cycles:\n" + "\n".join("  " + " <-> ".join(c) for c in found)


# ---------------------------------------------------------------- the walker itself
def test_the_walker_sees_lazy_and_type_checking_imports(tmp_path: Path) -> None:
    """A cycle made only of a function-level import and a TYPE_CHECKING import is found."""
    source = {
        "a": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.b import B\n",
        "b": "def f():\n    from pkg import a\n    return a\n",
        "c": "import pkg.a\n",
    }
    graph = {}
    for name, text in source.items():
        names = set(imported_names(ast.parse(text), f"pkg.{name}", False))
        graph[f"pkg.{name}"] = {n for n in names if n in {"pkg.a", "pkg.b", "pkg.c"}}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": {"pkg.a"}, "pkg.c": {"pkg.a"}}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_relative_imports_resolve_against_the_package() -> None:
    tree = ast.parse("from . import x\nfrom ..y import z\n")
    assert set(imported_names(tree, "p.q.m", False)) == {"p.q", "p.q.x", "p.y", "p.y.z"}
    assert set(imported_names(ast.parse("from . import x\n"), "p.q", True)) == {"p.q", "p.q.x"}


# ---------------------------------------------------------------- the packages
def test_no_import_cycle_in_bot() -> None:
    graph = import_graph(["bot", "index"])
    found = [c for c in cycles(graph) if any(m.split(".")[0] == "bot" for m in c)]
    assert not found, describe(found)


def test_index_imports_neither_bot_nor_discord() -> None:
    """The layering rule: bench -> bot -> index; index/ never imports bot/ or discord."""
    upward = []
    for name, path in modules_of("index").items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for target in imported_names(tree, name, path.name == "__init__.py"):
            if target.split(".")[0] in ("bot", "discord"):
                upward.append(f"{name} -> {target}")
    assert not upward, sorted(set(upward))


def test_no_import_cycle_in_index() -> None:
    found = cycles(import_graph(["index"]))
    assert not found, describe(found)
