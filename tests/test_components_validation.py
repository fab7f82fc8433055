"""Pure input checks and naming rules of RecordingStorage (no Pulumi involved)."""

from __future__ import annotations

import re

import pytest

from components import InputError, RecordingStorageArgs, Retention, UploadRole
from components.naming import MAX_BUCKET_PREFIX, bucket_prefix, default_tags, kms_alias_name
from components.validation import (
    check_bucket_name,
    check_kms_key_arn,
    check_retention,
    check_tags,
    check_upload_role,
    validate_args,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
KEY_SEOUL = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


@pytest.mark.parametrize("name", ["abc", "sendbird-recordings-prod-1", "a" * 63, "0-9", "my--bucket"])
def test_valid_bucket_names(name):
    assert check_bucket_name(name) == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("ab", "2 characters long"),
        ("a" * 64, "64 characters long"),
        ("my.bucket", "contains a dot"),
        ("My-Bucket", "character other than"),
        ("-bucket", "character other than"),
        ("bucket-", "character other than"),
        ("bucket_name", "character other than"),
        ("xn--bucket", "prefix S3 reserves"),
        ("sthree-bucket", "prefix S3 reserves"),
        ("amzn-s3-demo-bucket", "prefix S3 reserves"),
        ("bucket-s3alias", "suffix S3 reserves"),
        ("bucket--ol-s3", "suffix S3 reserves"),
        ("bucket--x-s3", "suffix S3 reserves"),
    ],
)
def test_invalid_bucket_names_say_why_and_what_is_allowed(name, why):
    with pytest.raises(InputError) as err:
        check_bucket_name(name, "applications[1].bucket_name")
    message = str(err.value)
    assert message.startswith(f"applications[1].bucket_name '{name}'")
    assert why in message
    assert "Allowed: 3-63 characters" in message
    assert "no dots" in message


def test_retention_defaults_are_valid_and_cheap():
    retention = check_retention(Retention())
    assert retention.abort_incomplete_multipart_days == 7
    assert retention.noncurrent_expiration_days == 30
    assert retention.transition_days is None and retention.expiration_days is None
    assert retention.transition_storage_class == "STANDARD_IA"


@pytest.mark.parametrize(
    ("retention", "input_name", "fragment"),
    [
        (Retention(transition_days=30, expiration_days=30), "retention.expiration_days", "contradicts"),
        (Retention(transition_days=60, expiration_days=45), "retention.expiration_days", "contradicts"),
        (Retention(transition_days=10), "retention.transition_days", "too early for STANDARD_IA"),
        (
            Retention(transition_days=29, transition_storage_class="ONEZONE_IA"),
            "retention.transition_days",
            "too early for ONEZONE_IA",
        ),
        (Retention(transition_storage_class="COLD"), "retention.transition_storage_class", "GLACIER_IR"),
        (Retention(abort_incomplete_multipart_days=0), "retention.abort_incomplete_multipart_days", "1 to 7"),
        (Retention(abort_incomplete_multipart_days=8), "retention.abort_incomplete_multipart_days", "1 to 7"),
        (Retention(expiration_days=0), "retention.expiration_days", ">= 1"),
        (Retention(expiration_days=-5), "retention.expiration_days", ">= 1"),
        (Retention(noncurrent_expiration_days=0), "retention.noncurrent_expiration_days", ">= 1"),
        (
            Retention(transition_days=0, transition_storage_class="GLACIER"),
            "retention.transition_days",
            ">= 1",
        ),
        (Retention(expiration_days="14"), "retention.expiration_days", "whole number"),  # type: ignore[arg-type]
        (Retention(expiration_days=True), "retention.expiration_days", "whole number"),
        (
            Retention(transition_days=30, transition_storage_class=["GLACIER"]),  # type: ignore[arg-type]
            "retention.transition_storage_class ['GLACIER']",
            "is not a string",
        ),
        (Retention(noncurrent_expiration_days=30.0), "retention.noncurrent_expiration_days", "whole number"),  # type: ignore[arg-type]
    ],
)
def test_contradicting_or_invalid_retention(retention, input_name, fragment):
    with pytest.raises(InputError, match=re.escape(input_name)) as err:
        check_retention(retention)
    assert fragment in str(err.value)
    assert "Allowed" in str(err.value)


def test_glacier_classes_may_transition_early_and_expiry_after_transition_is_fine():
    check_retention(Retention(transition_days=1, transition_storage_class="GLACIER_IR", expiration_days=2))
    check_retention(Retention(transition_days=30, expiration_days=31))


def test_existing_key_must_be_a_key_arn_in_the_apps_region():
    assert check_kms_key_arn(KEY_SEOUL, "ap-northeast-2") == KEY_SEOUL
    with pytest.raises(
        InputError, match=r"kms_key_arn '.*' is in ap-northeast-2, but the application's region"
    ):
        check_kms_key_arn(KEY_SEOUL, "us-east-1")
    alias_arn = "arn:aws:kms:ap-northeast-2:123456789012:alias/mine"
    with pytest.raises(InputError, match="is not a KMS key ARN"):
        check_kms_key_arn(alias_arn, "ap-northeast-2")


@pytest.mark.parametrize(
    ("tags", "fragment"),
    [
        ({"aws:owner": "x"}, "not starting with 'aws:'"),
        ({"": "x"}, "1-128 characters"),
        ({"cost": 42}, "quote numbers"),
        ({"k": "v" * 257}, "at most 256"),
        ({f"k{i}": "v" for i in range(48)}, "at most 47"),
        (["a", "b"], "not a mapping"),
    ],
)
def test_invalid_tags(tags, fragment):
    with pytest.raises(InputError, match=re.escape(fragment)):
        check_tags(tags, "tags")


@pytest.mark.parametrize(
    ("role", "fragment"),
    [
        (UploadRole("12345", "ext-id"), "upload_role.sendbird_principal '12345'"),
        (UploadRole("arn:aws:s3:::bucket", "ext-id"), "upload_role.sendbird_principal"),
        (UploadRole("111122223333", "x"), "upload_role.external_id 'x'"),
        (UploadRole("111122223333", "has space"), "upload_role.external_id"),
    ],
)
def test_invalid_upload_role(role, fragment):
    with pytest.raises(InputError, match=re.escape(fragment)):
        check_upload_role(role)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (RecordingStorageArgs(app_id="", region="ap-2"), "app_id is missing"),
        (RecordingStorageArgs(app_id="has space", region="ap-2"), "app_id 'has space' is not a Sendbird"),
        (RecordingStorageArgs(app_id=APP_ID, region=""), "region is missing"),
        (RecordingStorageArgs(app_id=APP_ID, region="mars-1"), "region 'mars-1' is not a known region"),
        (
            RecordingStorageArgs(app_id=APP_ID, region="sa-east-1"),
            "region 'sa-east-1' is an AWS region Sendbird",
        ),
        (RecordingStorageArgs(app_id=APP_ID, region="ap-2", bucket_name="a.b.c"), "bucket_name 'a.b.c'"),
        (
            RecordingStorageArgs(app_id=APP_ID, region="ap-2", kms_deletion_window_days=6),
            "kms_deletion_window_days 6",
        ),
        (
            RecordingStorageArgs(app_id=APP_ID, region="ap-2", kms_deletion_window_days=31),
            "kms_deletion_window_days 31",
        ),
        (RecordingStorageArgs(app_id=APP_ID, region="ap-2", force_destroy="yes"), "force_destroy 'yes'"),  # type: ignore[arg-type]
        (RecordingStorageArgs(app_id=APP_ID, region="ap-2", protect=1), "protect 1 is not a boolean"),  # type: ignore[arg-type]
        (
            RecordingStorageArgs(app_id=APP_ID, region="ap-2", kms_deletion_window_days=True),
            "kms_deletion_window_days True is not a whole number",
        ),
        (
            RecordingStorageArgs(app_id=APP_ID, region="ap-2", tags={"team": 7}),  # type: ignore[dict-item]
            "tags.team 7 is invalid: it is not a string",
        ),
        (
            RecordingStorageArgs(app_id=APP_ID, region=["ap-2"]),  # type: ignore[arg-type]
            "region ['ap-2'] is not a string. Allowed:",
        ),
        (RecordingStorageArgs(app_id=APP_ID, region="us-1", kms_key_arn=KEY_SEOUL), "kms_key_arn"),
    ],
)
def test_validate_args_names_the_input(args, fragment):
    with pytest.raises(InputError) as err:
        validate_args(args)
    assert fragment in str(err.value)


@pytest.mark.parametrize(("region", "aws_region"), [("ap-2", "ap-northeast-2"), ("us-west-2", "us-west-2")])
def test_validate_args_resolves_sendbird_keys_and_aws_regions(region, aws_region):
    assert validate_args(RecordingStorageArgs(app_id=APP_ID, region=region)) == aws_region


@pytest.mark.parametrize(
    "name", [APP_ID.lower(), "Prod Recordings!", "xn--weird", "a" * 80, "---", "rec--x-s3", "sthree-"]
)
def test_generated_bucket_prefix_is_valid(name):
    prefix = bucket_prefix(name)
    assert len(prefix) <= MAX_BUCKET_PREFIX
    assert prefix.endswith("-")
    # With the provider's 26-character unique suffix it is a valid bucket name.
    check_bucket_name(prefix + "20250101000000000000000001")


def test_bucket_prefix_keeps_a_uuid_app_id_whole():
    assert bucket_prefix(APP_ID.lower()) == APP_ID.lower() + "-"


def test_kms_alias_name_is_valid():
    alias = kms_alias_name("prod", APP_ID.lower())
    assert alias == f"alias/sendbird-recordings/prod/{APP_ID.lower()}"
    assert re.fullmatch(r"alias/[A-Za-z0-9/_-]{1,250}", kms_alias_name("my org/stack", "x y"))
    assert not kms_alias_name("aws", "x").startswith("alias/aws/")


def test_our_tags_win_over_callers_tags():
    tags = default_tags(APP_ID, {"team": "media", "SendbirdAppId": "spoofed"})
    assert tags == {
        "team": "media",
        "ManagedBy": "pulumi",
        "Component": "sendbird-recordings",
        "SendbirdAppId": APP_ID,
    }
