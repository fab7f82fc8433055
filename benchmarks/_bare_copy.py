"""The bare copy the smoke test is measured against: the copy call, then list until a new object shows.

``copy_and_wait`` is what a script without checks does. ``smoke_vs_copy`` runs it in its own process,
the like-for-like measure (a CI step pays a fresh interpreter and its imports whether it runs our
smoke test or a script of its own), and in the benchmark's process, warm (the measure issue 19 first
used). This module is a helper, not a benchmark: run as ``python -m benchmarks._bare_copy`` it
imports only what a bare script needs (boto3 and the Sendbird client), so the fresh process is not
charged for the benchmark's own imports. The child reads what it needs as one JSON object on stdin, so
no key or token is on its command line:

    {"app": {app_id, api_token, api_base_url, bucket_name, region, copy_access_key_id,
             copy_secret_access_key, aws_endpoint_url}, "recording_id": "..."}

The deployer's keys come from the environment, as the smoke test's do.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

POLL_SECONDS = 0.2  # the smoke test's first polls come this often too
GIVE_UP_SECONDS = 300


def copy_and_wait(client: Any, s3: Any, app: dict[str, str], recording_id: str) -> float:
    """Seconds from the copy call to a new object in the bucket."""
    bucket = app["bucket_name"]
    before = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    started = time.perf_counter()
    client.copy_recording(
        recording_id,
        access_key=app["copy_access_key_id"],
        secret_key=app["copy_secret_access_key"],
        bucket=bucket,
        region=app["region"],
    )
    while True:
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
        if keys - before:
            return time.perf_counter() - started
        if time.perf_counter() - started > GIVE_UP_SECONDS:
            raise TimeoutError(f"recording {recording_id} never appeared in {bucket}")
        time.sleep(POLL_SECONDS)


def main() -> None:
    import boto3
    from botocore.config import Config

    from sendbird_copy.api import SendbirdClient

    spec = json.load(sys.stdin)
    app = spec["app"]
    client = SendbirdClient(app["app_id"], app["api_token"], base_url=app["api_base_url"])
    s3 = boto3.client(
        "s3",
        region_name=app["region"],
        endpoint_url=app["aws_endpoint_url"],
        config=Config(s3={"addressing_style": "path"}),
    )
    copy_and_wait(client, s3, app, spec["recording_id"])


if __name__ == "__main__":
    main()
