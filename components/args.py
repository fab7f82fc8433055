"""Plain, Pulumi-free arguments of RecordingStorage; each type validates itself when constructed.

Plain values rather than ``pulumi.Input``: every argument is checked in ``__post_init__`` (with the
pure checks of ``components.validation``), before any child resource exists, so a bad value fails
``pulumi preview`` with a message instead of a half-made stack, whether it came from stack config or
from a Python caller. Errors are ``components.InputError`` naming the field relative to the arguments
(``app_id``, ``retention.transition_days``, ``upload_role.external_id``), the value and what is
allowed. Defaults here are the secure, cheap ones the README explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sendbird_copy.regions import resolve_region

from .validation import (
    DEFAULT_TRANSITION_STORAGE_CLASS,
    KMS_DELETION_WINDOW_RANGE,
    Input,
    InputError,
    check_app_id,
    check_bool,
    check_bucket_name,
    check_days,
    check_kms_key_arn,
    check_region,
    check_retention,
    check_tags,
    check_upload_role,
)

DEFAULT_NONCURRENT_EXPIRATION_DAYS = 30
# Sendbird writes in 5 MB parts; a failed copy leaves parts that are billed until aborted.
DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS = 7
DEFAULT_KMS_DELETION_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Retention:
    """Lifecycle of the recordings in the bucket. Nothing moves or expires unless asked.

    ``transition_storage_class`` needs ``transition_days``; with a transition and no class, recordings
    move to STANDARD_IA (``effective_transition_storage_class``).
    """

    transition_days: int | None = None
    transition_storage_class: str | None = None
    expiration_days: int | None = None
    noncurrent_expiration_days: int = DEFAULT_NONCURRENT_EXPIRATION_DAYS
    abort_incomplete_multipart_days: int = DEFAULT_ABORT_INCOMPLETE_MULTIPART_DAYS

    def __post_init__(self) -> None:
        check_retention(self, "retention.")

    @property
    def effective_transition_storage_class(self) -> str:
        """The storage class a transition moves recordings to."""
        return self.transition_storage_class or DEFAULT_TRANSITION_STORAGE_CLASS


@dataclass(frozen=True)
class UploadRole:
    """Sendbird's direct-upload mode: a role in this account that Sendbird's account assumes.

    ``sendbird_principal`` is Sendbird's 12-digit AWS account id or an IAM principal ARN (Sendbird
    does not publish it: ask them). ``external_id`` is the value Sendbird sends with AssumeRole.
    """

    sendbird_principal: str
    external_id: str

    def __post_init__(self) -> None:
        check_upload_role(self, "upload_role.")


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

    def __post_init__(self) -> None:
        check_app_id(self.app_id, "app_id")
        aws_region = check_region(self.region, "region")
        if self.bucket_name is not None:
            check_bucket_name(self.bucket_name, "bucket_name")
        if not isinstance(self.retention, Retention):
            raise InputError(Input("retention"), f" {self.retention!r} is not a Retention")
        check_bool(self.force_destroy, "force_destroy")
        check_bool(self.protect, "protect")
        check_days(self.kms_deletion_window_days, "kms_deletion_window_days", *KMS_DELETION_WINDOW_RANGE)
        if self.kms_key_arn is not None:
            check_kms_key_arn(self.kms_key_arn, aws_region, "kms_key_arn")
        check_tags(self.tags, "tags")
        if self.upload_role is not None and not isinstance(self.upload_role, UploadRole):
            raise InputError(Input("upload_role"), f" {self.upload_role!r} is not an UploadRole")

    @property
    def aws_region(self) -> str:
        """The AWS region every regional resource goes to (``region`` may be a Sendbird key)."""
        return resolve_region(self.region)
