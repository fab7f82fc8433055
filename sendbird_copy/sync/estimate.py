"""A backfill estimate for ``sync --dry-run``: what the copies it would request will cost before
the first one is asked for: how many recordings and bytes, how many 5 MB upload requests Sendbird
makes into the bucket (each a billed S3 PUT), how long the copy POSTs take at Sendbird's limit
(5 a second per application), and the monthly storage at the bucket's storage class (S3 Standard,
where copies land, and the class a lifecycle transition moves them to). Prices: ``rules.prices``.

Room (Calls) recordings carry no ``byte_size`` (not documented for them): they are counted, and
said to be left out of the bytes, never guessed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sendbird_copy import rules
from sendbird_copy.aws import mapped
from sendbird_copy.errors import AwsError, describe
from sendbird_copy.facts import COPY_PART_SIZE, WRITE_REQUESTS_PER_SECOND
from sendbird_copy.sync.outcomes import Outcome, RecordingResult

# Each copy is a multipart upload: CreateMultipartUpload, one UploadPart per 5 MB, Complete.
REQUESTS_AROUND_PARTS = 2


@dataclass(frozen=True)
class Transition:
    """Where a bucket's lifecycle moves recordings, and after how many days."""

    days: int
    storage_class: str


def bucket_transition(s3: Any, bucket: str) -> tuple[Transition | None, str | None]:
    """The recordings' transition in the bucket's lifecycle (a rule for every object, or the
    component's ``recordings-retention``), and a note when it could not be read."""
    try:
        answer = mapped(s3).get_bucket_lifecycle_configuration(Bucket=bucket)
    except AwsError as exc:
        if exc.code == "NoSuchLifecycleConfiguration":
            return None, None
        return None, f"could not read the bucket's lifecycle ({describe(exc)}): storage priced at STANDARD"
    for rule in answer.get("Rules", []):
        filtered = rule.get("Filter") or {}
        whole_bucket = not filtered.get("Prefix") and not filtered.get("And", {}).get("Prefix")
        if rule.get("Status") != "Enabled" or not whole_bucket or filtered.get("Tag"):
            continue
        for move in rule.get("Transitions", []):
            if (
                isinstance(move.get("Days"), int)
                and move.get("StorageClass") in rules.S3_STORAGE_USD_PER_GB_MONTH
            ):
                return Transition(move["Days"], move["StorageClass"]), None
    return None, None


def _monthly(size: int, storage_class: str) -> float:
    return round(size / rules.GB * rules.S3_STORAGE_USD_PER_GB_MONTH[storage_class], 2)


def estimate(results: Iterable[RecordingResult], transition: Transition | None) -> dict[str, Any]:
    """The estimate of one application's dry run (its ``would copy`` recordings)."""
    would = [r.recording for r in results if r.outcome == Outcome.WOULD_COPY]
    sized = [r.byte_size for r in would if r.byte_size is not None]
    size = sum(sized)
    parts = sum(max(1, math.ceil(s / COPY_PART_SIZE)) for s in sized)
    requests = parts + REQUESTS_AROUND_PARTS * len(sized)
    storage = [
        {
            "storage_class": rules.LANDING_STORAGE_CLASS,
            "from_day": 0,
            "usd_per_month": _monthly(size, "STANDARD"),
        }
    ]
    if transition is not None:
        storage.append(
            {
                "storage_class": transition.storage_class,
                "from_day": transition.days,
                "usd_per_month": _monthly(size, transition.storage_class),
            }
        )
    return {
        "recordings": len(would),
        "without_byte_size": len(would) - len(sized),
        "bytes": size,
        "upload_part_requests": parts,
        "s3_requests": requests,
        "s3_request_usd": round(requests / 1000 * rules.S3_PUT_USD_PER_1000, 2),
        "copy_post_seconds": math.ceil(len(would) / WRITE_REQUESTS_PER_SECOND),
        "storage": storage,
        "prices": PRICES,
    }


PRICES = {
    "as_of": rules.S3_PRICES_AS_OF,
    "region": rules.S3_PRICES_REGION,
    "source": rules.S3_PRICING_URL,
}


def total(estimates: list[dict[str, Any]]) -> dict[str, Any]:
    """Every application's estimate added up (applications copy in parallel: the time is the longest)."""
    summed = {
        name: sum(e[name] for e in estimates)
        for name in ("recordings", "without_byte_size", "bytes", "upload_part_requests", "s3_requests")
    }
    return {
        **summed,
        "s3_request_usd": round(sum(e["s3_request_usd"] for e in estimates), 2),
        "copy_post_seconds": max((e["copy_post_seconds"] for e in estimates), default=0),
        "usd_per_month_at_landing": round(sum(e["storage"][0]["usd_per_month"] for e in estimates), 2),
        "usd_per_month_after_transitions": round(
            sum(e["storage"][-1]["usd_per_month"] for e in estimates), 2
        ),
        "prices": PRICES,
    }
