"""Reusable Pulumi components for Sendbird cloud-recording storage on AWS.

``RecordingStorage(name, RecordingStorageArgs(app_id=..., region=...))`` is the entry point; the
policy builders (``components.policies``), validation and config parsing are pure modules.
"""

from .args import RecordingStorageArgs, Retention, UploadRole
from .recording_storage import RecordingStorage
from .validation import InputError

__all__ = ["InputError", "RecordingStorage", "RecordingStorageArgs", "Retention", "UploadRole"]
