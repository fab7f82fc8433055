"""``hold``: an S3 Object Lock legal hold on a copied recording, placed or released with the operator's
own credentials (``s3:PutObjectLegalHold``; the copy identity is refused it by the bucket policy).

A legal hold keeps a version from being deleted or overwritten until it is released, whatever its
retention says, and has no end date: for a recording under litigation or audit. The object's key
comes from the recording's manifest, else its ledger entry (``link.locate``); a ``HeadObject`` names
the current version, and the hold is set on that version by its id, which the report shows. The
bucket needs Object Lock (RecordingStorage's ``object_lock``): without it S3 refuses, and the report
says how to turn it on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sendbird_copy.errors import AwsAccessDenied, AwsError, AwsNotFound, ServiceError
from sendbird_copy.lookup.link import NotInBucket, Place

ON, OFF = "ON", "OFF"


class HoldRefused(ServiceError):
    """S3 refused the legal hold: the bucket has no Object Lock, or the credentials lack the right."""


@dataclass
class HoldReport:
    """One recording's legal hold (the report of the application that holds it)."""

    app_id: str
    recording_id: str
    bucket: str
    key: str
    version_id: str
    status: str  # ON or OFF: what the version's legal hold is now
    source: str  # where the key was learnt: "manifest" or "ledger"
    notes: list[str] = field(default_factory=list)
    passed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "passed": self.passed,
            "recording_id": self.recording_id,
            "bucket": self.bucket,
            "key": self.key,
            "version_id": self.version_id,
            "legal_hold": self.status,
            "key_from": self.source,
            "notes": list(self.notes),
        }


def set_legal_hold(s3: Any, place: Place, release: bool) -> HoldReport:
    """Place (or with ``release`` lift) the legal hold on the recording's current version."""
    bucket, key = place.bucket, place.key
    where = f"recording {place.recording_id}: s3://{bucket}/{quote(key)}"
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except AwsNotFound:
        raise NotInBucket(f"{where} is gone from the bucket") from None
    version = head.get("VersionId")
    if not version or version == "null":
        raise HoldRefused(
            f"{where} has no version id: the bucket is not versioned, so it cannot have Object Lock "
            "(RecordingStorage turns versioning on; was the bucket made elsewhere?)"
        )
    status = OFF if release else ON
    try:
        s3.put_object_legal_hold(Bucket=bucket, Key=key, VersionId=version, LegalHold={"Status": status})
    except AwsAccessDenied as exc:
        raise HoldRefused(
            f"{where}: your AWS credentials may not set its legal hold ({exc.code}): they need "
            f"s3:PutObjectLegalHold on arn:aws:s3:::{bucket}/* (the copy identity never may)"
        ) from None
    except AwsError as exc:
        if exc.code == "InvalidRequest" and "objectlock" in str(exc).lower().replace(" ", ""):
            raise HoldRefused(
                f"{where}: the bucket {bucket} has no Object Lock, so no legal hold. Turn it on with the "
                "stack's object_lock setting (docs/configuration.md) and `pulumi up`; S3 never turns it "
                "off again"
            ) from None
        raise
    report = HoldReport(place.app_id, place.recording_id, bucket, key, str(version), status, place.source)
    lock = head.get("ObjectLockMode")
    if lock and head.get("ObjectLockRetainUntilDate"):
        until = head["ObjectLockRetainUntilDate"]
        shown = until.isoformat(timespec="seconds") if hasattr(until, "isoformat") else str(until)
        report.notes.append(f"its {lock} retention runs until {shown}, hold or no hold")
    return report
