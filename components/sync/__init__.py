"""RecordingSync: the sync core on AWS's own scheduler, for one application's RecordingStorage.

``args`` (the arguments, checking themselves), ``policies`` (the function's and the scheduler's
policy documents), ``function_archive`` (the function's deterministic code archive),
``dashboard`` (the dashboard's body), ``monitoring`` (the alarms and the dashboard resource) and
the component itself (``recording_sync``).
"""

from .args import RecordingSyncArgs, StorageOutputs
from .recording_sync import RecordingSync, SyncResources

__all__ = ["RecordingSync", "RecordingSyncArgs", "StorageOutputs", "SyncResources"]
