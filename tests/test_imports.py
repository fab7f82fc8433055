"""No import cycle anywhere in the source packages, read from the code with ``ast``.

Every import counts: module level, inside functions and under ``TYPE_CHECKING`` (see
``components/import_closure.py``). Two modules that import each other are one piece with no clear
owner; the fix is to move what they share to where it belongs, never to hide an import in a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from components.import_closure import closure, cycles, import_graph, imported_names, package_modules

ROOT = Path(__file__).resolve().parent.parent
SOURCE_PACKAGES = ("sendbird_copy", "components", "provider", "localdev")


def source_graph() -> dict[str, set[str]]:
    modules: dict[str, Path] = {}
    for package in SOURCE_PACKAGES:
        modules.update(package_modules(ROOT / package, package))
    return import_graph(modules)


def test_no_source_package_has_an_import_cycle() -> None:
    graph = source_graph()
    assert set(SOURCE_PACKAGES) <= set(graph)  # the packages were read, not an empty tree
    assert graph["sendbird_copy.cli.commands"] >= {
        "sendbird_copy.cli.factory"
    }  # the commands use the factory
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_the_factory_does_not_import_the_cli_at_all() -> None:
    assert "sendbird_copy.cli.commands" not in closure(source_graph(), "sendbird_copy.cli.factory")


def test_the_product_never_imports_a_development_stand_in() -> None:
    graph = source_graph()
    product = [m for m in graph if m.split(".")[0] in {"sendbird_copy", "components", "provider"}]
    assert {m: sorted(graph[m]) for m in product if any(i.startswith("localdev") for i in graph[m])} == {}


def write_package(root: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return package_modules(root / "pkg", "pkg")


def test_a_cycle_through_a_function_level_or_type_checking_import_is_found_and_named(tmp_path: Path) -> None:
    modules = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "def f():\n    from pkg import b\n",
            "b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import C\n",
            "c.py": "import pkg.a\n",
            "d.py": "from . import a\n",  # reaches the cycle, is not part of it
        },
    )
    graph = import_graph(modules)
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    # What actually runs: the TYPE_CHECKING import never does, so there the cycle is open.
    assert cycles(import_graph(modules, runtime_only=True)) == []
    assert closure(import_graph(modules, runtime_only=True), "pkg.d") == {"pkg", "pkg.d", "pkg.a", "pkg.b"}


def test_a_package_that_re_exports_its_submodules_is_not_a_cycle(tmp_path: Path) -> None:
    modules = write_package(
        tmp_path,
        {
            "__init__.py": "from pkg.sub.x import X\n",
            "sub/__init__.py": "from .x import X\n",
            "sub/x.py": "X = 1\n",
        },
    )
    graph = import_graph(modules)
    assert cycles(graph) == [] and graph["pkg"] == {"pkg.sub", "pkg.sub.x"}


@pytest.mark.parametrize(
    ("source", "module", "is_package", "expected"),
    [
        ("import a.b as c", "m", False, {"a.b"}),
        ("from . import x", "p.q.m", False, {"p.q", "p.q.x"}),
        ("from .. import x", "p.q.m", False, {"p", "p.x"}),
        ("from .r import y", "p.q", True, {"p.q.r", "p.q.r.y"}),
        ("from x import *", "m", False, {"x"}),
    ],
)
def test_relative_and_aliased_imports_resolve_to_absolute_names(source, module, is_package, expected) -> None:
    assert imported_names(ast.parse(source), module, is_package=is_package) == expected
