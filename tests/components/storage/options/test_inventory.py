"""S3 Inventory (``inventory``): the resource and its inputs, the log bucket policy that admits its
delivery (effective permissions), the destinations and encryptions, and every refusal."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pulumi
import pytest

from components import InputError, Inventory, RecordingStorage, RecordingStorageArgs
from components.config import parse_stack_config
from components.storage import policies as pol
from components.storage.bucket import ACCESS_LOG_PREFIX
from components.storage.options.inventory import INVENTORY_ID
from components.type_tokens import BUCKET, BUCKET_LOGGING, BUCKET_POLICY, INVENTORY
from sendbird_copy.rules import INVENTORY_FIELDS
from tests.components.pulumi_mocks import ACCOUNT_ID, ALLOW, DENY, NEUTRAL, RecordingMocks, run_component
from tests.components.storage.test_hardening import _decision

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
OWN_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


def build(mocks: RecordingMocks, **kwargs: Any) -> RecordingStorage:
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


def test_no_inventory_by_default(mocks):
    storage = build(mocks)
    assert not mocks.of_type(INVENTORY) and storage.resources.inventory is None
    policy = json.loads(mocks.one(BUCKET_POLICY, access_logs=True).inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == list(pol.ACCESS_LOG_BUCKET_POLICY_SIDS)


def test_the_default_inventory_goes_daily_in_parquet_to_the_log_bucket_sse_s3(mocks):
    storage = build(mocks, inventory=Inventory())
    inventory = mocks.one(INVENTORY)
    log_bucket = mocks.one(BUCKET, access_logs=True)
    assert inventory.inputs["bucket"] == mocks.one(BUCKET).id
    assert inventory.inputs["region"] == REGION
    assert inventory.inputs["name"] == INVENTORY_ID and inventory.inputs["enabled"] is True
    assert inventory.inputs["schedule"] == {"frequency": "Daily"}
    assert inventory.inputs["includedObjectVersions"] == "Current"
    assert inventory.inputs["optionalFields"] == list(INVENTORY_FIELDS)
    assert "filter" not in inventory.inputs  # every recording
    assert inventory.inputs["destination"] == {
        "bucket": {
            "bucketArn": log_bucket.state["arn"],
            "format": "Parquet",
            "prefix": "s3-inventory",
            "accountId": ACCOUNT_ID,
            "encryption": {"sseS3": {}},
        }
    }
    # A child of the component, after the log bucket's policy admits it and after the last
    # bucket-level setting (S3's OperationAborted races).
    assert inventory.parent == mocks.one(BUCKET).parent
    assert mocks.one(BUCKET_POLICY, access_logs=True).urn in inventory.dependencies
    assert mocks.one(BUCKET_LOGGING).urn in inventory.dependencies
    assert storage.resources.inventory is not None


def test_the_audit_fields_are_all_of_s3s_inventory_fields():
    """pulumi-aws v7's provider validates optional_fields against S3's InventoryOptionalField enum
    (the AWS SDK model, which botocore ships too)."""
    model = botocore.session.get_session().get_service_model("s3")
    assert set(INVENTORY_FIELDS) <= set(model.shape_for("InventoryOptionalField").enum)
    assert len(INVENTORY_FIELDS) == 12


def _log_policy(mocks: RecordingMocks) -> tuple[dict[str, Any], str, str]:
    policy = json.loads(mocks.one(BUCKET_POLICY, access_logs=True).inputs["policy"])
    return policy, mocks.one(BUCKET, access_logs=True).state["arn"], mocks.one(BUCKET).state["arn"]


def test_the_log_bucket_admits_s3_inventory_under_its_prefix_only(mocks):
    build(mocks, inventory=Inventory(prefix="audit/inventory"))
    policy, log_arn, source_arn = _log_policy(mocks)
    assert [s["Sid"] for s in policy["Statement"]] == [
        *pol.ACCESS_LOG_BUCKET_POLICY_SIDS,
        pol.SID_ALLOW_INVENTORY_DELIVERY,
    ]
    s3 = {"Service": pol.S3_SERVICE}
    key = f"{log_arn}/audit/inventory/{source_arn.split(':')[-1]}/{INVENTORY_ID}/data/part.parquet"
    right = {
        "aws:SecureTransport": "true",
        "aws:SourceArn": source_arn,
        "aws:SourceAccount": ACCOUNT_ID,
        "s3:x-amz-acl": "bucket-owner-full-control",
    }
    assert _decision(policy, "s3:PutObject", key, s3, right) == ALLOW
    # The confused-deputy guard: another bucket's inventory, another account's, none named.
    for context in (
        {**right, "aws:SourceArn": "arn:aws:s3:::someone-elses-bucket"},
        {**right, "aws:SourceAccount": "210987654321"},
        {"aws:SecureTransport": "true", "s3:x-amz-acl": "bucket-owner-full-control"},
        {k: v for k, v in right.items() if k != "s3:x-amz-acl"},
    ):
        assert _decision(policy, "s3:PutObject", key, s3, context) == NEUTRAL, context
    # Only PutObject, only under its own prefix: not the access logs', not elsewhere.
    assert _decision(policy, "s3:GetObject", key, s3, right) == NEUTRAL
    for elsewhere in (f"{log_arn}/{ACCESS_LOG_PREFIX}x", f"{log_arn}/audit/inventory-x", f"{log_arn}/other"):
        assert _decision(policy, "s3:PutObject", elsewhere, s3, right) == NEUTRAL, elsewhere
    # The logging service still writes logs only, never inventory lists; nobody else writes either.
    logging = {"Service": pol.LOGGING_SERVICE}
    assert _decision(policy, "s3:PutObject", key, logging, right) == NEUTRAL
    assert _decision(policy, "s3:PutObject", key, f"arn:aws:iam::{ACCOUNT_ID}:user/someone", right) == NEUTRAL
    assert _decision(policy, "s3:PutObject", key, s3, {**right, "aws:SecureTransport": "false"}) == DENY


def test_a_bucket_of_the_users_with_its_kms_key(mocks):
    build(mocks, inventory=Inventory(destination_bucket="central-audit", kms_key_arn=OWN_KEY, format="CSV"))
    destination = mocks.one(INVENTORY).inputs["destination"]["bucket"]
    assert destination == {
        "bucketArn": "arn:aws:s3:::central-audit",
        "format": "CSV",
        "prefix": "s3-inventory",
        "encryption": {"sseKms": {"keyId": OWN_KEY}},
    }
    # The created log bucket does not take the lists: its policy admits nothing more.
    policy, _, _ = _log_policy(mocks)
    assert [s["Sid"] for s in policy["Statement"]] == list(pol.ACCESS_LOG_BUCKET_POLICY_SIDS)


def test_a_bucket_of_the_users_with_sse_s3_and_no_log_bucket(mocks):
    build(
        mocks, access_logs=False, inventory=Inventory(destination_bucket="central-audit", frequency="Weekly")
    )
    inventory = mocks.one(INVENTORY).inputs
    assert inventory["destination"]["bucket"]["encryption"] == {"sseS3": {}}
    assert inventory["schedule"] == {"frequency": "Weekly"}


def test_a_bucket_of_another_account_gets_its_owner_checked_by_s3(mocks):
    """With ``destination_account_id`` S3 writes the lists only while that account owns the bucket."""
    build(
        mocks,
        inventory=Inventory(destination_bucket="central-audit", destination_account_id="012345678901"),
    )
    destination = mocks.one(INVENTORY).inputs["destination"]["bucket"]
    assert (destination["bucketArn"], destination["accountId"]) == (
        "arn:aws:s3:::central-audit",
        "012345678901",
    )


def test_a_destination_account_from_the_stack_config_keeps_its_leading_zero():
    app = {"app_id": "a1", "region": "ap-2"}
    inventory: dict[str, Any] = {
        "destination_bucket": "central-audit",
        "destination_account_id": "012345678901",
    }
    (args,) = parse_stack_config({"applications": [app], "inventory": inventory})
    assert args.inventory == Inventory(
        destination_bucket="central-audit", destination_account_id="012345678901"
    )
    inventory["destination_account_id"] = 12345678901  # what YAML 1.2 (Pulumi's) makes of it unquoted
    with pytest.raises(InputError, match=r"^inventory\.destination_account_id .*12345678901 is not a string"):
        parse_stack_config({"applications": [app], "inventory": inventory})


def test_an_output_destination_account_is_checked_when_it_resolves(mocks):
    def make() -> RecordingStorage:
        inventory = Inventory(
            destination_bucket="central-audit", destination_account_id=pulumi.Output.from_input("12345")
        )
        return RecordingStorage(NAME, RecordingStorageArgs(app_id=APP_ID, region="ap-2", inventory=inventory))

    with pytest.raises(ValueError) as err:
        run_component(make, mocks)
    assert "inventory.destination_account_id '12345' is not an AWS account id" in str(err.value)


def test_an_output_destination_is_checked_when_it_resolves(mocks):
    def make() -> RecordingStorage:
        destination = pulumi.Output.from_input("Bad.Bucket")
        return RecordingStorage(
            NAME,
            RecordingStorageArgs(
                app_id=APP_ID, region="ap-2", inventory=Inventory(destination_bucket=destination)
            ),
        )

    with pytest.raises(ValueError) as err:
        run_component(make, mocks)
    assert "inventory.destination_bucket 'Bad.Bucket' is not a valid bucket name" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"access_logs": False, "inventory": Inventory()},
            "inventory.destination_bucket is not set and the component creates no log bucket",
        ),
        (
            {"access_log_bucket": "central-logs", "inventory": Inventory()},
            "inventory.destination_bucket is not set .*access_log_bucket names an existing bucket",
        ),
        ({"inventory": Inventory(kms_key_arn=OWN_KEY)}, "inventory.kms_key_arn is set without"),
        (
            {"inventory": Inventory(destination_bucket="a", kms_key_arn=OWN_KEY)},
            "inventory.destination_bucket 'a' is not a valid bucket name",
        ),
        (
            {"bucket_name": "same-bucket", "inventory": Inventory(destination_bucket="same-bucket")},
            "the recordings bucket itself",
        ),
        (
            {
                "inventory": Inventory(
                    destination_bucket="b-1", kms_key_arn=OWN_KEY.replace(REGION, "us-east-1")
                )
            },
            "inventory.kms_key_arn .* is in us-east-1",
        ),
        ({"inventory": "daily"}, "inventory 'daily' is not an Inventory"),
        (
            {"inventory": Inventory(destination_account_id="012345678901")},
            "inventory.destination_account_id is set without inventory.destination_bucket",
        ),
        (
            {"inventory": Inventory(destination_bucket="b-1", destination_account_id="0123456789012")},
            "inventory.destination_account_id '0123456789012' is not an AWS account id. Allowed: a 12-digit",
        ),
        (
            {"inventory": Inventory(destination_bucket="b-1", destination_account_id="٠١٢٣٤٥٦٧٨٩٠١")},
            "inventory.destination_account_id .* is not an AWS account id",
        ),
    ],
)
def test_bad_inventory_settings_name_the_input(kwargs, message):
    with pytest.raises(InputError, match=message):
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"frequency": "Hourly"}, "inventory.frequency 'Hourly' is not one of them. Allowed: Daily, Weekly"),
        ({"format": "parquet"}, "inventory.format 'parquet' is not one of them. Allowed: Parquet, ORC, CSV"),
        ({"included_object_versions": "Latest"}, "inventory.included_object_versions 'Latest'"),
        ({"optional_fields": ["Size", "Owner"]}, "inventory.optional_fields has 'Owner'. Allowed: a list of"),
        ({"optional_fields": ["Size", "Size"]}, "names a field twice"),
        ({"optional_fields": "Size"}, "inventory.optional_fields 'Size' is not a list"),
        ({"prefix": "s3-access-logs"}, "overlaps the access logs' prefix"),
        ({"prefix": "s3-access-logs/inventory"}, "overlaps the access logs' prefix"),
        ({"prefix": "/inventory/"}, "inventory.prefix '/inventory/' is not a key prefix"),
        ({"frequency": pulumi.Output.from_input("Daily")}, "inventory.frequency is (an Output), not a plain"),
    ],
)
def test_bad_inventory_values_name_the_input(kwargs, message):
    with pytest.raises(InputError) as err:
        Inventory(**kwargs)
    assert str(err.value).startswith(message) or message in str(err.value)


def test_stack_config_inventory_is_replaced_not_merged_and_errors_are_relocated():
    apps = [
        {"app_id": "a1", "region": "ap-2"},
        {"app_id": "a2", "region": "ap-2", "inventory": {"frequency": "Weekly"}},
        {"app_id": "a3", "region": "ap-2", "inventory": None},
    ]
    first, second, third = parse_stack_config({"applications": apps, "inventory": {"format": "CSV"}})
    assert first.inventory == Inventory(format="CSV")
    assert second.inventory == Inventory(frequency="Weekly")  # the stack's format is not merged in
    assert third.inventory is None
    bad = {"app_id": "a1", "region": "ap-2", "inventory": {"format": "XML"}}
    with pytest.raises(InputError, match=r"^applications\[0\]\.inventory\.format 'XML'"):
        parse_stack_config({"applications": [bad]})
    with pytest.raises(InputError, match=r"^inventory has unknown key\(s\) destination\. Allowed keys"):
        parse_stack_config({"applications": apps[:1], "inventory": {"destination": "x"}})
    no_logs = {"app_id": "a1", "region": "ap-2", "access_logs": False}
    with pytest.raises(
        InputError,
        match=r"^inventory\.destination_bucket \(stack-wide, used by applications\[0\]\.app_id a1\) "
        r"is not set",
    ):
        parse_stack_config({"applications": [no_logs], "inventory": {}})
