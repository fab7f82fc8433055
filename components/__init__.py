"""Reusable Pulumi components for Sendbird cloud-recording storage on AWS.

``RecordingStorage(name, RecordingStorageArgs(app_id=..., region=...))`` is the entry point; its
children are ``RecordingStorage.resources`` (a ``StorageResources``). ``RecordingSync`` (optional)
runs the recording sync on a schedule for one application, fed by a RecordingStorage's outputs.
The argument types validate themselves (``InputError``); the policy builders
(``components.policies``, ``components.sync_policies``), validation and config parsing are pure.
"""

from sendbird_copy.errors import InputError

from .args import RecordingStorageArgs, Retention, UploadRole
from .recording_storage import RecordingStorage, StorageResources
from .recording_sync import RecordingSync, SyncResources
from .sync_args import RecordingSyncArgs

__all__ = [
    "InputError",
    "RecordingStorage",
    "RecordingStorageArgs",
    "RecordingSync",
    "RecordingSyncArgs",
    "Retention",
    "StorageResources",
    "SyncResources",
    "UploadRole",
]
