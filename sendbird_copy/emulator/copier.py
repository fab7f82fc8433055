"""The copy as Sendbird performs it: an S3 multipart upload in 5 MB parts with the caller's keys.

``start_upload`` runs synchronously inside the HTTP request, so a refused write (AccessDenied,
NoSuchBucket, a bad signature) comes back as the copy call's 400/400100. ``upload_parts`` then runs
in a background thread, like Sendbird's own copy that finishes after the API already answered.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from sendbird_copy.emulator.state import PART_SIZE, CopyRecord, Recording, iter_parts

CONTENT_TYPE = "video/mp4"
# Path-style: the stand-in S3 (moto) listens on an IP address, which cannot carry a bucket subdomain.
_CONFIG = Config(
    s3={"addressing_style": "path"},
    retries={"max_attempts": 2, "mode": "standard"},
    connect_timeout=5,
    read_timeout=60,
)


class S3Refused(Exception):
    """S3 said no (or could not be reached); the message starts with S3's error code."""


def describe(exc: Exception) -> str:
    """``Code: message`` for an S3 error, the exception text for anything else."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Unknown')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


class S3Copier:
    """Makes S3 clients for copies; one boto3 session, because creating clients is not thread-safe."""

    def __init__(self, endpoint_url: str | None) -> None:
        self.endpoint_url = endpoint_url
        self._session = boto3.session.Session()
        self._lock = threading.Lock()

    def client(self, region: str, access_key: str, secret_key: str) -> Any:
        with self._lock:
            return self._session.client(
                "s3",
                region_name=region,
                endpoint_url=self.endpoint_url,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=_CONFIG,
            )

    @staticmethod
    def start_upload(s3: Any, bucket: str, key: str) -> str:
        """CreateMultipartUpload; returns the upload id or raises S3Refused."""
        try:
            return str(
                s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType=CONTENT_TYPE)["UploadId"]
            )
        except (ClientError, BotoCoreError) as exc:
            raise S3Refused(describe(exc)) from exc

    @staticmethod
    def upload_parts(
        s3: Any,
        copy: CopyRecord,
        upload_id: str,
        recording: Recording,
        on_part: Callable[[int], None],
        cancelled: threading.Event,
    ) -> None:
        """UploadPart for each 5 MB part, then CompleteMultipartUpload; aborts and re-raises on failure."""
        bucket, key = copy.bucket, copy.key
        recording_id, byte_size = recording.recording_id, recording.byte_size
        try:
            parts = []
            for number, body in enumerate(iter_parts(recording_id, byte_size, PART_SIZE), start=1):
                if cancelled.is_set():
                    raise RuntimeError("the emulator stopped before the copy finished")
                etag = s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
                )["ETag"]
                parts.append({"PartNumber": number, "ETag": etag})
                on_part(number)
            s3.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except Exception:
            # Best effort: the narrow copy identity usually lacks s3:AbortMultipartUpload, which is
            # why the bucket's lifecycle rule aborts incomplete uploads.
            with contextlib.suppress(ClientError, BotoCoreError):
                s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise
