"""Each scheduled run checks Sendbird's write path as the copy identity, before a recording needs it.

One small probe object, written with the copy key from its secret exactly as Sendbird's copy writes
(PutObject with no SSE headers: the bucket's default SSE-KMS with our key applies, so in AWS the copy
identity's KMS grant is exercised too). A refused key (inactive, deleted, a wrong secret), a grant
that lost ``s3:PutObject``, a bucket or key policy that refuses it: each shows in the run that meets
it, as the WritePathBroken metric and its alarm, not days later as failed copies.

The copy key's status is not read through IAM: the function's role has no IAM rights (least
privilege), and in AWS an inactive or deleted key fails the probe itself (InvalidAccessKeyId; moto
accepts an inactive key: the shared DESIGN.md's notes on moto). The probe is one object per
application, overwritten by each run, under the preflight prefix whose lifecycle rule expires it and
its older versions after a day: the role needs no delete right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from sendbird_copy.aws import mapped
from sendbird_copy.errors import AwsAccessDenied, AwsCredentialsRejected, AwsError, describe
from sendbird_copy.facts import PREFLIGHT_PREFIX

PROBE_BODY = b"sendbird-copy scheduled write-path probe: safe to delete\n"


def probe_key(app_id: str) -> str:
    """The one probe object of ``app_id``: under the preflight prefix, never a tool prefix."""
    return f"{PREFLIGHT_PREFIX}sync-probe/{quote(app_id, safe='')}.txt"


@dataclass(frozen=True)
class WritePath:
    """The probe's verdict: ``problem`` says what is broken (None: the copy identity can write)."""

    key: str
    problem: str | None = None

    @property
    def broken(self) -> bool:
        return self.problem is not None

    def to_dict(self) -> dict[str, Any]:
        return {"probe_key": self.key, "ok": not self.broken, "problem": self.problem}


def check_write_path(copy_s3: Any, bucket: str, app_id: str) -> WritePath:
    """Write the probe with ``copy_s3`` (an S3 client signed with the copy key) into ``bucket``."""
    key = probe_key(app_id)
    try:
        mapped(copy_s3).put_object(Bucket=bucket, Key=key, Body=PROBE_BODY, ContentType="text/plain")
    except AwsCredentialsRejected as exc:
        return WritePath(
            key,
            f"AWS refuses the copy key itself: {describe(exc)}. The copy key secret holds an inactive, "
            "deleted or wrong key: rotate it (pulumi up) so Sendbird and this function get a working one",
        )
    except AwsAccessDenied as exc:
        return WritePath(
            key,
            f"the copy identity may not write s3://{bucket}/{key}: {describe(exc)}. Its grant (s3:PutObject "
            "on the bucket, the KMS key through S3) or the bucket policy changed: redeploy the stack",
        )
    except AwsError as exc:
        return WritePath(key, f"the copy identity's probe write failed: {describe(exc)}")
    return WritePath(key)
