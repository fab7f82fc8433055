"""The emulator deploy's handler for RecordingStorage's Object Lock (a mixin of MotoDeployMocks).

moto 5.2 accepts ``PutObjectLockConfiguration`` on a bucket that was not created with
``ObjectLockEnabledForBucket``, as AWS has since November 2023, provided the bucket is versioned
(the program enables versioning first) and, moto's own extra rule, still empty (its
``BucketNeedsToBeNew``): an emulator deploy always creates its buckets fresh, so the bucket is
created as the program declares it (no lock at creation) and the lock resource enables it, as
``pulumi up`` would. moto then keeps per-version retention and legal holds, refuses to delete a
locked version, and shows both on HeadObject; it does not serve GetObjectRetention.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components import type_tokens as tt
from localdev.emulator_sync import to_aws_shape
from localdev.moto_server import MotoServer
from localdev.pulumi_mocks import Handler


class ObjectLockHandlers:
    """Object Lock in moto, as the lock resource's create call answers."""

    server: MotoServer

    def object_lock_handlers(self) -> Mapping[str, Handler]:
        return {tt.OBJECT_LOCK: self._object_lock}

    def _object_lock(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        config: dict[str, Any] = {"ObjectLockEnabled": inputs.get("objectLockEnabled") or "Enabled"}
        if inputs.get("rule"):  # RecordingStorage sets none (object_lock.py says why)
            config["Rule"] = to_aws_shape(inputs["rule"])
        self.server.client("s3", region).put_object_lock_configuration(
            Bucket=bucket, ObjectLockConfiguration=config
        )
        return bucket, {}
