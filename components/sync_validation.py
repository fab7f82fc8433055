"""Pure checks of RecordingSync's own inputs: the schedule, the warning window, log retention, and
the ARNs it is given. Each raises ``InputError`` naming the input, the value and what is allowed.

The values these rules accept are AWS's (EventBridge Scheduler's expression syntax, CloudWatch Logs'
retention periods, the ARN formats of Secrets Manager, SNS and S3), checked here so a typo fails
``pulumi preview`` instead of half-way through ``pulumi up``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sendbird_copy.sendbird_facts import RECORDING_RETENTION

from .validation import STRING_OR_OUTPUT, Input, InputError, check_regional_arn, shown

DEFAULT_SCHEDULE = "rate(1 hour)"
DEFAULT_WARN_DAYS = 3.0
DEFAULT_LOG_RETENTION_DAYS = 30
# CloudWatch Logs accepts exactly these retention periods (days).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

_ACCOUNT = r"\d{12}"
# A complete secret ARN ends in "-" and the six characters Secrets Manager appends: the role's grant
# names it exactly, and a partial ARN in an IAM policy matches no secret.
_SECRET_ARN = re.compile(
    rf"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:{_ACCOUNT}:secret:[\w/+=.@-]{{1,505}}-[A-Za-z0-9]{{6}}"
)
# Standard topics only: CloudWatch alarm actions cannot notify a FIFO topic.
_TOPIC_ARN = re.compile(rf"arn:aws[a-z-]*:sns:[a-z0-9-]+:{_ACCOUNT}:[\w-]{{1,256}}")
_BUCKET_ARN = re.compile(r"arn:aws[a-z-]*:s3:::([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])")


def check_warn_days(value: Any, input_name: str = "warn_days") -> float:
    """Days before Sendbird's deletion at which a recording not yet copied counts as at risk."""
    limit = RECORDING_RETENTION.days
    allowed = (
        f"a number of days greater than 0 and less than {limit} (Sendbird keeps a recording {limit} days)"
    )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(Input(input_name), f" {shown(value)} is not a number. Allowed: {allowed}")
    if not math.isfinite(value) or not 0 < value < limit:
        raise InputError(Input(input_name), f" {shown(value)} is out of range. Allowed: {allowed}")
    return float(value)


def check_log_retention_days(value: Any, input_name: str = "log_retention_days") -> int:
    if isinstance(value, bool) or value not in LOG_RETENTION_DAYS:
        allowed = ", ".join(map(str, LOG_RETENTION_DAYS))
        raise InputError(
            Input(input_name),
            f" {shown(value)} is not a retention period CloudWatch Logs offers. Allowed: one of {allowed}",
        )
    return int(value)


# Why every ARN RecordingSync is given must be in the application's region.
_SAME_REGION = "every regional resource of the sync stays in that region"


def check_secret_arn(value: Any, region: str, input_name: str = "api_token_secret_arn") -> str:
    what = "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)"
    return check_regional_arn(value, input_name, _SECRET_ARN, what, region, _SAME_REGION)


def check_topic_arn(value: Any, region: str, input_name: str = "alarm_topic_arn") -> str:
    """CloudWatch alarms notify only SNS topics in their own region."""
    what = "an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)"
    return check_regional_arn(
        value,
        input_name,
        _TOPIC_ARN,
        what,
        region,
        "CloudWatch alarms notify only topics in their own region",
    )


def check_bucket_arn(value: Any, bucket_name: Any, input_name: str = "bucket_arn") -> str:
    """An S3 bucket ARN, naming ``bucket_name`` when that is known (a string)."""
    allowed = "an S3 bucket ARN (arn:aws:s3:::<bucket>) of the bucket named by bucket_name"
    if not isinstance(value, str):
        raise InputError(
            Input(input_name), f" {shown(value)} is not a string. Allowed: {allowed}{STRING_OR_OUTPUT}"
        )
    match = _BUCKET_ARN.fullmatch(value)
    if not match:
        raise InputError(Input(input_name), f" {shown(value)} is not an S3 bucket ARN. Allowed: {allowed}")
    if isinstance(bucket_name, str) and match.group(1) != bucket_name:
        raise InputError(
            Input(input_name),
            f" {shown(value)} names bucket {match.group(1)!r}, but bucket_name is {bucket_name!r}. "
            f"Allowed: {allowed}",
        )
    return value
