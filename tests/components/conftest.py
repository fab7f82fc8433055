"""Fixtures of the component and program tests: Pulumi mocks that record what they receive."""

from __future__ import annotations

import pytest

from tests.components.pulumi_mocks import RecordingMocks


@pytest.fixture
def mocks() -> RecordingMocks:
    """Fresh recording mocks: every resource the program registers, with its inputs and options."""
    return RecordingMocks()
