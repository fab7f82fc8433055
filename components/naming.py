"""Pure naming rules: generated bucket prefixes, KMS alias names and the tags every resource gets."""

from __future__ import annotations

import re

from sendbird_copy.project import PROJECT_NAME

from .validation import RESERVED_BUCKET_PREFIXES

# S3 appends a 26-character unique suffix to bucket_prefix; 37 + 26 = 63, the bucket-name limit.
MAX_BUCKET_PREFIX = 37
_FALLBACK_PREFIX = "recordings-"


def bucket_prefix(component_name: str) -> str:
    """A valid ``bucket_prefix`` from the component name: lowercase, a-z0-9 and '-', ends in '-'."""
    cleaned = re.sub(r"[^a-z0-9-]+", "-", component_name.lower()).strip("-")
    cleaned = re.sub(r"-{2,}", "-", cleaned)  # also rules out the reserved '--' suffixes
    if not cleaned:
        return _FALLBACK_PREFIX
    prefix = cleaned + "-"
    if prefix.startswith(RESERVED_BUCKET_PREFIXES):
        prefix = "rec-" + prefix
    return prefix[: MAX_BUCKET_PREFIX - 1].rstrip("-") + "-"


def kms_alias_name(stack: str, component_name: str) -> str:
    """``alias/sendbird-recordings/<stack>/<name>``: aliases are unique per account and region, and the
    stack part keeps dev and staging of the same application apart when they share an account."""

    def clean(part: str) -> str:
        return re.sub(r"[^A-Za-z0-9_-]+", "-", part).strip("-") or "default"

    return f"alias/{PROJECT_NAME}/{clean(stack)}/{clean(component_name)}"[:256]


def default_tags(app_id: str, extra: dict[str, str]) -> dict[str, str]:
    """Tags on every taggable resource: the caller's tags plus three of ours, which win on a clash
    (cost reports and the smoke test find the resources of one application by them)."""
    return {
        **extra,
        "ManagedBy": "pulumi",
        "Component": PROJECT_NAME,
        "SendbirdAppId": app_id,
    }
