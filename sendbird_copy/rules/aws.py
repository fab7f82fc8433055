"""AWS values: regions (a Sendbird region key or an AWS region code), S3 bucket names, ARNs (a KMS
key, a Secrets Manager secret, an SNS topic, a bucket; the regional ones in the application's region),
and the copy identity's key pair."""

from __future__ import annotations

import re
from typing import Any

from sendbird_copy.errors import InputError, RegionError
from sendbird_copy.redact import shown
from sendbird_copy.rules.values import STRING_OR_OUTPUT, _refuse, check_str

# -- the helper's AWS clients (the CLI's and the scheduled function's) ------------------------------
# Connect and read timeouts in seconds, and attempts in botocore's standard retry mode.
AWS_CONNECT_TIMEOUT_S, AWS_READ_TIMEOUT_S, AWS_MAX_ATTEMPTS = 5.0, 30.0, 3


# -- regions ---------------------------------------------------------------------------------------
def check_region(name: str, value: Any) -> str:
    """The AWS region for ``value`` (an AWS region code or a Sendbird region key) where Sendbird runs."""
    from sendbird_copy.rules.regions import resolve_region

    if value is not None:
        check_str(name, value, "a Sendbird region key (ap-2) or an AWS region code (ap-northeast-2)")
    try:
        return resolve_region(value or "", name)
    except RegionError as exc:
        message = str(exc)  # it starts with the input name
        if message.startswith(name):
            raise _refuse(name, message[len(name) :]) from exc
        raise InputError(message) from exc


def check_aws_region(name: str, value: Any) -> str:
    """An AWS region code botocore knows (a Lambda function's own AWS_REGION; never a Sendbird key)."""
    from sendbird_copy.rules.regions import is_aws_region

    if not is_aws_region(value):
        raise _refuse(
            name,
            f" {shown(value)} is not an AWS region known to botocore. Allowed: an AWS region code such "
            "as ap-northeast-1",
        )
    return value


# -- S3 bucket names -------------------------------------------------------------------------------
# S3 reserves these for its own kinds of bucket (access points, directory buckets, ...).
RESERVED_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_BUCKET_CHARS = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
BUCKET_NAME_ALLOWED = (
    "3-63 characters of lowercase letters, digits and hyphens, starting and ending with a letter "
    "or digit; no dots (TLS certificates for virtual-hosted URLs do not cover dotted names); not "
    f"starting with {', '.join(RESERVED_BUCKET_PREFIXES)}; not ending with "
    f"{', '.join(RESERVED_BUCKET_SUFFIXES)}"
)


def _bucket_name_problem(value: str) -> str | None:
    if not 3 <= len(value) <= 63:
        return f"is {len(value)} characters long"
    if "." in value:
        return "contains a dot"
    if not _BUCKET_CHARS.fullmatch(value):
        return "has a character other than a-z, 0-9 or '-', or does not start and end with a letter or digit"
    if value.startswith(RESERVED_BUCKET_PREFIXES):
        return "starts with a prefix S3 reserves"
    if value.endswith(RESERVED_BUCKET_SUFFIXES):
        return "ends with a suffix S3 reserves"
    return None


def check_bucket_name(name: str, value: Any) -> str:
    """S3's general-purpose bucket rules, minus dots.

    Dots are refused: the policy demands TLS, and S3's wildcard certificate (*.s3.<region>.amazonaws.com)
    does not match a virtual-hosted name with a dot in it, so clients would fail certificate checks.
    """
    check_str(name, value, BUCKET_NAME_ALLOWED, outputs=True)
    problem = _bucket_name_problem(value)
    if problem:
        raise _refuse(
            name, f" {shown(value)} is not a valid bucket name: it {problem}. Allowed: {BUCKET_NAME_ALLOWED}"
        )
    return str(value)


ACCOUNT_ID_ALLOWED = "a 12-digit AWS account id, as text (quoted in YAML: a number loses leading zeros)"
_ACCOUNT_ID_DIGITS = re.compile(r"[0-9]{12}")


def check_account_id(name: str, value: Any) -> str:
    """An AWS account id: twelve ASCII digits, as text (a YAML number would lose leading zeros)."""
    check_str(name, value, ACCOUNT_ID_ALLOWED, outputs=True)
    if not _ACCOUNT_ID_DIGITS.fullmatch(value):
        raise _refuse(name, f" {shown(value)} is not an AWS account id. Allowed: {ACCOUNT_ID_ALLOWED}")
    return str(value)


# -- ARNs ------------------------------------------------------------------------------------------
_ACCOUNT = r"\d{12}"
_KMS_KEY_ARN = re.compile(rf"arn:aws[a-z-]*:kms:[a-z0-9-]+:{_ACCOUNT}:key/[A-Za-z0-9-]+")
# A complete secret ARN ends in "-" and the six characters Secrets Manager appends: the role's grant
# names it exactly, and a partial ARN in an IAM policy matches no secret.
_SECRET_ARN = re.compile(
    rf"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:{_ACCOUNT}:secret:[\w/+=.@-]{{1,505}}-[A-Za-z0-9]{{6}}"
)
# Standard topics only: CloudWatch alarm actions cannot notify a FIFO topic.
_TOPIC_ARN = re.compile(rf"arn:aws[a-z-]*:sns:[a-z0-9-]+:{_ACCOUNT}:[\w-]{{1,256}}")
# Bucket names as check_bucket_name allows them (no dots).
_BUCKET_ARN = re.compile(r"arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9-]{1,61}[a-z0-9])")
_SAME_REGION = "every regional resource of the sync stays in that region"


def check_regional_arn(
    name: str, value: Any, pattern: re.Pattern[str], what: str, region: str, why: str
) -> str:
    """``value`` if it is an ARN matching ``pattern`` (``what`` it should be) in ``region``; ``why``
    says why the region must match."""
    from sendbird_copy.rules.regions import region_from_arn

    allowed = f"{what} in the application's region {region}"
    if not isinstance(value, str):
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {allowed}{STRING_OR_OUTPUT}")
    if not pattern.fullmatch(value):  # fullmatch: "$" would let a trailing line break through
        raise _refuse(name, f" {shown(value)} is not {what}. Allowed: {allowed}")
    arn_region = region_from_arn(value)
    if arn_region != region:
        raise _refuse(
            name,
            f" {shown(value)} is in {arn_region}, but the application's region is {region}: {why}. "
            f"Allowed: {allowed}",
        )
    return value


def check_kms_key_arn(name: str, value: Any, region: str) -> str:
    what = f"a KMS key ARN (arn:aws:kms:{region}:<account>:key/<key id>)"
    why = "S3 can only use a KMS key from the bucket's own region"
    return check_regional_arn(name, value, _KMS_KEY_ARN, what, region, why)


def check_secret_arn(name: str, value: Any, region: str) -> str:
    what = "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
    return check_regional_arn(name, value, _SECRET_ARN, what, region, _SAME_REGION)


# The CLI reads a token from any region with the deployer's credentials, and GetSecretValue takes a
# secret's partial ARN (without the six characters Secrets Manager appends) as well as its full one.
_TOKEN_SECRET_ARN = re.compile(
    rf"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:{_ACCOUNT}:secret:[\w/+=.@-]{{1,512}}", re.ASCII
)
TOKEN_SECRET_ARN_ALLOWED = (
    "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
)


def check_token_secret_arn(name: str, value: Any) -> str:
    """A token value that names the Secrets Manager secret holding the token (any region)."""
    if not isinstance(value, str) or not _TOKEN_SECRET_ARN.fullmatch(value.strip()):
        raise _refuse(name, f" {shown(value)} is not a secret ARN. Allowed: {TOKEN_SECRET_ARN_ALLOWED}")
    return value.strip()


def check_topic_arn(name: str, value: Any, region: str) -> str:
    """CloudWatch alarms notify only SNS topics in their own region."""
    what = "an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)"
    return check_regional_arn(
        name, value, _TOPIC_ARN, what, region, "CloudWatch alarms notify only topics in their own region"
    )


def check_bucket_arn(name: str, value: Any, bucket_name: Any) -> str:
    """An S3 bucket ARN, naming ``bucket_name`` when that is known (a string)."""
    allowed = "an S3 bucket ARN (arn:aws:s3:::<bucket>) of the bucket named by bucket_name"
    if not isinstance(value, str):
        raise _refuse(name, f" {shown(value)} is not a string. Allowed: {allowed}{STRING_OR_OUTPUT}")
    match = _BUCKET_ARN.fullmatch(value)
    if not match:
        raise _refuse(name, f" {shown(value)} is not an S3 bucket ARN. Allowed: {allowed}")
    if isinstance(bucket_name, str) and match.group(1) != bucket_name:
        raise _refuse(
            name,
            f" {shown(value)} names bucket {match.group(1)!r}, but bucket_name is {bucket_name!r}. "
            f"Allowed: {allowed}",
        )
    return value


# -- the copy identity's key pair ------------------------------------------------------------------
def check_access_key_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.isalnum() or not 16 <= len(value) <= 128:
        raise _refuse(
            name, f" {shown(value)} is not an AWS access key id. Allowed: RecordingStorage.copy_access_key_id"
        )
    return value


def check_copy_secret(name: str, value: Any) -> str:
    """The copy identity's secret key: a non-empty string (the function hands it to Sendbird), trimmed.

    Trimmed, not refused, like the key id beside it: AWS issues secret keys of 40 base64 characters,
    never with whitespace, so a space around one is only a paste or an edit; keeping it made Sendbird
    answer "the key is not valid" while the id, trimmed, looked right.
    """
    if not isinstance(value, str) or not value.strip():
        problem = "is empty" if isinstance(value, str) else f"is not a string ({type(value).__name__})"
        raise _refuse(name, f" {problem} (not shown). Allowed: RecordingStorage.copy_secret_access_key")
    return value.strip()
