"""The prices a backfill estimate (``sync --dry-run``) quotes: S3's list prices, dated, with their
source. US East (N. Virginia), first 50 TB tier; other regions differ by a few percent (check the
page for yours). Storage is billed per GB-month, a GB being 2^30 bytes."""

from __future__ import annotations

S3_PRICES_AS_OF = "2024-11"  # when these were read from the page below
S3_PRICING_URL = "https://aws.amazon.com/s3/pricing/"
S3_PRICES_REGION = "us-east-1"
GB = 1024**3
# USD per GB-month, by storage class (Intelligent-Tiering: its frequent-access tier, where it starts).
S3_STORAGE_USD_PER_GB_MONTH: dict[str, float] = {
    "STANDARD": 0.023,
    "INTELLIGENT_TIERING": 0.023,
    "STANDARD_IA": 0.0125,
    "ONEZONE_IA": 0.01,
    "GLACIER_IR": 0.004,
    "GLACIER": 0.0036,
    "DEEP_ARCHIVE": 0.00099,
}
# USD per 1,000 PUT, COPY, POST or LIST requests to S3 Standard: each 5 MB part Sendbird uploads is one.
S3_PUT_USD_PER_1000 = 0.005
# Where Sendbird's copies land: S3 Standard (its copy names no storage class), until a lifecycle moves them.
LANDING_STORAGE_CLASS = "STANDARD"
