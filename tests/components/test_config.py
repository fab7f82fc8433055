"""Parsing the stack config into RecordingStorageArgs: defaults, overrides, and every rejection."""

from __future__ import annotations

import re
from typing import Any

import pytest

from components import InputError, RecordingStorageArgs, Retention, UploadRole
from components.config import parse_stack_config

APP_A = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
APP_B = "8C1F5A3E-7B2D-4E9A-8F4C-6A3B1D9E2F7C"
KEY_SEOUL = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


def _config(*apps: dict[str, Any], **stack: Any) -> dict[str, Any]:
    return {"applications": list(apps), **stack}


def test_minimal_config_gets_every_default():
    [args] = parse_stack_config(_config({"app_id": APP_A, "region": "ap-2"}))
    assert args == RecordingStorageArgs(app_id=APP_A, region="ap-2")
    assert args.force_destroy is False and args.protect is False
    assert args.kms_deletion_window_days == 30
    assert args.retention == Retention()
    assert args.kms_key_arn is None and args.upload_role is None and args.tags == {}


def test_stack_wide_settings_apply_and_apps_override_them():
    apps = parse_stack_config(
        _config(
            {"app_id": APP_A, "region": "ap-2"},
            {
                "app_id": APP_B,
                "region": "eu-1",
                "force_destroy": False,
                "retention": {"expiration_days": 365},
                "tags": {"data": "eu"},
                "upload_role": None,
            },
            force_destroy=True,
            protect=True,
            kms_deletion_window_days=7,
            retention={"transition_days": 30, "expiration_days": 730},
            tags={"team": "platform"},
            upload_role={"sendbird_principal": "111122223333", "external_id": "ext-123"},
        )
    )
    a, b = apps
    assert (a.force_destroy, b.force_destroy) == (True, False)
    assert a.protect and b.protect
    assert a.kms_deletion_window_days == b.kms_deletion_window_days == 7
    assert a.retention == Retention(transition_days=30, expiration_days=730)
    # retention merges key by key: the app keeps the stack's transition, overrides the expiry.
    assert b.retention == Retention(transition_days=30, expiration_days=365)
    assert a.tags == {"team": "platform"} and b.tags == {"team": "platform", "data": "eu"}
    assert a.upload_role == UploadRole("111122223333", "ext-123") and b.upload_role is None


@pytest.mark.parametrize(
    ("config", "fragment"),
    [
        ({}, "applications is missing or empty"),
        ({"applications": []}, "applications is missing or empty"),
        ({"applications": {"app_id": APP_A}}, "applications is missing or empty"),
        (_config({"region": "ap-2"}), "applications[0].app_id is missing"),
        (_config({"app_id": APP_A}), "applications[0].region is missing"),
        (_config({"app_id": APP_A, "region": "ap-9"}), "applications[0].region 'ap-9' is not a known region"),
        (
            _config({"app_id": APP_A, "region": "ca-central-1"}),
            "applications[0].region 'ca-central-1' is an AWS region Sendbird does not run in",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2", "bucket_name": "Bad_Name"}),
            "applications[0].bucket_name 'Bad_Name' is not a valid bucket name",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, {"app_id": APP_A.lower(), "region": "us-1"}),
            f"applications[1].app_id '{APP_A.lower()}' duplicates applications[0].app_id",
        ),
        (
            _config(
                {"app_id": APP_A, "region": "ap-2", "bucket_name": "shared-recordings"},
                {"app_id": APP_B, "region": "ap-2", "bucket_name": "shared-recordings"},
            ),
            "applications[1].bucket_name 'shared-recordings' is also applications[0].bucket_name",
        ),
        (
            _config(
                {"app_id": APP_A, "region": "ap-2"}, retention={"transition_days": 60, "expiration_days": 30}
            ),
            "retention.expiration_days 30 contradicts retention.transition_days 60",
        ),
        (
            _config(
                {"app_id": APP_A, "region": "ap-2", "retention": {"expiration_days": 20}},
                retention={"transition_days": 30},
            ),
            "applications[0].retention.expiration_days 20 contradicts",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, retention={"transition_days": 7}),
            "retention.transition_days 7 is too early for STANDARD_IA",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, retention={"transition_storage_class": "GLACIER"}),
            "retention.transition_storage_class 'GLACIER' is set without retention.transition_days",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, retention={"abort_incomplete_multipart_days": 30}),
            "retention.abort_incomplete_multipart_days 30 is out of range",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, kms_deletion_window_days=3),
            "kms_deletion_window_days 3 is out of range. Allowed: a whole number of days from 7 to 30",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, force_destroy="yes"),
            "force_destroy 'yes' is not a boolean",
        ),
        (
            _config({"app_id": APP_A, "region": "us-1"}, kms_key_arn=KEY_SEOUL),
            "kms_key_arn (stack-wide, used by applications[0].app_id",
        ),
        (
            _config({"app_id": APP_A, "region": "us-1", "kms_key_arn": KEY_SEOUL}),
            f"applications[0].kms_key_arn '{KEY_SEOUL}' is in ap-northeast-2",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, upload_role={"sendbird_principal": "111122223333"}),
            "upload_role.external_id is missing",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2", "upload_role": {"external_id": "ext-123"}}),
            "applications[0].upload_role.sendbird_principal is missing",
        ),
        (_config({"app_id": APP_A, "region": "ap-2"}, tags={"cost": 5}), "tags.cost 5 is invalid"),
    ],
)
def test_bad_config_names_the_input(config, fragment):
    with pytest.raises(InputError) as err:
        parse_stack_config(config)
    assert fragment in str(err.value)


APP = {"app_id": APP_A, "region": "ap-2"}
STORAGE_CLASSES = "Allowed: STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE"
WHOLE_DAYS = "is not a whole number. Allowed: a whole number of days"


@pytest.mark.parametrize(
    ("config", "fragments"),
    [
        # A list or mapping where a string belongs used to crash with "unhashable type".
        (
            _config(APP, retention={"transition_days": 30, "transition_storage_class": ["GLACIER"]}),
            ["retention.transition_storage_class ['GLACIER'] is not a string", STORAGE_CLASSES],
        ),
        (
            _config({**APP, "retention": {"transition_days": 30, "transition_storage_class": {"a": 1}}}),
            ["applications[0].retention.transition_storage_class {'a': 1} is not a string", STORAGE_CLASSES],
        ),
        (_config(APP, retention={"transition_days": "30"}), ["retention.transition_days '30' " + WHOLE_DAYS]),
        (_config(APP, retention={"expiration_days": True}), ["retention.expiration_days True " + WHOLE_DAYS]),
        (
            _config(APP, retention={"abort_incomplete_multipart_days": 2.5}),
            ["retention.abort_incomplete_multipart_days 2.5 " + WHOLE_DAYS, "from 1 to 7"],
        ),
        (
            _config(APP, kms_deletion_window_days=True),
            ["kms_deletion_window_days True " + WHOLE_DAYS, "from 7 to 30"],
        ),
        (
            _config({**APP, "kms_deletion_window_days": [7]}),
            ["applications[0].kms_deletion_window_days [7] " + WHOLE_DAYS],
        ),
        (_config(APP, force_destroy=1), ["force_destroy 1 is not a boolean. Allowed: true or false"]),
        (
            _config({**APP, "force_destroy": "false"}),
            ["applications[0].force_destroy 'false' is not a boolean. Allowed: true or false"],
        ),
        (_config({**APP, "protect": None}), ["applications[0].protect None is not a boolean"]),
        (_config(APP, tags={"team": ["a", "b"]}), ["tags.team ['a', 'b'] is invalid: it is not a string"]),
        (
            _config({**APP, "tags": {"on": True}}),
            ["applications[0].tags.on True is invalid: it is not a string"],
        ),
        (_config(APP, tags="team=media"), ["tags 'team=media' is not a mapping. Allowed: string keys"]),
        (
            _config({"app_id": APP_A, "region": 2}),
            ["applications[0].region 2 is not a string. Allowed: a Sendbird region key (ap-2)"],
        ),
        (
            _config(APP, upload_role={"sendbird_principal": "111122223333", "external_id": 12345}),
            ["upload_role.external_id 12345 is not a string. Allowed: 2-1224 characters"],
        ),
    ],
)
def test_values_of_the_wrong_type_are_refused_with_the_allowed_values(config, fragments):
    with pytest.raises(InputError) as err:
        parse_stack_config(config)
    for fragment in fragments:
        assert fragment in str(err.value)


@pytest.mark.parametrize(
    ("config", "where", "typo"),
    [
        ({**_config({"app_id": APP_A, "region": "ap-2"}), "retension": {}}, "config namespace", "retension"),
        (_config({"app_id": APP_A, "region": "ap-2", "bucket": "x"}), "applications[0]", "bucket"),
        (
            _config({"app_id": APP_A, "region": "ap-2"}, retention={"expiraton_days": 5}),
            "retention",
            "expiraton_days",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2", "retention": {"transition_day": 40}}),
            "applications[0].retention",
            "transition_day",
        ),
        (
            _config(
                {"app_id": APP_A, "region": "ap-2"},
                upload_role={"sendbird_principal": "111122223333", "external_id": "e-1", "externalId": "e-1"},
            ),
            "upload_role",
            "externalId",
        ),
    ],
)
def test_unknown_keys_are_rejected_not_ignored(config, where, typo):
    with pytest.raises(
        InputError, match=rf"^{re.escape(where)}.* has unknown key\(s\) {typo}\. Allowed keys: "
    ):
        parse_stack_config(config)


@pytest.mark.parametrize(
    ("config", "message_start"),
    [
        # An inherited value is named by its stack-wide key, an application's own by its path.
        (
            _config({"app_id": APP_A, "region": "ap-2", "tags": {"team": "a"}}, tags={"cost": 5}),
            "tags.cost 5 is invalid",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2", "tags": {"on": True}}, tags={"team": "x"}),
            "applications[0].tags.on True is invalid",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2", "tags": {"team": "a"}}, tags="team=media"),
            "tags 'team=media' is not a mapping",
        ),
        (
            _config(
                {"app_id": APP_A, "region": "ap-2"}, {"app_id": APP_B, "region": "ap-2", "protect": "no"}
            ),
            "applications[1].protect 'no' is not a boolean",
        ),
        (
            _config({"app_id": APP_A, "region": "ap-2", "kms_deletion_window_days": 7}, protect="no"),
            "protect 'no' is not a boolean",
        ),
        (
            _config(
                {
                    "app_id": APP_A,
                    "region": "ap-2",
                    "upload_role": {"sendbird_principal": "1", "external_id": "e-1"},
                }
            ),
            "applications[0].upload_role.sendbird_principal '1' is not an AWS principal",
        ),
        (
            _config(
                {"app_id": APP_A, "region": "ap-2", "retention": {"transition_storage_class": "GLACIER"}}
            ),
            "applications[0].retention.transition_storage_class 'GLACIER' is set without "
            "applications[0].retention.transition_days",
        ),
    ],
)
def test_each_error_names_the_config_key_the_value_came_from(config, message_start):
    with pytest.raises(InputError) as err:
        parse_stack_config(config)
    assert str(err.value).startswith(message_start)


def test_a_storage_class_may_complete_a_stack_wide_transition():
    """retention merges key by key before the Retention checks itself, so an application may choose
    the storage class of the stack-wide transition."""
    [args] = parse_stack_config(
        _config(
            {"app_id": APP_A, "region": "ap-2", "retention": {"transition_storage_class": "GLACIER"}},
            retention={"transition_days": 30},
        )
    )
    assert args.retention == Retention(transition_days=30, transition_storage_class="GLACIER")


def test_the_audit_options_stack_file_examples_parse_as_documented():
    """docs/configuration.md's example stack files for inventory, archive tiers and recording events
    are real: each parses, and sets what its text says."""
    import yaml

    from components import Inventory
    from sendbird_copy.facts import CONFIG_NAMESPACE
    from tests.markdown import DOCS_DIR, code_blocks

    examples = [
        yaml.safe_load(block)["config"] for block in code_blocks(DOCS_DIR / "configuration.md", "yaml")
    ]
    parsed = []
    for example in examples:
        raw = {key.removeprefix(f"{CONFIG_NAMESPACE}:"): value for key, value in example.items()}
        parsed.extend(parse_stack_config(raw))
    inventories = [a.inventory for a in parsed if a.inventory is not None]
    assert inventories[0] == Inventory()
    assert (inventories[1].frequency, inventories[1].format, inventories[1].prefix) == (
        "Weekly",
        "CSV",
        "recordings",
    )
    assert (
        inventories[1].kms_key_arn is not None
        and inventories[1].destination_bucket == "central-audit-inventories"
    )
    tiers = [a.retention for a in parsed if a.retention.intelligent_tiering_archive_days is not None]
    assert [(t.intelligent_tiering_archive_days, t.intelligent_tiering_deep_archive_days) for t in tiers] == [
        (90, 180)
    ]
    assert [a.recording_event_target_arn for a in parsed if a.recording_event_target_arn] == [
        "arn:aws:sqs:ap-northeast-2:123456789012:recordings-arrived"
    ]


KEY_ID = "0b5c7f0e-1111-2222-3333-444455556666"


@pytest.mark.parametrize(
    ("shared", "second", "names"),
    [
        (
            {"recording_event_target_arn": "arn:aws:sqs:ap-northeast-2:123456789012:recordings"},
            {"region": "us-1"},
            "recording_event_target_arn",
        ),
        ({"inventory": {}}, {"region": "ap-2", "access_logs": False}, "inventory.destination_bucket"),
        (
            {
                "inventory": {
                    "destination_bucket": "audit-lists",
                    "kms_key_arn": f"arn:aws:kms:ap-northeast-2:123456789012:key/{KEY_ID}",
                }
            },
            {"region": "us-1"},
            "inventory.kms_key_arn",
        ),
    ],
)
def test_a_stack_wide_audit_setting_wrong_for_one_application_names_that_application(shared, second, names):
    # Valid for applications[0], wrong for applications[1] (its region, its access logs): the error
    # must say which application, as it does for a stack-wide kms_key_arn or replication.
    apps = [{"app_id": "a1", "region": "ap-2"}, {"app_id": "a2", **second}]
    with pytest.raises(InputError) as caught:
        parse_stack_config({**shared, "applications": apps})
    assert str(caught.value).startswith(f"{names} (stack-wide, used by applications[1].app_id a2)")
