"""The scheduled sync: the AWS Lambda handler that EventBridge Scheduler invokes hourly.

It runs the same core as ``sendbird-copy sync`` (``sendbird_copy.sync.run``) for ONE application:

1. Read the function's environment (names and ARNs only, ``facts.ENV_*``); a missing or bad
   value is an ``OptionError`` naming the variable and what is allowed.
2. Read the API token and the copy key pair from their two Secrets Manager secrets, with the
   function's own role.
3. Run the sync with the role's S3 client as the "operator" (ledger reads and writes, listing) and
   *listing-only verification*: the role may not read recordings, and HeadObject needs
   ``s3:GetObject`` (see ``SyncOptions.verify_with_head``).
4. Log one JSON summary line and one CloudWatch embedded-metric-format (EMF) line on stdout: Lambda
   ships stdout to CloudWatch Logs, where the EMF line becomes metrics without any PutMetricData call.

Time: Lambda stops the function at its timeout (15 minutes at most). The run stops claiming new
recordings ``SAFETY_MARGIN_S`` before that (leftovers are "pending" for the next run) and bounds the
wait for copied objects by the same budget.

Errors (Lambda counts an Error, the component alarms on it): the handler raises when the application
could not be synced at all (bad environment, a secret it cannot read, a listing Sendbird refused) or
when any recording *failed* or was *lost*. A recording *at risk* alone is not an Error: it has its own
metric and alarm, and the run that reports it did all it could. Pending and in-progress recordings
are normal (the next run goes on).

Imports only what the code archive carries (this package without the emulator, requests and its
pure-Python dependencies) and what Lambda's runtime has (boto3): no click, no tqdm, no Pulumi.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sendbird_copy import facts
from sendbird_copy.aws import mapped
from sendbird_copy.facts import GET_REQUESTS_PER_SECOND, WRITE_REQUESTS_PER_SECOND
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.redact import RedactingFilter, redact
from sendbird_copy.rules import shorten
from sendbird_copy.rules.aws import AWS_CONNECT_TIMEOUT_S, AWS_MAX_ATTEMPTS, AWS_READ_TIMEOUT_S
from sendbird_copy.rules.scheduled import (
    MAX_VERIFY_TIMEOUT_S,
    SAFETY_MARGIN_S,
    SCAN_SHARE_OF_BUDGET,
)
from sendbird_copy.sync.function.config import (
    REQUIRED_ENV,
    FunctionConfig,
    FunctionSecrets,
    ScheduledSyncError,
    env_input,
    read_secrets,
    with_permission_hint,
)
from sendbird_copy.sync.function.write_path import WritePath, check_write_path
from sendbird_copy.sync.outcomes import FAILING_OUTCOMES, metric_values

# Kept importable from here (tests, the docs): the function's configuration, output and metrics.
__all__ = [
    "MAX_VERIFY_TIMEOUT_S", "REQUIRED_ENV", "SAFETY_MARGIN_S", "FunctionConfig", "FunctionSecrets",
    "Invocation", "ScheduledSyncError", "TimeBudget", "emf_document", "env_input", "handler",
    "metric_values", "read_secrets", "run_scheduled_sync", "runtime_versions", "with_permission_hint",
]  # fmt: skip

log = logging.getLogger(__name__)

# At most this many recordings are named in the summary line (the counts cover all of them).
MAX_NAMED_PROBLEMS = 50
# Named in the summary with the versions the run imported: Lambda updates its runtime's boto3 and
# urllib3 on its own schedule (the archive carries requests, and uses the runtime's urllib3).
RUNTIME_LIBRARIES = ("boto3", "botocore", "urllib3", "requests")


# -- time ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TimeBudget:
    """How long this invocation may claim new work, and how long it may wait for copied objects."""

    stop_claiming_after_s: float
    verify_timeout_s: float

    @classmethod
    def from_remaining(cls, remaining_ms: float) -> TimeBudget:
        usable = max(0.0, remaining_ms / 1000.0 - SAFETY_MARGIN_S)
        # The wait for objects starts when claiming ends and is cut off by the same stop, so a slow
        # claim phase shortens it; bounded here so a short budget never waits longer than it has.
        return cls(stop_claiming_after_s=usable, verify_timeout_s=min(MAX_VERIFY_TIMEOUT_S, usable))


# -- logs and metrics ----------------------------------------------------------------------------
def emf_document(
    namespace: str,
    app_id: str,
    values: Mapping[str, int],
    timestamp_ms: int,
    names: Iterable[str] = facts.METRICS,
) -> dict[str, Any]:
    """One CloudWatch embedded-metric-format document: the metrics ``names`` (every one of METRICS by
    default), dimension AppId."""
    names = tuple(names)
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [[facts.METRIC_DIMENSION]],
                    "Metrics": [{"Name": name, "Unit": facts.METRIC_UNIT} for name in names],
                }
            ],
        },
        facts.METRIC_DIMENSION: app_id,
        **{name: int(values.get(name, 0)) for name in names},
    }


class Output:
    """Lines on stdout (Lambda's log stream), each redacted with every secret this run knows."""

    def __init__(self, secrets: Iterable[str | None], write: Callable[[str], None]) -> None:
        self.secrets = [s for s in secrets if s]
        self.write = write

    def add_secrets(self, *secrets: str | None) -> None:
        self.secrets.extend(s for s in secrets if s)

    def line(self, document: Mapping[str, Any]) -> None:
        self.write(redact(json.dumps(document, sort_keys=True, default=str), self.secrets))


def print_line(text: str) -> None:
    print(text, flush=True)


@contextmanager
def redacted_logging(output: Output) -> Iterator[None]:
    """While inside: every log record of any library, on Lambda's handlers (or stderr when there are
    none, as in a local run), has every secret of ``output`` masked, including ones learnt later."""
    root = logging.getLogger()
    live = RedactingFilter(live=lambda: output.secrets)
    added: logging.Handler | None = None
    if not root.handlers:
        added = logging.StreamHandler(sys.stderr)
        added.setLevel(logging.WARNING)
        root.addHandler(added)
    handlers = list(root.handlers)
    for handler in handlers:
        handler.addFilter(live)
    # urllib3 warns once per retry (the result names the failure once); botocore's DEBUG records
    # quote response bodies, GetSecretValue's included, before this run knows the secret to mask.
    quieter = {"urllib3": logging.ERROR, "botocore": logging.INFO, "boto3": logging.INFO}
    levels = {name: logging.getLogger(name).level for name in quieter}
    for name, level in quieter.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(level, logger.getEffectiveLevel()))
    try:
        yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        for handler in handlers:
            handler.removeFilter(live)
        if added is not None:
            root.removeHandler(added)


# -- the run -------------------------------------------------------------------------------------
def _boto3_client(service: str, region: str, **keys: str) -> Any:
    """A client with the function's own credentials (Lambda's environment), or ``keys``; its region
    pinned."""
    import boto3
    from botocore.config import Config

    # Path-style when an endpoint is overridden (a local run against moto on an IP address).
    s3_style = "path" if os.environ.get("AWS_ENDPOINT_URL") else "auto"
    config = Config(
        connect_timeout=AWS_CONNECT_TIMEOUT_S,
        read_timeout=AWS_READ_TIMEOUT_S,
        retries={"mode": "standard", "max_attempts": AWS_MAX_ATTEMPTS},
        s3={"addressing_style": s3_style},
    )
    return mapped(boto3.client(service, region_name=region, config=config, **keys))


def _copy_identity_s3(region: str, access_key_id: str, secret_access_key: str) -> Any:
    """An S3 client signed with the copy key pair, as Sendbird's copy is (the write-path probe)."""
    return _boto3_client(
        "s3", region, aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key
    )


@dataclass
class Invocation:
    """What one run needs from outside; ``handler`` builds it from Lambda's, tests from their own."""

    environ: Mapping[str, str]
    remaining_ms: Callable[[], float]
    # (service, region) -> a boto3 client with the function's own credentials
    client: Callable[[str, str], Any] = _boto3_client
    # (region, access key id, secret key) -> an S3 client signed with the copy key
    copy_client: Callable[[str, str, str], Any] = _copy_identity_s3
    write: Callable[[str], None] = print_line
    event: Any = None  # logged (its source and time) in the summary, nothing else
    # Sendbird's documented per-application limits; tests against an emulator with raised limits raise them.
    get_limit: int = GET_REQUESTS_PER_SECOND
    post_limit: int = WRITE_REQUESTS_PER_SECOND


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda's entry point (``facts.HANDLER``). Every run does the same job: the event's
    source and time are only logged. Returns a JSON-able summary; raises ``OptionError`` or
    ``ScheduledSyncError`` (see the module docstring)."""
    return run_scheduled_sync(Invocation(os.environ, context.get_remaining_time_in_millis, event=event))


def run_scheduled_sync(invocation: Invocation) -> dict[str, Any]:
    started = time.monotonic()
    environ = invocation.environ
    # The function's own session credentials are secrets too (botocore never logs them; belt and braces).
    output = Output(
        (environ.get("AWS_SECRET_ACCESS_KEY"), environ.get("AWS_SESSION_TOKEN")), invocation.write
    )
    with redacted_logging(output):
        config = FunctionConfig.from_environ(environ)
        budget = TimeBudget.from_remaining(invocation.remaining_ms())
        secrets = read_secrets(mapped(invocation.client("secretsmanager", config.region)), config)
        output.add_secrets(secrets.api_token, secrets.copy_secret_access_key)
        copy_s3 = invocation.copy_client(
            config.region, secrets.copy_access_key_id, secrets.copy_secret_access_key
        )
        write_path = check_write_path(copy_s3, config.bucket_name, config.app_id)
        if write_path.broken:
            log.error("write path broken: %s", write_path.problem)
        report, run_id = _sync(config, secrets, budget, invocation)
        seconds = time.monotonic() - started
        return _finish(
            config,
            report,
            run_id,
            output,
            write_path,
            {
                "seconds": round(seconds, 1),
                "trigger": _trigger(invocation.event),
                "runtime": runtime_versions(),
            },
        )


def runtime_versions() -> dict[str, str]:
    """Python's version and each of ``RUNTIME_LIBRARIES`` this process imported (``not imported``
    otherwise): what the run actually used, whichever copy of a library came first on the path."""
    versions = {"python": ".".join(map(str, sys.version_info[:3]))}  # no `platform`: 13 ms to import
    for name in RUNTIME_LIBRARIES:
        module = sys.modules.get(name)
        versions[name] = str(getattr(module, "__version__", "unknown")) if module else "not imported"
    return versions


def _trigger(event: Any) -> dict[str, str]:
    """What invoked the run, from the event: its source and time when it has them (short strings)."""
    if not isinstance(event, Mapping):
        return {}
    return {name: shorten(event[name]) for name in ("source", "time") if isinstance(event.get(name), str)}


def _sync(
    config: FunctionConfig, secrets: FunctionSecrets, budget: TimeBudget, invocation: Invocation
) -> tuple[Any, str]:
    from sendbird_copy.api import client_factory
    from sendbird_copy.sync.run import SyncOptions, SyncServices, run_sync

    partition = config.kms_key_arn.split(":", 2)[1]
    app = AppOutputs(
        app_id=config.app_id,
        region=config.region,
        bucket_name=config.bucket_name,
        bucket_arn=f"arn:{partition}:s3:::{config.bucket_name}",
        kms_key_arn=config.kms_key_arn,
        kms_alias="",  # not known to the function and not used by the sync
        copy_user_name="",  # idem: the copy key pair comes from its secret
        copy_access_key_id=secrets.copy_access_key_id,
        copy_secret_access_key=secrets.copy_secret_access_key,
        object_lock_mode=config.object_lock_mode,
        object_lock_period=config.object_lock_period,
    )
    # Made here, in one thread (boto3 sessions are not thread-safe), and shared by the workers.
    s3 = mapped(invocation.client("s3", config.region))
    services = SyncServices(
        make_client=client_factory(secrets.api_token, config.api_base_url),
        deployer_s3=lambda _app: s3,
        progress=lambda message: log.info("%s", message),
        get_limit=invocation.get_limit,
        post_limit=invocation.post_limit,
    )
    options = SyncOptions(
        warn_days=config.warn_days,
        event_margin=timedelta(hours=config.event_margin_hours),
        verify_timeout=budget.verify_timeout_s,
        verify_with_head=False,
        # A full scan (the first run after deploy) takes at most a third of the budget per run and
        # goes on next run where it stopped: a years-long history never starves the copies.
        max_scan_pages=max(
            1, int(budget.stop_claiming_after_s * SCAN_SHARE_OF_BUDGET * invocation.get_limit)
        ),
    )
    # Stop claiming when the budget is spent: in-flight requests finish, the rest stays pending.
    timer = threading.Timer(budget.stop_claiming_after_s, services.stop.set)
    timer.daemon = True
    timer.start()
    try:
        (report,) = run_sync([app], services, options)
    finally:
        timer.cancel()
    return report, services.run_id


def _finish(
    config: FunctionConfig,
    report: Any,
    run_id: str,
    output: Output,
    write_path: WritePath,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """Log the summary and the metrics; return the summary, or raise when the run failed its job."""
    counts = report.counts()
    values = {**metric_values(counts), facts.METRIC_WRITE_PATH_BROKEN: int(write_path.broken)}
    problems = [
        {"recording_id": r.recording.recording_id, "where": r.recording.where, "outcome": str(r.outcome),
         "at_risk": r.at_risk, "reason": r.reason}
        for r in sorted(report.results, key=lambda r: r.recording.recording_id)
        if r.outcome in FAILING_OUTCOMES or r.at_risk
    ]  # fmt: skip
    summary: dict[str, Any] = {
        "app_id": config.app_id,
        "run_id": run_id,
        "passed": report.passed,
        "error": report.error,
        "counts": counts,
        "metrics": values,
        "discovery": report.discovery.to_dict() if report.discovery else None,
        "requests": dict(sorted(report.requests.items())),
        "damaged": list(report.damaged),
        "missed": list(report.missed),
        "write_path": write_path.to_dict(),
        **extra,
    }
    output.line(
        {"message": facts.SUMMARY_MESSAGE, **summary, "problems": problems[:MAX_NAMED_PROBLEMS],
         "problems_not_named": max(0, len(problems) - MAX_NAMED_PROBLEMS)}
    )  # fmt: skip
    # The recordings' counts only when they could be listed: zeros from a run that saw nothing would
    # read as "nothing at risk" (a failed listing raises: Lambda's Errors metric). The probe's always.
    names = facts.METRICS if report.error is None else (facts.METRIC_WRITE_PATH_BROKEN,)
    output.line(emf_document(config.metrics_namespace, config.app_id, values, int(time.time() * 1000), names))
    failure = _failure(report, values)
    if failure:
        raise ScheduledSyncError(redact(failure, output.secrets), summary)
    return summary


def _failure(report: Any, values: Mapping[str, int]) -> str | None:
    if report.error is not None:
        return with_permission_hint(report.error)
    failed, lost = values[facts.METRIC_FAILED], values[facts.METRIC_LOST]
    copies = values[facts.METRIC_RECORDINGS_DAMAGED]  # not whole MP4s: the next run asks again
    if not failed and not lost and not copies and report.missed:
        return (
            f"sync of application {report.app_id}: discovery missed {len(report.missed)}: {report.missed[0]}"
        )
    if not failed and not lost and not copies and report.damaged:
        first_damaged = report.damaged[0]
        return (
            f"sync of application {report.app_id}: {len(report.damaged)} of the sync's own objects are "
            f"unreadable; first: {first_damaged['key']}: {first_damaged['problem']}"
        )
    if not failed and not lost and not copies:
        return None
    first = next(r for r in report.results if r.outcome in FAILING_OUTCOMES)
    damaged = f", {copies} damaged copies" if copies else ""
    return (
        f"sync of application {report.app_id}: {failed} failed, {lost} lost{damaged}; first: "
        f"{first.recording.recording_id} ({first.outcome}): {with_permission_hint(first.reason or '')}"
    )
