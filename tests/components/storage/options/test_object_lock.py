"""RecordingStorage's ``object_lock``: the lock resource (no default retention), the Bucket itself
unchanged by the option (an existing stack updates in place, never replaces its bucket), the outputs
the sync reads, the stack config key, and the copy identity refused every Object Lock action."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest

from components import InputError, RecordingStorage, RecordingStorageArgs, UploadRole
from components.config import parse_stack_config
from components.storage import policies as pol
from components.storage.options.object_lock import ObjectLock
from components.type_tokens import (
    BUCKET,
    BUCKET_NOTIFICATION,
    BUCKET_POLICY,
    IAM_USER,
    LIFECYCLE,
    OBJECT_LOCK,
    ROLE_POLICY,
    USER_POLICY,
)
from sendbird_copy.outputs import parse_stack_outputs
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    DENY,
    RecordingMocks,
    identity_decision,
    resolve,
    run_component,
    same_account_s3_decision,
)

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
COMPLIANCE_7Y = ObjectLock("COMPLIANCE", years=7)


def build(mocks: RecordingMocks, **kwargs: Any) -> RecordingStorage:
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2", **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


def test_object_lock_is_off_by_default(mocks):
    storage = build(mocks)
    assert not [r for r in mocks.custom if r.typ == OBJECT_LOCK]
    assert storage.object_lock_mode is None and storage.object_lock_period is None
    assert "object_lock_mode" not in resolve(pulumi.Output.all(**storage.public_outputs()))


def test_object_lock_is_enabled_by_its_own_resource_without_a_default_retention(mocks):
    storage = build(mocks, object_lock=COMPLIANCE_7Y)
    lock = mocks.one(OBJECT_LOCK)
    assert lock.inputs["objectLockEnabled"] == "Enabled"
    assert lock.inputs["bucket"] == mocks.one(BUCKET).id
    assert lock.inputs["region"] == "ap-northeast-2"
    # No rule: a default retention would lock the tool's own objects and make S3 demand a checksum
    # header on Sendbird's uploads (object_lock.py).
    assert "rule" not in lock.inputs
    # After the last bucket-level setting (itself after versioning); the notification after it.
    assert mocks.one(LIFECYCLE).urn in lock.dependencies
    assert lock.urn in mocks.one(BUCKET_NOTIFICATION).dependencies
    assert storage.resources.object_lock is not None


def test_the_bucket_is_the_same_with_or_without_object_lock(mocks):
    """Turning the option on for an existing stack must update in place: the Bucket's inputs (and so
    its replacement diff) are identical, and never carry object_lock_enabled, which forces a new bucket."""
    build(mocks)
    without = mocks.one(BUCKET).inputs
    locked = RecordingMocks()
    build(locked, object_lock=COMPLIANCE_7Y)
    assert locked.one(BUCKET).inputs == without
    assert "objectLockEnabled" not in without and "objectLockConfiguration" not in without


@pytest.mark.parametrize(
    ("lock", "period"),
    [(ObjectLock("COMPLIANCE", years=7), "P7Y"), (ObjectLock("GOVERNANCE", days=30), "P30D")],
)
def test_the_outputs_tell_the_sync_the_mode_and_period(mocks, lock, period):
    storage = build(mocks, object_lock=lock)
    public = resolve(pulumi.Output.all(**storage.public_outputs()))
    assert (public["object_lock_mode"], public["object_lock_period"]) == (lock.mode, period)
    outputs = {"applications": {APP_ID: public}, "copy_secret_access_keys": {APP_ID: "s" * 40}}
    app = parse_stack_outputs(outputs)[APP_ID]
    assert (app.object_lock_mode, app.object_lock_period) == (lock.mode, period)


@pytest.mark.parametrize(
    ("kwargs", "named", "says"),
    [
        ({"mode": "WORM", "days": 1}, "object_lock.mode", "Allowed: GOVERNANCE or COMPLIANCE"),
        ({"mode": "compliance", "days": 1}, "object_lock.mode", "not an Object Lock mode"),
        ({"mode": "COMPLIANCE"}, "object_lock.days and object_lock.years", "neither given"),
        (
            {"mode": "COMPLIANCE", "days": 1, "years": 1},
            "object_lock.days and object_lock.years",
            "both given",
        ),
        ({"mode": "COMPLIANCE", "days": 0}, "object_lock.days", "from 1 to 36500"),
        ({"mode": "COMPLIANCE", "days": 36501}, "object_lock.days", "out of range"),
        ({"mode": "COMPLIANCE", "days": True}, "object_lock.days", "not a whole number"),
        ({"mode": "COMPLIANCE", "years": 101}, "object_lock.years", "from 1 to 100"),
        ({"mode": "COMPLIANCE", "years": 2.5}, "object_lock.years", "from 1 to 100"),
        (
            {"mode": pulumi.Output.from_input("COMPLIANCE"), "days": 1},
            "object_lock.mode",
            "not a plain value",
        ),
    ],
)
def test_bad_object_lock_values_are_refused_by_name(kwargs, named, says):
    with pytest.raises(InputError) as caught:
        ObjectLock(**kwargs)
    assert str(caught.value).startswith(named) and says in str(caught.value)


def test_object_lock_that_is_no_object_lock_is_refused():
    with pytest.raises(InputError, match=r"^object_lock \{'mode': 'COMPLIANCE'\} is not an ObjectLock"):
        RecordingStorageArgs(app_id=APP_ID, region="ap-2", object_lock={"mode": "COMPLIANCE"})  # type: ignore[arg-type]


def test_the_stack_config_key_stack_wide_or_per_application_replaced_whole():
    raw = {
        "object_lock": {"mode": "COMPLIANCE", "years": 7},
        "applications": [
            {"app_id": "A1", "region": "ap-2"},
            # Replaced, not merged: days here does not sit beside the stack's years.
            {"app_id": "B2", "region": "ap-2", "object_lock": {"mode": "GOVERNANCE", "days": 30}},
            {"app_id": "C3", "region": "ap-2", "object_lock": None},
        ],
    }
    first, second, third = parse_stack_config(raw)
    assert first.object_lock == ObjectLock("COMPLIANCE", years=7)
    assert second.object_lock == ObjectLock("GOVERNANCE", days=30)
    assert third.object_lock is None
    assert parse_stack_config({"applications": [{"app_id": "A1", "region": "ap-2"}]})[0].object_lock is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"applications": [{"app_id": "A1", "region": "ap-2", "object_lock": {"mode": "X", "days": 1}}]},
            "applications[0].object_lock.mode 'X' is not an Object Lock mode",
        ),
        (
            {
                "object_lock": {"mode": "COMPLIANCE", "dayz": 1},
                "applications": [{"app_id": "A1", "region": "ap-2"}],
            },
            "object_lock has unknown key(s) dayz. Allowed keys: mode, days, years",
        ),
        (
            {"object_lock": {"days": 1}, "applications": [{"app_id": "A1", "region": "ap-2"}]},
            "object_lock.mode is missing. Allowed: GOVERNANCE or COMPLIANCE",
        ),
        (
            {"applications": [{"app_id": "A1", "region": "ap-2", "object_lock": "COMPLIANCE"}]},
            "applications[0].object_lock 'COMPLIANCE' is not an object",
        ),
    ],
)
def test_bad_stack_config_is_refused_naming_its_key(raw, message):
    with pytest.raises(InputError) as caught:
        parse_stack_config(raw)
    assert str(caught.value).startswith(message)


# -- the copy identity: refused every Object Lock action ---------------------------------------------
LOCK_ACTIONS = [
    ("s3:PutObjectRetention", "object"),
    ("s3:PutObjectLegalHold", "object"),
    ("s3:BypassGovernanceRetention", "object"),
    ("s3:PutBucketObjectLockConfiguration", "bucket"),
]


@pytest.mark.parametrize("object_lock", [None, COMPLIANCE_7Y], ids=["without", "with"])
@pytest.mark.parametrize(("action", "on"), LOCK_ACTIONS)
def test_the_copy_identity_is_refused_every_object_lock_action(mocks, object_lock, action, on):
    """By its own policy (no grant) and by an explicit Deny in the bucket policy, which holds even if
    its identity policy drifts to s3:* (with the option or without: enabling Object Lock on a bucket
    cannot be undone)."""
    build(mocks, object_lock=object_lock)
    bucket = mocks.one(BUCKET)
    bucket_arn = bucket.state["arn"]
    resource = bucket_arn if on == "bucket" else f"{bucket_arn}/recordings/rec-1.mp4"
    user_arn = mocks.one(IAM_USER).state["arn"]
    bucket_policy = mocks.one(BUCKET_POLICY).inputs["policy"]
    identity_policy = mocks.one(USER_POLICY).inputs["policy"]
    context = {"aws:PrincipalArn": user_arn, "aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}
    assert (
        same_account_s3_decision(identity_policy, bucket_policy, action, resource, user_arn, context) != ALLOW
    )
    drifted = {"Version": pol.VERSION, "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    assert same_account_s3_decision(drifted, bucket_policy, action, resource, user_arn, context) == DENY
    # The operator (another principal) is not touched by the Deny.
    admin = f"arn:aws:iam::{ACCOUNT_ID}:user/admin"
    assert (
        same_account_s3_decision(
            drifted, bucket_policy, action, resource, admin, {**context, "aws:PrincipalArn": admin}
        )
        == ALLOW
    )


def test_the_deny_names_exactly_the_object_lock_actions():
    document = pol.bucket_policy(
        bucket_arn="arn:aws:s3:::b",
        kms_key_arn="k",
        copy_identity_arn="arn:aws:iam::1:user/u",
        account_id="1",
    )
    [deny] = [s for s in document["Statement"] if s["Sid"] == pol.SID_DENY_COPY_OBJECT_LOCK]
    assert sorted(deny["Action"]) == sorted(action for action, _ in LOCK_ACTIONS)
    assert deny["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    assert json.dumps(deny["Condition"]) == json.dumps(
        {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::1:user/u"}}
    )


def test_the_documented_stack_file_is_what_it_says() -> None:
    """docs/configuration.md's Object Lock example, read from the docs: stack-wide COMPLIANCE for
    seven years, one application replacing it whole with GOVERNANCE for 30 days."""
    import yaml

    from tests.markdown import DOCS_DIR, code_blocks

    [block] = [b for b in code_blocks(DOCS_DIR / "configuration.md", "yaml") if "object_lock" in b]
    config = yaml.safe_load(block)["config"]
    first, second = parse_stack_config({key.split(":", 1)[1]: value for key, value in config.items()})
    assert first.object_lock == ObjectLock("COMPLIANCE", years=7)
    assert second.object_lock == ObjectLock("GOVERNANCE", days=30)


@pytest.mark.parametrize(("action", "on"), LOCK_ACTIONS)
def test_the_upload_role_is_refused_every_object_lock_action_too(mocks, action, on):
    """Sendbird's direct-upload role has s3:Put* on objects, which would include retention and legal
    hold: its policy denies every Object Lock action, as the bucket policy does the copy identity's."""
    build(mocks, object_lock=COMPLIANCE_7Y, upload_role=UploadRole("111122223333", "external-id-0123"))
    bucket_arn = mocks.one(BUCKET).state["arn"]
    resource = bucket_arn if on == "bucket" else f"{bucket_arn}/recordings/rec-1.mp4"
    policy = mocks.one(ROLE_POLICY).inputs["policy"]
    assert identity_decision(policy, action, resource) == DENY
    assert identity_decision(policy, "s3:PutObject", f"{bucket_arn}/recordings/rec-1.mp4") == ALLOW
