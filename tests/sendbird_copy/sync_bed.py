"""The sync test bed: one destination in moto, its application in the emulator, the sync core run
against both (fixtures ``bed`` and ``bed_factory``, registered in this folder's conftest)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest

from localdev.moto_server import MotoServer
from localdev.sendbird_emulator import SendbirdEmulator
from sendbird_copy.api import SendbirdClient
from sendbird_copy.outputs import AppOutputs, parse_stack_outputs
from sendbird_copy.sync.bucket.ledger import Ledger
from sendbird_copy.sync.run import SyncOptions, SyncReport, SyncServices, run_sync
from tests.sendbird_copy.aws_builders import Destination, stack_outputs
from tests.sendbird_copy.cli_support import API_TOKEN, CopyCli

DAY = 86_400.0
FAST = {"GET": 10_000, "POST": 10_000}
SIZE = 16 * 1024  # bytes per recording (seeding: half to all of it): real MP4s, small all the same


@dataclass
class SyncBed:
    """One destination in moto, its application in the emulator, and how to run the sync core."""

    moto: MotoServer
    emulator: SendbirdEmulator
    dest: Destination
    app: AppOutputs

    def add(self, recording_id: str, status: str = "completed", age_days: float = 1.0, **kwargs: Any) -> None:
        stopped = self.emulator.clock() - age_days * DAY
        self.emulator.add_recording(
            self.dest.app_id, recording_id, status=status, byte_size=SIZE, stopped_at=stopped, **kwargs
        )

    def services(self, fast: bool = True, **changes: Any) -> SyncServices:
        base = self.emulator.base_url
        rates = {"get_limit": 10_000, "post_limit": 10_000} if fast else {}
        defaults: dict[str, Any] = {
            "make_client": lambda app: SendbirdClient(
                app.app_id, API_TOKEN, base_url=base, backoff_factor=0.01
            ),
            "deployer_s3": lambda app: self.moto.client("s3", app.region),
            "sleep": lambda seconds: time.sleep(min(seconds, 0.2)),
        }
        return SyncServices(**{**defaults, **rates, **changes})

    def sync(self, fast: bool = True, services: SyncServices | None = None, **options: Any) -> SyncReport:
        options.setdefault("verify_timeout", 30.0)
        options.setdefault("poll_interval", 0.2)
        (report,) = run_sync([self.app], services or self.services(fast), SyncOptions(**options))
        return report

    def copy_posts(self) -> Counter[str]:
        return Counter(self.emulator.copy_posts(self.dest.app_id))

    def ledger(self) -> Ledger:
        return Ledger(self.moto.client("s3", self.app.region), self.app.bucket_name, self.app.app_id)

    def deny_operator(self, policy_name: str, *denied: tuple[str, str]) -> None:
        """Explicit Denies for the operator (the deployer user moto authenticates the CLI as), each an
        (action, resource ARN), under ``policy_name`` (``lift_denial`` takes them away)."""
        iam = self.moto.client("iam")
        statements = [{"Effect": "Deny", "Action": action, "Resource": arn} for action, arn in denied]
        iam.put_user_policy(
            UserName=iam.get_user()["User"]["UserName"],
            PolicyName=policy_name,
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
        )

    def lift_denial(self, policy_name: str) -> None:
        iam = self.moto.client("iam")
        iam.delete_user_policy(UserName=iam.get_user()["User"]["UserName"], PolicyName=policy_name)


def outcomes(report: SyncReport) -> dict[str, str]:
    return {r.recording.recording_id: r.outcome for r in report.results}


@pytest.fixture
def bed_factory(
    copy_cli: CopyCli, moto: MotoServer, make_emulator: Callable[..., SendbirdEmulator]
) -> Callable[..., SyncBed]:
    def make(rate_limits: dict[str, int] | None = FAST, copy_mbps: float | None = None) -> SyncBed:
        emulator = make_emulator(rate_limits=rate_limits, copy_mbps=copy_mbps)
        dest = copy_cli.destination(region="ap-northeast-1", versioning=True)
        emulator.add_application(dest.app_id, API_TOKEN, "ap-1")
        (app,) = parse_stack_outputs(stack_outputs(dest)).values()
        return SyncBed(moto, emulator, dest, app)

    return make


@pytest.fixture
def bed(bed_factory: Callable[..., SyncBed]) -> SyncBed:
    return bed_factory()


T = TypeVar("T")


def at_once(count: int, run: Callable[[], T], timeout: float = 240) -> list[T]:
    """``run`` in ``count`` threads that start at the same moment; every result, in finishing order."""
    barrier = threading.Barrier(count)
    results: list[T] = []

    def one() -> None:
        barrier.wait()
        results.append(run())

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert len(results) == count, f"{count - len(results)} of {count} runs did not finish"
    return results
