"""Recordings in an archive: an object S3 must restore before any GET (Intelligent-Tiering's Archive
Access and Deep Archive Access tiers, the GLACIER and DEEP_ARCHIVE storage classes), told apart from a
damaged one, with the command that restores it. HeadObject says so (``ArchiveStatus``, ``StorageClass``,
``Restore``); a listing shows the storage class only; a GET of such an object fails with
``InvalidObjectState``."""

from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from typing import Any

from sendbird_copy.rules import RESTORE_DAYS

# Storage classes whose objects need a restore before a GET (GLACIER_IR does not).
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
# What S3 answers a GET of an object in an archive.
ARCHIVED_ERROR = "InvalidObjectState"
# How long a standard restore takes, by where the object is (AWS's documented times).
RESTORE_TIME = {
    "ARCHIVE_ACCESS": "3-5 hours",
    "DEEP_ARCHIVE_ACCESS": "up to 12 hours",
    "GLACIER": "3-5 hours",
    "DEEP_ARCHIVE": "up to 12 hours",
}


def archived_in(head: Mapping[str, Any]) -> str | None:
    """Where HeadObject's answer (or a listing item) says the object is archived: the
    Intelligent-Tiering tier or the storage class; None when a GET works (also once restored)."""
    restore = str(head.get("Restore") or "")
    if 'ongoing-request="false"' in restore:
        return None  # restored: readable until the restore expires
    tier = head.get("ArchiveStatus")
    if tier:
        return str(tier)
    storage_class = head.get("StorageClass")
    return str(storage_class) if storage_class in ARCHIVE_CLASSES else None


def restoring(head: Mapping[str, Any]) -> bool:
    """Whether a restore of the object is under way."""
    return 'ongoing-request="true"' in str(head.get("Restore") or "")


def restore_command(bucket: str, key: str, where: str) -> str:
    """The AWS CLI command that restores the object (standard retrieval)."""
    request: dict[str, Any] = {}
    if where in ARCHIVE_CLASSES:
        request = {"Days": RESTORE_DAYS, "GlacierJobParameters": {"Tier": "Standard"}}
    body = json.dumps(request, separators=(",", ":"))
    return (
        f"aws s3api restore-object --bucket {shlex.quote(bucket)} --key {shlex.quote(key)} "
        f"--restore-request {shlex.quote(body)}"
    )


def describe_archived(bucket: str, key: str, where: str, in_progress: bool = False) -> str:
    """What to tell the user about an archived object: where it is, and how to read it again."""
    place = (
        f"Intelligent-Tiering's {where} tier" if where.endswith("_ACCESS") else f"the {where} storage class"
    )
    took = RESTORE_TIME.get(where, "hours")
    if in_progress:
        return f"s3://{bucket}/{key} is in {place} and its restore is under way ({took}): try again after it"
    return (
        f"s3://{bucket}/{key} is in {place}: it must be restored ({took}) before it can be read. Restore "
        f"it with: {restore_command(bucket, key, where)}"
    )
