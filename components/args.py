"""Plain, Pulumi-free arguments of RecordingStorage (validated by ``components.validation``).

Plain values rather than ``pulumi.Input``: every argument is checked at construction time, before any
child resource exists, so a bad value fails ``pulumi preview`` with a message instead of a half-made
stack. Defaults here are the secure, cheap ones the README explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TRANSITION_STORAGE_CLASS = "STANDARD_IA"
DEFAULT_NONCURRENT_EXPIRATION_DAYS = 30
# Sendbird writes in 5 MB parts; a failed copy leaves parts that are billed until aborted.
DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
MAX_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
DEFAULT_KMS_DELETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Retention:
    """Lifecycle of the recordings in the bucket. Nothing moves or expires unless asked."""

    transition_days: int | None = None
    transition_storage_class: str = DEFAULT_TRANSITION_STORAGE_CLASS
    expiration_days: int | None = None
    noncurrent_expiration_days: int = DEFAULT_NONCURRENT_EXPIRATION_DAYS
    abort_incomplete_multipart_days: int = DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS


@dataclass(frozen=True)
class UploadRole:
    """Sendbird's direct-upload mode: a role in this account that Sendbird's account assumes.

    ``sendbird_principal`` is Sendbird's 12-digit AWS account id or an IAM principal ARN (Sendbird
    does not publish it: ask them). ``external_id`` is the value Sendbird sends with AssumeRole.
    """

    sendbird_principal: str
    external_id: str


@dataclass(frozen=True)
class RecordingStorageArgs:
    """Everything RecordingStorage needs; only ``app_id`` and ``region`` are required."""

    app_id: str
    # An AWS region code (ap-northeast-2) or a Sendbird region key (ap-2).
    region: str
    # None: a unique name is generated from the component name (bucket_prefix).
    bucket_name: str | None = None
    retention: Retention = field(default_factory=Retention)
    force_destroy: bool = False
    # Protects the data-bearing resources only (bucket, KMS key), so the access key can still rotate.
    protect: bool = False
    kms_deletion_window_days: int = DEFAULT_KMS_DELETION_WINDOW_DAYS
    # An existing customer-managed key in the same region: no key or alias is created.
    kms_key_arn: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    upload_role: UploadRole | None = None
