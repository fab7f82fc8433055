"""The one place that makes boto3 clients, for the two identities the helper acts as, and reads and
writes the sync's own small JSON objects in the bucket.

- the deployer: the standard AWS credential chain (env, profile, SSO, instance role), for the checks
  only an administrator may run (IAM key status, bucket region, KMS key, object encryption);
- the copy identity: the access key from the stack outputs, exactly what Sendbird will sign with.

Both honour ``AWS_ENDPOINT_URL`` (botocore's own variable) and ``--aws-endpoint-url``; with an
override, S3 uses path-style URLs because a local endpoint (moto on 127.0.0.1) has no bucket
subdomains. boto3 is imported lazily so that ``sendbird-copy --help`` starts fast.

Every client handed out maps boto3's failures once, here at the boundary, into the error tree
(``errors.aws_error``): a call, a paginator's pages and a waiter raise ``AwsNotFound``,
``AwsAccessDenied``, ``AwsPreconditionFailed``... carrying AWS's code and the operation, so the
callers name the errors they expect instead of sorting botocore's."""

from __future__ import annotations

import gzip
import os
import threading
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sendbird_copy.errors import AwsNotFound, AwsPreconditionFailed, OwnObjectTooLarge, aws_error
from sendbird_copy.facts import TOOL_OBJECT_MAX_BYTES

if TYPE_CHECKING:
    from sendbird_copy.outputs import AppOutputs
from sendbird_copy.rules.aws import AWS_CONNECT_TIMEOUT_S, AWS_MAX_ATTEMPTS, AWS_READ_TIMEOUT_S

# -- from aws ------------------------------------------------------------
CONNECT_TIMEOUT, READ_TIMEOUT, MAX_ATTEMPTS = AWS_CONNECT_TIMEOUT_S, AWS_READ_TIMEOUT_S, AWS_MAX_ATTEMPTS


def endpoint_override(flag: str | None, environ: Mapping[str, str] | None = None) -> str | None:
    """The endpoint every client should use: the flag wins over the environment variable."""
    return flag or (os.environ if environ is None else environ).get("AWS_ENDPOINT_URL") or None


@dataclass
class AwsClients:
    """Builds (and caches) clients per identity, service and region."""

    endpoint_url: str | None = None
    _cache: dict[tuple[str, str, str], Any] = field(default_factory=dict, repr=False)
    _deployer_session: Any = field(default=None, repr=False)
    # A boto3 session is not thread-safe, its clients are: the smoke test's checks run at once.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def deployer(self, service: str, region: str) -> Any:
        return self._client(("deployer", service, region), service, region)

    def copy_identity(self, service: str, region: str, app: AppOutputs) -> Any:
        # The deployer's session with the copy user's keys for this client only: one session
        # loads each service model once (a second session loaded S3's again, ~0.15 s per run).
        key = ("copy:" + app.copy_access_key_id, service, region)
        keys = {
            "aws_access_key_id": app.copy_access_key_id,
            "aws_secret_access_key": app.copy_secret_access_key,
        }
        return self._client(key, service, region, keys)

    def require_deployer_credentials(self) -> None:
        """Resolve the deployer's credential chain now: none at all is a configuration error."""
        from botocore.exceptions import NoCredentialsError

        if self._session().get_credentials() is None:
            raise NoCredentialsError()  # errors.classify: a usage error (exit 2)

    def deployer_secrets(self) -> list[str]:
        """The deployer's resolved secret (and session token), so reports can redact them."""
        if self._deployer_session is None:
            return []
        creds = self._deployer_session.get_credentials()
        if creds is None:
            return []
        frozen = creds.get_frozen_credentials()
        return [s for s in (frozen.secret_key, frozen.token) if s]

    def deployer_credential_facts(self) -> tuple[bool, Any]:
        """(temporary?, when they end or None): what bounds a presigned URL besides its own expiry.
        Never a secret: only whether a session token exists, and the expiry botocore knows."""
        creds = self._session().get_credentials()
        if creds is None:
            return False, None
        # Refreshable credentials (a role, SSO) know their end; env/profile session tokens do not.
        return bool(creds.get_frozen_credentials().token), getattr(creds, "_expiry_time", None)

    def presigner(self, region: str) -> Any:
        """The deployer's S3 client for presigned URLs: always SigV4 (its 7-day bound, and the only
        signature S3 accepts in newer regions)."""
        from botocore.config import Config

        s3_style = "path" if self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") else "virtual"
        config = Config(signature_version="s3v4", s3={"addressing_style": s3_style})
        client = self._session().client(
            "s3", region_name=region, endpoint_url=self.endpoint_url, config=config
        )
        return mapped(client)

    def _session(self) -> Any:
        with self._lock:
            if self._deployer_session is None:
                import boto3

                self._deployer_session = boto3.session.Session()
            return self._deployer_session

    def _client(
        self, key: tuple[str, str, str], service: str, region: str, keys: Mapping[str, str] | None = None
    ) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = mapped(self._new_client(service, region, keys))
            return self._cache[key]

    def _new_client(self, service: str, region: str, keys: Mapping[str, str] | None) -> Any:
        from botocore.config import Config

        s3_style = "path" if self.endpoint_url or os.environ.get("AWS_ENDPOINT_URL_S3") else "auto"
        config = Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
            s3={"addressing_style": s3_style},
        )
        return self._session().client(
            service, region_name=region, endpoint_url=self.endpoint_url, config=config, **(keys or {})
        )


# -- the boundary: boto3's failures as the error tree's ------------------------------------------
@contextmanager
def aws_errors() -> Iterator[None]:
    """Inside: a boto3/botocore exception comes out as ``errors.aws_error`` maps it (the original is
    its ``__cause__``); the tree's own errors and anything else pass unchanged."""
    try:
        yield
    except Exception as exc:
        error = aws_error(exc)
        if error is None or error is exc:
            raise
        raise error from exc


# Methods whose result is itself a boto3 object that makes requests: mapped in turn.
_MAPPED_RESULTS = frozenset({"get_paginator", "paginate", "get_waiter"})


class Mapped:
    """A boto3 client (or its paginator, page iterator, waiter) whose calls and iteration raise the
    error tree's exceptions. Everything else (``meta``, ``exceptions``) is the wrapped object's."""

    __slots__ = ("wrapped",)

    def __init__(self, wrapped: Any) -> None:
        self.wrapped = wrapped

    def __getattr__(self, name: str) -> Any:
        if name == "wrapped":  # not set yet (copy, pickle): never recurse
            raise AttributeError(name)
        attribute = getattr(self.wrapped, name)
        if not callable(attribute) or name == "exceptions":
            return attribute
        return _mapping(attribute, wrap_result=name in _MAPPED_RESULTS)

    def __iter__(self) -> Iterator[Any]:
        pages = iter(self.wrapped)
        while True:
            with aws_errors():
                try:
                    page = next(pages)
                except StopIteration:
                    return
            yield page

    def __repr__(self) -> str:
        return f"Mapped({self.wrapped!r})"


def _mapping(method: Callable[..., Any], wrap_result: bool) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        with aws_errors():
            result = method(*args, **kwargs)
        return Mapped(result) if wrap_result else result

    return call


def mapped(client: Any) -> Any:
    """``client`` with its failures mapped (idempotent): what ``AwsClients`` hands out, and what a
    caller that may be given a bare boto3 client (a test's, the scheduled function's) wraps it in."""
    return client if isinstance(client, Mapped) else Mapped(client)


# -- the sync's own small objects -----------------------------------------------------------------
def read_text(s3: Any, bucket: str, key: str, max_bytes: int | None) -> tuple[str, str | None] | None:
    """The object's text (at most ``max_bytes``, None: all of it; read leniently) and its ETag; None
    when missing."""
    try:
        response = mapped(s3).get_object(Bucket=bucket, Key=key)
    except AwsNotFound:
        return None
    with response["Body"] as body, aws_errors():  # the body streams: a dropped connection maps too
        data = body.read(max_bytes)
    return unpacked(data, max_bytes).decode("utf-8", errors="replace"), response.get("ETag")


GZIP_MAGIC = b"\x1f\x8b"


def unpacked(data: bytes, max_bytes: int | None) -> bytes:
    """``data`` as written: a gzip body (``write_json(compress=True)``) inflated to at most
    ``max_bytes`` (a bomb stops there and then reads as damaged), anything else as it is."""
    if not data.startswith(GZIP_MAGIC):
        return data
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflate.decompress(data, max_bytes or 0)
    except zlib.error:
        return data  # not gzip after all: the caller's parser says what is wrong with it


def write_json(
    s3: Any, bucket: str, key: str, text: str, compress: bool = False, **condition: str
) -> str | None:
    """Write ``text`` (``compress``: gzipped, for the objects that grow with the window: the state and
    the record of checked copies); with a condition (``IfNoneMatch="*"`` or ``IfMatch=etag``), None
    when it lost (another writer was first). Returns the new ETag. Refuses (``OwnObjectTooLarge``) a
    body above TOOL_OBJECT_MAX_BYTES: the recordings' retention rules match larger objects, and would
    expire or archive it with them."""
    body = gzip.compress(text.encode(), mtime=0) if compress else text.encode()
    if len(body) > TOOL_OBJECT_MAX_BYTES:
        raise OwnObjectTooLarge(
            f"refusing to write s3://{bucket}/{key}: {len(body)} bytes, above the {TOOL_OBJECT_MAX_BYTES} "
            "bytes every object of the tool's own must stay under (the recordings' retention rules match "
            "larger objects, and would expire or archive it with them)"
        )
    try:
        response = mapped(s3).put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ContentType="application/json",
            **({"ContentEncoding": "gzip"} if compress else {}),
            **condition,
        )
    except AwsPreconditionFailed:
        if condition:
            return None
        raise
    return str(response.get("ETag"))


def key_id(key: str | None) -> str | None:
    """``arn:aws:kms:r:a:key/ID`` or ``ID`` -> ``ID`` (S3 reports either form)."""
    if not key:
        return None
    return key.rsplit("/", 1)[-1] if key.startswith("arn:") else key


def is_sse_kms_with(head: Mapping[str, Any], kms_key_arn: str) -> bool:
    """THE check that an object (HeadObject's answer) is SSE-KMS with the stack's key; S3 names the
    key by ARN or by id, either matches."""
    return head.get("ServerSideEncryption") == "aws:kms" and key_id(head.get("SSEKMSKeyId")) == key_id(
        kms_key_arn
    )
