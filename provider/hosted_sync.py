"""RecordingSync as the component package serves it to other languages: given the storage's values
one by one (plain fields), because Pulumi's Python component analyzer (3.272) cannot take a component
of the package itself as an argument. It turns a ``ComponentResource``-typed argument into a reference
into another package's schema (``/<package>/v<version>/schema.json#/resources/<type>``), found through
the class's ``pulumi_type`` and the ``pulumi-plugin.json`` of its top-level module; RecordingStorage
has neither, and a reference to the package's own resource is no dependency.

``RECORDING_SYNC`` is RecordingSync with only its ``args`` annotation changed (same name, module and
outputs, so the analyzer reads the same type token, description and output docstrings); its
constructor builds ``RecordingSyncArgs(storage=StorageOutputs(...), ...)`` from the fields
(``sync_args_with_storage_values``), so every
check and message of ``components/sync_args.py`` applies.
"""

# No ``from __future__ import annotations``: the analyzer reads these annotations at runtime.
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from sendbird_recordings.sync.args import RecordingSyncArgs, sync_args_with_storage_values
from sendbird_recordings.sync.recording_sync import RecordingSync

from sendbird_copy.rules import (
    EVENT_MARGIN_HOURS_DEFAULT,
    LOG_RETENTION_DAYS_DEFAULT,
    SCHEDULE_DEFAULT,
    WARN_DAYS_DEFAULT,
)


@dataclass(frozen=True)
class RecordingSyncFields:
    """RecordingSyncArgs with the storage given by its outputs (the other languages' form)."""

    app_id: str
    """The Sendbird application id (RecordingStorage's appId; plain: it names and tags the resources)."""
    region: str
    """An AWS region code or Sendbird region key: the region of the application and of its storage."""
    bucket_name: pulumi.Input[str]
    """The recordings bucket's name (RecordingStorage.bucketName)."""
    bucket_arn: pulumi.Input[str]
    """The recordings bucket's ARN (RecordingStorage.bucketArn)."""
    kms_key_arn: pulumi.Input[str]
    """The key that encrypts the bucket (RecordingStorage.kmsKeyArn); it encrypts both secrets too."""
    copy_access_key_id: pulumi.Input[str]
    """The copy identity's access key id (RecordingStorage.copyAccessKeyId): stored with the secret
    key in a secret the function reads and hands to Sendbird with each copy request."""
    copy_secret_access_key: pulumi.Input[str]
    """The copy identity's secret access key (RecordingStorage.copySecretAccessKey; kept secret)."""
    api_token: pulumi.Input[str] | None = None
    """The application's Sendbird API token, as a Pulumi secret: stored in a Secrets Manager secret."""
    api_token_secret_arn: pulumi.Input[str] | None = None
    """Or an existing Secrets Manager secret (in the application's region) holding the token."""
    schedule: str = SCHEDULE_DEFAULT
    """EventBridge Scheduler expression: rate(...) of at least 15 minutes, or cron(...)."""
    warn_days: float = WARN_DAYS_DEFAULT
    """A recording not yet copied this many days before Sendbird deletes it is "at risk" (alarm)."""
    event_margin_hours: float = EVENT_MARGIN_HOURS_DEFAULT
    """Hours past Sendbird's two weeks that a run still lists ended live events for (an event's
    length); longer events are found through the parents the sync watches (sendbird_copy/horizon.py)."""
    alarm_topic_arn: pulumi.Input[str] | None = None
    """An SNS topic (same region) every alarm notifies, on alarm and on recovery."""
    log_retention_days: int = LOG_RETENTION_DAYS_DEFAULT
    """Days the function's logs are kept (a period CloudWatch Logs offers)."""
    tags: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Tags on every taggable resource (keys plain; values may be Outputs)."""
    sendbird_api_base_url: str | None = None
    """Sendbird's API base URL, for a test double (the local emulator); default: Sendbird's own."""
    dashboard: bool = True
    """A CloudWatch dashboard of the sync (runs, function, dead letters, alarms, problems); false: none."""

    def __post_init__(self) -> None:
        self.to_args()  # every check now, when the provider builds these from the inputs

    def to_args(self) -> RecordingSyncArgs:
        return sync_args_with_storage_values(
            {name: getattr(self, name) for name in self.__dataclass_fields__}
        )


def _init(
    self: Any, name: str, args: RecordingSyncFields, opts: pulumi.ResourceOptions | None = None
) -> None:
    RecordingSync.__init__(self, name, args.to_args(), opts)


RECORDING_SYNC: type[pulumi.ComponentResource] = type(
    "RecordingSync",
    (RecordingSync,),
    {
        "__init__": _init,
        "__module__": RecordingSync.__module__,
        "__qualname__": RecordingSync.__qualname__,
        "__doc__": RecordingSync.__doc__,
    },
)
