"""Reusable Pulumi components for Sendbird cloud-recording storage on AWS.

``RecordingStorage(name, RecordingStorageArgs(app_id=..., region=...))`` is the entry point; its
children are ``RecordingStorage.resources`` (a ``StorageResources``). The argument types validate
themselves (``InputError``); the policy builders (``components.policies``), validation and config
parsing are pure modules.
"""

from .args import RecordingStorageArgs, Retention, UploadRole
from .recording_storage import RecordingStorage, StorageResources
from .validation import InputError

__all__ = [
    "InputError",
    "RecordingStorage",
    "RecordingStorageArgs",
    "Retention",
    "StorageResources",
    "UploadRole",
]
