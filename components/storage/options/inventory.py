"""S3 Inventory of the recordings bucket: its argument (``Inventory``) and its wiring.

A daily (or weekly) list of every recording with the fields an audit reads (size, dates, storage
class, encryption, replication, Object Lock, Intelligent-Tiering tier, checksum), written by S3 to
the access-log bucket the component creates (SSE-S3, as that bucket must be for log delivery) or to
a bucket of the user's (SSE-S3, or SSE-KMS with ``kms_key_arn``), under ``prefix``. The created log
bucket's policy admits S3's inventory delivery under that prefix only (``policies``).

No ``from __future__ import annotations``: the component package's analyzer reads the annotations at
runtime and each field's docstring (as for ``args.py``, which imports this module for the field's
type; both take the Pulumi-value helpers of ``deferred.py``).
"""

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pulumi
import pulumi_aws as aws

from sendbird_copy.errors import Input, InputError
from sendbird_copy.rules import (
    DEFAULT_INVENTORY_FORMAT,
    DEFAULT_INVENTORY_FREQUENCY,
    DEFAULT_INVENTORY_PREFIX,
    DEFAULT_INVENTORY_VERSIONS,
    INVENTORY_FIELDS,
    INVENTORY_FORMATS,
    INVENTORY_FREQUENCIES,
    INVENTORY_VERSIONS,
    S3_ACCESS_LOG_PREFIX,
    check_account_id,
    check_bucket_name,
    check_choice,
    check_inventory_fields,
    check_inventory_prefix,
    check_kms_key_arn,
    shown,
)

from ...context import StorageContext
from ..deferred import _PLAIN_SETTING, _require_plain, _when_resolved, is_deferred

# The inventory configuration's id: S3 writes <prefix>/<source bucket>/<id>/...
INVENTORY_ID = "recordings-audit"


@dataclass(frozen=True)
class Inventory:
    """S3 Inventory of the recordings bucket: a list of every recording and its audit fields.

    ``destination_bucket`` None: the access-log bucket the component creates (needs ``access_logs``
    and no ``access_log_bucket``), encrypted with SSE-S3.
    """

    frequency: str = DEFAULT_INVENTORY_FREQUENCY
    """How often S3 writes the list: Daily (the default) or Weekly."""
    format: str = DEFAULT_INVENTORY_FORMAT
    """Parquet (the default: typed columns Athena reads directly), ORC or CSV (no header row)."""
    included_object_versions: str = DEFAULT_INVENTORY_VERSIONS
    """Current (the default: the recordings as they are) or All (noncurrent versions too)."""
    optional_fields: Sequence[str] = INVENTORY_FIELDS
    """The fields listed besides bucket and key (default: all twelve an audit reads)."""
    destination_bucket: pulumi.Input[str] | None = None
    """An existing bucket in the application's region whose policy admits s3.amazonaws.com under
    ``prefix``. None: the access-log bucket the component creates."""
    prefix: str = DEFAULT_INVENTORY_PREFIX
    """Where the lists land in the destination (S3 adds ``/<bucket>/<id>/...``); default s3-inventory."""
    kms_key_arn: pulumi.Input[str] | None = None
    """SSE-KMS for the lists with this key (same region; needs ``destination_bucket``: the created
    log bucket is SSE-S3). None: SSE-S3."""
    destination_account_id: pulumi.Input[str] | None = None
    """The 12-digit account that owns ``destination_bucket`` (text, not a number): S3 then writes the
    lists only while that account owns it, never to a bucket of that name someone else registered
    later. None: not checked (the created log bucket is always checked against this account)."""

    def __post_init__(self) -> None:
        for name, choices in (
            ("frequency", INVENTORY_FREQUENCIES),
            ("format", INVENTORY_FORMATS),
            ("included_object_versions", INVENTORY_VERSIONS),
        ):
            _require_plain(getattr(self, name), f"inventory.{name}", ", ".join(choices), _PLAIN_SETTING)
            check_choice(f"inventory.{name}", getattr(self, name), choices)
        check_inventory_fields("inventory.optional_fields", self.optional_fields)
        check_inventory_prefix("inventory.prefix", self.prefix, S3_ACCESS_LOG_PREFIX)

    def check_in(self, *, region: str, access_logs: bool, access_log_bucket: Any, bucket_name: Any) -> None:
        """The checks across RecordingStorageArgs: where the lists can go, the key's region."""
        destination = self.destination_bucket
        if destination is None and (not access_logs or access_log_bucket is not None):
            why = "access_logs is false" if not access_logs else "access_log_bucket names an existing bucket"
            raise InputError(
                Input("inventory.destination_bucket"),
                f" is not set and the component creates no log bucket to take the lists ({why}). "
                "Allowed: a destination_bucket of yours, or access_logs true without access_log_bucket",
            )
        if destination is not None and not is_deferred(destination):
            check_bucket_name("inventory.destination_bucket", destination)
            if destination == bucket_name:
                raise InputError(
                    Input("inventory.destination_bucket"),
                    f" {shown(destination)} is the recordings bucket itself. Allowed: another bucket (the "
                    "lists would sit among the recordings and under their lifecycle)",
                )
        if self.kms_key_arn is not None and destination is None:
            raise InputError(
                Input("inventory.kms_key_arn"),
                " is set without ",
                Input("inventory.destination_bucket"),
                ": the log bucket the component creates is SSE-S3 (log delivery supports nothing else). "
                "Allowed: a destination_bucket of yours, or no kms_key_arn (SSE-S3)",
            )
        if self.kms_key_arn is not None and not is_deferred(self.kms_key_arn):
            check_kms_key_arn("inventory.kms_key_arn", self.kms_key_arn, region)
        if self.destination_account_id is not None and destination is None:
            raise InputError(
                Input("inventory.destination_account_id"),
                " is set without ",
                Input("inventory.destination_bucket"),
                ": the log bucket the component creates is this account's, and checked as such. "
                "Allowed: a destination_bucket of yours, or no destination_account_id",
            )
        if self.destination_account_id is not None and not is_deferred(self.destination_account_id):
            check_account_id("inventory.destination_account_id", self.destination_account_id)

    def checked(self, region: str) -> "Inventory":
        """This inventory with each Pulumi value replaced by one checked when it resolves."""
        return replace(
            self,
            destination_bucket=_when_resolved(
                self.destination_bucket, functools.partial(check_bucket_name, "inventory.destination_bucket")
            ),
            kms_key_arn=_when_resolved(
                self.kms_key_arn, lambda arn: check_kms_key_arn("inventory.kms_key_arn", arn, region)
            ),
            destination_account_id=_when_resolved(
                self.destination_account_id,
                functools.partial(check_account_id, "inventory.destination_account_id"),
            ),
        )


def _encryption(inventory: Inventory) -> aws.s3.InventoryDestinationBucketEncryptionArgs:
    if inventory.kms_key_arn is None:
        return aws.s3.InventoryDestinationBucketEncryptionArgs(
            sse_s3=aws.s3.InventoryDestinationBucketEncryptionSseS3Args()
        )
    return aws.s3.InventoryDestinationBucketEncryptionArgs(
        sse_kms=aws.s3.InventoryDestinationBucketEncryptionSseKmsArgs(key_id=inventory.kms_key_arn)
    )


def create_inventory(
    ctx: StorageContext,
    *,
    bucket: aws.s3.Bucket,
    inventory: Inventory,
    log_bucket: aws.s3.Bucket | None,
    after: Sequence[pulumi.Resource],
) -> aws.s3.Inventory:
    """The inventory configuration of ``bucket``, to ``inventory.destination_bucket`` or else to the
    created ``log_bucket`` (in this account), after ``after`` (the last bucket-level setting, and the
    log bucket's policy that admits the delivery)."""
    account_id = inventory.destination_account_id
    if inventory.destination_bucket is None:
        assert log_bucket is not None, "Inventory.check_in refuses no destination without a log bucket"
        destination_arn: pulumi.Input[str] = log_bucket.arn
        account_id = ctx.account_id  # S3 checks the destination is still this account's
    else:
        destination_arn = pulumi.Output.all(ctx.partition, inventory.destination_bucket).apply(
            lambda v: f"arn:{v[0]}:s3:::{v[1]}"
        )
    return aws.s3.Inventory(
        ctx.child_name("inventory"),
        bucket=bucket.id,
        name=INVENTORY_ID,
        enabled=True,
        included_object_versions=inventory.included_object_versions,
        optional_fields=list(inventory.optional_fields),
        schedule=aws.s3.InventoryScheduleArgs(frequency=inventory.frequency),
        destination=aws.s3.InventoryDestinationArgs(
            bucket=aws.s3.InventoryDestinationBucketArgs(
                bucket_arn=destination_arn,
                format=inventory.format,
                prefix=inventory.prefix,
                account_id=account_id,
                encryption=_encryption(inventory),
            )
        ),
        region=ctx.region,
        opts=ctx.opts(*after),
    )
