"""Region facts shared by the Pulumi components and the post-deploy helper.

One table maps Sendbird's region keys to the AWS region each one runs in. Sendbird adds keys over
time (an example in its docs shows ``tokyo-1``): add a row to ``SENDBIRD_REGIONS`` and every caller
picks it up. Everything here is a pure function; nothing imports Pulumi.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sendbird_copy.errors import RegionError


@dataclass(frozen=True)
class SendbirdRegion:
    key: str
    name: str
    aws_region: str


# Documented keys (application resource); the AWS region is inferred from the region name.
SENDBIRD_REGIONS: dict[str, SendbirdRegion] = {
    r.key: r
    for r in (
        SendbirdRegion("ap-1", "Tokyo, Japan", "ap-northeast-1"),
        SendbirdRegion("ap-2", "Seoul, South Korea", "ap-northeast-2"),
        SendbirdRegion("ap-5", "Singapore", "ap-southeast-1"),
        SendbirdRegion("eu-1", "Frankfurt, Germany", "eu-central-1"),
        SendbirdRegion("us-1", "Northern Virginia, USA", "us-east-1"),
        SendbirdRegion("us-2", "Oregon, USA", "us-west-2"),
    )
}

# The AWS regions a Sendbird application can live in, hence where its bucket may live.
SENDBIRD_AWS_REGIONS: frozenset[str] = frozenset(r.aws_region for r in SENDBIRD_REGIONS.values())

# S3 answers GetBucketLocation with an empty LocationConstraint for us-east-1 (and "EU" for very
# old eu-west-1 buckets).
_LEGACY_LOCATION_CONSTRAINTS = {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}


__all__ = [
    "SENDBIRD_AWS_REGIONS",
    "SENDBIRD_REGIONS",
    "RegionError",
    "SendbirdRegion",
    "aws_region_for_sendbird_key",
    "is_aws_region",
    "known_aws_regions",
    "region_from_arn",
    "region_from_location_constraint",
    "resolve_region",
    "sendbird_key_for_aws_region",
]


@functools.cache
def known_aws_regions() -> frozenset[str]:
    """AWS regions botocore knows (all partitions), so a new AWS region needs no code change here."""
    import botocore.session  # lazy: only the callers that validate free-form input pay for it

    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("s3", partition_name=partition))
    return frozenset(regions)


def is_aws_region(value: object) -> bool:
    """An AWS region code botocore knows. Sendbird's own regions answer from the table: loading
    botocore's endpoint data costs about 75 ms, paid on every smoke test that read its outputs."""
    return isinstance(value, str) and (value in SENDBIRD_AWS_REGIONS or value in known_aws_regions())


def _allowed_values() -> str:
    keys = ", ".join(f"{r.key} ({r.aws_region})" for r in SENDBIRD_REGIONS.values())
    return f"a Sendbird region key or its AWS region: {keys}"


def resolve_region(value: str, input_name: str = "region") -> str:
    """Turn an AWS region code or a Sendbird region key into the AWS region Sendbird runs in.

    Raises RegionError for an empty value, a value that is neither a known AWS region nor a Sendbird
    key, and an AWS region Sendbird does not run in (a bucket there could never receive a copy).
    """
    cleaned = (value or "").strip()
    if not cleaned:
        raise RegionError(f"{input_name} is missing; allowed: {_allowed_values()}")
    if cleaned in SENDBIRD_REGIONS:
        return SENDBIRD_REGIONS[cleaned].aws_region
    if cleaned in SENDBIRD_AWS_REGIONS:
        return cleaned
    if cleaned in known_aws_regions():
        raise RegionError(
            f"{input_name} '{cleaned}' is an AWS region Sendbird does not run in: the copy API only "
            f"writes to a bucket in the application's own region. Allowed: {_allowed_values()}"
        )
    raise RegionError(f"{input_name} '{cleaned}' is not a known region. Allowed: {_allowed_values()}")


def aws_region_for_sendbird_key(region_key: str, input_name: str = "Sendbird region key") -> str:
    """Map a region key that Sendbird reports (Organization API) to its AWS region."""
    region = SENDBIRD_REGIONS.get(region_key)
    if region is None:
        raise RegionError(
            f"{input_name} '{region_key}' is not in this tool's table of Sendbird regions "
            f"({', '.join(SENDBIRD_REGIONS)}). Pass the application's AWS region explicitly "
            f"instead (for example --sendbird-aws-region ap-northeast-1), or add the key to "
            f"SENDBIRD_REGIONS in sendbird_copy/rules/regions.py."
        )
    return region.aws_region


def region_from_location_constraint(constraint: str | None) -> str:
    """The region of a bucket from S3's GetBucketLocation answer (us-east-1 reports none)."""
    return _LEGACY_LOCATION_CONSTRAINTS.get(constraint, constraint) or "us-east-1"


def region_from_arn(arn: str) -> str:
    """The region field of an ARN (``arn:partition:service:region:account:resource``)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        raise RegionError(f"'{arn}' is not an ARN (expected arn:partition:service:region:account:...)")
    return parts[3]


def sendbird_key_for_aws_region(aws_region: str) -> str:
    """The first Sendbird region key that runs in ``aws_region`` (the emulator seeds apps with it)."""
    for region in SENDBIRD_REGIONS.values():
        if region.aws_region == aws_region:
            return region.key
    raise RegionError(f"no Sendbird region runs in AWS region '{aws_region}'; allowed: {_allowed_values()}")
