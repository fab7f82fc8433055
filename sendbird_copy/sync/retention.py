"""Object Lock retention of each verified copy: the recording version itself, never the bucket default.

With ``object_lock`` on (components/storage/options/object_lock.py), the bucket has Object Lock enabled and no
default retention (the tool's own objects change and are deleted; a default would also make S3
demand a checksum header on Sendbird's uploads). So the sync retains each recording where a copy
becomes safe: in the step that writes its manifest and parent tag (``ManifestWriter``), by every
path to a safe copy, once; a retention that could not be applied is reported by key (the run's
damaged state: exit 1, the function's alarm) and retried by the next run, as a refused manifest
write is.

The version retained is the verified one: the version verification's ranged reads read (their
``VersionId`` and ``LastModified``), so a later write over the key (the copy identity's key is the
most exposed secret) never takes its place; where no read named it (a claim checked by listing), a
``HeadObject`` with ``IfMatch`` on the verified ETag gives them. ``PutObjectRetention`` names that
version. The retain-until date is counted from that LastModified (S3's clock, never the machine's):
days as days, years as calendar years (29 February to 1 March: never a day short). The date is the
same however often it is applied, so a retry never asks S3 to shorten a retention (which
COMPLIANCE refuses).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sendbird_copy.aws import mapped
from sendbird_copy.errors import ServiceError
from sendbird_copy.outputs import AppOutputs
from sendbird_copy.rules import check_object_lock_mode, check_object_lock_period


class NotRetainable(ServiceError):
    """The verified version cannot be retained (gone, changed since, or the bucket is unversioned)."""


@dataclass(frozen=True)
class Lock:
    """The retention the sync applies to each copied recording version."""

    mode: str
    period: str  # P<days>D or P<years>Y, as the stack outputs carry it

    @classmethod
    def of(cls, app: AppOutputs) -> Lock | None:
        """The application's lock, from its outputs (None: Object Lock is off)."""
        if app.object_lock_mode is None or app.object_lock_period is None:
            return None
        check_object_lock_mode("object_lock_mode", app.object_lock_mode)
        check_object_lock_period("object_lock_period", app.object_lock_period)
        return cls(app.object_lock_mode, app.object_lock_period)

    def until(self, written: datetime) -> datetime:
        return retain_until(written, self.period)

    def plan(self, key: str, etag: str | None, found: dict[str, Any] | None = None) -> dict[str, Any]:
        """What to apply, as ManifestWriter keeps it for a retry. ``found``: the object as
        verification checked it; its ``version_id`` (the version its ranged reads read) is the one
        retained, even if a later write took the key since; without it, ``apply_retention`` asks."""
        plan: dict[str, Any] = {"key": key, "etag": etag, "mode": self.mode, "period": self.period}
        version, written = (found or {}).get("version_id"), (found or {}).get("version_written")
        if isinstance(version, str) and version and isinstance(written, str):
            try:
                until = self.until(datetime.fromisoformat(written))
            except ValueError:
                return plan
            plan.update(version_id=version, until=until.isoformat())
        return plan


def retain_until(written: datetime, period: str) -> datetime:
    """``written`` (the version's LastModified) plus ``period``, in UTC, to the second (rounded up)."""
    count, unit = check_object_lock_period("period", period)
    moment = written.astimezone(UTC)
    if moment.microsecond:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    if unit == "D":
        return moment + timedelta(days=count)
    year = moment.year + count
    if moment.month == 2 and moment.day == 29 and not calendar.isleap(year):
        return moment.replace(year=year, month=3, day=1)
    return moment.replace(year=year)


def apply_retention(s3: Any, bucket: str, write: dict[str, Any]) -> int:
    """Retain the verified version named by ``write`` (``Lock.plan``); the requests made. Once its
    version is known, ``write`` keeps it (``version_id``, ``until``), so a retry names that version
    even if a later object took the key."""
    s3 = mapped(s3)
    key, requests = str(write["key"]), 0
    if not write.get("version_id"):
        extra = {"IfMatch": str(write["etag"])} if write.get("etag") else {}
        head = s3.head_object(Bucket=bucket, Key=key, **extra)
        requests += 1
        version, written = head.get("VersionId"), head.get("LastModified")
        if not version or version == "null" or not isinstance(written, datetime):
            raise NotRetainable(f"s3://{bucket}/{key} has no version to retain (is the bucket versioned?)")
        write["version_id"] = str(version)
        write["until"] = retain_until(written, str(write["period"])).isoformat()
    s3.put_object_retention(
        Bucket=bucket,
        Key=key,
        VersionId=str(write["version_id"]),
        Retention={
            "Mode": str(write["mode"]),
            "RetainUntilDate": datetime.fromisoformat(str(write["until"])),
        },
    )
    return requests + 1
