"""Fixtures of the component and program tests: Pulumi mocks that record what they receive."""

from __future__ import annotations

import pytest

from provider.host import ComponentPackageProvider, build_provider
from tests.components.pulumi_mocks import RecordingMocks


@pytest.fixture(scope="session", autouse=True)
def component_provider() -> ComponentPackageProvider:
    """The component provider, built before any component test runs. Building it reads the
    components' source with ``ast.parse``, which CPython 3.11 fails in a process where a
    RecursionError was caught earlier (a test left an unread failed Output, say); the analyzer then
    drops descriptions and ``build_provider`` refuses. tests/components runs first, and this first."""
    return build_provider()


@pytest.fixture
def mocks() -> RecordingMocks:
    """Fresh recording mocks: every resource the program registers, with its inputs and options."""
    return RecordingMocks()
