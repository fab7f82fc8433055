"""Intelligent-Tiering's archive tiers (``Retention.intelligent_tiering_*_days``): the configuration
resource and its inputs, and every refusal."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest

from components import InputError, RecordingStorage, RecordingStorageArgs, Retention
from components.config import parse_stack_config
from components.storage.options.tiering import TIERING_ID
from components.type_tokens import BUCKET, BUCKET_LOGGING, INTELLIGENT_TIERING, LIFECYCLE
from tests.components.pulumi_mocks import RecordingMocks, run_component

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"


def tiering(**days: Any) -> Retention:
    return Retention(transition_days=1, transition_storage_class="INTELLIGENT_TIERING", **days)


def build(mocks: RecordingMocks, retention: Retention, **kwargs: Any) -> RecordingStorage:
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", retention=retention, **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


def test_no_archive_tiers_without_archive_days(mocks):
    storage = build(mocks, tiering())
    assert not mocks.of_type(INTELLIGENT_TIERING) and storage.resources.intelligent_tiering is None
    rules = {r["id"]: r for r in mocks.one(LIFECYCLE).inputs["rules"]}
    assert rules["recordings-retention"]["transitions"] == [
        {"days": 1, "storageClass": "INTELLIGENT_TIERING"}
    ]


def test_both_archive_tiers_for_the_whole_bucket(mocks):
    storage = build(
        mocks, tiering(intelligent_tiering_archive_days=90, intelligent_tiering_deep_archive_days=180)
    )
    config = mocks.one(INTELLIGENT_TIERING)
    assert config.inputs["bucket"] == mocks.one(BUCKET).id
    assert config.inputs["region"] == REGION
    assert config.inputs["name"] == TIERING_ID and config.inputs["status"] == "Enabled"
    assert config.inputs["tierings"] == [
        {"accessTier": "ARCHIVE_ACCESS", "days": 90},
        {"accessTier": "DEEP_ARCHIVE_ACCESS", "days": 180},
    ]
    # No filter: it acts on INTELLIGENT_TIERING objects only, and only recordings are transitioned.
    assert "filter" not in config.inputs
    rules = {r["id"]: r for r in mocks.one(LIFECYCLE).inputs["rules"]}
    assert rules["recordings-retention"]["transitions"] == [
        {"days": 1, "storageClass": "INTELLIGENT_TIERING"}
    ]
    assert config.parent == mocks.one(BUCKET).parent
    assert mocks.one(BUCKET_LOGGING).urn in config.dependencies  # one bucket-level setting at a time
    assert storage.resources.intelligent_tiering is not None


def test_deep_archive_alone(mocks):
    build(
        mocks, tiering(intelligent_tiering_deep_archive_days=365), access_logs=False, recording_events=False
    )
    config = mocks.one(INTELLIGENT_TIERING)
    assert config.inputs["tierings"] == [{"accessTier": "DEEP_ARCHIVE_ACCESS", "days": 365}]
    assert mocks.one(LIFECYCLE).urn in config.dependencies


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: Retention(intelligent_tiering_archive_days=90),
            "retention.intelligent_tiering_archive_days 90 is set, but recordings do not move",
        ),
        (
            lambda: Retention(transition_days=30, intelligent_tiering_archive_days=90),
            "retention.intelligent_tiering_archive_days 90 is set, but recordings move to STANDARD_IA",
        ),
        (
            lambda: Retention(
                transition_days=1,
                transition_storage_class="GLACIER",
                intelligent_tiering_deep_archive_days=180,
            ),
            "retention.intelligent_tiering_deep_archive_days 180 is set, but recordings move to GLACIER",
        ),
        (
            lambda: tiering(intelligent_tiering_archive_days=89),
            "retention.intelligent_tiering_archive_days 89 is out of range. Allowed: a whole number of days "
            "from 90 to 730",
        ),
        (
            lambda: tiering(intelligent_tiering_deep_archive_days=731),
            "retention.intelligent_tiering_deep_archive_days 731 is out of range. Allowed: a whole number of "
            "days from 180 to 730",
        ),
        (
            lambda: tiering(intelligent_tiering_archive_days=200, intelligent_tiering_deep_archive_days=200),
            "retention.intelligent_tiering_deep_archive_days 200 is not after "
            "retention.intelligent_tiering_archive_days 200",
        ),
        (
            lambda: tiering(intelligent_tiering_archive_days="90"),
            "retention.intelligent_tiering_archive_days '90' is not a whole number",
        ),
        (
            lambda: tiering(intelligent_tiering_archive_days=pulumi.Output.from_input(90)),
            "retention.intelligent_tiering_archive_days is (an Output), not a plain value",
        ),
    ],
)
def test_bad_archive_tiers_name_the_input(make, message):
    with pytest.raises(InputError) as err:
        make()
    assert str(err.value).startswith(message), str(err.value)
    assert "Allowed:" in str(err.value)


def test_archive_days_from_stack_config_merge_into_retention():
    retention = {"transition_days": 1, "transition_storage_class": "INTELLIGENT_TIERING"}
    apps: list[dict[str, Any]] = [
        {"app_id": "a1", "region": "ap-2"},
        {"app_id": "a2", "region": "ap-2", "retention": {"intelligent_tiering_deep_archive_days": 365}},
    ]
    first, second = parse_stack_config(
        {"applications": apps, "retention": {**retention, "intelligent_tiering_archive_days": 120}}
    )
    assert first.retention.intelligent_tiering_archive_days == 120
    assert second.retention.intelligent_tiering_archive_days == 120  # retention merges key by key
    assert second.retention.intelligent_tiering_deep_archive_days == 365
    bad = {**apps[0], "retention": {"intelligent_tiering_archive_days": 90}}
    with pytest.raises(
        InputError, match=r"^applications\[0\]\.retention\.intelligent_tiering_archive_days 90"
    ):
        parse_stack_config({"applications": [bad]})
