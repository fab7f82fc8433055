"""Fixtures of the component and program tests: Pulumi mocks that record what they receive."""

from __future__ import annotations

import pytest

from localdev.python_source import collection_held
from provider.host import ComponentPackageProvider, build_provider
from tests.components.pulumi_mocks import RecordingMocks


@pytest.fixture(scope="session", autouse=True)
def component_provider() -> ComponentPackageProvider:
    """The component provider, built once. Building it parses the components' source with ``ast``,
    which CPython 3.11 can fail when a collection runs inside the parse (``localdev.python_source``);
    the analyzer then drops descriptions and ``build_provider`` refuses."""
    with collection_held():
        return build_provider()


@pytest.fixture
def mocks() -> RecordingMocks:
    """Fresh recording mocks: every resource the program registers, with its inputs and options."""
    return RecordingMocks()
