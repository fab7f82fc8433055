"""Object Lock for the recordings bucket: write-once retention of every copied recording.

What the component does, and why (docs/security.md, "Object Lock"):

- It enables Object Lock with an ``aws.s3.BucketObjectLockConfiguration`` resource created after
  versioning (S3 requires versioning first), never with the Bucket's ``object_lock_enabled``
  argument: that argument forces a replacement of an existing bucket, i.e. a new empty bucket and
  the old one's recordings deleted or orphaned. S3 has accepted enabling Object Lock on an existing
  versioned bucket since November 2023 (no support ``token`` needed), so turning the option on for
  a deployed stack is an in-place update of one new resource. The Bucket's own inputs stay the same
  with or without the option (a test proves it).
- It sets NO default retention rule. The tool's own objects (ledger, state, lease, manifests, the
  copy identity's ``_preflight/`` probes) change and are deleted: under a default they would be kept
  for years, in compliance mode beyond anyone's reach. And S3 refuses any upload into a bucket with
  a default retention that lacks a Content-MD5 or SDK checksum header: Sendbird's uploader is not
  ours, and one such default could make every copy fail. Instead the sync applies the retention to
  each recording version it verified (``sendbird_copy/sync/retention.py``), from the copy's own
  LastModified (S3's clock), in the same step that writes its manifest and parent tag.
- Object Lock cannot be turned off on a bucket once on (S3 has no such call). Removing the option
  later deletes the resource from the stack only: the bucket keeps Object Lock enabled, every
  version already retained stays retained until its date, and the sync stops retaining new copies.

The settings are plain values: they decide whether the resource exists and what the sync is told.
No ``from __future__ import annotations``: the component package's analyzer (``provider/``) reads
ObjectLock's annotations at runtime.
"""

import inspect
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from sendbird_copy.errors import Input, InputError
from sendbird_copy.rules import OBJECT_LOCK_ALLOWED, check_object_lock, object_lock_period, shown

from ...context import StorageContext

_PLAIN = "it decides the bucket's Object Lock and the retention the sync applies, before any Output resolves"


@dataclass(frozen=True)
class ObjectLock:
    """Write-once retention of each copied recording (S3 Object Lock), applied by the sync to every
    recording version it verified: ``mode`` GOVERNANCE (an identity with
    ``s3:BypassGovernanceRetention`` may still delete) or COMPLIANCE (no one can, the account root
    included, until the date), for ``days`` or ``years`` from the copy's time in S3. The bucket gets
    no default retention (the tool's own objects change). Once on, S3 never turns Object Lock off."""

    mode: str
    """GOVERNANCE or COMPLIANCE (SEC 17a-4-style WORM rules need COMPLIANCE)."""
    days: int | None = None
    """Keep each copied recording this many days (1 to 36500). Exactly one of days and years."""
    years: int | None = None
    """Keep each copied recording this many years (1 to 100), calendar years. Exactly one of days
    and years."""

    def __post_init__(self) -> None:
        for name in ("mode", "days", "years"):
            value = getattr(self, name)
            if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
                raise InputError(
                    Input(f"object_lock.{name}"),
                    f" is {shown(value)}, not a plain value: {_PLAIN}. Allowed: {OBJECT_LOCK_ALLOWED}",
                )
        check_object_lock("object_lock.", self)

    @property
    def period(self) -> str:
        """The retention period as the stack outputs carry it: ``P30D`` or ``P7Y`` (ISO 8601)."""
        return object_lock_period(self.days, self.years)


def check_object_lock_arg(value: Any) -> None:
    """RecordingStorageArgs' ``object_lock``: None or an ObjectLock."""
    if value is not None and not isinstance(value, ObjectLock):
        raise InputError(
            Input("object_lock"), f" {shown(value)} is not an ObjectLock. Allowed: {OBJECT_LOCK_ALLOWED}"
        )


def enable_object_lock(
    ctx: StorageContext, *, bucket: aws.s3.Bucket, after: pulumi.Resource, child: str = "object-lock"
) -> aws.s3.BucketObjectLockConfiguration:
    """Object Lock on the bucket, with no default retention rule (see the module doc), after
    ``after`` (the last bucket-level setting, itself after versioning: S3's OperationAborted races,
    and Object Lock needs versioning on). ``child`` names it (the replica's has its own name)."""
    return aws.s3.BucketObjectLockConfiguration(
        ctx.child_name(child),
        bucket=bucket.id,
        object_lock_enabled="Enabled",
        region=ctx.region,
        opts=ctx.opts(after),
    )
