"""The emulator deploy's handler for RecordingStorage's Object Lock (a mixin of MotoDeployMocks).

moto 5.2 accepts ``PutObjectLockConfiguration`` on a bucket that was not created with
``ObjectLockEnabledForBucket``, as AWS has since November 2023, provided the bucket is versioned
(the program enables versioning first) and, moto's own extra rule, still empty (its
``BucketNeedsToBeNew``): an emulator deploy always creates its buckets fresh, so the bucket is
created as the program declares it (no lock at creation) and the lock resource enables it, as
``pulumi up`` would. moto then keeps per-version retention and legal holds, refuses to delete a
locked version, and shows both on HeadObject; it does not serve GetObjectRetention.

moto also authorises a ``?retention`` or ``?legal-hold`` request as ``s3:PutObject`` (its action map),
so a role granted ``s3:PutObjectRetention`` alone (the scheduled function's, with Object Lock) would
be refused in moto. The role's policy is given to moto with ``s3:PutObject`` beside that grant,
reported like the other adapted statements (``DeployResult.adapted_statements``); the real grant is
the mocks tests' (tests/components/sync/test_sync_object_lock.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from components import type_tokens as tt
from localdev.emulator_deploy.sync import to_aws_shape
from localdev.moto_server import MotoServer
from localdev.pulumi_mocks import Handler

# What moto 5.2 authorises as s3:PutObject (see the module doc).
MOTO_PUT_OBJECT_ACTIONS = ("s3:PutObjectRetention", "s3:PutObjectLegalHold")


def lock_grants_for_moto(policy_json: str) -> tuple[str, list[tuple[str, str]]]:
    """An identity policy as moto judges Object Lock requests, and (Sid, reason) for each grant
    adapted: s3:PutObject added beside a grant of s3:PutObjectRetention or s3:PutObjectLegalHold."""
    policy = json.loads(policy_json)
    statements, adapted = [], []
    for index, statement in enumerate(policy.get("Statement", [])):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        if statement.get("Effect") == "Allow" and set(actions) & set(MOTO_PUT_OBJECT_ACTIONS):
            sid = statement.get("Sid") or f"statement[{index}]"
            adapted.append((sid, "moto authorises Object Lock requests as s3:PutObject; applied with it"))
            statement = {**statement, "Action": [*actions, "s3:PutObject"]}
        statements.append(statement)
    return json.dumps({**policy, "Statement": statements}), adapted


class ObjectLockHandlers:
    """Object Lock in moto, as the lock resource's create call answers; and role policies with a
    retention grant, as moto can judge them (the module doc)."""

    server: MotoServer
    adapted_statements: list[Any]  # MotoDeployMocks': SkippedStatement(owner, sid, reason)
    _inline_policy: Callable[[str], Handler]

    def object_lock_handlers(self) -> Mapping[str, Handler]:
        """Merged last into MotoDeployMocks' handlers: the role-policy handler is this one's."""
        return {tt.OBJECT_LOCK: self._object_lock, tt.ROLE_POLICY: self._role_policy}

    def _role_policy(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        from localdev.emulator_deploy import SkippedStatement  # the deploy imports this module

        policy, adapted = lock_grants_for_moto(inputs["policy"])
        self.adapted_statements.extend(SkippedStatement(inputs["role"], sid, why) for sid, why in adapted)
        return self._inline_policy("role")(name, {**inputs, "policy": policy}, region)

    def _object_lock(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        config: dict[str, Any] = {"ObjectLockEnabled": inputs.get("objectLockEnabled") or "Enabled"}
        if inputs.get("rule"):  # RecordingStorage sets none (object_lock.py says why)
            config["Rule"] = to_aws_shape(inputs["rule"])
        self.server.client("s3", region).put_object_lock_configuration(
            Bucket=bucket, ObjectLockConfiguration=config
        )
        return bucket, {}
