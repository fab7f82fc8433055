"""Reusable Pulumi components for Sendbird cloud-recording storage on AWS.

``RecordingStorage(name, RecordingStorageArgs(app_id=..., region=...))`` is the entry point; its
children are ``RecordingStorage.resources`` (a ``StorageResources``). ``RecordingSync`` (optional)
runs the recording sync on a schedule for one application: ``RecordingSync(name,
RecordingSyncArgs(storage=storage, api_token=...))`` takes the application id, region, bucket, key
and copy key pair from the storage. The argument types check themselves with the rules of
``sendbird_copy.rules`` (``InputError``) and keep what the caller passed; the policy builders
(``components.policies``, ``components.sync_policies``) and config parsing are pure.
"""

from sendbird_copy.errors import InputError

from .args import RecordingStorageArgs, Retention, UploadRole
from .recording_storage import RecordingStorage, StorageResources
from .recording_sync import RecordingSync, SyncResources
from .sync_args import RecordingSyncArgs, StorageOutputs

__all__ = [
    "InputError",
    "RecordingStorage",
    "RecordingStorageArgs",
    "RecordingSync",
    "RecordingSyncArgs",
    "Retention",
    "StorageOutputs",
    "StorageResources",
    "SyncResources",
    "UploadRole",
]
