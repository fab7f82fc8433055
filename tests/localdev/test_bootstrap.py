"""scripts/bootstrap.sh repairs a .venv that cannot work, and leaves a good one alone.

Each test runs a copy of the script in a temporary project against a fake ``.venv``: the Pythons
are small shell scripts (``FAKE_PYTHON``) that answer the few things the script asks (version,
``-m venv``, ``-m pip install``, the import check) and log every call. The real ``.venv`` is never
touched and nothing is downloaded.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from localdev.program_runner import PROJECT_DIR

# A Python that is only as real as bootstrap.sh needs: its version is in ../fake-version (relative to
# its bin/), it "imports the project" when ../fake-importable exists, and pip install creates that.
FAKE_PYTHON = r"""#!/usr/bin/env bash
self=$(readlink -f "$0")
home=$(cd "$(dirname "$self")/.." && pwd)
echo "$home $*" >> "$FAKE_LOG"
[ -f "$home/fake-broken" ] && exit 127
case "$1 $2" in
  "-c "*version_info*) cat "$home/fake-version" ;;
  "-c "*find_spec*) [ -f "$home/fake-importable" ] ;;
  "-m venv")
    mkdir -p "$3/bin"
    cp "$0" "$3/bin/python"
    cp "$home/fake-version" "$3/fake-version"
    ;;
  "-m pip")
    sleep "${FAKE_PIP_SECONDS:-0}"
    [ -n "${FAKE_PIP_FAILS:-}" ] && exit 1
    case "$*" in *" -e "*) touch "$home/fake-importable" ;; esac
    ;;
  *) echo "fake python: unexpected: $*" >&2; exit 99 ;;
esac
"""


class Project:
    """A temporary project: scripts/bootstrap.sh, pyproject.toml, requirements.lock, fake Pythons."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "scripts").mkdir(parents=True)
        shutil.copy2(PROJECT_DIR / "scripts" / "bootstrap.sh", root / "scripts" / "bootstrap.sh")
        (root / "pyproject.toml").write_text("[project]\nname = 'fake'\n")
        (root / "requirements.lock").write_text("click==8.1.7\n")
        self.bin = root.parent / "fake-bin"
        self.bin.mkdir(exist_ok=True)
        self.log = root.parent / "calls.log"

    @property
    def venv(self) -> Path:
        return self.root / ".venv"

    def python(self, name: str, version: str, broken: bool = False) -> Path:
        """A fake system Python on PATH as ``name`` (in its own home, like a real installation)."""
        home = self.root.parent / f"home-{name}"
        (home / "bin").mkdir(parents=True, exist_ok=True)
        (home / "fake-version").write_text(f"{version}\n")
        if broken:
            (home / "fake-broken").touch()
        exe = home / "bin" / "python"
        exe.write_text(FAKE_PYTHON)
        exe.chmod(0o755)
        link = self.bin / name
        link.unlink(missing_ok=True)
        link.symlink_to(exe)
        return link

    def make_venv(self, version: str, *, marker: str | None = "current", importable: bool = True) -> None:
        """A .venv as an earlier bootstrap (or a crash) left it."""
        (self.venv / "bin").mkdir(parents=True)
        exe = self.venv / "bin" / "python"
        exe.write_text(FAKE_PYTHON)
        exe.chmod(0o755)
        (self.venv / "fake-version").write_text(f"{version}\n")
        if importable:
            (self.venv / "fake-importable").touch()
        if marker == "current":
            self.current_marker().touch()
        elif marker is not None:
            (self.venv / f".installed-{marker}").touch()
        (self.venv / "sentinel").touch()  # gone when .venv is recreated

    def current_marker(self) -> Path:
        digest = subprocess.run(
            "cat pyproject.toml requirements.lock | sha256sum | cut -c1-16",
            shell=True,
            cwd=self.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return self.venv / f".installed-{digest}"

    def start(self, python: str | None = "python3.12", **env: str) -> subprocess.Popen[str]:
        environ = {
            "PATH": f"{self.bin}:/usr/bin:/bin",
            "FAKE_LOG": str(self.log),
            "HOME": str(self.root),
            **env,
        }
        if python is not None:
            environ["PYTHON"] = python
        return subprocess.Popen(
            ["bash", str(self.root / "scripts" / "bootstrap.sh")],
            env=environ,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def pip_installs(self) -> int:
        return sum(" -m pip install " in call and " -e " in call for call in self.calls())


def run_bootstrap(project: Project, python: str | None = "python3.12", **env: str) -> tuple[int, str]:
    process = project.start(python, **env)
    out, err = process.communicate(timeout=60)
    return process.returncode, out + err


@pytest.fixture
def project(tmp_path: Path) -> Project:
    made = Project(tmp_path / "proj")
    made.python("python3.12", "3.12")
    return made


def assert_fresh_venv(project: Project) -> None:
    assert (project.venv / "bin" / "python").is_file()
    assert (project.venv / "fake-version").read_text().strip() == "3.12"
    assert project.current_marker().is_file(), "no marker after a successful install"
    assert (project.venv / "fake-importable").exists()
    assert not (project.venv / "sentinel").exists(), "the old .venv was kept"


def test_no_venv_is_created_and_installed(project):
    code, output = run_bootstrap(project)
    assert code == 0, output
    assert "creating .venv with python3.12 (Python 3.12)" in output
    assert_fresh_venv(project)


@pytest.mark.parametrize(
    ("version", "shown"), [("3.9", "Python 3.9"), ("3.10", "Python 3.10"), ("2.7", "Python 2.7")]
)
def test_a_venv_made_by_a_too_old_python_is_recreated(project, version, shown):
    project.make_venv(version)
    code, output = run_bootstrap(project)
    assert code == 0, output
    assert f".venv was made by {shown}; this project needs Python 3.11 or newer: recreating .venv" in output
    assert_fresh_venv(project)


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        ({"marker": None}, "an earlier install into .venv did not finish (no .venv/.installed-* marker)"),
        ({"marker": None, "importable": False}, "did not finish"),
        ({"importable": False}, "the project does not import in .venv"),
    ],
    ids=["no marker", "no marker, no import", "marker but no import"],
)
def test_a_half_installed_venv_is_recreated(project, state, reason):
    project.make_venv("3.11", **state)
    code, output = run_bootstrap(project)
    assert code == 0, output
    assert reason in output and "recreating .venv" in output
    assert_fresh_venv(project)


def test_a_venv_whose_python_no_longer_starts_is_recreated(project):
    project.make_venv("3.11")
    (project.venv / "fake-broken").touch()
    code, output = run_bootstrap(project)
    assert code == 0, output
    assert ".venv/bin/python does not start" in output
    assert_fresh_venv(project)


def test_a_venv_without_a_python_is_recreated(project):
    project.make_venv("3.11")
    (project.venv / "bin" / "python").unlink()
    (project.venv / "bin" / "python").symlink_to("/nonexistent/python3.11")
    code, output = run_bootstrap(project)
    assert code == 0, output
    assert ".venv has no runnable bin/python: recreating .venv" in output
    assert_fresh_venv(project)


def test_a_good_venv_is_left_alone_without_a_word(project):
    project.make_venv("3.11")
    code, output = run_bootstrap(project)
    assert code == 0 and output == ""
    assert (project.venv / "sentinel").exists()
    assert project.pip_installs() == 0


def test_changed_requirements_update_the_venv_in_place(project):
    project.make_venv("3.11", marker="0123456789abcdef")
    code, output = run_bootstrap(project)
    assert code == 0, output
    assert "pyproject.toml or requirements.lock changed: updating .venv" in output
    assert (project.venv / "sentinel").exists(), "an update recreated .venv"
    assert project.current_marker().is_file()
    assert not (project.venv / ".installed-0123456789abcdef").exists()


def test_a_failed_install_leaves_no_marker_so_the_next_run_repairs_it(project):
    project.make_venv("3.11", marker="0123456789abcdef")
    code, _ = run_bootstrap(project, FAKE_PIP_FAILS="1")
    assert code != 0
    assert list(project.venv.glob(".installed-*")) == []
    code, output = run_bootstrap(project)
    assert code == 0 and "did not finish" in output
    assert_fresh_venv(project)


def test_without_python_set_the_first_new_enough_python_is_used(project):
    project.python("python3", "3.9")
    project.python("python3.13", "3.13", broken=True)  # a shim whose version is not installed
    project.make_venv("3.9")
    code, output = run_bootstrap(project, python=None)
    assert code == 0, output
    assert "creating .venv with python3.12" in output
    assert_fresh_venv(project)


@pytest.mark.parametrize("version", ["3.9", "3.10"])
def test_a_too_old_python_to_create_with_is_named(project, version):
    project.python("python-old", version)
    code, output = run_bootstrap(project, python="python-old")
    assert code != 0
    assert f"needs Python 3.11 or newer to create .venv; found: python-old ({version})" in output
    assert "Set PYTHON=" in output and not project.venv.exists()


@pytest.mark.slow
def test_bootstraps_started_at_once_take_turns(project):
    starts = [project.start(FAKE_PIP_SECONDS="1") for _ in range(3)]
    results = [(p.communicate(timeout=60), p.returncode) for p in starts]
    assert all(code == 0 for _, code in results), results
    assert project.pip_installs() == 1, project.calls()
    assert sum("-m venv" in call for call in project.calls()) == 1
    assert_fresh_venv(project)
