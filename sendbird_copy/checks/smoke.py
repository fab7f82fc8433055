"""The commands as stages: check-region, preflight, copy, and the smoke test that chains them.

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
from sendbird_copy.errors import (
    NotSendbirdAnswerError,
    SendbirdApiError,
    SendbirdConnectionError,
    SendbirdCopyError,
    SendbirdTimeoutError,
    describe,
    is_service_error,
)
from sendbird_copy.facts import RESERVED_PREFIXES, api_base_url
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.redact import display_host
from sendbird_copy.sync.state import holds_id

IAM_REGION = "us-east-1"  # IAM is global; its API lives in us-east-1 for the aws partition
FIRST_POLL, POLL_GROWTH = rules.SMOKE_FIRST_POLL_S, rules.SMOKE_POLL_GROWTH
STEADY_POLLING_SECONDS, PROGRESS_EVERY = rules.SMOKE_STEADY_POLLING_S, rules.SMOKE_PROGRESS_EVERY_S
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
    except Exception as exc:
        if not is_service_error(exc):
            raise
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
            f"could not {action}: {host} gave {exc}; the API base URL looks wrong",
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
    status = recording.get("status")
    byte_size = _int(recording.get("byte_size"))
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


Stamp = tuple[str, str, str]  # (VersionId, ETag, LastModified) of an object's current version


@dataclass(frozen=True)
class Snapshot:
    """The objects under ``prefix`` ("" for the whole bucket) at one moment, each with its stamp."""

    prefix: str
    stamps: dict[str, Stamp]


def _snapshot(s3: Any, bucket: str, recording_id: str, prefix: str = "") -> Snapshot:
    """Every current object under ``prefix`` (the tool's own ``_preflight/`` and ``_sendbird-sync/``
    objects aside), stamped so that a new or rewritten one shows.

    The plain listing finds new keys and changed ETags or LastModified; it is cheap, where a listing
    of versions reads every version of every recording (in moto, 0.3 s per large object, slowing
    the copy it waits for). A re-copy of the same recording rewrites the same key with the same bytes
    (same ETag) within the same second of LastModified: for the keys that name the recording, the
    current VersionId (HeadObject, in the stack's versioned bucket) tells the rewrite apart.
    """
    found: dict[str, Stamp] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            key = item["Key"]
            if not key.startswith(RESERVED_PREFIXES):
                version = _current_version(s3, bucket, key) if holds_id(key, recording_id) else "null"
                found[key] = (version, str(item.get("ETag")), str(item.get("LastModified")))
    return Snapshot(prefix, found)


def where_the_copy_lands(s3: Any, app: AppOutputs, recording_id: str) -> str:
    """The prefix to watch for the copy: the key a sync learned for it, or "" (the whole bucket).

    Sendbird does not document its object keys, so the first sync that found a copy stored the key
    layout in its state (``sync_state.py``). Watching that one key costs a request per poll whatever
    the bucket holds; the whole bucket costs a page per 1,000 objects per poll, fine for a new stack's
    bucket, not for one holding years of recordings. An unreadable state means the whole bucket.
    """
    try:
        state = _state_store(s3, app).load()
    except Exception as exc:
        if not is_service_error(exc):
            raise
        return ""
    return state.layout.key_for(recording_id) if state and state.layout else ""


def _where(bucket: str, prefix: str) -> str:
    return f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"


def _current_version(s3: Any, bucket: str, key: str) -> str:
    from botocore.exceptions import ClientError

    try:
        return str(s3.head_object(Bucket=bucket, Key=key).get("VersionId", "null"))
    except ClientError:
        return "null"  # gone meanwhile, or no GetObject for the deployer: the listing decides


def wait_for_new_object(
    s3: Any,
    bucket: str,
    before: Snapshot,
    recording_id: str,
    env: Environment,
    options: SmokeOptions,
) -> str | None:
    """Poll the listing until an object appears that was not there before (any key); None on timeout.

    Polls come every FIRST_POLL seconds for STEADY_POLLING_SECONDS, then grow by POLL_GROWTH up to
    ``poll_interval``: a recording of tens of MB lands in about a second (found within a fifth of a
    second of landing), and a long one does not cost a listing every fifth of a second.
    """
    start = env.clock()
    delay = min(FIRST_POLL, options.poll_interval)
    said: float | None = None  # when the last progress line was printed
    while True:
        now = _snapshot(s3, bucket, recording_id, before.prefix).stamps
        new = [key for key, stamp in now.items() if before.stamps.get(key) != stamp]
        if before.prefix:  # a learned key, that key only: its listing also returns rec-10.mp4 for rec-1
            new = [key for key in new if key == before.prefix]
        if new:
            # Prefer a key that holds the recording's id (another writer may be active too).
            return next((k for k in new if holds_id(k, recording_id)), sorted(new)[0])
        elapsed = env.clock() - start
        if elapsed >= options.wait_timeout:
            return None
        if said is None or elapsed - said >= PROGRESS_EVERY:  # a line at least every 10 s, not per poll
            said = elapsed
            waited = f"{elapsed:.0f}s of {options.wait_timeout:.0f}s"
            env.progress(f"waiting for the copied object in {_where(bucket, before.prefix)} ({waited})")
        env.sleep(min(delay, max(options.wait_timeout - elapsed, 0.0)))
        if elapsed >= STEADY_POLLING_SECONDS:  # most copies land in the first seconds: poll them fast
            delay = min(delay * POLL_GROWTH, options.poll_interval)


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
    return checks


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
                f"watched {_where(app.bucket_name, listed.prefix)} for the copy: the key layout a sync "
                "learned"
            )
        if not report.add(copy_stage(app, env, recording_id)):
            return []
        key = wait_for_new_object(s3, app.bucket_name, listed, recording_id, env, options)
        if key is None:
            return [_not_found(s3, app, listed, recording_id, options)]
        found = passed("copied object", f"new object s3://{app.bucket_name}/{key}")
        return [found, *object_stage(app, env, report, key, byte_size)]

    report.add(_guarded("copy", copy_and_wait))
    return report


def _state_store(s3: Any, app: AppOutputs) -> Any:
    from sendbird_copy.sync.ledger import Ledger
    from sendbird_copy.sync.state import SyncStateStore

    return SyncStateStore(s3, app.bucket_name, Ledger(s3, app.bucket_name, app.app_id).prefix)


def _state_key(s3: Any, app: AppOutputs) -> str:
    return str(_state_store(s3, app).key)


def _not_found(s3: Any, app: AppOutputs, listed: Snapshot, recording_id: str, options: SmokeOptions) -> Check:
    """The failed check when no copy showed; watching a learned key, one listing of the whole bucket
    says whether the copy may sit under another key (the layout changed since a sync learned it)."""
    bucket = app.bucket_name
    waited = f"within {options.wait_timeout:.0f}s after Sendbird accepted the copy"
    if not listed.prefix:
        return failed(
            "copied object",
            f"no new object appeared in s3://{bucket} {waited}",
            "raise --wait-timeout for a long recording; otherwise Sendbird's write failed (check "
            "CloudTrail for the copy user's PutObject/UploadPart calls)",
        )
    elsewhere = sorted(k for k in _snapshot(s3, bucket, recording_id).stamps if holds_id(k, recording_id))
    elsewhere = [k for k in elsewhere if k != listed.prefix]
    if elsewhere:
        return failed(
            "copied object",
            f"nothing at s3://{bucket}/{listed.prefix} (the key layout a sync learned) {waited}, but "
            f"{', '.join(elsewhere[:3])} holds the recording's id: Sendbird's key layout may have changed",
            f"delete the sync's state s3://{bucket}/{_state_key(s3, app)} (the next sync learns the layout "
            "again and the smoke test lists the whole bucket meanwhile), then run the smoke test again",
        )
    return failed(
        "copied object",
        f"no object appeared at s3://{bucket}/{listed.prefix} (the key layout a sync learned), nor any "
        f"other key holding the recording's id, {waited}",
        "raise --wait-timeout for a long recording; otherwise Sendbird's write failed (check CloudTrail "
        "for the copy user's PutObject/UploadPart calls)",
    )


def _watched_listing(app: AppOutputs, env: Environment, recording_id: str) -> Snapshot:
    """What is where the copy will be looked for, before it."""
    s3 = env.aws.deployer("s3", app.region)
    return _snapshot(s3, app.bucket_name, recording_id, where_the_copy_lands(s3, app, recording_id))
