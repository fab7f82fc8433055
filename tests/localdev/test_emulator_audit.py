"""The emulator deploy applies the audit options to moto (IAM auth on) and they read back as sent:
S3 Inventory (moto keeps it whole), the recording-event rule and its target. Intelligent-Tiering's
archive tiers moto 5.2 cannot hold (no PutBucketIntelligentTieringConfiguration): the deploy says
so by name, and tests/components/storage/options/test_intelligent_tiering.py proves their content."""

from __future__ import annotations

import json
from typing import Any

from components.storage.options.inventory import INVENTORY_ID
from components.type_tokens import INTELLIGENT_TIERING
from localdev.emulator_deploy import deploy_to_emulator
from localdev.emulator_deploy.audit import MOTO_NO_INTELLIGENT_TIERING, inventory_configuration
from localdev.moto_server import MotoServer
from sendbird_copy.facts import CONFIG_NAMESPACE
from sendbird_copy.rules import INVENTORY_FIELDS

NS = CONFIG_NAMESPACE
APP_ID = "0C5E4F2A-7B1D-4E3C-9A8F-6D2B1C0E9F7A"
REGION = "ap-northeast-2"


def test_inventory_archive_tiers_and_the_event_rule_in_moto(moto: MotoServer) -> None:
    queue_url = moto.client("sqs", REGION).create_queue(QueueName="recordings-arrived")["QueueUrl"]
    queue = moto.client("sqs", REGION).get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    queue_arn = queue["Attributes"]["QueueArn"]
    config = {
        f"{NS}:applications": [{"app_id": APP_ID, "region": "ap-2"}],
        f"{NS}:force_destroy": True,
        f"{NS}:retention": {
            "transition_days": 1,
            "transition_storage_class": "INTELLIGENT_TIERING",
            "intelligent_tiering_archive_days": 90,
            "intelligent_tiering_deep_archive_days": 180,
        },
        f"{NS}:inventory": {"frequency": "Weekly"},
        f"{NS}:recording_event_target_arn": queue_arn,
    }
    result = deploy_to_emulator(moto, config)
    app = result.outputs["applications"][APP_ID]
    bucket = app["bucket_name"]
    s3 = moto.client("s3", REGION)

    inventory = s3.get_bucket_inventory_configuration(Bucket=bucket, Id=INVENTORY_ID)[
        "InventoryConfiguration"
    ]
    destination = inventory["Destination"]["S3BucketDestination"]
    log_bucket = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]["TargetBucket"]
    assert destination["Bucket"] == f"arn:aws:s3:::{log_bucket}"
    assert destination["Format"] == "Parquet" and destination["Prefix"] == "s3-inventory"
    # moto keeps an empty <SSE-S3/> as nothing: what was sent is shown below (inventory_configuration).
    assert destination.get("Encryption") in ({}, {"SSES3": {}})
    assert inventory["Schedule"] == {"Frequency": "Weekly"}
    assert inventory["IsEnabled"] is True
    # moto answers IncludedObjectVersions "All" whatever it was sent (a fixed value in its GET): the
    # mocks tests and the shape test below show "Current" is what goes out.
    assert inventory["OptionalFields"] == list(INVENTORY_FIELDS)
    # The log bucket's policy, as moto holds it, admits the inventory's delivery.
    policy = json.loads(s3.get_bucket_policy(Bucket=log_bucket)["Policy"])
    assert "AllowS3InventoryDelivery" in [s["Sid"] for s in policy["Statement"]]

    # moto cannot hold the archive tiers: reported by name, never silently dropped.
    [skipped] = result.not_applied
    assert (skipped.type, skipped.name, skipped.reason) == (
        INTELLIGENT_TIERING,
        f"{APP_ID.lower()}-intelligent-tiering",
        MOTO_NO_INTELLIGENT_TIERING,
    )

    events = moto.client("events", REGION)
    rule_arn = app["recording_event_rule_arn"]
    rule = events.describe_rule(Name=rule_arn.rsplit("/", 1)[1])
    assert rule["Arn"] == rule_arn and rule["State"] == "ENABLED"
    assert json.loads(rule["EventPattern"])["detail"]["bucket"] == {"name": [bucket]}
    [target] = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == queue_arn and "RoleArn" not in target


def test_the_inventory_sent_to_moto_is_s3s_shape_with_its_encryption() -> None:
    inputs: dict[str, Any] = {
        "name": INVENTORY_ID,
        "enabled": True,
        "includedObjectVersions": "Current",
        "optionalFields": ["Size"],
        "schedule": {"frequency": "Daily"},
        "destination": {"bucket": {"bucketArn": "arn:aws:s3:::logs", "format": "CSV", "prefix": "p"}},
    }
    sse_s3 = {**inputs["destination"]["bucket"], "encryption": {"sseS3": {}}, "accountId": "123456789012"}
    sent = inventory_configuration(INVENTORY_ID, {**inputs, "destination": {"bucket": sse_s3}})
    assert sent["Destination"]["S3BucketDestination"] == {
        "Bucket": "arn:aws:s3:::logs",
        "Format": "CSV",
        "Prefix": "p",
        "AccountId": "123456789012",
        "Encryption": {"SSES3": {}},
    }
    key = "arn:aws:kms:ap-northeast-2:123456789012:key/k"
    sse_kms = {**inputs["destination"]["bucket"], "encryption": {"sseKms": {"keyId": key}}}
    sent = inventory_configuration(INVENTORY_ID, {**inputs, "destination": {"bucket": sse_kms}})
    assert sent["Destination"]["S3BucketDestination"]["Encryption"] == {"SSEKMS": {"KeyId": key}}
    assert sent["Schedule"] == {"Frequency": "Daily"} and sent["OptionalFields"] == ["Size"]
    assert sent["IncludedObjectVersions"] == "Current" and sent["IsEnabled"] is True
