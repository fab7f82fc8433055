"""Shared fixtures. Real HTTP servers on 127.0.0.1 only; nothing here reaches the internet.

Every test that uses a server (moto, the Sendbird emulator) is marked ``slow`` here, so
``./scripts/test.sh -m "not slow"`` runs the fast unit tests alone; CI runs everything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from localdev.moto_server import MotoServer, running_moto_server
from localdev.sendbird_emulator import SendbirdEmulator

SERVER_FIXTURES = frozenset({"moto_session", "moto", "emulator", "make_emulator"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


class _NoUnreadFutureReports(logging.Filter):
    """A Pulumi run that fails (as many tests make it) leaves futures whose exceptions nobody reads,
    and asyncio reports each one ("Future exception was never retrieved", with its Traceback) when
    the garbage collector frees it: in whatever test runs then, inside that test's captured output
    (a CLI test's, say), at a moment no test controls. The test that failed the run has already
    asserted its error; the suite runs no other asyncio code. Kept until the process ends: the last
    collection is at its exit."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "exception was never retrieved" not in record.getMessage()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger("asyncio").addFilter(_NoUnreadFutureReports())


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No test may pick up a developer's real AWS credentials or config by accident."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path_factory.getbasetemp() / "no-aws-config"
    empty.touch()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing-not-a-real-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-not-a-real-secret")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_session() -> Iterator[MotoServer]:
    """One moto server for the whole run (IAM authentication on)."""
    with running_moto_server() as server:
        yield server


@pytest.fixture
def moto(moto_session: MotoServer) -> MotoServer:
    """The shared moto server, wiped and with a fresh deployer (administrator) for this test.

    Use ``moto.client(service, region)`` for deployer-signed clients and
    ``moto.client(service, region, creds=Credentials(...))`` to act as another identity.
    """
    return moto_session.reset()


@pytest.fixture
def emulator(moto: MotoServer) -> Iterator[SendbirdEmulator]:
    """A started Sendbird emulator that copies into this test's moto; seed it with
    ``add_application``/``add_recording``, point clients at ``emulator.base_url``."""
    with SendbirdEmulator(s3_endpoint_url=moto.endpoint) as server:
        yield server


@pytest.fixture
def make_emulator(moto: MotoServer) -> Iterator[Callable[..., SendbirdEmulator]]:
    """Factory: ``make_emulator(rate_limits={"GET": 1000, "POST": 1000}, copy_mbps=..., clock=...)``
    starts an emulator copying into this test's moto with those ``SendbirdEmulator`` keywords;
    every one made is stopped when the test ends."""
    with ExitStack() as stack:

        def make(**kwargs: Any) -> SendbirdEmulator:
            return stack.enter_context(SendbirdEmulator(s3_endpoint_url=moto.endpoint, **kwargs))

        yield make
