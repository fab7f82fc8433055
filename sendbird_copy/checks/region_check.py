"""Are the bucket, the KMS key and the Sendbird application in one AWS region?

Sendbird's copy API only writes to a bucket in the application's own region, and a KMS key only
serves S3 in its own region, so one mismatch makes every copy fail. Each source is asked the way
AWS/Sendbird actually answer (not what the stack meant to create), and any disagreement yields one
message that lists every source with its region.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sendbird_copy.checks.background import in_background
from sendbird_copy.checks.report import Check, failed, passed, skipped
from sendbird_copy.errors import (
    AwsConnectionError,
    AwsError,
    AwsNotFound,
    RegionError,
    SendbirdCopyError,
    describe,
)
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.rules.regions import (
    aws_region_for_sendbird_key,
    region_from_arn,
    region_from_location_constraint,
)

ClientFactory = Callable[[str], Any]  # region -> boto3 client
AppLookup = Callable[[str], Mapping[str, Any]]  # app id -> Organization API application


@dataclass(frozen=True)
class SendbirdRegionSource:
    """How to learn the application's region from Sendbird's side (both optional)."""

    lookup: AppLookup | None = None  # Organization API, when SENDBIRD_ORG_API_KEY is set
    explicit_region: str | None = None  # --sendbird-aws-region


def bucket_region(s3: Any, bucket: str) -> str:
    """The bucket's real region: HeadBucket's header, else GetBucketLocation."""
    try:
        response = s3.head_bucket(Bucket=bucket)
    except AwsConnectionError:
        raise  # no answer: GetBucketLocation would not get one either
    except AwsError as exc:
        # S3 names the region even on a 301/403 answer; a 404 means there is no such bucket.
        if exc.headers.get("x-amz-bucket-region"):
            return str(exc.headers["x-amz-bucket-region"])
        if isinstance(exc, AwsNotFound):
            raise
    else:
        headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
        region = headers.get("x-amz-bucket-region") or response.get("BucketRegion")
        if region:
            return str(region)
    location = s3.get_bucket_location(Bucket=bucket).get("LocationConstraint")
    return region_from_location_constraint(location)


def check_bucket(app: AppOutputs, s3: Any) -> tuple[Check, str | None]:
    name = "bucket region"
    try:
        region = bucket_region(s3, app.bucket_name)
    except AwsNotFound:
        return failed(
            name,
            f"bucket {app.bucket_name} does not exist in the deployer's account",
            "deploy the stack, or point the deployer's credentials/--aws-endpoint-url at its account",
        ), None
    except AwsError as exc:
        return failed(name, f"cannot read the region of bucket {app.bucket_name}: {describe(exc)}"), None
    return passed(name, f"bucket {app.bucket_name} is in {region}"), region


def check_kms_key(app: AppOutputs, kms_for_region: ClientFactory) -> tuple[Check, str | None]:
    """The key's region from its ARN, proven by DescribeKey in that region (it exists, is Enabled)."""
    name = "KMS key"
    try:
        region = region_from_arn(app.kms_key_arn)
    except RegionError as exc:
        return failed(name, f"kms_key_arn: {exc}"), None
    try:
        metadata = kms_for_region(region).describe_key(KeyId=app.kms_key_arn)["KeyMetadata"]
    except AwsNotFound:
        return _missing_key(app, region), region
    except AwsError as exc:
        return failed(name, f"cannot describe KMS key {app.kms_key_arn}: {describe(exc)}"), region
    state = metadata.get("KeyState", "unknown")
    if state != "Enabled" or metadata.get("Enabled") is False:
        return failed(
            name,
            f"KMS key {app.kms_key_arn} is {state}: S3 cannot encrypt new objects with it",
            "enable the key (or cancel its deletion) and run again",
        ), region
    return passed(name, f"KMS key {metadata.get('KeyId', app.kms_key_arn)} in {region} is Enabled"), region


def _missing_key(app: AppOutputs, region: str) -> Check:
    # The program exports the key ARN as kms_alias when the stack uses an existing key (kms_key_arn).
    if app.kms_alias == app.kms_key_arn:
        return failed(
            "KMS key",
            f"the existing KMS key the stack was given (kms_key_arn) {app.kms_key_arn} does not exist in "
            f"{region}, or the deployer's account cannot see it",
            "fix kms_key_arn in the stack config (a key in the application's region whose policy keeps "
            "the account-root statement), or remove it so the stack creates a key, then redeploy",
        )
    return failed("KMS key", f"KMS key {app.kms_key_arn} does not exist in {region}", "deploy the stack")


def check_sendbird_region(app: AppOutputs, source: SendbirdRegionSource) -> tuple[Check | None, str | None]:
    """The region Sendbird reports for the application; RegionError for a key we cannot map."""
    name = "Sendbird application region"
    if source.lookup is None:
        return None, None
    try:
        application = source.lookup(app.app_id)
    except SendbirdCopyError as exc:  # refused, unreachable, or an application id it cannot send
        return failed(
            name, f"Organization API lookup of application {app.app_id} failed: {describe(exc)}"
        ), None
    region_info = application.get("region") or {}
    key = str(region_info.get("region_key") or "")
    label = f"region key '{key}'" + (
        f" ({region_info['region_name']})" if region_info.get("region_name") else ""
    )
    try:
        region = aws_region_for_sendbird_key(key, "the Sendbird region key")
    except RegionError:
        if source.explicit_region is None:
            raise
        return passed(
            name,
            f"Sendbird reports {label}, not in this tool's table; "
            f"using --sendbird-aws-region {source.explicit_region}",
        ), source.explicit_region
    return passed(name, f"Sendbird reports {label}, which runs in {region}"), region


def check_regions(
    app: AppOutputs,
    *,
    s3: Any,
    kms_for_region: ClientFactory,
    sendbird: SendbirdRegionSource = SendbirdRegionSource(),
) -> list[Check]:
    """Every region check for one application, ending with the verdict that compares them all.

    The three lookups (S3, KMS, Sendbird's Organization API) are independent: they run at once.
    """
    checks: list[Check] = []
    sources: list[tuple[str, str | None]] = [("stack outputs", app.region)]
    sendbird_lookup = in_background(lambda: check_sendbird_region(app, sendbird))
    key_lookup = in_background(lambda: check_kms_key(app, kms_for_region))

    bucket_check, bucket = check_bucket(app, s3)
    checks.append(bucket_check)
    sources.append(("bucket", bucket))

    key_check, key_region = key_lookup.result()
    checks.append(key_check)
    sources.append(("KMS key", key_region))

    sendbird_check, sendbird_region = sendbird_lookup.result()
    if sendbird_check is not None:
        checks.append(sendbird_check)
        sources.append(("Sendbird application", sendbird_region))
    if sendbird.explicit_region and sendbird_region != sendbird.explicit_region:
        # Stated by the user: compared like any other source (a contradiction is worth a failure).
        sources.append(("--sendbird-aws-region", sendbird.explicit_region))

    checks.append(compare_regions(sources))
    return checks


def compare_regions(sources: list[tuple[str, str | None]]) -> Check:
    """One check over all sources; its message lists every one of them with its region."""
    name = "regions match"
    listing = ", ".join(f"{label} {region or 'unknown'}" for label, region in sources)
    known = {region for _, region in sources if region}
    if len(known) > 1:
        return failed(
            name,
            f"regions differ: {listing}",
            "the bucket and the KMS key must be in the Sendbird application's region; set the stack's "
            "region to the application's and redeploy (a bucket cannot move: create a new one)",
        )
    unknown = [label for label, region in sources if region is None]
    if unknown:
        # The check that could not learn its region has failed already; failing again adds nothing.
        return skipped(name, f"skipped: {', '.join(unknown)} region check failed ({listing})")
    return passed(name, f"all in {known.pop()}: {listing}")
