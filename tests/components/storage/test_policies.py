"""The pure policy builders, judged by effective permissions (moto's IAM evaluator), not by strings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.storage import policies
from tests.components.pulumi_mocks import (
    ALLOW,
    DENY,
    NEUTRAL,
    conditions_met,
    identity_decision,
    resource_policy_decision,
    same_account_kms_decision,
    same_account_s3_decision,
)

ACCOUNT = "123456789012"
REGION = "ap-northeast-2"
BUCKET = "arn:aws:s3:::sendbird-recordings-test"
OTHER_BUCKET = "arn:aws:s3:::someone-elses-bucket"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"
OTHER_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
USER = f"arn:aws:iam::{ACCOUNT}:user/sendbird/copy-user-abc1234"
OTHER_USER = f"arn:aws:iam::{ACCOUNT}:user/someone-else"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/sendbird/upload-role-abc1234"
VIA_S3 = {"kms:ViaService": f"s3.{REGION}.amazonaws.com"}
TLS = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.3"}


@pytest.fixture
def copy_policy() -> dict[str, Any]:
    return policies.copy_identity_policy(bucket_arn=BUCKET, kms_key_arn=KEY, region=REGION)


@pytest.fixture
def bucket_policy() -> dict[str, Any]:
    return policies.bucket_policy(
        bucket_arn=BUCKET, kms_key_arn=KEY, copy_identity_arn=USER, account_id=ACCOUNT
    )


def _statement(policy: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(s for s in policy["Statement"] if s.get("Sid") == sid)


# -- the copy identity's own policy ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        ("s3:PutObject", f"{BUCKET}/any/key", {}),
        ("s3:PutObject", f"{BUCKET}/7C1D/recording-123.mp4", {}),
        ("s3:ListBucket", BUCKET, {}),
        ("kms:GenerateDataKey", KEY, VIA_S3),
        ("kms:Decrypt", KEY, VIA_S3),
    ],
)
def test_copy_identity_may(copy_policy, action, resource, context):
    assert identity_decision(copy_policy, action, resource, context) == ALLOW


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        ("s3:GetObject", f"{BUCKET}/any/key", {}),
        ("s3:DeleteObject", f"{BUCKET}/any/key", {}),
        ("s3:PutObjectAcl", f"{BUCKET}/any/key", {}),
        ("s3:PutBucketPolicy", BUCKET, {}),
        ("s3:DeleteBucket", BUCKET, {}),
        ("s3:PutObject", f"{OTHER_BUCKET}/any/key", {}),
        ("s3:ListBucket", OTHER_BUCKET, {}),
        ("kms:GenerateDataKey", OTHER_KEY, VIA_S3),
        ("kms:Decrypt", OTHER_KEY, VIA_S3),
        ("kms:Encrypt", KEY, VIA_S3),
        ("kms:ScheduleKeyDeletion", KEY, VIA_S3),
        # Through S3 in another region: moto reports the unmet StringEquals as an explicit deny.
        ("kms:Decrypt", KEY, {"kms:ViaService": "s3.us-east-1.amazonaws.com"}),
        ("kms:GenerateDataKey", KEY, {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
    ],
)
def test_copy_identity_may_not(copy_policy, action, resource, context):
    assert identity_decision(copy_policy, action, resource, context) in (DENY, NEUTRAL)


def test_copy_identity_cannot_call_kms_directly(copy_policy):
    # A direct KMS call carries no kms:ViaService. moto counts an absent key as met, so judge the
    # statement's condition with AWS's rule (StringEquals on an absent key is false).
    statement = _statement(copy_policy, "UseKeyViaS3")
    assert not conditions_met(statement["Condition"], {})
    assert conditions_met(statement["Condition"], VIA_S3)


def test_copy_identity_policy_grants_nothing_else(copy_policy):
    grants = {
        (s["Effect"], a, s["Resource"])
        for s in copy_policy["Statement"]
        if s["Effect"] == "Allow"
        for a in _list(s["Action"])
    }
    assert grants == {
        ("Allow", "s3:PutObject", f"{BUCKET}/*"),
        ("Allow", "s3:ListBucket", BUCKET),
        ("Allow", "kms:GenerateDataKey", KEY),
        ("Allow", "kms:Decrypt", KEY),
    }


# -- the tool's own prefixes: refused to the copy identity -------------------------------------------
LEDGER_ENTRY = f"{BUCKET}/_sendbird-sync/APP-1/rec-1.json"
TOOL_KEYS = [
    LEDGER_ENTRY,
    f"{BUCKET}/_sendbird-sync/APP-1/_run/state.json",
    f"{BUCKET}/_sendbird-sync/APP-1/_run/lease.json",
    f"{BUCKET}/_sendbird-manifests/APP-1/rec-1.json",
]
WRITABLE_KEYS = [f"{BUCKET}/rec.mp4", f"{BUCKET}/live/7C1D/rec-1.mp4", f"{BUCKET}/_preflight/x"]
# An identity policy that drifted to everything in S3: the bucket policy's Deny must still hold.
S3_ALL: dict[str, Any] = {
    "Version": policies.VERSION,
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}


def test_every_tool_prefix_is_refused_in_both_policies(copy_policy, bucket_policy):
    from sendbird_copy.facts import TOOL_PREFIXES

    expected = sorted(f"{BUCKET}/{prefix}*" for prefix in TOOL_PREFIXES)
    assert sorted(_statement(copy_policy, "DenyToolPrefixes")["Resource"]) == expected
    assert sorted(_statement(bucket_policy, "DenyCopyIdentityToolPrefixes")["Resource"]) == expected


@pytest.mark.parametrize("resource", WRITABLE_KEYS)
def test_copy_identity_may_write_recordings_and_preflight_probes(copy_policy, bucket_policy, resource):
    context = {**TLS, "aws:PrincipalArn": USER}
    assert identity_decision(copy_policy, "s3:PutObject", resource) == ALLOW
    assert (
        same_account_s3_decision(copy_policy, bucket_policy, "s3:PutObject", resource, USER, context) == ALLOW
    )


@pytest.mark.parametrize("resource", TOOL_KEYS)
@pytest.mark.parametrize("action", ["s3:PutObject", "s3:DeleteObject", "s3:PutObjectTagging"])
def test_copy_identity_may_not_touch_the_tool_prefixes(copy_policy, bucket_policy, resource, action):
    """Each policy refuses on its own: the identity policy (moto's evaluator), and the bucket policy
    even for an identity policy that drifted to s3:* on everything."""
    assert identity_decision(copy_policy, action, resource) == DENY
    context = {**TLS, "aws:PrincipalArn": USER}
    assert resource_policy_decision(bucket_policy, action, resource, USER, context) == DENY
    assert same_account_s3_decision(S3_ALL, bucket_policy, action, resource, USER, context) == DENY


@pytest.mark.parametrize("resource", WRITABLE_KEYS)
@pytest.mark.parametrize("action", ["s3:PutObjectTagging", "s3:GetObjectTagging", "s3:DeleteObjectTagging"])
def test_copy_identity_may_neither_read_nor_set_object_tags(copy_policy, bucket_policy, resource, action):
    """A recording's tags carry its live event or room (manifests): refused in both policies."""
    assert identity_decision(copy_policy, action, resource) == DENY
    context = {**TLS, "aws:PrincipalArn": USER}
    assert same_account_s3_decision(S3_ALL, bucket_policy, action, resource, USER, context) == DENY
    operator = {**TLS, "aws:PrincipalArn": OTHER_USER}
    assert same_account_s3_decision(S3_ALL, bucket_policy, action, resource, OTHER_USER, operator) == ALLOW


@pytest.mark.parametrize("principal", [OTHER_USER, f"arn:aws:iam::{ACCOUNT}:role/Administrator"])
def test_the_tool_prefix_deny_names_the_copy_identity_only(bucket_policy, principal):
    # The operator and the function's role still write the ledger: the Deny is the copy user's alone.
    context = {**TLS, "aws:PrincipalArn": principal}
    assert (
        same_account_s3_decision(S3_ALL, bucket_policy, "s3:PutObject", LEDGER_ENTRY, principal, context)
        == ALLOW
    )


# -- the bucket policy -------------------------------------------------------------------------------


def test_bucket_policy_statements_are_exactly_these(bucket_policy):
    assert [s["Sid"] for s in bucket_policy["Statement"]] == list(policies.BUCKET_POLICY_SIDS)
    assert len(json.dumps(bucket_policy)) < 20 * 1024  # S3's bucket-policy size limit


def test_deny_insecure_transport_covers_every_action_and_principal(bucket_policy):
    statement = _statement(bucket_policy, "DenyInsecureTransport")
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == "*"
    assert statement["Action"] == "s3:*"
    assert sorted(statement["Resource"]) == sorted([BUCKET, f"{BUCKET}/*"])
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


@pytest.mark.parametrize(
    ("action", "resource"),
    [("s3:PutObject", f"{BUCKET}/any/key"), ("s3:ListBucket", BUCKET), ("s3:GetObject", f"{BUCKET}/k")],
)
@pytest.mark.parametrize("principal", [USER, OTHER_USER, f"arn:aws:iam::{ACCOUNT}:role/Administrator"])
def test_bucket_policy_denies_requests_without_tls(bucket_policy, action, resource, principal):
    """Uses the small hand-written condition evaluator in tests/pulumi_mocks.py (``conditions_met``):
    moto treats a Bool condition as always met, so it would deny TLS requests too."""
    no_tls = {"aws:SecureTransport": "false", "aws:PrincipalArn": principal}
    assert resource_policy_decision(bucket_policy, action, resource, principal, no_tls) == DENY


def test_bucket_policy_denies_tls_older_than_1_2(bucket_policy):
    old_tls = {"aws:SecureTransport": "true", "s3:TlsVersion": "1.1", "aws:PrincipalArn": USER}
    assert resource_policy_decision(bucket_policy, "s3:PutObject", f"{BUCKET}/k", USER, old_tls) == DENY
    tls12 = {**old_tls, "s3:TlsVersion": "1.2"}
    assert resource_policy_decision(bucket_policy, "s3:PutObject", f"{BUCKET}/k", USER, tls12) == ALLOW


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, ALLOW),  # Sendbird's copy: no SSE headers, the bucket's default encryption applies
        # aws:kms without a key id: S3 would use the AWS-managed aws/s3 key, not ours.
        ({policies.SSE_HEADER_KEY: "aws:kms"}, DENY),
        ({policies.SSE_HEADER_KEY: "aws:kms", policies.SSE_KMS_KEY_HEADER_KEY: KEY}, ALLOW),
        ({policies.SSE_HEADER_KEY: "aws:kms", policies.SSE_KMS_KEY_HEADER_KEY: OTHER_KEY}, DENY),
        ({policies.SSE_HEADER_KEY: "AES256"}, DENY),
    ],
)
def test_bucket_policy_denies_writes_naming_another_key_or_algorithm(
    copy_policy, bucket_policy, headers, expected
):
    context = {**TLS, "aws:PrincipalArn": USER, **headers}
    decision = same_account_s3_decision(
        copy_policy, bucket_policy, "s3:PutObject", f"{BUCKET}/k", USER, context
    )
    assert decision == expected


def test_kms_without_a_key_id_is_denied_by_its_own_statement(copy_policy, bucket_policy):
    """Without DenyKmsWithoutOurKeyId, "aws:kms" and no key id (S3 then uses aws/s3) would pass:
    DenyWrongKmsKey's Null guard needs the key-id header to be present."""
    context = {**TLS, "aws:PrincipalArn": USER, policies.SSE_HEADER_KEY: "aws:kms"}
    put = ("s3:PutObject", f"{BUCKET}/k", USER, context)
    assert same_account_s3_decision(copy_policy, bucket_policy, *put) == DENY
    without = {
        **bucket_policy,
        "Statement": [s for s in bucket_policy["Statement"] if s["Sid"] != "DenyKmsWithoutOurKeyId"],
    }
    assert same_account_s3_decision(copy_policy, without, *put) == ALLOW
    # The header-less write (Sendbird's copy) is untouched by the new statement.
    statement = _statement(bucket_policy, "DenyKmsWithoutOurKeyId")
    assert not conditions_met(statement["Condition"], {**TLS, "aws:PrincipalArn": USER})


def test_bucket_policy_names_the_copy_identity_by_condition_not_principal(bucket_policy):
    root = f"arn:aws:iam::{ACCOUNT}:root"
    for sid in ("AllowCopyIdentityWrite", "AllowCopyIdentityList"):
        statement = _statement(bucket_policy, sid)
        assert statement["Principal"] == {"AWS": root}
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalArn": USER}}
    assert USER not in json.dumps([s.get("Principal") for s in bucket_policy["Statement"]])


def test_bucket_policy_allows_only_the_copy_identity_to_write_and_list(bucket_policy):
    secure = {**TLS}
    for principal, expected in (
        (USER, ALLOW),
        (OTHER_USER, NEUTRAL),
        ("arn:aws:iam::210987654321:user/x", NEUTRAL),
    ):
        context = {**secure, "aws:PrincipalArn": principal}
        assert (
            resource_policy_decision(bucket_policy, "s3:PutObject", f"{BUCKET}/k", principal, context)
            == expected
        )
        assert (
            resource_policy_decision(bucket_policy, "s3:ListBucket", BUCKET, principal, context) == expected
        )
    # ... and nothing else, not even to the copy identity.
    context = {**secure, "aws:PrincipalArn": USER}
    for action, resource in (("s3:GetObject", f"{BUCKET}/k"), ("s3:DeleteObject", f"{BUCKET}/k")):
        assert resource_policy_decision(bucket_policy, action, resource, USER, context) == NEUTRAL


def test_effective_copy_access_needs_the_identity_policy(copy_policy, bucket_policy):
    """The bucket policy's root-principal Allow delegates to IAM: without the user's own policy,
    nothing is allowed (so deleting the user policy really revokes access)."""
    context = {**TLS, "aws:PrincipalArn": USER}
    empty: dict[str, Any] = {"Version": policies.VERSION, "Statement": []}
    put = ("s3:PutObject", f"{BUCKET}/any/key")
    assert same_account_s3_decision(copy_policy, bucket_policy, *put, USER, context) == ALLOW
    assert same_account_s3_decision(empty, bucket_policy, *put, USER, context) == NEUTRAL
    for action, resource in (("s3:GetObject", f"{BUCKET}/k"), ("s3:PutBucketPolicy", BUCKET)):
        assert same_account_s3_decision(copy_policy, bucket_policy, action, resource, USER, context) != ALLOW


# -- the key policy ----------------------------------------------------------------------------------


def test_key_policy_keeps_the_root_statement():
    policy = policies.key_policy(account_id=ACCOUNT, region=REGION, copy_identity_arn=USER)
    root = _statement(policy, "EnableRootAccountPermissions")
    assert root == {
        "Sid": "EnableRootAccountPermissions",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }


def _key_context(
    principal: str, via: str = f"s3.{REGION}.amazonaws.com", account: str = ACCOUNT
) -> dict[str, str]:
    # Every StringEquals key, in the statement's order (moto pairs values with keys by position).
    return {"aws:PrincipalArn": principal, "kms:ViaService": via, "kms:CallerAccount": account}


@pytest.mark.parametrize("action", ["kms:GenerateDataKey", "kms:Decrypt"])
def test_key_policy_lets_the_copy_identity_use_the_key_only_via_s3_here(action):
    policy = policies.key_policy(account_id=ACCOUNT, region=REGION, copy_identity_arn=USER)
    copy_statement = _statement(policy, "AllowCopyIdentityViaS3")
    assert copy_statement["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
    statement = {"Version": policies.VERSION, "Statement": [copy_statement]}
    assert identity_decision(statement, action, "*", _key_context(USER)) == ALLOW
    assert identity_decision(statement, action, "*", _key_context(OTHER_USER)) != ALLOW
    assert (
        identity_decision(statement, action, "*", _key_context(USER, via="s3.us-west-2.amazonaws.com"))
        != ALLOW
    )
    assert identity_decision(statement, action, "*", _key_context(USER, account="210987654321")) != ALLOW
    assert identity_decision(statement, "kms:Encrypt", "*", _key_context(USER)) == NEUTRAL


def test_key_policy_grants_the_upload_role_only_when_it_exists():
    without = policies.key_policy(account_id=ACCOUNT, region=REGION, copy_identity_arn=USER)
    assert [s["Sid"] for s in without["Statement"]] == [
        "EnableRootAccountPermissions",
        "AllowCopyIdentityViaS3",
        "DenyCopyIdentityOtherKmsActions",
        "DenyCopyIdentityOutsideS3",
    ]
    with_role = policies.key_policy(
        account_id=ACCOUNT, region=REGION, copy_identity_arn=USER, upload_role_arn=ROLE
    )
    statement = {"Version": policies.VERSION, "Statement": [_statement(with_role, "AllowUploadRoleViaS3")]}
    assert identity_decision(statement, "kms:GenerateDataKey", "*", _key_context(ROLE)) == ALLOW
    assert identity_decision(statement, "kms:GenerateDataKey", "*", _key_context(USER)) != ALLOW
    assert [s["Sid"] for s in with_role["Statement"]][4:] == [
        "AllowUploadRoleViaS3",
        "DenyUploadRoleOtherKmsActions",
        "DenyUploadRoleOutsideS3",
    ]


# An IAM policy that drifted far beyond the grant: the key policy's Denies must still hold.
KMS_ALL: dict[str, Any] = {
    "Version": policies.VERSION,
    "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}],
}
ADMIN = f"arn:aws:iam::{ACCOUNT}:role/Administrator"
ROOT = f"arn:aws:iam::{ACCOUNT}:root"


@pytest.fixture
def key_policy_with_role() -> dict[str, Any]:
    return policies.key_policy(
        account_id=ACCOUNT, region=REGION, copy_identity_arn=USER, upload_role_arn=ROLE
    )


@pytest.mark.parametrize("principal", [USER, ROLE])
@pytest.mark.parametrize(
    ("action", "context"),
    [
        ("kms:Encrypt", VIA_S3),
        ("kms:ScheduleKeyDeletion", VIA_S3),
        ("kms:PutKeyPolicy", VIA_S3),
        ("kms:CreateGrant", VIA_S3),
        ("kms:Decrypt", {}),  # a direct call: no kms:ViaService
        ("kms:GenerateDataKey", {}),
        ("kms:Decrypt", {"kms:ViaService": "s3.us-west-2.amazonaws.com"}),
        ("kms:Decrypt", {"kms:ViaService": f"secretsmanager.{REGION}.amazonaws.com"}),
    ],
)
def test_key_policy_denies_a_drifted_identity_anything_beyond_s3_here(
    key_policy_with_role, principal, action, context
):
    decision = same_account_kms_decision(KMS_ALL, key_policy_with_role, action, KEY, principal, context)
    assert decision == DENY


@pytest.mark.parametrize("principal", [USER, ROLE])
@pytest.mark.parametrize("action", ["kms:GenerateDataKey", "kms:Decrypt"])
def test_key_policy_still_lets_the_identities_use_the_key_via_s3(
    key_policy_with_role, copy_policy, role_policy, principal, action
):
    own = copy_policy if principal == USER else role_policy
    for identity_policy in (own, KMS_ALL):
        decision = same_account_kms_decision(
            identity_policy, key_policy_with_role, action, KEY, principal, VIA_S3
        )
        assert decision == ALLOW


@pytest.mark.parametrize("principal", [ADMIN, ROOT, OTHER_USER])
@pytest.mark.parametrize(
    ("action", "context"),
    [
        ("kms:ScheduleKeyDeletion", {}),
        ("kms:PutKeyPolicy", {}),
        ("kms:Encrypt", {}),
        ("kms:Decrypt", {}),
        ("kms:DescribeKey", {}),
    ],
)
def test_key_policy_denies_do_not_lock_out_the_account(key_policy_with_role, principal, action, context):
    # The root statement delegates to IAM: an admin's kms:* still works, the Denies name others only.
    decision = same_account_kms_decision(KMS_ALL, key_policy_with_role, action, KEY, principal, context)
    assert decision == ALLOW


def test_key_policy_names_identities_by_condition_not_principal(key_policy_with_role):
    for statement in key_policy_with_role["Statement"]:
        if statement["Effect"] == "Deny":
            assert statement["Principal"] == "*"
            assert statement["Condition"]["StringEquals"]["aws:PrincipalArn"] in (USER, ROLE)
    principals = json.dumps([s["Principal"] for s in key_policy_with_role["Statement"]])
    assert USER not in principals and ROLE not in principals


def test_bucket_policy_leaves_identity_drift_visible(bucket_policy):
    """No Deny in the bucket policy shadows the identity policy: if the copy identity's IAM policy
    drifts to s3:*, the e2e smoke test's "cannot read or delete" checks must see it."""
    drifted = {
        "Version": policies.VERSION,
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    context = {**TLS, "aws:PrincipalArn": USER}
    for action in ("s3:GetObject", "s3:DeleteObject"):
        assert same_account_s3_decision(drifted, bucket_policy, action, f"{BUCKET}/k", USER, context) == ALLOW


# -- the direct-upload role --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("111122223333", "arn:aws:iam::111122223333:root"),
        (
            "arn:aws:iam::111122223333:role/sendbird-uploader",
            "arn:aws:iam::111122223333:role/sendbird-uploader",
        ),
    ],
)
def test_upload_role_trusts_sendbird_only_with_the_external_id(principal, expected):
    trust = policies.upload_role_trust_policy(sendbird_principal=principal, external_id="ext-123")
    assert trust["Statement"][0]["Principal"] == {"AWS": expected}
    assert identity_decision(trust, "sts:AssumeRole", "*", {"sts:ExternalId": "ext-123"}) == ALLOW
    assert identity_decision(trust, "sts:AssumeRole", "*", {"sts:ExternalId": "guessed"}) != ALLOW
    assert (
        identity_decision(trust, "sts:AssumeRoleWithWebIdentity", "*", {"sts:ExternalId": "ext-123"})
        == NEUTRAL
    )


@pytest.fixture
def role_policy() -> dict[str, Any]:
    return policies.upload_role_policy(bucket_arn=BUCKET, kms_key_arn=KEY, region=REGION)


@pytest.mark.parametrize(
    ("action", "resource", "context"),
    [
        ("s3:ListBucket", BUCKET, {}),
        ("s3:ListBucketMultipartUploads", BUCKET, {}),
        ("s3:PutObject", f"{BUCKET}/live/rec.mp4", {}),
        ("s3:PutObjectTagging", f"{BUCKET}/live/rec.mp4", {}),
        ("s3:GetObject", f"{BUCKET}/live/rec.mp4", {}),
        ("s3:AbortMultipartUpload", f"{BUCKET}/live/rec.mp4", {}),
        ("s3:ListMultipartUploadParts", f"{BUCKET}/live/rec.mp4", {}),
        ("kms:GenerateDataKey", KEY, VIA_S3),
        ("kms:Decrypt", KEY, VIA_S3),
    ],
)
def test_upload_role_may(role_policy, action, resource, context):
    assert identity_decision(role_policy, action, resource, context) == ALLOW


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:PutBucketPolicy", BUCKET),
        ("s3:PutBucketAcl", BUCKET),
        ("s3:PutLifecycleConfiguration", BUCKET),
        ("s3:PutEncryptionConfiguration", BUCKET),
        ("s3:DeleteObject", f"{BUCKET}/k"),
        ("s3:DeleteBucket", BUCKET),
        ("s3:PutObject", f"{OTHER_BUCKET}/k"),
        ("kms:Decrypt", OTHER_KEY),
    ],
)
def test_upload_role_may_not(role_policy, action, resource):
    assert identity_decision(role_policy, action, resource, VIA_S3) in (DENY, NEUTRAL)


def _list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]
