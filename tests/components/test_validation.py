"""Pure input checks and naming rules of RecordingStorage (no Pulumi involved)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from components import InputError, RecordingStorageArgs, Retention, UploadRole
from components.naming import MAX_BUCKET_PREFIX, bucket_prefix, default_tags, kms_alias_name
from components.validation import (
    RESERVED_BUCKET_PREFIXES,
    Input,
    check_bucket_name,
    check_kms_key_arn,
    check_retention,
    check_tags,
    check_upload_role,
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
    # No class set: a transition goes to STANDARD_IA.
    assert retention.transition_storage_class is None
    assert retention.effective_transition_storage_class == "STANDARD_IA"
    assert Retention(transition_days=30).effective_transition_storage_class == "STANDARD_IA"
    assert Retention(
        transition_days=1, transition_storage_class="GLACIER"
    ).effective_transition_storage_class == ("GLACIER")


@pytest.mark.parametrize(
    ("retention", "input_name", "fragment"),
    [
        ({"transition_days": 30, "expiration_days": 30}, "retention.expiration_days", "contradicts"),
        ({"transition_days": 60, "expiration_days": 45}, "retention.expiration_days", "contradicts"),
        ({"transition_days": 10}, "retention.transition_days", "too early for STANDARD_IA"),
        (
            {"transition_days": 29, "transition_storage_class": "ONEZONE_IA"},
            "retention.transition_days",
            "too early for ONEZONE_IA",
        ),
        ({"transition_storage_class": "COLD"}, "retention.transition_storage_class", "GLACIER_IR"),
        ({"abort_incomplete_multipart_days": 0}, "retention.abort_incomplete_multipart_days", "1 to 7"),
        ({"abort_incomplete_multipart_days": 8}, "retention.abort_incomplete_multipart_days", "1 to 7"),
        ({"expiration_days": 0}, "retention.expiration_days", ">= 1"),
        ({"expiration_days": -5}, "retention.expiration_days", ">= 1"),
        ({"noncurrent_expiration_days": 0}, "retention.noncurrent_expiration_days", ">= 1"),
        (
            {"transition_days": 0, "transition_storage_class": "GLACIER"},
            "retention.transition_days",
            ">= 1",
        ),
        ({"expiration_days": "14"}, "retention.expiration_days", "whole number"),
        ({"expiration_days": True}, "retention.expiration_days", "whole number"),
        (
            {"transition_days": 30, "transition_storage_class": ["GLACIER"]},
            "retention.transition_storage_class ['GLACIER']",
            "is not a string",
        ),
        ({"noncurrent_expiration_days": 30.0}, "retention.noncurrent_expiration_days", "whole number"),
        (
            {"transition_storage_class": "GLACIER"},
            "retention.transition_storage_class 'GLACIER' is set without retention.transition_days",
            "set transition_days too",
        ),
    ],
)
def test_contradicting_or_invalid_retention(retention, input_name, fragment):
    """A Retention checks itself when constructed, and check_retention applies the same rules."""
    with pytest.raises(InputError, match=re.escape(input_name)) as err:
        Retention(**retention)
    assert fragment in str(err.value)
    assert "Allowed" in str(err.value)
    unchecked = SimpleNamespace(**{**vars(Retention()), **retention})  # duck-typed: no __post_init__
    with pytest.raises(InputError, match=re.escape(input_name)):
        check_retention(unchecked)


def test_a_storage_class_without_transition_days_is_refused_by_the_type_itself():
    """Not only in stack config: a Python caller of Retention gets the same error, naming the field."""
    with pytest.raises(InputError) as err:
        Retention(transition_storage_class="GLACIER")
    assert str(err.value) == (
        "retention.transition_storage_class 'GLACIER' is set without retention.transition_days. "
        "Allowed: set transition_days too, or drop the storage class"
    )
    with pytest.raises(
        InputError, match=r"^retention\.transition_storage_class 'DEEP_ARCHIVE' is set without"
    ):
        RecordingStorageArgs(
            app_id=APP_ID, region="ap-2", retention=Retention(transition_storage_class="DEEP_ARCHIVE")
        )
    assert Retention(transition_days=1, transition_storage_class="GLACIER").transition_days == 1


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
        (("12345", "ext-id"), "upload_role.sendbird_principal '12345'"),
        (("arn:aws:s3:::bucket", "ext-id"), "upload_role.sendbird_principal"),
        (("111122223333", "x"), "upload_role.external_id 'x'"),
        (("111122223333", "has space"), "upload_role.external_id"),
    ],
)
def test_invalid_upload_role(role, fragment):
    with pytest.raises(InputError, match=re.escape(fragment)):
        UploadRole(*role)
    with pytest.raises(InputError, match=re.escape(fragment)):
        check_upload_role(SimpleNamespace(sendbird_principal=role[0], external_id=role[1]))


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"app_id": "", "region": "ap-2"}, "app_id is missing"),
        ({"app_id": "has space", "region": "ap-2"}, "app_id 'has space' is not a Sendbird"),
        ({"app_id": "has_underscore", "region": "ap-2"}, "app_id 'has_underscore' is not a Sendbird"),
        ({"app_id": "a" * 60, "region": "ap-2"}, "at most 59 characters"),
        ({"app_id": APP_ID, "region": ""}, "region is missing"),
        ({"app_id": APP_ID, "region": "mars-1"}, "region 'mars-1' is not a known region"),
        ({"app_id": APP_ID, "region": "sa-east-1"}, "region 'sa-east-1' is an AWS region Sendbird"),
        ({"app_id": APP_ID, "region": "ap-2", "bucket_name": "a.b.c"}, "bucket_name 'a.b.c'"),
        ({"app_id": APP_ID, "region": "ap-2", "kms_deletion_window_days": 6}, "kms_deletion_window_days 6"),
        ({"app_id": APP_ID, "region": "ap-2", "kms_deletion_window_days": 31}, "kms_deletion_window_days 31"),
        ({"app_id": APP_ID, "region": "ap-2", "force_destroy": "yes"}, "force_destroy 'yes'"),
        ({"app_id": APP_ID, "region": "ap-2", "protect": 1}, "protect 1 is not a boolean"),
        (
            {"app_id": APP_ID, "region": "ap-2", "kms_deletion_window_days": True},
            "kms_deletion_window_days True is not a whole number",
        ),
        (
            {"app_id": APP_ID, "region": "ap-2", "tags": {"team": 7}},
            "tags.team 7 is invalid: it is not a string",
        ),
        ({"app_id": APP_ID, "region": ["ap-2"]}, "region ['ap-2'] is not a string. Allowed:"),
        ({"app_id": APP_ID, "region": "us-1", "kms_key_arn": KEY_SEOUL}, "kms_key_arn"),
        (
            {"app_id": APP_ID, "region": "ap-2", "retention": {"expiration_days": 5}},
            "retention {'expiration_days",
        ),
        ({"app_id": APP_ID, "region": "ap-2", "upload_role": ("1", "2")}, "upload_role ('1', '2') is not an"),
    ],
)
def test_args_name_the_input(kwargs, fragment):
    with pytest.raises(InputError) as err:
        RecordingStorageArgs(**kwargs)
    assert fragment in str(err.value)


@pytest.mark.parametrize(("region", "aws_region"), [("ap-2", "ap-northeast-2"), ("us-west-2", "us-west-2")])
def test_args_resolve_sendbird_keys_and_aws_regions(region, aws_region):
    assert RecordingStorageArgs(app_id=APP_ID, region=region).aws_region == aws_region


def test_errors_can_be_relocated_under_a_config_key():
    with pytest.raises(InputError) as err:
        Retention(transition_days=60, expiration_days=30)
    moved = err.value.relocated(lambda name: f"applications[1].{name}")
    assert isinstance(moved, InputError) and isinstance(moved, ValueError)
    assert str(moved).startswith(
        "applications[1].retention.expiration_days 30 contradicts "
        "applications[1].retention.transition_days 60:"
    )
    assert str(InputError("plain text").relocated(lambda name: "x" + name)) == "plain text"
    assert str(InputError(Input("tags"), " has 60 tags").relocated(str.upper)) == "TAGS has 60 tags"


@pytest.mark.parametrize(
    "name", [APP_ID.lower(), "Prod Recordings!", "xn--weird", "a" * 80, "---", "rec--x-s3", "sthree-"]
)
def test_generated_bucket_prefix_is_valid(name):
    prefix = bucket_prefix(name)
    assert not prefix.startswith(RESERVED_BUCKET_PREFIXES)
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
