"""The product never imports a development stand-in, read from the code with ``ast``.

Every import counts: module level, inside functions and under ``TYPE_CHECKING``. Which package may
import which inside the product (no cycles, the CLI above the checks above the sync) is import-linter's
job (its contracts in pyproject.toml).
"""

from __future__ import annotations

from pathlib import Path

from tests.source_imports import imported_top_levels

ROOT = Path(__file__).resolve().parent.parent
PRODUCT_PACKAGES = ("sendbird_copy", "components", "provider")
DEVELOPMENT_ONLY = {"localdev", "tests", "benchmarks"}


def test_the_product_never_imports_a_development_stand_in() -> None:
    modules = [path for package in PRODUCT_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))]
    assert len(modules) > len(PRODUCT_PACKAGES)  # the packages were read, not an empty tree
    found = {
        path.relative_to(ROOT).as_posix(): sorted(names)
        for path in modules
        if (names := imported_top_levels(path.read_text(encoding="utf-8")) & DEVELOPMENT_ONLY)
    }
    assert found == {}


def test_the_reader_sees_imports_wherever_they_stand() -> None:
    source = (
        "import a.b as c\nfrom d.e import f\nfrom . import g\nfrom .h import i\n"
        "def j():\n    import k\n"
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from localdev import x\n"
    )
    assert imported_top_levels(source) == {"a", "d", "k", "typing", "localdev"}
