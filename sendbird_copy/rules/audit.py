"""RecordingStorage's audit options: S3 Inventory of the recordings bucket, and where its
recording-arrived events are delivered (an EventBridge rule and target); their defaults; and how long
a restore of an archived recording stays readable (the restore command ``link`` and the sync give)."""

from __future__ import annotations

import re
from typing import Any

from sendbird_copy.redact import shown
from sendbird_copy.rules.values import STRING_OR_OUTPUT, _refuse, check_str

# Where S3 server access logs of a recordings bucket go in a log bucket (components' bucket.py); an
# inventory prefix must stay clear of it.
S3_ACCESS_LOG_PREFIX = "s3-access-logs/"

# How many days a restored copy of a GLACIER or DEEP_ARCHIVE object stays readable, in the restore
# command given for it (an Intelligent-Tiering object moves back to its Frequent Access tier instead).
RESTORE_DAYS = 7

# -- S3 Inventory ----------------------------------------------------------------------------------
INVENTORY_FREQUENCIES = ("Daily", "Weekly")
# Parquet by default: typed, columnar and compressed, so Athena reads only the columns a query asks
# for; a CSV inventory has no header row (the column order is only in its manifest.json).
INVENTORY_FORMATS = ("Parquet", "ORC", "CSV")
INVENTORY_VERSIONS = ("Current", "All")
DEFAULT_INVENTORY_FREQUENCY = "Daily"
DEFAULT_INVENTORY_FORMAT = "Parquet"
DEFAULT_INVENTORY_VERSIONS = "Current"
# Where the report lands in the destination bucket: S3 writes <prefix>/<source bucket>/<config id>/...
DEFAULT_INVENTORY_PREFIX = "s3-inventory"
# The optional fields an audit of the recordings reads (each of S3's InventoryOptionalField enum, which
# pulumi-aws v7's provider validates against; a test checks them against botocore's model).
INVENTORY_FIELDS = (
    "Size",
    "LastModifiedDate",
    "StorageClass",
    "ETag",
    "EncryptionStatus",
    "BucketKeyStatus",
    "ReplicationStatus",
    "ObjectLockMode",
    "ObjectLockRetainUntilDate",
    "ObjectLockLegalHoldStatus",
    "IntelligentTieringAccessTier",
    "ChecksumAlgorithm",
)
# A key prefix: S3 key characters that need no escaping, no leading or trailing "/".
_PREFIX = re.compile(r"[A-Za-z0-9!_.*'()-]+(?:/[A-Za-z0-9!_.*'()-]+)*")
MAX_INVENTORY_PREFIX = 512
INVENTORY_PREFIX_ALLOWED = (
    f"1-{MAX_INVENTORY_PREFIX} characters of letters, digits and !_.*'()- in parts separated by /, "
    "no / at either end"
)


def check_choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    allowed = ", ".join(choices)
    check_str(name, value, allowed)
    if value not in choices:
        raise _refuse(name, f" {shown(value)} is not one of them. Allowed: {allowed} (as written)")
    return str(value)


def check_inventory_fields(name: str, value: Any) -> tuple[str, ...]:
    allowed = f"a list of {', '.join(INVENTORY_FIELDS)}"
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise _refuse(name, f" {shown(value)} is not a list. Allowed: {allowed}")
    for field in value:
        if field not in INVENTORY_FIELDS:
            raise _refuse(name, f" has {shown(field)}. Allowed: {allowed}")
    if len(set(value)) != len(value):
        raise _refuse(name, f" {shown(list(value))} names a field twice. Allowed: {allowed}, each once")
    return tuple(value)


def check_inventory_prefix(name: str, value: Any, taken: str) -> str:
    """A destination prefix; never ``taken`` (the access logs' prefix) nor under it."""
    check_str(name, value, INVENTORY_PREFIX_ALLOWED)
    if len(value) > MAX_INVENTORY_PREFIX or not _PREFIX.fullmatch(value):
        raise _refuse(name, f" {shown(value)} is not a key prefix. Allowed: {INVENTORY_PREFIX_ALLOWED}")
    if (value + "/").startswith(taken) or taken.startswith(value + "/"):
        raise _refuse(
            name,
            f" {shown(value)} overlaps the access logs' prefix {taken}: the log bucket admits each "
            "service under its own prefix only. Allowed: another prefix",
        )
    return str(value)


# -- where recording-arrived events go -------------------------------------------------------------
# The targets a rule reaches without a role of its own (their resource policy admits EventBridge), and
# the one that needs a role (another event bus): service -> the resource part of its ARN.
_TARGET_RESOURCES = {
    "sqs": r"[A-Za-z0-9_-]{1,80}(?:\.fifo)?",
    "sns": r"[A-Za-z0-9_-]{1,256}(?:\.fifo)?",
    "lambda": r"function:[A-Za-z0-9_-]{1,140}(?::[A-Za-z0-9$_-]{1,128})?",
    "events": r"event-bus/[A-Za-z0-9/_.-]{1,256}",
}
_TARGET_ARN = re.compile(
    r"arn:aws[a-z-]*:(?P<service>sqs|sns|lambda|events):(?P<region>[a-z0-9-]+):\d{12}:(?P<resource>.+)"
)
EVENT_BUS_SERVICE = "events"
EVENT_TARGET_ALLOWED = (
    "the ARN of an SQS queue, SNS topic or Lambda function in the application's region, or of an "
    "EventBridge event bus (arn:aws:events:<region>:<account>:event-bus/<name>)"
)


def event_target_service(arn: str) -> str:
    """The service of a checked target ARN: sqs, sns, lambda or events."""
    return arn.split(":", 3)[2]


def check_event_target_arn(name: str, value: Any, region: str, bus_allowed: bool = True) -> str:
    """An EventBridge target for recording-arrived events. A queue, topic or function must be in
    ``region`` (a rule reaches those only in its own region); an event bus may be in any. With
    ``bus_allowed`` False (an ARN known only after the resources are declared), no event bus: that
    target needs a role, which is declared with the rule."""
    check_str(name, value, EVENT_TARGET_ALLOWED, outputs=True)
    match = _TARGET_ARN.fullmatch(value)
    if match is None or not re.fullmatch(_TARGET_RESOURCES[match["service"]], match["resource"]):
        problem = f" {shown(value)} is not a target EventBridge can deliver to"
        raise _refuse(name, f"{problem}. Allowed: {EVENT_TARGET_ALLOWED}")
    service = match["service"]
    if service == EVENT_BUS_SERVICE and not bus_allowed:
        raise _refuse(
            name,
            f" {shown(value)} is an event bus given as a pulumi Output: its delivery role must be declared "
            "with the rule, before any Output resolves. Allowed: the bus ARN as a plain string, or a "
            f"queue, topic or function ARN{STRING_OR_OUTPUT}",
        )
    if service != EVENT_BUS_SERVICE and match["region"] != region:
        raise _refuse(
            name,
            f" {shown(value)} is in {match['region']}, but the application's region is {region}: an "
            f"EventBridge rule reaches a queue, topic or function only in its own region. Allowed: "
            f"{EVENT_TARGET_ALLOWED}",
        )
    return str(value)
