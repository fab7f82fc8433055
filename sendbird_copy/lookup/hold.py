"""``hold``: an S3 Object Lock legal hold on a copied recording, placed or released with the operator's
own credentials (``s3:PutObjectLegalHold``; the copy identity is refused it by the bucket policy).

A legal hold keeps a version from being deleted or overwritten until it is released, whatever its
retention says, and has no end date: for a recording under litigation or audit. The object's key
comes from the recording's manifest, else its ledger entry (``link.locate``); a ``HeadObject`` (with
``IfMatch`` on the verified copy's ETag) names the current version, and the hold is set on that
version by its id, which the report shows. When a later write took the key (the copy identity's key
is the most exposed secret), the current version is not the recording: the hold goes on the version
with the verified ETag (``ListObjectVersions``), said in a note, or is refused; never silently on
the newer object. The
bucket needs Object Lock (RecordingStorage's ``object_lock``): without it S3 refuses, and the report
says how to turn it on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sendbird_copy.errors import AwsAccessDenied, AwsError, AwsNotFound, AwsPreconditionFailed, ServiceError
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
    notes: list[str] = []
    try:
        head = s3.head_object(Bucket=bucket, Key=key, **({"IfMatch": place.etag} if place.etag else {}))
    except AwsNotFound:
        raise NotInBucket(f"{where} is gone from the bucket") from None
    except AwsPreconditionFailed:
        head = _verified_version(s3, place, where)
        notes.append(
            f"the current version of s3://{bucket}/{quote(key)} is not the copy the sync verified (ETag "
            f"{place.etag}): a later write took its key; the hold is on the verified version"
        )
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
    report = HoldReport(
        place.app_id, place.recording_id, bucket, key, str(version), status, place.source, notes
    )
    lock = head.get("ObjectLockMode")
    if lock and head.get("ObjectLockRetainUntilDate"):
        until = head["ObjectLockRetainUntilDate"]
        shown = until.isoformat(timespec="seconds") if hasattr(until, "isoformat") else str(until)
        report.notes.append(f"its {lock} retention runs until {shown}, hold or no hold")
    return report


def _verified_version(s3: Any, place: Place, where: str) -> dict[str, Any]:
    """The version of ``place.key`` with the verified ETag, as HeadObject shows it; refused when
    there is none or the versions cannot be listed."""
    bucket, key = place.bucket, place.key
    try:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key)
        versions = [v for page in pages for v in page.get("Versions", []) if v.get("Key") == key]
    except AwsError as exc:
        raise HoldRefused(
            f"{where}: its current version is not the copy the sync verified (ETag {place.etag}), and "
            f"its versions could not be listed ({exc.code}): hold the verified version by its id with "
            f"`aws s3api list-object-versions` and `aws s3api put-object-legal-hold --version-id`"
        ) from None
    match = [v for v in versions if v.get("ETag") == place.etag]
    if not match:
        raise HoldRefused(
            f"{where}: no version of it has the ETag of the copy the sync verified ({place.etag}); "
            "nothing was held"
        )
    return dict(s3.head_object(Bucket=bucket, Key=key, VersionId=match[0]["VersionId"]))
