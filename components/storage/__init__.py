"""RecordingStorage: the bucket, its key and the copy identity of one Sendbird application.

``args`` (the arguments, checking themselves), ``policies`` (every policy document, a plain dict),
one module per concern of the wiring (``bucket``, ``key``, ``copy_identity``, ``upload_role``,
``grants``, ``object_lock``, ``inventory``, ``tiering``, ``events``; ``replication`` the option's
argument, ``replica`` and ``replica_policies`` its resources) and the component itself
(``recording_storage``).
"""

from .args import RecordingStorageArgs, Retention, UploadRole
from .options.inventory import Inventory
from .options.object_lock import ObjectLock
from .options.replication import Replication
from .recording_storage import RecordingStorage, StorageResources

__all__ = [
    "Inventory",
    "ObjectLock",
    "RecordingStorage",
    "RecordingStorageArgs",
    "Replication",
    "Retention",
    "StorageResources",
    "UploadRole",
]
