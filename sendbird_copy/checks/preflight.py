"""Prove the copy identity's grant with its own keys, without a recording.

Sendbird needs exactly ``s3:PutObject`` on ``bucket/*`` and ``s3:ListBucket`` on the bucket. The
probes show both work, and that reading an object, deleting one and reading the bucket policy are
refused: a too-narrow grant breaks every copy, a too-wide one leaks recordings to whoever holds the key
that was handed to Sendbird. The refused probes target things that change nothing even if wrongly
allowed (a key that was never written, the policy read). KMS is never called with the copy identity:
in AWS the PutObject into the SSE-KMS bucket already exercises its KMS grant (and moto would wrongly
deny a key-scoped KMS grant, see the README on moto's limits).
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any

from sendbird_copy.aws import is_sse_kms_with, key_id
from sendbird_copy.checks.background import in_background
from sendbird_copy.checks.report import Check, failed, passed, skipped
from sendbird_copy.errors import (
    AwsAccessDenied,
    AwsCredentialsRejected,
    AwsError,
    AwsNotFound,
    describe,
)
from sendbird_copy.facts import PREFLIGHT_PREFIX
from sendbird_copy.outputs import AppOutputs

PROBE_BODY = b"sendbird-copy preflight probe: safe to delete\n"
# The answers to a refused probe that mean S3 let the request through (there was nothing to act on).
LET_THROUGH = frozenset({"NoSuchKey", "NoSuchBucketPolicy", "404"})
GRANT = "Sendbird needs only s3:PutObject and s3:ListBucket"


@dataclass(frozen=True)
class Probe:
    key: str
    never_written: str

    @classmethod
    def new(cls) -> Probe:
        token = uuid.uuid4().hex
        return cls(f"{PREFLIGHT_PREFIX}probe-{token}.txt", f"{PREFLIGHT_PREFIX}never-written-{token}")


def check_access_key(app: AppOutputs, iam: Any) -> Check:
    """The key from the outputs exists on the copy user and is Active (IAM, deployer's view)."""
    name = "copy access key"
    user = app.copy_user_name
    try:
        pages = iam.get_paginator("list_access_keys").paginate(UserName=user)
        keys = {k["AccessKeyId"]: k["Status"] for page in pages for k in page["AccessKeyMetadata"]}
    except AwsNotFound:
        return failed(name, f"IAM user {user} does not exist", "deploy the stack (or fix copy_user_name)")
    except AwsError as exc:
        return failed(name, f"cannot list the access keys of IAM user {user}: {describe(exc)}")
    status = keys.get(app.copy_access_key_id)
    if status is None:
        return failed(
            name,
            f"access key {app.copy_access_key_id} is not a key of IAM user {user} "
            f"(its keys: {', '.join(keys) or 'none'})",
            "redeploy the stack so its outputs carry the user's current key",
        )
    if status != "Active":
        return failed(
            name,
            f"access key {app.copy_access_key_id} of IAM user {user} is {status}",
            f"activate it (aws iam update-access-key --user-name {user} --access-key-id "
            f"{app.copy_access_key_id} --status Active) or rotate it and redeploy",
        )
    return passed(name, f"access key {app.copy_access_key_id} of IAM user {user} is Active")


def _refused_reason(exc: AwsError, action: str) -> str:
    """Why the copy identity's request failed, naming the action when it is a grant problem."""
    if isinstance(exc, AwsCredentialsRejected):
        return f"S3 rejected the copy identity's credentials ({exc.code}); {action} could not be tested"
    if isinstance(exc, AwsAccessDenied):
        return f"{action} is refused (AccessDenied)"
    return f"{action} failed: {describe(exc)}"


# Every probe after the key check, in order; all skipped when S3 rejects the key itself.
PROBES = ("s3:PutObject", "s3:ListBucket", "s3:GetObject", "s3:DeleteObject", "s3:GetBucketPolicy")
CREDENTIALS_CHECK = "copy credentials"


def run_preflight(
    app: AppOutputs, *, iam: Any, copy_s3: Any, deployer_s3: Any, probe: Probe | None = None
) -> list[Check]:
    """Run every probe (a failed grant does not hide the later ones) and return one check per probe.

    If S3 rejects the copy identity's key itself (wrong, stale, deleted), no probe can say anything
    about the grant: one check says the key is not valid and every probe is skipped. The probes that
    do not depend on each other run at once: the key's status beside the write, then the four grant
    probes and the encryption check beside each other (they need the written probe); the probe is
    deleted last. Three round trips, not eight, before a copy may be asked for.
    """
    probe = probe or Probe.new()
    bucket = app.bucket_name
    key_status = in_background(lambda: check_access_key(app, iam))

    # (2) write: the action every copy uses (with SSE-KMS it also needs the key's GenerateDataKey).
    try:
        version_id = copy_s3.put_object(Bucket=bucket, Key=probe.key, Body=PROBE_BODY).get("VersionId")
    except AwsCredentialsRejected as exc:
        return [
            key_status.result(),
            _invalid_key(app, str(exc.code)),
            *_skipped_after(CREDENTIALS_CHECK, *PROBES),
        ]
    except AwsError as exc:
        write_failed = failed(
            "s3:PutObject",
            _refused_reason(exc, "s3:PutObject"),
            f"grant s3:PutObject on arn:aws:s3:::{bucket}/* (and kms:GenerateDataKey on {app.kms_key_arn})",
        )
        grants = _grant_probes(copy_s3, deployer_s3, bucket, probe)
        return [
            key_status.result(),
            write_failed,
            *grants,
            *_skipped_after("s3:PutObject", "default encryption"),
        ]
    # (7) what S3 did with the write: the bucket's default encryption must be SSE-KMS with our key.
    encryption = in_background(
        lambda: check_object_encryption(deployer_s3, bucket, probe.key, app.kms_key_arn)
    )
    grants = _grant_probes(copy_s3, deployer_s3, bucket, probe)
    checks = [
        key_status.result(),
        passed("s3:PutObject", f"wrote s3://{bucket}/{probe.key}"),
        *grants,
        encryption.result(),
    ]
    _cleanup(deployer_s3, bucket, probe.key, version_id)
    return checks


def _grant_probes(copy_s3: Any, deployer_s3: Any, bucket: str, probe: Probe) -> list[Check]:
    """(3) ListBucket must work; (4)-(6) GetObject, DeleteObject, GetBucketPolicy must be refused.
    All four at once, reported in this order."""
    # Any answer but AccessDenied (even NoSuchKey) means S3 let the request through.
    refused = (
        ("s3:GetObject", lambda: copy_s3.get_object(Bucket=bucket, Key=probe.key)["Body"].close()),
        ("s3:DeleteObject", lambda: copy_s3.delete_object(Bucket=bucket, Key=probe.never_written)),
        ("s3:GetBucketPolicy", lambda: copy_s3.get_bucket_policy(Bucket=bucket)),
    )
    running = [
        in_background(partial(_list_probe, copy_s3, bucket)),
        *(
            in_background(partial(_expect_refused, name, call, deployer_s3, bucket, probe))
            for name, call in refused
        ),
    ]
    return [check.result() for check in running]


def _list_probe(copy_s3: Any, bucket: str) -> Check:
    try:
        copy_s3.list_objects_v2(Bucket=bucket, Prefix=PREFLIGHT_PREFIX, MaxKeys=1)
    except AwsError as exc:
        return failed(
            "s3:ListBucket",
            _refused_reason(exc, "s3:ListBucket"),
            f"grant s3:ListBucket on arn:aws:s3:::{bucket}",
        )
    return passed("s3:ListBucket", f"listed s3://{bucket}/{PREFLIGHT_PREFIX}")


def _invalid_key(app: AppOutputs, code: str) -> Check:
    return failed(
        CREDENTIALS_CHECK,
        f"S3 rejected access key {app.copy_access_key_id} itself ({code}): the key in the stack outputs "
        "is not valid, so no grant could be tested",
        "re-read the outputs ('pulumi stack output --json --show-secrets'); if they are current, the key "
        "was rotated or deleted: run 'pulumi up' so the outputs carry the copy user's current key",
    )


def _skipped_after(cause: str, *names: str) -> list[Check]:
    return [skipped(name, f"skipped: {cause} failed") for name in names]


def _expect_refused(action: str, call: Any, deployer_s3: Any, bucket: str, probe: Probe) -> Check:
    try:
        response = call()
    except AwsAccessDenied:
        return passed(action, "refused (AccessDenied), as it should be")
    except AwsCredentialsRejected as exc:
        return failed(action, _refused_reason(exc, action))
    except AwsError as exc:
        if exc.code not in LET_THROUGH:
            return failed(action, f"expected AccessDenied, got {describe(exc)}")
    else:
        if action == "s3:DeleteObject" and isinstance(response, dict) and response.get("DeleteMarker"):
            # A versioned bucket recorded a delete marker for the never-written key: remove it.
            _cleanup(deployer_s3, bucket, probe.never_written, response.get("VersionId"))
    return failed(
        action,
        f"grant too wide: {action} is allowed; {GRANT}",
        f"remove {action} (and wildcards such as s3:* that include it) from the copy identity's "
        "IAM policy and the bucket policy",
    )


def check_object_encryption(
    deployer_s3: Any, bucket: str, key: str, kms_key_arn: str, what: str = "the probe"
) -> Check:
    """``what`` (the probe, the copied object) was written SSE-KMS with the stack's key."""
    name = "default encryption" if what == "the probe" else "object encryption"
    fix = (
        f"set the bucket's default encryption to SSE-KMS (aws:kms) with {kms_key_arn} and "
        "Bucket Keys on, as the stack's bucket component does"
    )
    try:
        head = deployer_s3.head_object(Bucket=bucket, Key=key)
    except AwsError as exc:
        return failed(name, f"cannot read the metadata of {what}: {describe(exc)}")
    if not is_sse_kms_with(head, kms_key_arn):
        algorithm, used_key = head.get("ServerSideEncryption"), head.get("SSEKMSKeyId")
        if algorithm != "aws:kms":
            return failed(
                name, f"the bucket's default encryption wrote {what} with {algorithm or 'none'}", fix
            )
        return failed(name, f"{what} is encrypted with KMS key {used_key}, not the stack's", fix)
    return passed(name, f"{what} was written with SSE-KMS and the stack's key {key_id(kms_key_arn)}")


def _cleanup(deployer_s3: Any, bucket: str, key: str, version_id: str | None) -> None:
    """Best effort: leave no probe behind (the copy identity cannot delete, the deployer can)."""
    # Leftovers under _preflight/ are harmless and ignored by smoke-test.
    with contextlib.suppress(AwsError):
        if version_id:
            deployer_s3.delete_object(Bucket=bucket, Key=key, VersionId=version_id)
        else:
            deployer_s3.delete_object(Bucket=bucket, Key=key)
