"""Fixtures of the local tools' tests: a deployed local stack (moto + the emulator)."""

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
