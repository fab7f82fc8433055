"""What a consumer installs: a wheel built from this repository, installed into a fresh venv.

It must expose only the project's own top-level names (``sendbird_recordings`` for the components,
``sendbird_copy`` for the helper): no generic ``components`` or ``localdev`` that could shadow a
consumer's module, and nothing dev-only (localdev needs moto). Built offline with the venv's
setuptools; the fresh venv borrows the dependencies (pulumi, boto3...) from this venv's
site-packages through a path entry, which does not activate this checkout's editable install.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
OWN_NAMES = {"sendbird_recordings", "sendbird_copy"}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            ".",
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
        timeout=240,
    )
    (built,) = out.glob("sendbird_recordings-*.whl")
    return built


def test_the_wheel_holds_only_the_projects_own_top_level_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == OWN_NAMES
    assert not [n for n in names if n.startswith(("localdev/", "tests/", "components/"))]
    assert "sendbird_recordings/recording_storage.py" in names
    assert "sendbird_copy/emulator/server.py" in names  # the emulator needs boto3 only, not moto
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "sendbird-copy = sendbird_copy.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_a_fresh_venv_imports_the_component_under_the_projects_name(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies from this venv; a plain path entry, so its editable-install finder stays off.
    Path(site_packages, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
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
