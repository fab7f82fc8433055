"""How ``find`` scales with the number of manifests: S3 requests and time per query kind at a small
and a large bucket (default 1,000 and 20,000 manifests), side by side with their ratio.

On moto (IAM auth on): one application whose manifests are spread over a year of recordings, two
recordings per live event, each with its object. Queries: a recording id, a live event, the last
seven days, and a live event within those seven days. The key layout (``sync/manifest.py``: date,
then parent, then recording) makes a time range a listing of the range alone; an id or a parent is
one listing of every key (1,000 a request), and only matches are read (one GetObject and one
HeadObject each).

    .venv/bin/python -m benchmarks.find_scaling [--small 1000] [--large 20000]
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks._arguments import count
from benchmarks.sync_history import CountedS3
from localdev.moto_server import MotoServer, running_moto_server
from sendbird_copy.lookup.find import FindQuery, ManifestFinder
from sendbird_copy.sync.discovery import LIVE_EVENT
from sendbird_copy.sync.manifest import ManifestKey

APP, BUCKET, REGION = "BENCH-APP", "bench-manifests", "ap-northeast-1"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def seed(moto: MotoServer, total: int) -> Any:
    s3 = moto.client("s3", REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})

    def put(n: int) -> None:
        started = NOW - timedelta(days=365) + timedelta(days=365) * n / total
        rid, parent = f"rec-{n:06d}", f"event-{n // 2:06d}"
        key = ManifestKey.of(APP, LIVE_EVENT, parent, rid, started)
        document = {
            "recording_id": rid,
            "parent": {"kind": LIVE_EVENT, "id": parent},
            "started_at": started.isoformat(),
            "filed_at": started.isoformat(),
            "object": {"bucket": BUCKET, "key": f"{rid}.mp4", "size": 1},
        }
        s3.put_object(Bucket=BUCKET, Key=f"{rid}.mp4", Body=b"x")
        s3.put_object(Bucket=BUCKET, Key=key.key, Body=json.dumps(document).encode())

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, range(total)))
    return s3


def queries(total: int) -> dict[str, FindQuery]:
    middle = total // 2
    # The last seven days (a tiny run's manifests are too sparse for a week: a longer range then).
    week = NOW - timedelta(days=max(7.0, 365 * 3 / total))
    late = total - 2  # a live event inside the last week
    return {
        "recording id": FindQuery(recording_id=f"rec-{middle:06d}"),
        "live event": FindQuery(live_event=f"event-{middle // 2:06d}"),
        "time range": FindQuery(since=week),
        "live event + range": FindQuery(live_event=f"event-{late // 2:06d}", since=week),
    }


def measure(moto: MotoServer, total: int) -> dict[str, tuple[int, float, int]]:
    s3 = seed(moto, total)
    counted = CountedS3(s3)
    finder = ManifestFinder(counted.client, BUCKET, APP)
    results: dict[str, tuple[int, float, int]] = {}
    for name, query in queries(total).items():
        counted.calls.clear()
        started = time.perf_counter()
        report = finder.find(query)
        wall = time.perf_counter() - started
        assert report.error is None and report.found, (name, report.to_dict())
        results[name] = (sum(counted.calls.values()), wall, len(report.found))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=count, default=1000)
    parser.add_argument("--large", type=count, default=20000)
    args = parser.parse_args()
    with running_moto_server() as moto:
        small = measure(moto.reset(), args.small)
        large = measure(moto.reset(), args.large)
    print(f"find over {args.small:,} and {args.large:,} manifests (moto, IAM auth on):")
    for name, (requests_s, wall_s, found_s) in small.items():
        requests_l, wall_l, found_l = large[name]
        print(
            f"  {name:<20} {args.small:>6,}: {requests_s:4d} S3 requests {wall_s:6.2f} s ({found_s} found)   "
            f"{args.large:>6,}: {requests_l:4d} S3 requests {wall_l:6.2f} s ({found_l} found)   "
            f"ratio {requests_l / max(1, requests_s):5.1f}x requests, {wall_l / max(wall_s, 1e-9):5.1f}x time"
        )


if __name__ == "__main__":
    main()
