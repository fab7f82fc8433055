"""Which of a source tree's modules import which, read from the code with ``ast`` (nothing imported).

Pure Python, no Pulumi. Two users: the function archive (``function_archive.py``) carries the
handler's import closure and nothing else, and ``tests/test_imports.py`` fails on any import cycle.

Every ``import`` and ``from ... import`` counts wherever it stands: at module level, inside a function
(run on first call), and under ``if TYPE_CHECKING:`` unless ``runtime_only`` (those never run, so
they do not decide what the function needs, but they still tie two modules together for a reader
and for mypy). Relative imports are resolved. ``import a.b.c`` runs ``a`` and ``a.b`` first, so it
reaches those packages too, except the importer's own packages, which are already importing when it
runs (a package ``__init__`` that re-exports its submodules is not a cycle).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

Graph = dict[str, set[str]]


def package_modules(root: Path, package: str) -> dict[str, Path]:
    """Module name -> file, for every ``.py`` of the package whose directory is ``root`` (named
    ``package``; any ``__pycache__`` left out). A package is named by its ``__init__.py``."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if "__pycache__" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join((package, *parts))] = path
    return modules


def imported_names(tree: ast.AST, module: str, *, is_package: bool, runtime_only: bool = False) -> set[str]:
    """Every dotted name the import statements of ``module`` (parsed as ``tree``) can load: for
    ``from X import a``, both ``X`` and ``X.a`` (``a`` may be a submodule)."""
    names: set[str] = set()
    for node in _import_nodes(tree, runtime_only):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = _absolute(node, module, is_package)
        names.add(base)
        names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def import_graph(modules: Mapping[str, Path], *, runtime_only: bool = False) -> Graph:
    """Module -> the modules of ``modules`` it imports (see the module docstring for what counts)."""
    try:
        return _import_graph(modules, runtime_only)
    except SystemError:
        # CPython 3.11: after a RecursionError was caught anywhere in this process, ast.parse fails
        # ("AST constructor recursion depth mismatch"). A user's program may have caught one before
        # it builds RecordingSync: read the same graph in a fresh interpreter instead.
        return _import_graph_elsewhere(modules, runtime_only)


def _import_graph_elsewhere(modules: Mapping[str, Path], runtime_only: bool) -> Graph:
    request = json.dumps({"modules": {m: str(p) for m, p in modules.items()}, "runtime_only": runtime_only})
    done = subprocess.run(
        [sys.executable, "-I", "-c", _FRESH_GRAPH, __file__],
        input=request,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return {module: set(names) for module, names in json.loads(done.stdout).items()}


# Loads this very file (no package import, no Pulumi) and prints the graph of the modules on stdin.
_FRESH_GRAPH = """
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("import_closure", sys.argv[1])
closure = importlib.util.module_from_spec(spec)
spec.loader.exec_module(closure)
request = json.load(sys.stdin)
modules = {m: Path(p) for m, p in request["modules"].items()}
graph = closure._import_graph(modules, request["runtime_only"])
print(json.dumps({m: sorted(names) for m, names in graph.items()}))
"""


def _import_graph(modules: Mapping[str, Path], runtime_only: bool) -> Graph:
    graph: Graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        own_packages = set(_ancestors(module)) | ({module} if is_package else set())
        reached: set[str] = set()
        for name in imported_names(tree, module, is_package=is_package, runtime_only=runtime_only):
            reached.update(m for m in (*_ancestors(name), name) if m in modules and m not in own_packages)
        reached.discard(module)
        graph[module] = reached
    return graph


def closure(graph: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """``start`` and every module it reaches, with the packages (``__init__``) each one lives in."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(graph.get(module, ()))
        todo.extend(p for p in _ancestors(module) if p in graph)
    return seen


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """One cycle (``[a, b, ..., a]``) per group of modules that import each other, sorted; empty
    when the graph has none. A module is in a cycle when it reaches itself; two such modules are in
    one group when each reaches the other (a few hundred modules: plain reachability is quick)."""
    reach = {module: _reachable(graph, module) for module in graph}
    groups = {
        frozenset(other for other in reach[module] if module in reach.get(other, ()))
        for module in graph
        if module in reach[module]
    }
    return sorted(_cycle_through(graph, set(group)) for group in groups)


def _reachable(graph: Mapping[str, Iterable[str]], start: str) -> set[str]:
    """Every module ``start`` reaches through one import or more (itself only through a cycle)."""
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(graph.get(module, ()))
    return seen


def _cycle_through(graph: Mapping[str, Iterable[str]], group: set[str]) -> list[str]:
    """A shortest cycle from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        nxt = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child == start:
                    return [*paths[node], start]
                if child in group and child not in paths:
                    paths[child] = [*paths[node], child]
                    nxt.append(child)
        frontier = nxt
    raise AssertionError(f"no cycle through {start} in {sorted(group)}")  # a group always has one


def _import_nodes(tree: ast.AST, runtime_only: bool) -> Iterator[ast.Import | ast.ImportFrom]:
    skipped = {id(n) for n in ast.walk(tree) if runtime_only and _is_type_checking_block(n)}
    todo = [tree]
    while todo:
        node = todo.pop()
        if id(node) in skipped:
            todo.extend(node.orelse)  # type: ignore[attr-defined]  # the else branch does run
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        todo.extend(ast.iter_child_nodes(node))


def _is_type_checking_block(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if node.level - 1 >= len(parts):
        raise ValueError(f"{module}: relative import beyond the top-level package (level {node.level})")
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]
