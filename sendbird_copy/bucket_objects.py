"""The sync's own small objects in the bucket (ledger entries, the sync state, the lease): read one,
write one on a condition. One home for what S3 answers when the object is missing or the condition
lost, so the ledger, the state and the lease agree on it."""

from __future__ import annotations

from typing import Any

from sendbird_copy.errors import aws_error_code

# S3's answers to a conditional write that lost (412), or that raced a concurrent one (409).
LOST_RACE = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
MISSING = frozenset({"NoSuchKey", "404"})


def read_text(s3: Any, bucket: str, key: str, max_bytes: int | None) -> tuple[str, str | None] | None:
    """The object's text (at most ``max_bytes``, None: all of it; read leniently) and its ETag; None
    when missing."""
    try:
        response = s3.get_object(Bucket=bucket, Key=key)
    except Exception as exc:
        if aws_error_code(exc) in MISSING:
            return None
        raise
    with response["Body"] as body:
        text = body.read(max_bytes).decode("utf-8", errors="replace")
    return text, response.get("ETag")


def write_json(s3: Any, bucket: str, key: str, text: str, **condition: str) -> str | None:
    """Write ``text``; with a condition (``IfNoneMatch="*"`` or ``IfMatch=etag``), None when it lost
    (another writer was first). Returns the new ETag."""
    try:
        response = s3.put_object(
            Bucket=bucket, Key=key, Body=text.encode(), ContentType="application/json", **condition
        )
    except Exception as exc:
        if condition and aws_error_code(exc) in LOST_RACE:
            return None
        raise
    return str(response.get("ETag"))
