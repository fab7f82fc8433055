"""Intelligent-Tiering's archive tiers for the recordings bucket (``Retention``'s options).

The lifecycle's transition moves recordings to INTELLIGENT_TIERING; this configuration lets S3 move
the ones nobody reads on to Archive Access and Deep Archive Access. It covers the whole bucket (no
filter): the configuration acts on INTELLIGENT_TIERING objects only, and the tool's own objects are
never transitioned (they stay under 128 KiB and out of the retention rule), so only recordings move.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from ...context import StorageContext

if TYPE_CHECKING:
    from ..args import Retention

# The configuration's id in S3.
TIERING_ID = "recordings-archive-tiers"


def create_archive_tiers(
    ctx: StorageContext, *, bucket: aws.s3.Bucket, retention: Retention, after: Sequence[pulumi.Resource]
) -> aws.s3.BucketIntelligentTieringConfiguration | None:
    """The archive tiers ``retention`` asks for, after ``after``; None when it asks for none."""
    tierings = [
        aws.s3.BucketIntelligentTieringConfigurationTieringArgs(access_tier=tier, days=days)
        for tier, days in (
            ("ARCHIVE_ACCESS", retention.intelligent_tiering_archive_days),
            ("DEEP_ARCHIVE_ACCESS", retention.intelligent_tiering_deep_archive_days),
        )
        if days is not None
    ]
    if not tierings:
        return None
    return aws.s3.BucketIntelligentTieringConfiguration(
        ctx.child_name("intelligent-tiering"),
        bucket=bucket.id,
        name=TIERING_ID,
        status="Enabled",
        tierings=tierings,
        region=ctx.region,
        opts=ctx.opts(*after),
    )
