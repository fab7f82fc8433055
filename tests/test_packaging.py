"""What a consumer installs: a wheel built from this repository, installed into a fresh venv.

It must expose only the project's own top-level names (``sendbird_recordings`` for the components,
``sendbird_copy`` for the helper): no generic ``components`` or ``localdev`` that could shadow a
consumer's module, and nothing dev-only (localdev needs moto). Built and installed by
``tests/wheel_venv.py``.
"""

from __future__ import annotations

import subprocess
import textwrap
import zipfile
from pathlib import Path

import pytest

from tests.wheel_venv import build_wheel, fresh_venv_with

OWN_NAMES = {"sendbird_recordings", "sendbird_copy"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_holds_only_the_projects_own_top_level_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == OWN_NAMES
    assert not [n for n in names if n.startswith(("localdev/", "tests/", "components/"))]
    assert "sendbird_recordings/recording_storage.py" in names
    assert not [n for n in names if "emulator" in n]  # a test stand-in (localdev/sendbird_emulator)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "sendbird-copy = sendbird_copy.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_a_fresh_venv_imports_the_component_under_the_projects_name(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    python = fresh_venv_with(wheel, venv)
    probe = textwrap.dedent(
        """
        import importlib.util
        from sendbird_recordings import RecordingStorage, RecordingStorageArgs
        import sendbird_recordings, sendbird_copy
        assert RecordingStorage.__module__ == "sendbird_recordings.recording_storage"
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
