"""RecordingStorage built directly under recording mocks: every default, asserted on the inputs the
mocks received; ordering and protection from the registration requests; outputs and secrecy."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

import pulumi
import pytest

from components import InputError, RecordingStorage, RecordingStorageArgs, Retention, UploadRole
from components.storage import policies as pol
from components.type_tokens import (
    ACCESS_KEY,
    BUCKET,
    BUCKET_POLICY,
    ENCRYPTION,
    GET_CALLER_IDENTITY,
    GET_PARTITION,
    IAM_ROLE,
    IAM_USER,
    KMS_ALIAS,
    KMS_KEY,
    LIFECYCLE,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    RECORDING_STORAGE,
    REGIONAL_TYPES,
    ROLE_POLICY,
    USER_POLICY,
    VERSIONING,
)
from localdev.emulator_deploy.sync import to_aws_shape
from sendbird_copy.facts import TOOL_OBJECT_MAX_BYTES, TOOL_PREFIXES
from sendbird_copy.outputs import OPTIONAL_FIELDS, PUBLIC_FIELDS, REQUIRED_FIELDS, SECRET_FIELDS
from tests.components.pulumi_mocks import (
    ACCOUNT_ID,
    ALLOW,
    DEFAULT_STORAGE_TYPES,
    DENY,
    LOG_BUCKET_TYPES,
    RecordingMocks,
    identity_decision,
    is_secret,
    resolve,
    resource_policy_decision,
    run_component,
    same_account_kms_decision,
    same_account_s3_decision,
)
from tests.lifecycle import acting_on

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
NAME = "recordings"
REGION = "ap-northeast-2"
EXISTING_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"


# The access-log bucket the component creates by default, and its settings.


def build(mocks: RecordingMocks, **kwargs: Any) -> RecordingStorage:
    args = RecordingStorageArgs(app_id=APP_ID, region=kwargs.pop("region", "ap-2"), **kwargs)
    return run_component(lambda: RecordingStorage(NAME, args), mocks)


@pytest.fixture
def default(mocks: RecordingMocks) -> RecordingStorage:
    return build(mocks)


def _rules(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in mocks.one(LIFECYCLE).inputs["rules"]}


def test_default_creates_exactly_these_resources(mocks, default):
    assert Counter(r.typ for r in mocks.custom) == Counter(DEFAULT_STORAGE_TYPES)
    [component] = mocks.of_type(RECORDING_STORAGE)
    assert component.name == NAME
    for record in mocks.custom:
        assert record.parent == component.urn, f"{record.name} is not a child of the component"
        assert record.name.startswith(f"{NAME}-")


def test_every_regional_resource_is_pinned_to_the_apps_region(mocks, default):
    for record in mocks.custom:
        if record.typ in REGIONAL_TYPES:
            assert record.inputs.get("region") == REGION, record.name
        else:
            assert "region" not in record.inputs, record.name  # IAM is global
    assert resolve(default.region) == REGION


def test_bucket_defaults(mocks, default):
    bucket = mocks.one(BUCKET).inputs
    assert "bucket" not in bucket and bucket["bucketPrefix"] == f"{NAME}-"
    assert bucket["forceDestroy"] is False
    assert bucket["tags"] == {
        "ManagedBy": "pulumi",
        "Component": "sendbird-recordings",
        "SendbirdAppId": APP_ID,
    }
    assert not mocks.one(BUCKET).protect
    block = mocks.one(PUBLIC_ACCESS_BLOCK).inputs
    for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block[flag] is True, flag
    assert mocks.one(OWNERSHIP).inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert mocks.one(VERSIONING).inputs["versioningConfiguration"]["status"] == "Enabled"


def test_default_encryption_is_sse_kms_with_our_key_and_bucket_keys(mocks, default):
    [rule] = mocks.one(ENCRYPTION).inputs["rules"]
    key_arn = mocks.one(KMS_KEY).state["arn"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key_arn,
    }
    assert rule["bucketKeyEnabled"] is True
    assert rule["blockedEncryptionTypes"] == ["SSE-C"]  # no writer's own key: every object is ours
    assert resolve(default.kms_key_arn) == key_arn


def test_lifecycle_defaults(mocks, default):
    rules = _rules(mocks)
    assert set(rules) == {
        "abort-incomplete-multipart-uploads",
        "expire-noncurrent-versions",
        "expire-preflight-probes",
        "expire-sync-ledger",
    }
    assert all(rule["status"] == "Enabled" for rule in rules.values())
    abort = rules["abort-incomplete-multipart-uploads"]
    assert abort["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    assert abort["filter"] == {}  # the whole bucket
    noncurrent = rules["expire-noncurrent-versions"]
    assert noncurrent["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert noncurrent["filter"] == {}
    preflight = rules["expire-preflight-probes"]
    assert preflight["filter"] == {"prefix": "_preflight/"}
    assert preflight["expiration"] == {"days": 1}
    ledger = rules["expire-sync-ledger"]
    assert ledger["filter"] == {"prefix": "_sendbird-sync/"}
    # Weeks after Sendbird's own two-week deadline, so an entry never outlives its use by much.
    assert ledger["expiration"] == {"days": 60} and 60 > 14 + 28
    assert ledger["noncurrentVersionExpiration"] == {"noncurrentDays": 1}
    # No recording is moved or deleted unless a retention is configured.
    assert not any(
        "transitions" in rule or rule.get("expiration", {}).get("days")
        for rule in rules.values()
        if rule is not preflight and rule is not ledger
    )


def test_configured_retention_becomes_a_rule_for_every_object_above_the_tool_cap(mocks):
    retention = Retention(
        transition_days=45,
        transition_storage_class="GLACIER_IR",
        expiration_days=400,
        noncurrent_expiration_days=10,
        abort_incomplete_multipart_days=2,
    )
    build(mocks, retention=retention)
    rules = _rules(mocks)
    recordings = rules["recordings-retention"]
    assert recordings["filter"] == {"objectSizeGreaterThan": TOOL_OBJECT_MAX_BYTES}
    assert recordings["transitions"] == [{"days": 45, "storageClass": "GLACIER_IR"}]
    assert recordings["expiration"] == {"days": 400}
    assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {
        "daysAfterInitiation": 2
    }
    assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {"noncurrentDays": 10}


@pytest.mark.parametrize(
    "retention",
    [
        Retention(expiration_days=14),
        Retention(transition_days=1, transition_storage_class="GLACIER"),
        Retention(transition_days=30, transition_storage_class="DEEP_ARCHIVE", expiration_days=400),
    ],
)
def test_the_recordings_retention_never_acts_on_the_tools_own_objects(mocks, retention):
    """Issue 23 item 6: with a short expiry the ledger expired with the recordings; with a Glacier
    transition it moved, and the next run failed with InvalidObjectState. Judged by the rules'
    filters (tests/lifecycle.py), for every tool prefix and every size the tool may write."""
    build(mocks, retention=retention)
    rules = to_aws_shape(mocks.one(LIFECYCLE).inputs["rules"])
    for prefix in TOOL_PREFIXES:
        for size in (0, 300, TOOL_OBJECT_MAX_BYTES):
            key = f"{prefix}APP/_run/state.json"
            assert "recordings-retention" not in acting_on(rules, key, size), (key, size)
    # ... while a recording, whatever its key, is moved or expired.
    for key in ("rec-1.mp4", "live/7C1D/rec-1.mp4", "_odd/rec-1.mp4"):
        assert acting_on(rules, key, 12 * 1024 * 1024) == ["recordings-retention"]
        assert acting_on(rules, key, TOOL_OBJECT_MAX_BYTES + 1) == ["recordings-retention"]


def test_expiry_only_retention_has_no_transition(mocks):
    build(mocks, retention=Retention(expiration_days=14))
    recordings = _rules(mocks)["recordings-retention"]
    assert recordings["expiration"] == {"days": 14}
    assert "transitions" not in recordings


def test_manifests_expire_with_the_recordings_never_with_the_ledger(mocks):
    build(mocks, retention=Retention(transition_days=30, expiration_days=400))
    rules = _rules(mocks)
    manifests = rules["expire-manifests-with-recordings"]
    assert manifests["filter"] == {"prefix": "_sendbird-manifests/"}
    assert manifests["expiration"] == rules["recordings-retention"]["expiration"] == {"days": 400}
    assert manifests["expiration"] != rules["expire-sync-ledger"]["expiration"]
    assert "transitions" not in manifests  # about 1 KB each: a transition costs more than it saves


def test_kept_recordings_keep_their_manifests(mocks, default):
    assert not [
        rule for rule in _rules(mocks).values() if rule["filter"].get("prefix") == "_sendbird-manifests/"
    ]


def test_key_defaults(mocks, default):
    key = mocks.one(KMS_KEY)
    assert key.inputs["enableKeyRotation"] is True
    assert key.inputs["deletionWindowInDays"] == 30
    assert APP_ID in key.inputs["description"]
    assert not key.protect
    policy = json.loads(key.inputs["policy"])
    assert [s["Sid"] for s in policy["Statement"]] == [
        "EnableRootAccountPermissions",
        "AllowCopyIdentityViaS3",
        "DenyCopyIdentityOtherKmsActions",
        "DenyCopyIdentityOutsideS3",
    ]
    user_arn = mocks.one(IAM_USER).state["arn"]
    condition = policy["Statement"][1]["Condition"]["StringEquals"]
    assert condition == {
        "aws:PrincipalArn": user_arn,
        "kms:ViaService": f"s3.{REGION}.amazonaws.com",
        "kms:CallerAccount": ACCOUNT_ID,
    }
    alias = mocks.one(KMS_ALIAS)
    assert alias.inputs["name"] == f"alias/sendbird-recordings/test/{NAME}"
    assert alias.inputs["targetKeyId"] == key.state["keyId"]
    assert resolve(default.kms_alias) == alias.inputs["name"]


def test_deletion_window_is_configurable(mocks):
    build(mocks, kms_deletion_window_days=7)
    assert mocks.one(KMS_KEY).inputs["deletionWindowInDays"] == 7


def test_copy_identity_gets_exactly_its_grant(mocks, default):
    user = mocks.one(IAM_USER)
    assert user.inputs["path"] == "/sendbird/"
    assert "name" not in user.inputs  # autonamed: a replacement never collides with the old user
    policy = mocks.one(USER_POLICY)
    assert policy.inputs["user"] == user.state["name"]
    assert mocks.one(ACCESS_KEY).inputs["user"] == user.state["name"]
    bucket_arn, key_arn = mocks.one(BUCKET).state["arn"], mocks.one(KMS_KEY).state["arn"]
    document = policy.inputs["policy"]
    via = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert identity_decision(document, "s3:PutObject", f"{bucket_arn}/any/key") == ALLOW
    assert identity_decision(document, "s3:ListBucket", bucket_arn) == ALLOW
    assert identity_decision(document, "kms:GenerateDataKey", key_arn, via) == ALLOW
    assert identity_decision(document, "s3:GetObject", f"{bucket_arn}/any/key") != ALLOW
    assert identity_decision(document, "s3:PutBucketPolicy", bucket_arn) != ALLOW
    assert resolve(default.copy_user_name) == user.state["name"]


def _received(mocks: RecordingMocks) -> dict[str, str]:
    """What the mocks received: the copy identity's ARN and the three policy documents."""
    return {
        "user": mocks.one(IAM_USER).state["arn"],
        "identity": mocks.one(USER_POLICY).inputs["policy"],
        "bucket": mocks.one(BUCKET_POLICY).inputs["policy"],
        "key": mocks.one(KMS_KEY).inputs["policy"],
        "bucket_arn": mocks.one(BUCKET).state["arn"],
        "key_arn": mocks.one(KMS_KEY).state["arn"],
    }


def test_received_policies_give_the_copy_identity_its_effective_access(mocks, default):
    got = _received(mocks)
    user, obj = got["user"], f"{got['bucket_arn']}/any/key"
    tls = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "aws:PrincipalArn": user}

    def s3(action: str, resource: str) -> str:
        return same_account_s3_decision(got["identity"], got["bucket"], action, resource, user, tls)

    def kms(identity: Any, action: str, context: dict[str, str]) -> str:
        return same_account_kms_decision(identity, got["key"], action, got["key_arn"], user, context)

    assert s3("s3:PutObject", obj) == ALLOW
    assert s3("s3:ListBucket", got["bucket_arn"]) == ALLOW
    for action in ("s3:DeleteObject", "s3:GetObject", "s3:DeleteObjectVersion"):
        assert s3(action, obj) != ALLOW, action
    via = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert kms(got["identity"], "kms:Decrypt", via) == ALLOW
    assert kms(got["identity"], "kms:GenerateDataKey", via) == ALLOW
    # Even an IAM policy drifted to kms:* gets nothing beyond S3's use of the key.
    drifted = {"Version": pol.VERSION, "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}
    assert kms(drifted, "kms:Encrypt", via) == DENY
    assert kms(drifted, "kms:ScheduleKeyDeletion", via) == DENY
    assert kms(drifted, "kms:Decrypt", {}) == DENY  # a direct call, not through S3
    admin = f"arn:aws:iam::{ACCOUNT_ID}:role/Administrator"
    assert (
        same_account_kms_decision(drifted, got["key"], "kms:ScheduleKeyDeletion", got["key_arn"], admin, {})
        == ALLOW
    )


def test_received_bucket_policy_denies_a_request_without_tls(mocks, default):
    """Judged with the small hand-written condition evaluator in tests/pulumi_mocks.py
    (``conditions_met``), not moto's: moto treats a Bool condition as always met, so under moto this
    Deny would also hit the TLS request below and the test could not tell the two apart."""
    got = _received(mocks)
    user, obj = got["user"], f"{got['bucket_arn']}/k"
    no_tls = {"aws:SecureTransport": "false", "aws:PrincipalArn": user}
    tls = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3", "aws:PrincipalArn": user}
    assert resource_policy_decision(got["bucket"], "s3:PutObject", obj, user, no_tls) == DENY
    assert resource_policy_decision(got["bucket"], "s3:PutObject", obj, user, tls) == ALLOW


def test_bucket_policy_is_one_document_naming_our_bucket_key_and_identity(mocks, default):
    bucket_policy = mocks.one(BUCKET_POLICY)
    expected = pol.bucket_policy(
        bucket_arn=mocks.one(BUCKET).state["arn"],
        kms_key_arn=mocks.one(KMS_KEY).state["arn"],
        copy_identity_arn=mocks.one(IAM_USER).state["arn"],
        account_id=ACCOUNT_ID,
    )
    assert json.loads(bucket_policy.inputs["policy"]) == expected
    assert bucket_policy.inputs["bucket"] == mocks.one(BUCKET).state["bucket"]


def test_bucket_settings_are_ordered_and_the_policy_waits_for_the_identity(mocks, default):
    def urn(typ: str) -> str:
        return mocks.one(typ).urn

    policy_deps = set(mocks.one(BUCKET_POLICY).dependencies)
    assert {urn(PUBLIC_ACCESS_BLOCK), urn(USER_POLICY), urn(ACCESS_KEY)} <= policy_deps
    assert urn(BUCKET_POLICY) in mocks.one(OWNERSHIP).dependencies
    assert urn(OWNERSHIP) in mocks.one(VERSIONING).dependencies
    assert urn(VERSIONING) in mocks.one(ENCRYPTION).dependencies
    assert urn(ENCRYPTION) in mocks.one(LIFECYCLE).dependencies


def test_protect_covers_the_data_not_the_credentials(mocks):
    build(mocks, protect=True)
    assert mocks.one(BUCKET).protect is True
    assert mocks.one(KMS_KEY).protect is True
    for typ in (ACCESS_KEY, IAM_USER, USER_POLICY, BUCKET_POLICY, KMS_ALIAS):
        assert not mocks.one(typ).protect, typ  # the access key must stay rotatable


def test_protect_set_on_the_component_is_not_overridden(mocks):
    args = RecordingStorageArgs(app_id=APP_ID, region="ap-2")
    run_component(lambda: RecordingStorage(NAME, args, pulumi.ResourceOptions(protect=True)), mocks)
    assert mocks.one(BUCKET).protect is True
    assert mocks.one(KMS_KEY).protect is True


def test_force_destroy_and_fixed_bucket_name(mocks):
    storage = build(mocks, force_destroy=True, bucket_name="my-recordings-bucket", tags={"team": "media"})
    bucket = mocks.one(BUCKET).inputs
    assert bucket["bucket"] == "my-recordings-bucket" and "bucketPrefix" not in bucket
    assert bucket["forceDestroy"] is True
    assert bucket["tags"]["team"] == "media"
    assert resolve(storage.bucket_name) == "my-recordings-bucket"
    assert resolve(storage.bucket_arn) == "arn:aws:s3:::my-recordings-bucket"


def test_secret_access_key_is_a_secret_output(mocks, default):
    assert is_secret(default.copy_secret_access_key)
    assert resolve(default.copy_secret_access_key) == mocks.secrets[0]
    access_key = mocks.one(ACCESS_KEY)
    assert resolve(default.copy_access_key_id) == access_key.id and access_key.id.startswith("AKIA")
    for name, output in default.public_outputs().items():
        assert not is_secret(output), name
        assert mocks.secrets[0] not in json.dumps(resolve(output)), name


def test_outputs(mocks, default):
    # The fields of sendbird_copy.outputs.AppOutputs; the optional upload_role_arn only with a role.
    assert list(default.public_outputs()) == list(REQUIRED_FIELDS)
    assert resolve(default.app_id) == APP_ID
    assert default.upload_role_arn is None
    assert {token for token, _ in mocks.calls} == {GET_CALLER_IDENTITY, GET_PARTITION}


def test_the_component_has_an_output_for_every_stack_output_field(default):
    for name in (*PUBLIC_FIELDS, *SECRET_FIELDS):
        assert hasattr(default, name), name
    assert is_secret(default.copy_secret_access_key) and "copy_secret_access_key" in SECRET_FIELDS


def test_resources_are_the_children_the_mocks_received(mocks, default):
    resources = default.resources
    expected = {
        "bucket": BUCKET,
        "public_access_block": PUBLIC_ACCESS_BLOCK,
        "bucket_policy": BUCKET_POLICY,
        "ownership_controls": OWNERSHIP,
        "versioning": VERSIONING,
        "encryption": ENCRYPTION,
        "lifecycle": LIFECYCLE,
        "key": KMS_KEY,
        "alias": KMS_ALIAS,
        "user": IAM_USER,
        "access_key": ACCESS_KEY,
        "user_policy": USER_POLICY,
    }
    [component] = mocks.of_type(RECORDING_STORAGE)
    for field, typ in expected.items():
        resource = getattr(resources, field)
        assert resource.pulumi_resource_type == typ, field
        record = mocks.one(typ)
        assert resource.pulumi_resource_name == record.name, field
        assert resolve(resource.urn) == record.urn, field
        assert record.parent == component.urn, field
    assert resources.upload_role is None and resources.upload_role_policy is None
    assert resolve(resources.bucket.arn) == resolve(default.bucket_arn)
    assert resolve(resources.access_key.id) == resolve(default.copy_access_key_id)
    with pytest.raises(dataclasses.FrozenInstanceError):
        resources.bucket = resources.bucket


def test_resources_with_an_existing_key_and_an_upload_role(mocks):
    storage = build(
        mocks,
        kms_key_arn=EXISTING_KEY,
        upload_role=UploadRole(sendbird_principal="111122223333", external_id="e-1"),
    )
    resources = storage.resources
    assert resources.key is None and resources.alias is None
    assert resources.upload_role is not None and resources.upload_role_policy is not None
    [component] = mocks.of_type(RECORDING_STORAGE)
    for resource, typ in ((resources.upload_role, IAM_ROLE), (resources.upload_role_policy, ROLE_POLICY)):
        record = mocks.one(typ)
        assert resolve(resource.urn) == record.urn and record.parent == component.urn, typ
    assert resolve(resources.upload_role.arn) == mocks.one(IAM_ROLE).state["arn"]


def test_existing_key_creates_no_key_and_is_used_everywhere(mocks):
    storage = build(mocks, kms_key_arn=EXISTING_KEY)
    assert not mocks.of_type(KMS_KEY) and not mocks.of_type(KMS_ALIAS)
    assert len(mocks.custom) == 10 + 2 + len(LOG_BUCKET_TYPES)
    [rule] = mocks.one(ENCRYPTION).inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] == EXISTING_KEY
    user_policy = mocks.one(USER_POLICY).inputs["policy"]
    via = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    assert identity_decision(user_policy, "kms:GenerateDataKey", EXISTING_KEY, via) == ALLOW
    wrong_key = next(
        s
        for s in json.loads(mocks.one(BUCKET_POLICY).inputs["policy"])["Statement"]
        if s["Sid"] == "DenyWrongKmsKey"
    )
    assert wrong_key["Condition"]["StringNotEquals"] == {pol.SSE_KMS_KEY_HEADER_KEY: EXISTING_KEY}
    assert resolve(storage.kms_key_arn) == EXISTING_KEY
    assert resolve(storage.kms_alias) == EXISTING_KEY  # documented: no alias is known, the ARN is a key id


def test_upload_role_when_asked(mocks):
    storage = build(mocks, upload_role=UploadRole(sendbird_principal="111122223333", external_id="sb-ext-42"))
    role = mocks.one(IAM_ROLE)
    assert role.inputs["path"] == "/sendbird/"
    # Autonamed (<name>-upload-role-<7 hex> fits): a replacement never collides with the old role.
    assert "name" not in role.inputs and "namePrefix" not in role.inputs
    trust = role.inputs["assumeRolePolicy"]
    assert identity_decision(trust, "sts:AssumeRole", "*", {"sts:ExternalId": "sb-ext-42"}) == ALLOW
    assert identity_decision(trust, "sts:AssumeRole", "*", {"sts:ExternalId": "other"}) != ALLOW
    assert json.loads(trust)["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    role_policy = mocks.one(ROLE_POLICY)
    assert role_policy.inputs["role"] == role.state["name"]
    bucket_arn = mocks.one(BUCKET).state["arn"]
    assert (
        identity_decision(role_policy.inputs["policy"], "s3:PutObject", f"{bucket_arn}/live/x.mp4") == ALLOW
    )
    assert identity_decision(role_policy.inputs["policy"], "s3:PutBucketPolicy", bucket_arn) != ALLOW
    key_policy = json.loads(mocks.one(KMS_KEY).inputs["policy"])
    upload = next(s for s in key_policy["Statement"] if s["Sid"] == "AllowUploadRoleViaS3")
    assert upload["Condition"]["StringEquals"]["aws:PrincipalArn"] == role.state["arn"]
    key_arn, via = mocks.one(KMS_KEY).state["arn"], {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
    for action, context, expected in (
        ("kms:GenerateDataKey", via, ALLOW),
        ("kms:Encrypt", via, DENY),
        ("kms:Decrypt", {}, DENY),
    ):
        decision = same_account_kms_decision(
            role_policy.inputs["policy"], key_policy, action, key_arn, role.state["arn"], context
        )
        assert decision == expected, action
    assert storage.upload_role_arn is not None
    assert resolve(storage.upload_role_arn) == role.state["arn"]
    assert resolve(storage.public_outputs()["upload_role_arn"]) == role.state["arn"]
    # Every field but the other options' optional ones (replication, Object Lock, event delivery).
    fields = [f for f in PUBLIC_FIELDS if f not in OPTIONAL_FIELDS or f == "upload_role_arn"]
    assert list(storage.public_outputs()) == fields


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"region": "eu-west-3"}, "region 'eu-west-3' is an AWS region Sendbird does not run in"),
        ({"region": "moon-1"}, "region 'moon-1' is not a known region"),
        ({"bucket_name": "Recordings.Prod"}, "bucket_name 'Recordings.Prod' is not a valid bucket name"),
        (
            {"retention": lambda: Retention(transition_days=90, expiration_days=60)},
            "retention.expiration_days 60 contradicts",
        ),
        ({"kms_key_arn": EXISTING_KEY, "region": "us-1"}, "kms_key_arn"),
        ({"upload_role": lambda: UploadRole("111122223333", "")}, "upload_role.external_id"),
    ],
)
def test_bad_input_fails_before_any_resource(mocks, kwargs, fragment):
    """The arguments validate themselves: the error names the field (relative to the arguments)."""

    def bad() -> RecordingStorage:
        values = {k: v() if callable(v) else v for k, v in kwargs.items()}
        return build(mocks, **values)

    with pytest.raises(InputError) as err:
        bad()
    assert str(err.value).startswith(fragment)
    assert "Allowed" in str(err.value)
    assert mocks.registered == []  # not even the component was registered


def test_the_components_own_checks_name_the_component(mocks):
    with pytest.raises(InputError) as err:
        run_component(lambda: RecordingStorage(NAME, {"app_id": APP_ID, "region": "ap-2"}), mocks)  # type: ignore[arg-type]
    assert str(err.value).startswith(f"RecordingStorage '{NAME}': ")
    assert "args must be a RecordingStorageArgs, got dict" in str(err.value)
    with pytest.raises(InputError, match=r"RecordingStorage name ' ' is empty\. Allowed"):
        run_component(
            lambda: RecordingStorage(" ", RecordingStorageArgs(app_id=APP_ID, region="ap-2")), mocks
        )
    assert mocks.registered == []


def test_missing_app_id_fails_before_any_resource(mocks):
    with pytest.raises(InputError, match="app_id is missing"):
        run_component(lambda: RecordingStorage(NAME, RecordingStorageArgs(app_id="", region="ap-2")), mocks)
    assert mocks.registered == []
