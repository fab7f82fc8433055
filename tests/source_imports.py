"""What a module imports from outside its own package, read from its source with ``ast`` (nothing is
imported): the top-level names of its absolute imports, wherever they stand (module level, inside a
function, under ``TYPE_CHECKING``). A relative import stays inside its own package."""

from __future__ import annotations

import ast

from localdev.python_source import parse


def imported_top_levels(source: str | bytes) -> set[str]:
    """The top-level package or module of every absolute import in ``source``."""
    names: set[str] = set()
    for node in ast.walk(parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module.split(".")[0])
    return names
