"""The copy as Sendbird performs it: an S3 multipart upload in 5 MB parts with the caller's keys, of
the recording's MP4 (``media.py``; damaged when the emulator was told to).

``start_upload`` runs synchronously inside the HTTP request, so a refused write (AccessDenied,
NoSuchBucket, a bad signature) comes back as the copy call's 400/400100. ``upload_parts`` then runs
in a background thread, like Sendbird's own copy that finishes after the API already answered, held
to a transfer rate by a ``Pacer`` when one is set (so a copy takes realistic time).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from localdev.sendbird_emulator.media import RecordingFile
from localdev.sendbird_emulator.state import PART_SIZE, CopyRecord, Recording

CONTENT_TYPE = "video/mp4"
# Path-style: the stand-in S3 (moto) listens on an IP address, which cannot carry a bucket subdomain.
_CONFIG = Config(
    s3={"addressing_style": "path"},
    retries={"max_attempts": 2, "mode": "standard"},
    connect_timeout=5,
    read_timeout=60,
)


class CopyCancelled(RuntimeError):
    """The emulator stopped while a copy was still running."""

    def __init__(self) -> None:
        super().__init__("the emulator stopped before the copy finished")


class Pacer:
    """Holds each part of a copy to ``bytes_per_second()`` (None: no limit), read again every
    ``SLICE`` seconds so a changed rate applies at once; every wait ends when ``cancelled`` is set."""

    SLICE = 0.1

    def __init__(
        self,
        cancelled: threading.Event,
        bytes_per_second: Callable[[], float | None] = lambda: None,
    ) -> None:
        self.cancelled = cancelled
        self._rate = bytes_per_second

    def check(self) -> None:
        if self.cancelled.is_set():
            raise CopyCancelled

    def hold(self, nbytes: int, started: float) -> None:
        """Wait until ``nbytes`` sent since ``started`` (``time.monotonic``) kept to the rate."""
        while True:
            self.check()
            rate = self._rate()
            if not rate:
                return
            remaining = started + nbytes / rate - time.monotonic()
            if remaining <= 0:
                return
            self.cancelled.wait(min(remaining, self.SLICE))


class S3Refused(Exception):
    """S3 said no (or could not be reached); the message starts with S3's error code."""


def describe(exc: Exception) -> str:
    """``Code: message`` for an S3 error, the exception text for anything else."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Unknown')}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(exc).__name__}: {exc}"


class S3Copier:
    """Makes S3 clients for copies; one boto3 session, because creating clients is not thread-safe.

    Clients are kept per (region, key pair), a few at a time: making one costs ~20 ms of CPU, which
    inside a copy request would delay the requests arriving behind it (and skew rate measurements).
    S3 still checks the keys on every request, so a revoked key or policy takes effect at once.
    """

    MAX_CLIENTS = 16

    def __init__(self, endpoint_url: str | None) -> None:
        self.endpoint_url = endpoint_url
        self._session = boto3.session.Session()
        self._lock = threading.Lock()
        self._clients: dict[tuple[str, str, str], Any] = {}

    def client(self, region: str, access_key: str, secret_key: str) -> Any:
        key = (region, access_key, hashlib.sha256(secret_key.encode()).hexdigest())
        with self._lock:
            client = self._clients.pop(key, None)
            if client is None:
                client = self._session.client(
                    "s3",
                    region_name=region,
                    endpoint_url=self.endpoint_url,
                    aws_access_key_id=access_key,
                    aws_secret_access_key=secret_key,
                    config=_CONFIG,
                )
            self._clients[key] = client  # most recently used last
            while len(self._clients) > self.MAX_CLIENTS:
                del self._clients[next(iter(self._clients))]
            return client

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
        pacer: Pacer,
    ) -> None:
        """UploadPart for each 5 MB part (each held to the pacer's rate), then
        CompleteMultipartUpload; aborts and re-raises on failure (CopyCancelled when stopped)."""
        bucket, key = copy.bucket, copy.key
        file = RecordingFile(recording.recording_id, recording.byte_size, copy.damage)
        try:
            parts = []
            for number, body in enumerate(file.parts(PART_SIZE), start=1):
                pacer.check()
                started = time.monotonic()
                etag = s3.upload_part(
                    Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
                )["ETag"]
                parts.append({"PartNumber": number, "ETag": etag})
                on_part(number)
                pacer.hold(len(body), started)
            s3.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except Exception:
            # Best effort: the narrow copy identity usually lacks s3:AbortMultipartUpload, which is
            # why the bucket's lifecycle rule aborts incomplete uploads.
            with contextlib.suppress(ClientError, BotoCoreError):
                s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
            raise
