"""``link``: a presigned GET URL for a recording's object, like the 24-hour download link of
Sendbird's dashboard, signed with the operator's own credentials.

The object's key comes from the recording's manifest (any age), else from its ledger entry (a copy
made before manifests, while the entry lasts). A HeadObject with the same credentials first proves
the object is there and the credentials work: a URL is presigned offline, and one signed with a
wrong or revoked key would only fail later, in someone else's browser.

What bounds the URL: its own expiry (1 s to 7 days, SigV4's limit) and the credentials that signed
it. Temporary credentials (a role, SSO, a session token) end sooner than that, and the URL stops
working with them: the report says so, with their end when botocore knows it. The URL carries the
access key id, the signature and, with temporary credentials, the session token (as every URL
presigned with them must); never the secret key.

An object in an archive (Intelligent-Tiering's archive tiers, GLACIER, DEEP_ARCHIVE: HeadObject's
``ArchiveStatus`` and ``StorageClass``) gets no URL, which would fail with InvalidObjectState: the
report says where it is and gives the command that restores it (``sync/archive.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote

from sendbird_copy.errors import AwsNotFound, ServiceError
from sendbird_copy.lookup.find import FindQuery, ManifestFinder
from sendbird_copy.redact import redact
from sendbird_copy.sync.archive import archived_in, describe_archived, restoring
from sendbird_copy.sync.bucket.ledger import COPIED, Ledger


@dataclass
class LinkReport:
    """One recording's link (the report of the application that holds it)."""

    app_id: str
    recording_id: str
    bucket: str
    key: str
    source: str  # "manifest" or "ledger"
    url: str = field(repr=False)
    expires_at: datetime
    size: int | None = None
    notes: list[str] = field(default_factory=list)
    passed: bool = True

    def to_dict(self) -> dict[str, Any]:
        expires_at = self.expires_at.isoformat(timespec="seconds")
        return {
            "app_id": self.app_id,
            "passed": self.passed,
            "recording_id": self.recording_id,
            "bucket": self.bucket,
            "key": self.key,
            "size": self.size,
            "key_from": self.source,
            "url": self.url,
            "expires_at": expires_at,
            "notes": list(self.notes),
        }


class NotInBucket(ServiceError):
    """No manifest or copied ledger entry names the recording, or its object is gone (exit 1)."""


class Archived(ServiceError):
    """The recording's object must be restored before a download URL can work (exit 1)."""


@dataclass(frozen=True)
class Place:
    """Where a recording's object is, and where that was learnt ("manifest" or "ledger")."""

    app_id: str
    bucket: str
    recording_id: str
    key: str
    source: str
    etag: str | None = None  # the verified copy's, as its manifest or ledger entry recorded it


class AppBucket(NamedTuple):
    """One application's recordings bucket, with the S3 client to read it."""

    s3: Any
    bucket: str
    app_id: str


def locate_in_any(buckets: Sequence[AppBucket], recording_id: str) -> tuple[AppBucket, Place]:
    """The application whose bucket holds the recording, and where. Every bucket is looked in before
    giving up: one that cannot be read (a damaged manifest, access refused) does not hide the
    recording in another; when none has it, the refusal names each that could not be read, since
    "not copied" is then not shown."""
    unread: list[str] = []
    for app in buckets:
        try:
            place = locate(app.s3, app.bucket, app.app_id, recording_id)
        except ServiceError as exc:
            unread.append(f"{app.app_id}: {exc}")
            continue
        if place is not None:
            return app, place
    where = ", ".join(app.app_id for app in buckets)
    message = f"no manifest or copied ledger entry names recording {recording_id} (applications: {where})"
    if unread:
        message += "; and these could not be looked in, so it may be there: " + "; ".join(unread)
    raise NotInBucket(message)


def locate(s3: Any, bucket: str, app_id: str, recording_id: str) -> Place | None:
    """Where a recording's object is in one bucket; None when no manifest and no copied ledger entry
    names it."""
    found = ManifestFinder(s3, bucket, app_id).find(FindQuery(recording_id=recording_id))
    if found.error is not None:
        raise NotInBucket(found.error)
    for recording in found.found:
        etag = recording.object.get("etag")
        return Place(app_id, bucket, recording_id, str(recording.object["key"]), "manifest", _text(etag))
    stored = Ledger(s3, bucket, app_id).read(recording_id)
    entry = stored.entry if stored else None
    copied = (entry.object or {}) if entry is not None and entry.state == COPIED else {}
    key = copied.get("key")
    if not isinstance(key, str) or not key:
        return None
    return Place(app_id, bucket, recording_id, key, "ledger", _text(copied.get("etag")))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def presign(
    presigner: Any, place: Place, seconds: int, now: datetime, credentials: tuple[bool, datetime | None]
) -> LinkReport:
    """The URL, after a HeadObject with the same credentials shows the object and the key work."""
    bucket, key = place.bucket, place.key
    try:
        head = presigner.head_object(Bucket=bucket, Key=key)
    except AwsNotFound:
        raise NotInBucket(
            f"recording {place.recording_id}: its object s3://{bucket}/{quote(key)} is gone from the bucket"
        ) from None
    where = archived_in(head)
    if where is not None:
        raise Archived(
            f"recording {place.recording_id}: no URL, it would fail until the object is restored: "
            + describe_archived(bucket, key, where, restoring(head))
        )
    url = presigner.generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=seconds
    )
    expires = now + timedelta(seconds=seconds)
    report = LinkReport(
        place.app_id, place.recording_id, bucket, key, place.source, url, expires, head.get("ContentLength")
    )
    temporary, ends = credentials
    if temporary and ends is not None and ends < expires:
        report.notes.append(
            f"signed with temporary credentials that end at {ends.isoformat(timespec='seconds')}: "
            "the URL stops working then, before its own expiry"
        )
        report.expires_at = ends
    elif temporary:
        report.notes.append(
            "signed with temporary credentials (a session token): the URL stops working when they end, "
            "if that is before its own expiry"
        )
    return report


def shows_secret(url: str, secrets: list[str]) -> bool:
    """Would ``url`` show one of ``secrets`` (as it is, or percent-encoded as a URL carries it)?"""
    return redact(url, [*secrets, *(quote(s, safe="") for s in secrets)]) != url
