"""Unit tests of the emulator deploy's pure parts and its refusal of what it cannot apply."""

import datetime
import json
import stat

import pulumi
import pytest

from localdev.emulator_deploy import (
    EmulatorDeployError,
    MotoDeployMocks,
    split_policy_for_moto,
    to_aws_shape,
    write_outputs,
)


def test_to_aws_shape_renames_keys_and_integral_floats():
    rules = [
        {
            "id": "abort",
            "status": "Enabled",
            "filter": {"prefix": "_preflight/"},
            "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7.0},
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "k"},
            "ratio": 0.5,
        }
    ]
    assert to_aws_shape(rules) == [
        {
            "ID": "abort",
            "Status": "Enabled",
            "Filter": {"Prefix": "_preflight/"},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "k"},
            "Ratio": 0.5,
        }
    ]


def test_split_policy_keeps_string_equals_and_reports_the_rest_by_sid():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DenyOutdatedTls",
                "Effect": "Deny",
                "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
            },
            {
                "Sid": "AllowWrite",
                "Effect": "Allow",
                "Condition": {"StringEquals": {"aws:PrincipalArn": "a"}},
            },
            {"Effect": "Deny", "Condition": {"StringNotEqualsIfExists": {"k": "v"}}},
            {"Sid": "NoCondition", "Effect": "Allow"},
        ],
    }
    applied, skipped = split_policy_for_moto(json.dumps(policy))
    assert [s["Sid"] for s in applied["Statement"]] == ["AllowWrite", "NoCondition"]
    assert [sid for sid, _ in skipped] == ["DenyInsecureTransport", "DenyOutdatedTls", "statement[3]"]
    assert "Bool" in skipped[0][1]


def test_split_policy_reports_a_deny_meant_for_one_caller():
    """moto judges a bucket policy without the caller: a Deny scoped to one principal would refuse
    every caller there (the sync's own ledger writes included), so it is left out and reported."""
    scoped = {"StringEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:user/copy"}}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "DenyCopyIdentityToolPrefixes", "Effect": "Deny", "Principal": "*", "Condition": scoped},
            {"Sid": "DenyNamedUser", "Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:user/u"}},
            {"Sid": "AllowCopyIdentityWrite", "Effect": "Allow", "Principal": "*", "Condition": scoped},
            {"Sid": "DenyEveryone", "Effect": "Deny", "Principal": "*"},
        ],
    }
    applied, skipped = split_policy_for_moto(json.dumps(policy))
    assert [s["Sid"] for s in applied["Statement"]] == ["AllowCopyIdentityWrite", "DenyEveryone"]
    assert [sid for sid, _ in skipped] == ["DenyCopyIdentityToolPrefixes", "DenyNamedUser"]
    assert "without the caller" in skipped[0][1]


def test_write_outputs_is_owner_only_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out" / "outputs.json"
    write_outputs(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["outputs.json"]


def test_write_outputs_failure_keeps_the_previous_file(tmp_path):
    target = tmp_path / "outputs.json"
    write_outputs(target, {"good": True})
    with pytest.raises(TypeError):
        write_outputs(target, {"bad": object()})
    assert json.loads(target.read_text()) == {"good": True}
    assert [p.name for p in tmp_path.iterdir()] == ["outputs.json"]


def test_unknown_resource_type_is_refused_by_name(moto):
    mocks = MotoDeployMocks(moto)
    args = pulumi.runtime.MockResourceArgs(
        typ="aws:ec2/instance:Instance", name="web", inputs={}, provider="", resource_id="", custom=True
    )
    with pytest.raises(EmulatorDeployError, match=r"aws:ec2/instance:Instance \('web'\)"):
        mocks.new_resource(args)


def test_moto_refusal_names_resource_and_aws_error(moto):
    mocks = MotoDeployMocks(moto)
    args = pulumi.runtime.MockResourceArgs(
        typ="aws:s3/bucketVersioning:BucketVersioning",
        name="versioning",
        inputs={
            "bucket": "no-such-bucket-here",
            "versioningConfiguration": {"status": "Enabled"},
            "region": "eu-central-1",
        },
        provider="",
        resource_id="",
        custom=True,
    )
    with pytest.raises(
        EmulatorDeployError, match="'versioning' in eu-central-1: moto refused it: NoSuchBucket"
    ):
        mocks.new_resource(args)


def test_rotating_gets_a_base_and_a_due_timestamp(moto):
    mocks = MotoDeployMocks(moto)
    args = pulumi.runtime.MockResourceArgs(
        typ="time:index/rotating:Rotating",
        name="r",
        inputs={"rotationDays": 30.0},
        provider="",
        resource_id="",
        custom=True,
    )
    resource_id, state = mocks.new_resource(args)
    base = datetime.datetime.fromisoformat(state["rfc3339"].replace("Z", "+00:00"))
    due = datetime.datetime.fromisoformat(state["rotationRfc3339"].replace("Z", "+00:00"))
    assert resource_id == state["rfc3339"] and due - base == datetime.timedelta(days=30)
