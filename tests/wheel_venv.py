"""What a consumer (or ``pulumi package add``) installs: a wheel built from this repository's
pyproject.toml, installed into a fresh venv. Shared by the packaging and the plugin tests.

Built offline with this venv's setuptools (no build isolation, no downloads). The fresh venv borrows
the dependencies (pulumi, boto3...) from this venv's site-packages through a plain path entry, which
does not activate this checkout's editable install, so imports come from the installed copy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def build_wheel(out: Path) -> Path:
    """The project's wheel, built into ``out``."""
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "-w",
        str(out),
    ]
    # setuptools reuses build/ (gitignored) and would carry a module that has since moved or gone.
    shutil.rmtree(PROJECT_DIR / "build", ignore_errors=True)
    subprocess.run([*build, "."], cwd=PROJECT_DIR, check=True, capture_output=True, timeout=240)
    (wheel,) = out.glob("sendbird_recordings-*.whl")
    return wheel


def fresh_venv_with(wheel: Path, venv: Path) -> Path:
    """A new venv at ``venv`` with only ``wheel`` installed (dependencies borrowed, see above); its python."""
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
    Path(site_packages, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python
