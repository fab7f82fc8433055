"""Fixtures of the local tools' tests: a deployed local stack (moto + the emulator), and for the
emulator's own tests the helper tests' application in an emulator and copy targets in moto."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from localdev.moto_server import MotoServer
from localdev.program_runner import load_stack_config
from tests.localdev.local_stack import LocalStack, deploy_local


@pytest.fixture
def local_stack(moto: MotoServer, emulator: Any, tmp_path: Path) -> LocalStack:
    return deploy_local(moto, emulator, tmp_path, load_stack_config("local"))


# The emulator's tests (test_emulator.py) use the helper tests' fixtures: application APP in an
# emulator (app, fast_app) and copy targets in moto (make_copy_target).
from tests.sendbird_copy.conftest import app, fast_app, make_copy_target  # noqa: E402, F401
