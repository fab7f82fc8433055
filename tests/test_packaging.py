"""What a consumer installs: a wheel built from this repository, installed into a fresh venv.

It must expose only the project's own top-level names (``sendbird_recordings`` for the components,
``sendbird_copy`` for the helper): no generic ``components`` or ``localdev`` that could shadow a
consumer's module, and nothing dev-only: no stand-in (the Sendbird emulator lives in localdev/, which
needs moto), and no installed module that imports one. Built and installed by ``tests/wheel_venv.py``.
"""

from __future__ import annotations

import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.source_imports import imported_top_levels
from tests.wheel_venv import PROJECT_DIR, build_wheel, fresh_venv_with

OWN_NAMES = {"sendbird_recordings", "sendbird_copy"}
# Where each installed package comes from in this repository (pyproject's package-dir).
SOURCE_DIRS = {"sendbird_recordings/provider": "provider", "sendbird_recordings": "components"}
# What only development has: the stand-ins, their packages and the test tools.
DEVELOPMENT_ONLY = {"localdev", "tests", "benchmarks", "moto", "pytest"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_only_the_projects_own_top_level_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == OWN_NAMES
    assert not [n for n in names if n.startswith(("localdev/", "tests/", "components/"))]
    assert "sendbird_recordings/storage/recording_storage.py" in names
    assert not [n for n in names if "emulator" in n]  # a test stand-in (localdev/sendbird_emulator)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "sendbird-copy = sendbird_copy.cli.commands:main"
        in zipfile.ZipFile(wheel).read(entry_points).decode()
    )


def source_of(name: str) -> Path:
    """The repository file a wheel entry was built from."""
    for installed, source in SOURCE_DIRS.items():
        if name.startswith(f"{installed}/"):
            return PROJECT_DIR / source / name.removeprefix(f"{installed}/")
    return PROJECT_DIR / name


def test_the_wheel_installs_the_product_modules_and_no_stand_in(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    modules = [n for n in archive.namelist() if n.endswith(".py")]
    # Every module is a product source file, unchanged, and every product source is there.
    assert [n for n in modules if not source_of(n).is_file()] == []
    assert [n for n in modules if archive.read(n) != source_of(n).read_bytes()] == []
    product = {
        p for d in set(SOURCE_DIRS.values()) | {"sendbird_copy"} for p in (PROJECT_DIR / d).rglob("*.py")
    }
    assert {source_of(n) for n in modules} == {p for p in product if "__pycache__" not in p.parts}
    imports_a_stand_in = {}
    for name in modules:
        if found := imported_top_levels(archive.read(name)) & DEVELOPMENT_ONLY:
            imports_a_stand_in[name] = sorted(found)
    assert imports_a_stand_in == {}


def test_a_fresh_venv_imports_the_component_under_the_projects_name(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    python = fresh_venv_with(wheel, venv)
    probe = textwrap.dedent(
        """
        import importlib.util
        from sendbird_recordings import RecordingStorage, RecordingStorageArgs
        import sendbird_recordings, sendbird_copy
        assert RecordingStorage.__module__ == "sendbird_recordings.storage.recording_storage"
        print(sendbird_recordings.__file__)
        print(sendbird_copy.__file__)
        for generic in ("components", "localdev"):
            assert importlib.util.find_spec(generic) is None, generic
        print("ok")
        """
    )
    done = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split()
    assert lines[-1] == "ok"
    assert all(line.startswith(str(venv)) for line in lines[:2])  # the installed copy, not this checkout
