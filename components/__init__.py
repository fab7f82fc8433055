"""Reusable Pulumi components for Sendbird cloud-recording storage on AWS.

``RecordingStorage(name, RecordingStorageArgs(app_id=..., region=...))`` is the entry point; its
children are ``RecordingStorage.resources`` (a ``StorageResources``). ``RecordingSync`` (optional)
runs the recording sync on a schedule for one application: ``RecordingSync(name,
RecordingSyncArgs(storage=storage, api_token=...))`` takes the application id, region, bucket, key
and copy key pair from the storage. The argument types check themselves with the rules of
``sendbird_copy.rules`` (``InputError``) and keep what the caller passed; the policy builders
(``components.storage.policies``, ``components.sync.policies``) and config parsing are pure.

One sub-package per component (``storage``, ``sync``); what both use lives here: ``config`` (stack
config -> arguments), ``naming``, ``context`` (what every child shares), ``type_tokens`` and
``validation`` (a component's own call).
"""

from sendbird_copy.errors import InputError

from .storage import (
    Inventory,
    ObjectLock,
    RecordingStorage,
    RecordingStorageArgs,
    Replication,
    Retention,
    StorageResources,
    UploadRole,
)
from .sync import RecordingSync, RecordingSyncArgs, StorageOutputs, SyncResources

__all__ = [
    "InputError",
    "Inventory",
    "ObjectLock",
    "RecordingStorage",
    "RecordingStorageArgs",
    "RecordingSync",
    "RecordingSyncArgs",
    "Replication",
    "Retention",
    "StorageOutputs",
    "StorageResources",
    "SyncResources",
    "UploadRole",
]
