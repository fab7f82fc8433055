"""Local stand-in for Sendbird's Calls/Live and Organization APIs (dev and tests only).

It writes copies into S3 with boto3 (pointed at moto in tests) and never imports moto itself.
Run it standalone with ``python -m localdev.sendbird_emulator --help``.
"""

from localdev.sendbird_emulator.seeding import seed_application
from localdev.sendbird_emulator.server import SendbirdEmulator, running_emulator
from localdev.sendbird_emulator.state import PART_SIZE, CopyRecord, Recording, RequestEvent, recording_bytes

__all__ = [
    "PART_SIZE",
    "CopyRecord",
    "Recording",
    "RequestEvent",
    "SendbirdEmulator",
    "recording_bytes",
    "running_emulator",
    "seed_application",
]
