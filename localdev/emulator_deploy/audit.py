"""The emulator deploy's handlers for RecordingStorage's audit options (a mixin of MotoDeployMocks):
S3 Inventory and the recording-event rule and target, applied to moto as their create calls answer;
Intelligent-Tiering's archive tiers, which moto 5.2 does not serve (no ``?intelligent-tiering``
handler: its PUT would be taken for something else), are not applied and reported by name in
``not_applied`` (the mocks tests prove their content). moto keeps an inventory whole but for two
things its answer states otherwise: ``IncludedObjectVersions`` (always "All") and an SSE-S3
encryption (an empty element, answered as none); ``inventory_configuration`` shows what was sent."""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components import type_tokens as tt
from localdev.moto_server import MotoServer
from localdev.pulumi_mocks import DEFAULT_REGION, Handler, HandlerMocks


@dataclass(frozen=True)
class NotApplied:
    """A resource the program declared that moto cannot hold, and why."""

    type: str
    name: str
    reason: str


MOTO_NO_INTELLIGENT_TIERING = (
    "moto 5.2 serves no PutBucketIntelligentTieringConfiguration; the mocks tests prove the content"
)


def inventory_configuration(config_id: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Pulumi's ``aws.s3.Inventory`` inputs as S3's InventoryConfiguration (boto3's shape)."""
    bucket = inputs["destination"]["bucket"]
    encryption = bucket.get("encryption") or {}
    destination: dict[str, Any] = {"Bucket": bucket["bucketArn"], "Format": bucket["format"]}
    if bucket.get("accountId"):
        destination["AccountId"] = bucket["accountId"]
    if bucket.get("prefix"):
        destination["Prefix"] = bucket["prefix"]
    if "sseKms" in encryption:
        destination["Encryption"] = {"SSEKMS": {"KeyId": encryption["sseKms"]["keyId"]}}
    elif "sseS3" in encryption:
        destination["Encryption"] = {"SSES3": {}}
    config: dict[str, Any] = {
        "Id": config_id,
        "IsEnabled": bool(inputs.get("enabled", True)),
        "IncludedObjectVersions": inputs["includedObjectVersions"],
        "Schedule": {"Frequency": inputs["schedule"]["frequency"]},
        "Destination": {"S3BucketDestination": destination},
    }
    if inputs.get("optionalFields"):
        config["OptionalFields"] = list(inputs["optionalFields"])
    if inputs.get("filter", {}).get("prefix"):
        config["Filter"] = {"Prefix": inputs["filter"]["prefix"]}
    return config


class AuditResourceHandlers(HandlerMocks):
    """Inventory, archive tiers, the recording-event rule and target (see the module doc): their types
    are created here, every other one by the next class in line."""

    server: MotoServer
    _unique: itertools.count[int]

    @property
    def not_applied(self) -> list[NotApplied]:
        """The resources not applied to moto, in the order they were declared."""
        found: list[NotApplied] = self.__dict__.setdefault("_not_applied", [])
        return found

    def create(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        handler = self.audit_handlers().get(typ)
        if handler is None:
            return super().create(typ, name, inputs)
        return handler(name, inputs, inputs.get("region") or DEFAULT_REGION)

    def audit_handlers(self) -> Mapping[str, Handler]:
        return {
            tt.INVENTORY: self._inventory,
            tt.INTELLIGENT_TIERING: self._intelligent_tiering,
            tt.EVENT_RULE: self._event_rule,
            tt.EVENT_TARGET: self._event_target,
        }

    def _inventory(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket, config_id = inputs["bucket"], inputs["name"]
        self.server.client("s3", region).put_bucket_inventory_configuration(
            Bucket=bucket, Id=config_id, InventoryConfiguration=inventory_configuration(config_id, inputs)
        )
        return f"{bucket}:{config_id}", {}

    def _intelligent_tiering(
        self, name: str, inputs: dict[str, Any], region: str
    ) -> tuple[str, dict[str, Any]]:
        self.not_applied.append(NotApplied(tt.INTELLIGENT_TIERING, name, MOTO_NO_INTELLIGENT_TIERING))
        return f"{inputs['bucket']}:{inputs['name']}", {}

    def _event_rule(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        rule = str(inputs.get("name") or f"{name}-{next(self._unique):07x}")
        bus = inputs.get("eventBusName") or "default"
        arn = self.server.client("events", region).put_rule(
            Name=rule,
            EventPattern=inputs["eventPattern"],
            State=inputs.get("state", "ENABLED"),
            Description=inputs.get("description", ""),
            EventBusName=bus,
        )["RuleArn"]
        return f"{bus}/{rule}", {"name": rule, "arn": arn}

    def _event_target(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        target_id = str(inputs.get("targetId") or f"{time.strftime('%Y%m%d%H%M%S')}{next(self._unique):06d}")
        target: dict[str, Any] = {"Id": target_id, "Arn": inputs["arn"]}
        if inputs.get("roleArn"):
            target["RoleArn"] = inputs["roleArn"]
        self.server.client("events", region).put_targets(
            Rule=inputs["rule"], EventBusName=inputs.get("eventBusName") or "default", Targets=[target]
        )
        return f"{inputs['rule']}-{target_id}", {"targetId": target_id}
