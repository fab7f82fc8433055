"""Pure input checks and naming rules of RecordingStorage (no Pulumi involved)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from components import InputError, RecordingStorageArgs, Retention, UploadRole
from components.naming import (
    MAX_BUCKET_PREFIX,
    MAX_IAM_NAME,
    MAX_IAM_ROLE_PREFIX,
    MAX_KMS_ALIAS,
    PROVIDER_UNIQUE_SUFFIX,
    bucket_prefix,
    copy_user_name,
    default_tags,
    kms_alias_name,
    name_hash,
    shortened,
    upload_role_name_prefix,
)
from sendbird_copy.errors import Input
from sendbird_copy.facts import APP_ID_MAX_LENGTH
from sendbird_copy.rules import (
    COMPONENT_TAG_KEYS,
    PENDING,
    RESERVED_BUCKET_PREFIXES,
    check_bucket_name,
    check_external_id,
    check_kms_key_arn,
    check_retention,
    check_tags,
    check_upload_role,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
KEY_SEOUL = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


@pytest.mark.parametrize("name", ["abc", "sendbird-recordings-prod-1", "a" * 63, "0-9", "my--bucket"])
def test_valid_bucket_names(name):
    assert check_bucket_name("bucket_name", name) == name


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
        check_bucket_name("applications[1].bucket_name", name)
    message = str(err.value)
    assert message.startswith(f"applications[1].bucket_name '{name}'")
    assert why in message
    assert "Allowed: 3-63 characters" in message
    assert "no dots" in message


def test_retention_defaults_are_valid_and_cheap():
    retention = check_retention("retention.", Retention())
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
        # The floor is Sendbird's 14 days, not 1: a 0 or -5 says so too.
        ({"expiration_days": 0}, "retention.expiration_days", "Allowed: 14 or more"),
        ({"expiration_days": -5}, "retention.expiration_days", "Allowed: 14 or more"),
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
        check_retention("retention.", unchecked)


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


@pytest.mark.parametrize("days", [1, 7, 13])
def test_an_expiry_shorter_than_sendbirds_two_weeks_is_refused_saying_what_it_would_do(days):
    """Issue 23: the bucket would delete copies Sendbird still holds, and the sync copy them again."""
    message = (
        rf"^retention\.expiration_days {days} is shorter than Sendbird's own 14 days: the bucket would "
        r"delete copied recordings while Sendbird still holds them, and the sync would copy those expired "
        r"recordings again\. Allowed: 14 or more, or no expiration_days \(keep recordings\)$"
    )
    with pytest.raises(InputError, match=message):
        Retention(expiration_days=days)
    # A day count that is a Pulumi value is judged when it resolves, by the same rule.
    pending = SimpleNamespace(**{**vars(Retention()), "expiration_days": days})
    with pytest.raises(InputError, match=message):
        check_retention("retention.", pending)
    assert Retention(expiration_days=14).expiration_days == 14


def test_glacier_classes_may_transition_early_and_expiry_after_transition_is_fine():
    check_retention(
        "retention.", Retention(transition_days=1, transition_storage_class="GLACIER_IR", expiration_days=14)
    )
    check_retention("retention.", Retention(transition_days=30, expiration_days=31))


def test_existing_key_must_be_a_key_arn_in_the_apps_region():
    assert check_kms_key_arn("kms_key_arn", KEY_SEOUL, "ap-northeast-2") == KEY_SEOUL
    with pytest.raises(
        InputError, match=r"kms_key_arn '.*' is in ap-northeast-2, but the application's region"
    ):
        check_kms_key_arn("kms_key_arn", KEY_SEOUL, "us-east-1")
    alias_arn = "arn:aws:kms:ap-northeast-2:123456789012:alias/mine"
    with pytest.raises(InputError, match="is not a KMS key ARN"):
        check_kms_key_arn("kms_key_arn", alias_arn, "ap-northeast-2")


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
        check_tags("tags", tags)


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
        check_upload_role("upload_role.", SimpleNamespace(sendbird_principal=role[0], external_id=role[1]))


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
    check_bucket_name("bucket_name", prefix + "20250101000000000000000001")


def test_bucket_prefix_keeps_a_uuid_app_id_whole():
    assert bucket_prefix(APP_ID.lower()) == APP_ID.lower() + "-"


def test_kms_alias_name_is_valid():
    alias = kms_alias_name("prod", APP_ID.lower())
    assert alias == f"alias/sendbird-recordings/prod/{APP_ID.lower()}"
    assert re.fullmatch(r"alias/[A-Za-z0-9/_-]{1,250}", kms_alias_name("my org/stack", "x y"))
    assert not kms_alias_name("aws", "x").startswith("alias/aws/")


def test_default_tags_add_ours_to_the_callers():
    tags = default_tags(APP_ID, {"team": "media"})
    assert tags == {
        "team": "media",
        "ManagedBy": "pulumi",
        "Component": "sendbird-recordings",
        "SendbirdAppId": APP_ID,
    }
    assert tuple(tags)[1:] == COMPONENT_TAG_KEYS


@pytest.mark.parametrize("key", ["SendbirdAppId", "sendbirdappid", "MANAGEDBY", "component"])
def test_a_callers_tag_with_one_of_our_keys_is_an_error_not_overwritten(key):
    """Compared ignoring case: IAM keeps one tag per key regardless of case on users and roles, so
    'sendbirdappid' would replace our SendbirdAppId there."""
    with pytest.raises(InputError) as err:
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", tags={"team": "media", key: "spoofed"})
    message = str(err.value)
    assert message.startswith(f"tags.{key} uses the key of the component's own tag ")
    assert "ignoring case" in message and "Allowed: any other key" in message
    ours = next(k for k in COMPONENT_TAG_KEYS if k.lower() == key.lower())
    assert f"own tag {ours} " in message


def test_tag_keys_that_differ_only_in_case_are_an_error():
    with pytest.raises(InputError, match=r"^tags\.Team and tags\.team differ only in case\. Allowed: one"):
        check_tags("tags", {"team": "a", "Team": "b"})


# -- naming: every generated name within AWS's limits -----------------------------------------------
LONGEST_APP_ID = "7" * APP_ID_MAX_LENGTH  # the longest id the app-id rule allows (59)


def test_name_hash_is_short_and_stable():
    assert name_hash("a", "b") == "59b271ae" == name_hash("a", "b")  # sha256 of "a\\0b"
    assert name_hash("a", "b") != name_hash("ab") != name_hash("a", "c")
    assert re.fullmatch(r"[0-9a-f]{8}", name_hash(LONGEST_APP_ID))


def test_shortened_keeps_a_name_that_fits_and_cuts_one_that_does_not():
    assert shortened("short", 10) == "short"
    assert shortened("x" * 10, 10) == "x" * 10
    long = "abc-" * 10
    cut = shortened(long, 20)
    assert len(cut) == 20 and cut == f"abc-abc-abc-{name_hash(long)}"  # no '-' doubled at the cut
    assert shortened(long, 20, "seed") == f"abc-abc-abc-{name_hash('seed')}"
    alias = "alias/p/stack/" + "n" * 20  # cut right after a '/': that is dropped too
    assert shortened(alias, 23) == f"alias/p/stack-{name_hash(alias)}"


def test_names_of_a_uuid_app_id_are_what_they_always_were():
    """Nothing is renamed (so nothing replaced) for the ids the program has always seen."""
    name = APP_ID.lower()
    assert copy_user_name(name, "sendbird-recordings", "prod") is None  # Pulumi's autoname fits
    assert upload_role_name_prefix(name) is None
    assert bucket_prefix(name) == name + "-"
    assert kms_alias_name("prod", name) == f"alias/sendbird-recordings/prod/{name}"


def test_names_of_the_longest_app_id_fit_and_stay_recognisable():
    name = LONGEST_APP_ID.lower()
    user = copy_user_name(name, "sendbird-recordings", "prod")
    assert user is not None and len(user) <= MAX_IAM_NAME
    assert re.fullmatch(r"[\w+=,.@-]+", user) and user.startswith(name[:40]) and user.endswith("-copy-user")
    role = upload_role_name_prefix(name)
    assert role is not None and len(role) <= MAX_IAM_ROLE_PREFIX
    assert role.startswith(name[:20]) and role.endswith("-upload-")
    assert len(role) + PROVIDER_UNIQUE_SUFFIX <= MAX_IAM_NAME
    assert len(bucket_prefix(name)) <= MAX_BUCKET_PREFIX


def test_long_names_sharing_a_50_character_beginning_still_differ():
    first, second = "a" * 50 + "-first-app", "a" * 50 + "-second-app"
    for make in (
        lambda n: copy_user_name(n, "p", "s"),
        upload_role_name_prefix,
        lambda n: kms_alias_name("s" * 200, n),
    ):
        assert make(first) != make(second)
    # IAM users take no name_prefix: the hash covers project and stack, so two stacks in one account
    # (dev and staging of one application) never share a user name.
    assert copy_user_name(first, "p", "dev") != copy_user_name(first, "p", "staging")
    assert copy_user_name(first, "p", "dev") != copy_user_name(first, "other", "dev")


@pytest.mark.parametrize("name", ["Prod Recordings!", "team/recordings", "x" * 300])
def test_names_pulumi_could_not_autoname_for_iam_get_valid_ones(name):
    user = copy_user_name(name, "p", "s")
    role = upload_role_name_prefix(name)
    assert user is not None and re.fullmatch(r"[\w+=,.@-]{1,64}", user)
    assert role is not None and re.fullmatch(r"[\w+=,.@-]{1,38}", role)


def test_kms_alias_name_fits_256_with_a_long_stack_and_name():
    alias = kms_alias_name("s" * 120, "n" * 200)
    assert len(alias) <= MAX_KMS_ALIAS and re.fullmatch(r"alias/[A-Za-z0-9/_-]+", alias)
    assert alias.startswith("alias/sendbird-recordings/" + "s" * 120 + "/nnn")
    assert alias != kms_alias_name("s" * 120, "n" * 199 + "m")


# -- what a wrong type says: what is accepted, never an object repr ---------------------------------
class Opaque:
    pass


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"kms_key_arn": ["arn:aws:kms:ap-northeast-2:123456789012:key/k"]},
            "kms_key_arn ['arn:aws:kms:ap-northeast-2:123456789012:key/k'] is not a string. Allowed: a KMS "
            "key ARN",
        ),
        ({"kms_key_arn": Opaque()}, "kms_key_arn (an Opaque) is not a string. Allowed: a KMS key ARN"),
        ({"tags": {"team": Opaque()}}, "tags.team (an Opaque) is invalid: it is not a string."),
        ({"tags": {"team": {"a": 1}}}, "tags.team {'a': 1} is invalid: it is not a string."),
        ({"bucket_name": Opaque()}, "bucket_name (an Opaque) is not a string. Allowed: 3-63"),
        ({"retention": Opaque()}, "retention (an Opaque) is not a Retention"),
        ({"force_destroy": Opaque()}, "force_destroy (an Opaque) is not a boolean"),
    ],
)
def test_a_wrong_type_says_what_is_accepted_and_shows_no_object_repr(kwargs, expected):
    with pytest.raises(InputError) as err:
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)
    message = str(err.value)
    assert message.startswith(expected)
    assert " at 0x" not in message and "<" not in message.replace("<account>", "").replace("<key id>", "")
    if "kms_key_arn" in kwargs or "tags" in kwargs or "bucket_name" in kwargs:
        assert "or a pulumi Output of one" in message


def test_upload_role_fields_of_the_wrong_type_say_what_is_accepted():
    with pytest.raises(InputError) as err:
        UploadRole(sendbird_principal=Opaque(), external_id="ext-1")  # type: ignore[arg-type]
    assert str(err.value).startswith("upload_role.sendbird_principal (an Opaque) is not an AWS principal")
    assert str(err.value).endswith("(a string, or a pulumi Output of one)")
    with pytest.raises(InputError, match=r"^upload_role\.external_id \[1, 2\] is not a string\. Allowed"):
        UploadRole(sendbird_principal="111122223333", external_id=[1, 2])  # type: ignore[arg-type]


def test_pending_values_skip_only_the_checks_that_need_them():
    """What components.storage.args passes for a value that is a pulumi Output: checked when it resolves."""
    pending = SimpleNamespace(**{**vars(Retention()), "transition_days": PENDING, "expiration_days": 20})
    check_retention("retention.", pending)  # 20 <= transition_days cannot be judged yet
    with pytest.raises(InputError, match=r"retention\.expiration_days 0"):
        check_retention("retention.", SimpleNamespace(**{**vars(pending), "expiration_days": 0}))
    with pytest.raises(InputError, match="is set without"):  # a pending transition still counts as set
        check_retention(
            "retention.", SimpleNamespace(**{**vars(Retention()), "transition_storage_class": "GLACIER"})
        )
    glacier = {"transition_storage_class": "GLACIER", "transition_days": PENDING}
    check_retention("retention.", SimpleNamespace(**{**vars(Retention()), **glacier}))
    check_upload_role("upload_role.", SimpleNamespace(sendbird_principal=PENDING, external_id=PENDING))
    with pytest.raises(InputError, match=r"upload_role\.external_id 'x'"):
        check_upload_role("upload_role.", SimpleNamespace(sendbird_principal=PENDING, external_id="x"))
    assert check_tags("tags", {"team": PENDING}) == {"team": PENDING}


def test_a_redacted_error_shows_no_value_and_still_names_the_input():
    with pytest.raises(InputError) as err:
        check_external_id("upload_role.external_id", "not valid!")
    redacted = err.value.redacted("not valid!")
    assert str(redacted).startswith("upload_role.external_id [secret] is invalid. Allowed:")
    assert "not valid!" not in str(redacted)
    assert str(redacted.relocated(lambda n: "x." + n)).startswith("x.upload_role.external_id [secret]")
