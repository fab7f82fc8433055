"""The commands as stages: check-region, preflight, copy, and the smoke test that chains them (the
watch for the copied object is ``watch.py``).

Each stage returns checks; the smoke test stops at the first stage with a failed check, so no copy is
attempted into a bucket in the wrong region or with a broken grant. The clients come in through
``Environment``, which keeps this module free of CLI concerns and easy to drive from tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sendbird_copy import rules
from sendbird_copy.aws import AwsClients
from sendbird_copy.checks.background import in_background
from sendbird_copy.checks.preflight import check_object_encryption, run_preflight
from sendbird_copy.checks.region_check import SendbirdRegionSource, check_regions
from sendbird_copy.checks.report import AppReport, Check, failed, passed, skipped
from sendbird_copy.checks.watch import (
    Snapshot,
    not_found,
    snapshot,
    wait_for_new_object,
    where,
    where_the_copy_lands,
)
from sendbird_copy.errors import (
    NotSendbirdAnswerError,
    SendbirdApiError,
    SendbirdConnectionError,
    SendbirdCopyError,
    SendbirdTimeoutError,
    ServiceError,
    describe,
)
from sendbird_copy.facts import api_base_url
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.redact import display_host
from sendbird_copy.sync.replica import FAILED, NOT_YET, PENDING, REACHED, replica_state

IAM_REGION = "us-east-1"  # IAM is global; its API lives in us-east-1 for the aws partition
NO_RECORDING_NOTE = "no --recording-id: the copy was not exercised (region check and preflight only)"

NO_BUCKET_FIX = (
    "the bucket in the stack outputs does not exist (deleted?): run 'pulumi up' to create it again, "
    "or check bucket_name in the outputs"
)
# What to do about Sendbird's documented error codes.
SENDBIRD_FIXES = {
    400100: "only completed recordings can be copied, into a bucket in the application's region",
    400111: "a required field is missing from the copy request",
    400200: "check the recording id: it must belong to this application and be at most two weeks old",
    401120: "the API token may not call this endpoint; use the application's master or secondary token",
    401121: "check SENDBIRD_API_TOKEN: it must be this application's master or secondary API token",
    429100: "Sendbird rate-limited the request (5 copies per second per application); try again shortly",
}


@dataclass
class Environment:
    """Everything a stage needs from outside: clients, stated facts, where progress goes."""

    aws: AwsClients
    sendbird_region: SendbirdRegionSource = field(default_factory=SendbirdRegionSource)
    sendbird_client: Callable[[AppOutputs], Any] | None = None  # None: no SENDBIRD_API_TOKEN
    api_base_url: str | None = None
    progress: Callable[[str], None] = lambda _message: None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    # Every report a stage started, in order, kept here as it grows: an interrupted run can still
    # show the checks that finished.
    reports: list[AppReport] = field(default_factory=list)

    def new_report(self, app: AppOutputs) -> AppReport:
        report = AppReport(app.app_id)
        self.reports.append(report)
        return report


@dataclass(frozen=True)
class SmokeOptions:
    recording_id: str | None = None
    wait_timeout: float = rules.WAIT_TIMEOUT_DEFAULT
    poll_interval: float = rules.POLL_INTERVAL_DEFAULT


def _guarded(stage: str, run: Callable[[], list[Check]]) -> list[Check]:
    """Turn an AWS/Sendbird failure that escaped a stage into a failed check; usage errors and bugs
    go up (the CLI decides their exit code)."""
    try:
        return run()
    except ServiceError as exc:
        return [failed(stage, describe(exc))]


def region_stage(app: AppOutputs, env: Environment) -> list[Check]:
    return _guarded(
        "region check",
        lambda: check_regions(
            app,
            s3=env.aws.deployer("s3", app.region),
            kms_for_region=lambda region: env.aws.deployer("kms", region),
            sendbird=env.sendbird_region,
        ),
    )


def preflight_stage(app: AppOutputs, env: Environment) -> list[Check]:
    return _guarded(
        "preflight",
        lambda: run_preflight(
            app,
            iam=env.aws.deployer("iam", IAM_REGION),
            copy_s3=env.aws.copy_identity("s3", app.region, app),
            deployer_s3=env.aws.deployer("s3", app.region),
        ),
    )


def _sendbird_host(app: AppOutputs, env: Environment) -> str:
    # display_host: never the user:password@ of an --api-base-url.
    return display_host(api_base_url(app.app_id, env.api_base_url))


def _sendbird_failure(name: str, action: str, exc: BaseException, app: AppOutputs, env: Environment) -> Check:
    """A failed check for a Sendbird call; ``action`` is what we asked for ("copy recording r1")."""
    network_fix = "check the network path to the Sendbird API (or --api-base-url)"
    if isinstance(exc, SendbirdConnectionError):
        host = _sendbird_host(app, env)
        return failed(name, f"cannot reach Sendbird at {host}: could not {action}", network_fix)
    if isinstance(exc, SendbirdTimeoutError):
        return failed(name, f"could not {action}: {exc}", network_fix)
    if isinstance(exc, SendbirdApiError) and exc.status == 404 and exc.code is None:
        # Sendbird answers an unknown id with 400/400200, never a bare 404: this is not its API.
        host = _sendbird_host(app, env)
        return failed(
            name,
            f"could not {action}: {host} answered 404 Not Found without a Sendbird error body; the API base "
            "URL looks wrong",
            "check --api-base-url (it must end in /v1, as https://api-<app id>.calls.sendbird.com/v1 does) "
            "and the application id in the stack outputs",
        )
    if isinstance(exc, NotSendbirdAnswerError):
        host = _sendbird_host(app, env)
        return failed(
            name,
            f"could not {action}: {host} answered HTTP {exc.status} ({exc.message}); "
            "the API base URL looks wrong",
            "check --api-base-url (it must end in /v1, as https://api-<app id>.calls.sendbird.com/v1 does)",
        )
    if isinstance(exc, SendbirdApiError):
        return failed(name, f"Sendbird refused to {action}: {describe(exc)}", _fix_for(exc))
    return failed(name, f"could not {action}: {describe(exc)}")


def _fix_for(exc: SendbirdApiError) -> str | None:
    # Sendbird's 400100 covers every refused write; S3's own code in the message says which.
    if "NoSuchBucket" in exc.message:
        return NO_BUCKET_FIX
    number = _int(exc.code)
    return None if number is None else SENDBIRD_FIXES.get(number)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def copy_stage(app: AppOutputs, env: Environment, recording_id: str) -> list[Check]:
    """Ask Sendbird to copy the recording with the copy identity's keys, bucket and region."""
    name = "copy accepted"
    assert env.sendbird_client is not None, "the CLI requires SENDBIRD_API_TOKEN for a copy"
    client = env.sendbird_client(app)
    try:
        client.copy_recording(
            recording_id,
            access_key=app.copy_access_key_id,
            secret_key=app.copy_secret_access_key,
            bucket=app.bucket_name,
            region=app.region,
        )
    except SendbirdCopyError as exc:
        return [_sendbird_failure(name, f"copy recording {recording_id}", exc, app, env)]
    return [
        passed(name, f"Sendbird accepted the copy of recording {recording_id} into s3://{app.bucket_name}")
    ]


def recording_stage(app: AppOutputs, env: Environment, recording_id: str) -> tuple[list[Check], int | None]:
    """Look the recording up first: an unfinished one fails here, before the copy.

    The copy call is the authority on whether a recording exists: a recording missing from the
    first FIND_MAX_PAGES pages of the listings (or a lookup the API refused, say for an endpoint
    this token may not use) is a skip, and the copy answers 400200 if the id is really unknown.
    An unreachable API does stop here: the copy would hit it too.
    """
    from sendbird_copy.api import FIND_MAX_PAGES

    name = "recording"
    assert env.sendbird_client is not None
    try:
        recording = env.sendbird_client(app).find_recording(recording_id)
    except SendbirdApiError as exc:
        return [skipped(name, f"lookup failed ({describe(exc)}); the copy call decides")], None
    except SendbirdCopyError as exc:
        return [_sendbird_failure(name, f"look up recording {recording_id}", exc, app, env)], None
    if recording is None:
        return [
            skipped(
                name,
                f"recording {recording_id} not found in the first {FIND_MAX_PAGES} pages of application "
                f"{app.app_id}'s live events/rooms; the copy call decides",
            )
        ], None
    status, byte_size = recording.status, recording.byte_size
    size_text = f", {byte_size} bytes" if byte_size is not None else ""
    if status != "completed":
        return [
            failed(
                name,
                f"recording {recording_id} is '{status}', not 'completed': Sendbird copies only finished "
                "recordings",
                "wait until the recording's status is completed (or pick another recording)",
            )
        ], byte_size
    return [passed(name, f"recording {recording_id} is completed{size_text}")], byte_size


def object_stage(
    app: AppOutputs, env: Environment, report: AppReport, key: str, expected_size: int | None
) -> list[Check]:
    s3 = env.aws.deployer("s3", app.region)
    head = s3.head_object(Bucket=app.bucket_name, Key=key)
    size = int(head.get("ContentLength", 0))
    report.object = {
        "bucket": app.bucket_name,
        "key": key,
        "size": size,
        "etag": head.get("ETag"),
        "server_side_encryption": head.get("ServerSideEncryption"),
        "kms_key_id": head.get("SSEKMSKeyId"),
    }
    checks: list[Check] = []
    if size <= 0:
        checks.append(failed("object size", f"s3://{app.bucket_name}/{key} is empty"))
    elif expected_size is not None and size != expected_size:
        checks.append(
            failed(
                "object size",
                f"s3://{app.bucket_name}/{key} has {size} bytes; the recording has {expected_size}",
            )
        )
    else:
        what = "the recording's byte_size" if expected_size is not None else "non-empty"
        checks.append(passed("object size", f"s3://{app.bucket_name}/{key} has {size} bytes ({what})"))
    checks.append(
        check_object_encryption(s3, app.bucket_name, key, app.kms_key_arn, what="the copied object")
    )
    if app.replica_bucket_name is not None:
        checks.append(replica_check(app, env, report, key, head))
    return checks


def replica_check(
    app: AppOutputs, env: Environment, report: AppReport, key: str, head: dict[str, Any]
) -> Check:
    """Has the copy reached the replica (``replication``)? FAILED fails the smoke test; PENDING (or
    no status and no replica object yet) is reported, not failed: replication takes minutes."""
    assert app.replica_bucket_name is not None
    region = app.replica_region or app.region
    found = replica_state(
        None,
        app.bucket_name,
        key,
        app.replica_bucket_name,
        lambda: env.aws.deployer("s3", region),
        source_head=head,
    )
    if report.object is not None:
        report.object["replica"] = found.state
    name = "replica"
    if found.state == REACHED:
        return passed(name, found.detail)
    if found.state in (PENDING, NOT_YET):
        return skipped(name, found.detail)
    fix = None
    if found.state == FAILED:
        fix = "check the replication role's policy, the two KMS keys and the replica bucket ('pulumi up')"
    return failed(name, found.detail, fix)


def run_check_region(app: AppOutputs, env: Environment) -> AppReport:
    report = env.new_report(app)
    report.add(region_stage(app, env))
    return report


def run_preflight_command(app: AppOutputs, env: Environment) -> AppReport:
    report = env.new_report(app)
    report.add(preflight_stage(app, env))
    return report


def run_copy(app: AppOutputs, env: Environment, recording_id: str) -> AppReport:
    report = env.new_report(app)
    report.add(copy_stage(app, env, recording_id))
    return report


def run_smoke(app: AppOutputs, env: Environment, options: SmokeOptions) -> AppReport:
    """check-region -> preflight -> [recording -> copy -> new object -> its size and encryption].

    What must hold before the copy (the regions, the grant, the recording's status) and the
    bucket's listing the new object is told apart from are independent reads and probes: they run
    at once, and the copy waits for all of them. Their checks are reported in stage order and the
    run still stops at the first stage with a failed check, so no copy is asked for into a bucket
    in the wrong region or with a broken grant.
    """
    report = env.new_report(app)
    recording_id = options.recording_id
    region = in_background(lambda: region_stage(app, env))
    preflight = in_background(lambda: preflight_stage(app, env))
    if recording_id is not None:
        lookup = in_background(lambda: recording_stage(app, env, recording_id))
        before = in_background(lambda: _watched_listing(app, env, recording_id))
    if not report.add(region.result()) or not report.add(preflight.result()):
        return report
    if recording_id is None:
        report.notes.append(NO_RECORDING_NOTE)
        return report
    recording_checks, byte_size = lookup.result()
    if not report.add(recording_checks):
        return report

    def copy_and_wait() -> list[Check]:
        listed = before.result()  # an S3 failure here is the copy stage's, as it always was
        s3 = env.aws.deployer("s3", app.region)
        if listed.prefix:
            report.notes.append(
                f"watched {where(app.bucket_name, listed.prefix)} for the copy: the key layout a sync learned"
            )
        if not report.add(copy_stage(app, env, recording_id)):
            return []
        key = wait_for_new_object(s3, app.bucket_name, listed, recording_id, env, options)
        if key is None:
            return [not_found(s3, app, listed, recording_id, options)]
        found = passed("copied object", f"new object s3://{app.bucket_name}/{key}")
        return [found, *object_stage(app, env, report, key, byte_size)]

    report.add(_guarded("copy", copy_and_wait))
    return report


def _watched_listing(app: AppOutputs, env: Environment, recording_id: str) -> Snapshot:
    """What is where the copy will be looked for, before it."""
    s3 = env.aws.deployer("s3", app.region)
    return snapshot(s3, app.bucket_name, recording_id, where_the_copy_lands(s3, app, recording_id))
