"""The helper's one error tree, the one place that classifies foreign failures, and ``describe``.

Modelled on requests' ``exceptions.py``: every error the helper raises on purpose derives from
``SendbirdCopyError``, and the CLI's exit code follows from the branch alone::

    SendbirdCopyError
    ├── UsageError (also a ValueError)   bad input or configuration: exit 2
    │   ├── InputError                   an outside value a rule refuses (``sendbird_copy.rules``),
    │   │   │                            from a flag, an environment variable, a component argument
    │   │   │                            or the stack config; ``OptionError`` is its other name
    │   │   └── RegionError              a region value
    │   ├── OutputsError                 the stack outputs
    │   └── AwsConfigurationError        no usable deployer credentials, profile or region
    ├── OwnObjectTooLarge                the tool was about to write an object of its own above
    │                                    TOOL_OBJECT_MAX_BYTES (the retention rules would match it)
    └── ServiceError                     a service refused or could not be reached: a failed check
        ├── AwsError                     AWS refused a request or failed (``code``, ``operation``)
        │   ├── AwsNotFound              NoSuchKey, NoSuchBucket, NoSuchEntity, NotFoundException...
        │   ├── AwsAccessDenied          AccessDenied (the grant refused the request)
        │   ├── AwsCredentialsRejected   the caller's keys themselves (InvalidAccessKeyId...)
        │   ├── AwsPreconditionFailed    a conditional write lost (412) or raced another (409)
        │   └── AwsConnectionError       no answer: endpoint unreachable, connect or read timeout
        ├── SendbirdApiError             Sendbird answered non-2xx (code/type/message)
        │   ├── NotSendbirdAnswerError   an answer that is not JSON: not Sendbird's API
        │   └── RateLimitedError         429100 that outlasted every retry
        ├── UnexpectedAnswerError        a 2xx whose body is not the shape the sync relies on
        ├── SendbirdConnectionError
        │   └── AnswerLostError          sent, then the connection dropped: it may have been acted on
        └── SendbirdTimeoutError

boto3's exceptions are mapped once, by type and AWS error code, in ``aws_error`` (never by module
name): ``aws.AwsClients`` hands out clients whose calls and paginators raise the mapped error, so a
catch site names what it expects (``except AwsNotFound``). Every message is safe to print: no tokens,
no secret keys. botocore is imported lazily, so ``--help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sendbird_copy.redact import shown


class SendbirdCopyError(Exception):
    """Base class of every error this package raises on purpose."""


class UsageError(SendbirdCopyError, ValueError):
    """Bad input or configuration (exit code 2); the message names the input and what is allowed."""


class Input(str):
    """The name of an input inside an InputError message (``retention.transition_days``)."""

    __slots__ = ()


class InputError(UsageError):
    """An outside value a rule refuses; the message names the input, the value and what is allowed.

    Built from parts: plain text, and the input names as ``Input`` (``InputError(Input("app_id"),
    " is missing")``), so ``relocated`` can say where each input came from (a stack-config key, a
    flag). ``InputError(message)`` alone is plain text and names no relocatable input.
    """

    def __init__(self, *parts: str) -> None:
        super().__init__("".join(parts))
        self.parts = parts

    def relocated(self, label: Callable[[str], str]) -> InputError:
        """The same error with each input it names replaced by ``label(name)``."""
        return type(self)(*(Input(label(p)) if isinstance(p, Input) else p for p in self.parts))

    def redacted(self, value: object) -> InputError:
        """The same error with ``value`` (as the rules show it) replaced by ``[secret]``."""
        text = shown(value)
        return type(self)(*(p if isinstance(p, Input) else p.replace(text, "[secret]") for p in self.parts))

    @property
    def problem(self) -> str:
        """The message after the first input name it names: what every entry point says alike."""
        first = next((i for i, p in enumerate(self.parts) if isinstance(p, Input)), None)
        return str(self) if first is None else "".join(self.parts[first + 1 :])

    def __reduce__(self) -> tuple[type, tuple[str, ...]]:
        return (type(self), tuple(str(p) for p in self.parts))


# A command-line option or environment variable the helper cannot use: the same error.
OptionError = InputError


class OutputsError(UsageError):
    """The stack outputs are missing, malformed or incomplete; the message says which field."""


class RegionError(InputError):
    """A region value that cannot be used; the message names the input, the value and the fix."""


class AwsConfigurationError(UsageError):
    """The deployer's AWS configuration is unusable: no credentials, a missing profile, no region."""


class OwnObjectTooLarge(SendbirdCopyError):
    """An object the tool keeps in the bucket (ledger entry, state, lease) grew above
    ``facts.TOOL_OBJECT_MAX_BYTES``: written, the recordings' retention rules would match it (they
    match larger objects only), so it is refused before any request; the message names the key."""


class ServiceError(SendbirdCopyError):
    """AWS or Sendbird refused a request or could not be reached: a failed check (exit code 1)."""


class SendbirdApiError(ServiceError):
    """Sendbird answered with a non-2xx status; carries its documented ``code``/``type``/``message``."""

    def __init__(self, status: int, code: int | None, type: str | None, message: str) -> None:
        self.status = status
        self.code = code
        self.type = type
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        label = " ".join(part for part in (str(self.status), self.type) if part)
        code = f" ({self.code})" if self.code is not None else ""
        return f"Sendbird API {label}{code}: {self.message}"

    def __reduce__(self) -> tuple[type, tuple[int, int | None, str | None, str]]:
        # Keeps the error picklable (multiprocessing, pytest-xdist) despite the custom __init__.
        return (type(self), (self.status, self.code, self.type, self.message))


class NotSendbirdAnswerError(SendbirdApiError):
    """The answer is not Sendbird's JSON (an HTML page from another server, a proxy's text): told in
    one line, status and what it was (``message``: "not a Sendbird API answer: an HTML page"),
    never the body itself."""

    def __str__(self) -> str:
        return f"Sendbird answered HTTP {self.status} ({self.message})"


class RateLimitedError(SendbirdApiError):
    """HTTP 429 (429100 RATE_LIMIT_EXCEEDED) that outlasted every retry."""


class SendbirdConnectionError(ServiceError):
    """The base URL could not be reached, even after the retries; the message names the host."""


class SendbirdTimeoutError(ServiceError):
    """Sendbird did not connect or answer within the timeout; the message says how many seconds."""


class AwsError(ServiceError):
    """AWS refused a request or could not be reached. ``code`` is AWS's error code (``NoSuchKey``, or
    the HTTP status as text for a bodiless answer to HEAD), ``operation`` the API call (``GetObject``),
    ``status`` the HTTP status, ``headers`` the answer's headers; all None when there was no answer.
    The message is one line: the operation, the code, the status and AWS's own message."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.operation = operation
        self.status = status
        self.headers: Mapping[str, str] = dict(headers or {})


class AwsNotFound(AwsError):
    """The object, bucket, user, key or policy asked for does not exist."""


class AwsAccessDenied(AwsError):
    """The caller's grant refuses the request (its keys were accepted)."""


class AwsCredentialsRejected(AwsError):
    """AWS rejected the caller's keys themselves: unknown, stale or expired, or a bad signature."""


class AwsPreconditionFailed(AwsError):
    """A conditional write lost to another writer (412), or raced a concurrent one (409)."""


class AwsConnectionError(AwsError):
    """No answer from AWS: the endpoint could not be reached, or did not answer in time."""


# AWS's error codes per branch (S3, IAM, KMS, Secrets Manager); a bodiless HEAD answer has the status.
AWS_CODES: dict[type[AwsError], frozenset[str]] = {
    AwsNotFound: frozenset(
        {
            "NoSuchKey",
            "NoSuchBucket",
            "NoSuchBucketPolicy",
            "NoSuchUpload",
            "NoSuchVersion",
            "NoSuchEntity",
            "NotFoundException",
            "ResourceNotFoundException",
            "NotFound",
            "404",
        }
    ),
    AwsAccessDenied: frozenset(
        {"AccessDenied", "AccessDeniedException", "KMS.AccessDeniedException", "UnauthorizedOperation", "403"}
    ),
    AwsCredentialsRejected: frozenset(
        {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidClientTokenId", "ExpiredToken"}
    ),
    AwsPreconditionFailed: frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"}),
}


class AnswerLostError(SendbirdConnectionError):
    """The request was sent and the connection dropped before its whole answer came: Sendbird may
    have acted on it (never repeat a copy blindly after this)."""


class UnexpectedAnswerError(ServiceError):
    """A 2xx answer that is not the documented shape the sync relies on (``sendbird_copy.api.answers``):
    names the endpoint and what was wrong, never a value from the body."""

    def __init__(self, endpoint: str, problem: str) -> None:
        self.endpoint = endpoint
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"Sendbird's answer to {self.endpoint} is not what the sync relies on: {self.problem}"

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        return (type(self), (self.endpoint, self.problem))


AWS_CONFIGURATION_HINT = "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"


def aws_error(exc: BaseException) -> SendbirdCopyError | None:
    """THE mapping of a boto3/botocore exception into the tree (None for anything else): a missing
    profile, credentials or region is an ``AwsConfigurationError`` (exit 2); an answer is the
    ``AwsError`` branch its code names; no answer is an ``AwsConnectionError``."""
    if isinstance(exc, SendbirdCopyError):
        return exc
    try:
        from botocore.exceptions import (
            BotoCoreError,
            ClientError,
            ConnectionError,
            HTTPClientError,
            NoCredentialsError,
            NoRegionError,
            PartialCredentialsError,
            ProfileNotFound,
        )
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return None
    if isinstance(exc, NoCredentialsError | PartialCredentialsError | ProfileNotFound | NoRegionError):
        return AwsConfigurationError(str(exc))
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        metadata = exc.response.get("ResponseMetadata", {})
        code = str(error.get("Code") or "") or None
        status = metadata.get("HTTPStatusCode")
        message = f"{exc.operation_name}: {code or 'error'} (HTTP {status}) {error.get('Message') or ''}"
        kind = next((k for k, codes in AWS_CODES.items() if code in codes), AwsError)
        return kind(
            message.strip(),
            code=code,
            operation=exc.operation_name,
            status=status if isinstance(status, int) else None,
            headers=metadata.get("HTTPHeaders"),
        )
    if isinstance(exc, ConnectionError | HTTPClientError):
        from sendbird_copy.redact import display_host

        url = str(getattr(exc, "kwargs", {}).get("endpoint_url") or "")
        host = display_host(url) or "the AWS endpoint"  # without user:password@ of an override
        return AwsConnectionError(f"cannot reach AWS at {host}: {type(exc).__name__}")
    if isinstance(exc, BotoCoreError):
        return AwsError(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return None


def classify(exc: BaseException) -> type[SendbirdCopyError] | None:
    """Which branch of the tree ``exc`` belongs to; None for a bug (it should surface as one).
    Ours classify as themselves, boto3's as ``aws_error`` maps them."""
    mapped = aws_error(exc)
    return None if mapped is None else type(mapped)


def is_service_error(exc: BaseException) -> bool:
    kind = classify(exc)
    return kind is not None and issubclass(kind, ServiceError)


def aws_error_code(exc: BaseException) -> str | None:
    """The AWS error code of an ``AwsError`` or a raw ClientError (``AccessDenied``...), else None."""
    mapped = aws_error(exc)
    return mapped.code if isinstance(mapped, AwsError) else None


def describe(exc: BaseException) -> str:
    """One line for any failure, with the service's own code where it has one. Never a secret:
    the messages of our errors are redacted when made, and AWS's never quote a secret key."""
    if isinstance(exc, NotSendbirdAnswerError):
        return str(exc)  # already one plain line: status and what the answer was
    if isinstance(exc, SendbirdApiError):
        detail = f"{exc.type}: {exc.message}" if exc.type else exc.message
        return f"Sendbird answered HTTP {exc.status} with code {exc.code} {detail}".strip()
    mapped = aws_error(exc)
    if isinstance(mapped, AwsConfigurationError):
        return f"AWS configuration for the deployer's checks: {mapped} ({AWS_CONFIGURATION_HINT})"
    if mapped is not None:
        return str(mapped) or type(mapped).__name__
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def is_transient(exc: BaseException) -> bool:
    """A refusal that says nothing about the request itself (429, 5xx, timeout, no connection): the
    same request may succeed later, so it never counts toward giving up on a recording."""
    if isinstance(exc, SendbirdConnectionError | SendbirdTimeoutError):
        return True
    return isinstance(exc, SendbirdApiError) and (exc.status == 429 or exc.status >= 500)


def may_have_been_accepted(exc: BaseException) -> bool:
    """After this failure of a sent request, Sendbird may have acted on it all the same: a 5xx (a
    gateway's 504 in front of an accepted copy), a timeout, a dropped connection. A copy is then
    ``requested`` and verification decides; it is never re-POSTed on the spot."""
    if isinstance(exc, SendbirdTimeoutError | AnswerLostError):
        return True
    return isinstance(exc, SendbirdApiError) and exc.status >= 500
