"""End to end: the emulator deploy of the real program into moto, then the real smoke-test CLI.

moto runs with IAM authentication on and the Sendbird emulator copies in 5 MB parts, so every
verdict below comes from real signatures, real IAM policies and a real multipart upload. Each
misconfiguration is introduced after deploy through the AWS API (or the emulator), as it would
drift in a real account.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from components.storage.bucket import ACCESS_LOG_PREFIX, RECORDING_EVENT_PATTERN
from localdev.emulator_deploy import write_outputs
from localdev.local_run import LocalApp, skipped_statement_lines
from localdev.moto_server import MotoServer
from localdev.program_runner import PROJECT_DIR
from sendbird_copy.facts import LEDGER_PREFIX, PREFLIGHT_PREFIX
from tests.leaks import assert_no_secrets
from tests.localdev.local_stack import (
    ORG_KEY,
    RECORDING_BYTES,
    UNEVALUABLE_SIDS,
    LocalStack,
    deploy_local,
    two_region_config,
)


def report_of(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert done.stdout.strip(), f"no JSON report; stderr: {done.stderr}"
    return json.loads(done.stdout)


def test_deploy_then_smoke_test_passes_for_the_local_stack(local_stack: LocalStack) -> None:
    (app,) = local_stack.apps
    outputs = local_stack.app_outputs(app)
    done = local_stack.smoke(app, recording_id=app.recording_id, json_output=True)
    assert done.returncode == 0, done.stdout + done.stderr
    report = report_of(done)
    assert report["verdict"] == "pass"
    (app_report,) = report["applications"]
    assert app_report["object"]["size"] == RECORDING_BYTES

    # The object is really in the stack's bucket, in the application's region, under our key.
    s3 = local_stack.moto.client("s3", app.aws_region)
    bucket = outputs["bucket_name"]
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == app.aws_region
    head = s3.head_object(Bucket=bucket, Key=app_report["object"]["key"])
    assert head["ContentLength"] == RECORDING_BYTES
    assert head["ServerSideEncryption"] == "aws:kms"
    # The emulator wrote it the way Sendbird does: a multipart upload in 5 MB parts.
    assert [c.parts for c in local_stack.emulator.copies] == [3]
    assert_no_secrets(local_stack.secrets(), done.stdout, done.stderr)


def test_emulator_deploy_pins_every_regional_resource_and_reports_unevaluable_statements(
    local_stack: LocalStack,
) -> None:
    (app,) = local_stack.apps
    regions = {r.region for r in local_stack.result.resources if r.region is not None}
    assert regions == {app.aws_region}
    types = {r.type for r in local_stack.result.resources}
    assert "aws:s3/bucketPolicy:BucketPolicy" in types and "aws:iam/accessKey:AccessKey" in types
    assert {s.sid for s in local_stack.result.skipped_statements} == UNEVALUABLE_SIDS
    # The report says each once, with the buckets (the recordings bucket and its log bucket share some).
    skipped = local_stack.result.skipped_statements
    assert [s.sid for s in skipped].count("DenyInsecureTransport") == 2  # both buckets deny plain HTTP
    lines = skipped_statement_lines(skipped)
    assert sorted(line.split(" ")[0] for line in lines) == sorted(UNEVALUABLE_SIDS)
    # What moto holds is the real policy minus exactly those statements.
    bucket = local_stack.app_outputs(app)["bucket_name"]
    applied = json.loads(
        local_stack.moto.client("s3", app.aws_region).get_bucket_policy(Bucket=bucket)["Policy"]
    )
    assert {s["Sid"] for s in applied["Statement"]} == {"AllowCopyIdentityWrite", "AllowCopyIdentityList"}


def test_emulator_deploy_lands_every_setting_in_moto(local_stack: LocalStack) -> None:
    """Read each resource back through the AWS API: what the program asked for is what moto holds."""
    (app,) = local_stack.apps
    outputs = local_stack.app_outputs(app)
    bucket, key_arn = outputs["bucket_name"], outputs["kms_key_arn"]
    s3 = local_stack.moto.client("s3", app.aws_region)
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": key_arn,
    }
    assert rule["BucketKeyEnabled"] is True
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    # stacks/Pulumi.local.yaml: abort after 1 day, noncurrent versions after 1 day, expire after 14.
    assert rules["abort-incomplete-multipart-uploads"]["AbortIncompleteMultipartUpload"] == {
        "DaysAfterInitiation": 1
    }
    assert rules["expire-preflight-probes"]["Filter"] == {"Prefix": "_preflight/"}
    assert rules["expire-preflight-probes"]["Expiration"] == {"Days": 1}
    assert rules["expire-sync-ledger"]["Filter"] == {"Prefix": "_sendbird-sync/"}
    assert rules["expire-sync-ledger"]["Expiration"] == {"Days": 60}
    assert rules["recordings-retention"]["Expiration"] == {"Days": 14}

    # Server access logs go to the log bucket the component created (moto accepted it only because
    # that bucket is in the same region and its policy admits logging.s3.amazonaws.com). moto does
    # not return the date-partitioned key format; the mocks tests show it is asked for.
    logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert logging["TargetPrefix"] == ACCESS_LOG_PREFIX
    log_bucket = logging["TargetBucket"]
    assert log_bucket != bucket and log_bucket.startswith(f"{app.app_id.lower()[:31]}-logs-")
    assert s3.get_bucket_location(Bucket=log_bucket)["LocationConstraint"] == app.aws_region
    log_block = s3.get_public_access_block(Bucket=log_bucket)["PublicAccessBlockConfiguration"]
    assert log_block == block
    assert s3.get_bucket_ownership_controls(Bucket=log_bucket)["OwnershipControls"]["Rules"] == ownership
    (log_rule,) = s3.get_bucket_encryption(Bucket=log_bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert log_rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    log_rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=log_bucket)["Rules"]}
    assert log_rules["expire-access-logs"]["Expiration"] == {"Days": 90}
    log_policy = json.loads(s3.get_bucket_policy(Bucket=log_bucket)["Policy"])
    # The TLS Deny is left out in moto (reported by Sid, like the recordings bucket's).
    (delivery,) = log_policy["Statement"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["StringEquals"] == {
        "aws:SourceArn": f"arn:aws:s3:::{bucket}",
        "aws:SourceAccount": key_arn.split(":")[4],
    }

    kms = local_stack.moto.client("kms", app.aws_region)
    assert kms.get_key_rotation_status(KeyId=key_arn)["KeyRotationEnabled"] is True
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases(KeyId=key_arn)["Aliases"]}
    assert aliases == {outputs["kms_alias"]: key_arn.rsplit("/", 1)[-1]}
    key_policy = json.loads(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    account = key_arn.split(":")[4]
    assert any(
        s["Effect"] == "Allow"
        and s["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        and s["Action"] == "kms:*"
        for s in key_policy["Statement"]
    ), "the account-root statement (no lock-out) must be in the key policy moto holds"

    iam = local_stack.moto.client("iam")
    user = outputs["copy_user_name"]
    (access_key,) = iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
    assert (access_key["AccessKeyId"], access_key["Status"]) == (outputs["copy_access_key_id"], "Active")
    _, _, document = _copy_user_policy(local_stack, app)
    granted = set()
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if statement["Effect"] == "Allow":
            granted.update(actions)
    assert granted == {"s3:PutObject", "s3:ListBucket", "kms:GenerateDataKey", "kms:Decrypt"}


def test_recording_arrived_events_reach_eventbridge_and_the_readme_rule_picks_recordings(
    local_stack: LocalStack,
) -> None:
    """moto's GetBucketNotificationConfiguration leaves EventBridgeConfiguration out of its answer, so
    the configuration is read back by its effect: with it, moto sends each new object's event to the
    region's EventBridge rules. A rule with docs/security.md's pattern, targeting a queue, gets the recording
    and neither the preflight probe nor the ledger entry."""
    (app,) = local_stack.apps
    bucket = local_stack.app_outputs(app)["bucket_name"]
    region, moto = app.aws_region, local_stack.moto
    sqs, events, s3 = moto.client("sqs", region), moto.client("events", region), moto.client("s3", region)
    queue_url = sqs.create_queue(QueueName="recording-arrived")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {
        **RECORDING_EVENT_PATTERN,
        "detail": {**RECORDING_EVENT_PATTERN["detail"], "bucket": {"name": [bucket]}},
    }
    events.put_rule(Name="recording-arrived", EventPattern=json.dumps(pattern))
    events.put_targets(Rule="recording-arrived", Targets=[{"Id": "queue", "Arn": queue_arn}])
    keys = ["events-test/rec-events-1.mp4", f"{PREFLIGHT_PREFIX}probe", f"{LEDGER_PREFIX}rec-events-1.json"]
    try:
        for key in keys:
            s3.put_object(Bucket=bucket, Key=key, Body=b"x")
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        got = [json.loads(m["Body"]) for m in received.get("Messages", [])]
        assert [(e["detail-type"], e["detail"]["object"]["key"]) for e in got] == [
            ("Object Created", keys[0])
        ]
        assert got[0]["detail"]["bucket"]["name"] == bucket
    finally:
        for key in keys:
            s3.delete_object(Bucket=bucket, Key=key)
        events.remove_targets(Rule="recording-arrived", Ids=["queue"])
        events.delete_rule(Name="recording-arrived")
        sqs.delete_queue(QueueUrl=queue_url)


def test_two_applications_in_two_regions_each_pass_against_their_own_bucket(
    moto: MotoServer, emulator: Any, tmp_path: Path
) -> None:
    stack = deploy_local(moto, emulator, tmp_path, two_region_config())
    assert {a.aws_region for a in stack.apps} == {"ap-northeast-2", "us-west-2"}
    buckets = set()
    for app in stack.apps:
        outputs = stack.app_outputs(app)
        assert outputs["region"] == app.aws_region
        done = stack.smoke(app, recording_id=app.recording_id, json_output=True)
        assert done.returncode == 0, done.stdout + done.stderr
        app_report = report_of(done)["applications"][0]
        assert app_report["app_id"] == app.app_id
        s3 = moto.client("s3", app.aws_region)
        location = s3.get_bucket_location(Bucket=outputs["bucket_name"])["LocationConstraint"]
        assert location == app.aws_region
        assert s3.head_object(Bucket=outputs["bucket_name"], Key=app_report["object"]["key"])[
            "ContentLength"
        ] == (RECORDING_BYTES)
        buckets.add(outputs["bucket_name"])
        assert_no_secrets(stack.secrets(), done.stdout, done.stderr)
    assert len(buckets) == 2


# -- misconfigurations introduced after deploy ------------------------------------------------------


def _copy_user_policy(stack: LocalStack, app: LocalApp) -> tuple[str, str, dict[str, Any]]:
    iam = stack.moto.client("iam")
    user = stack.app_outputs(app)["copy_user_name"]
    (policy_name,) = iam.list_user_policies(UserName=user)["PolicyNames"]
    document = iam.get_user_policy(UserName=user, PolicyName=policy_name)["PolicyDocument"]
    return user, policy_name, document if isinstance(document, dict) else json.loads(document)


def lose_put_object(stack: LocalStack, app: LocalApp) -> None:
    user, name, document = _copy_user_policy(stack, app)
    statements = []
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        kept = [a for a in actions if a != "s3:PutObject"]
        if kept:
            statements.append({**statement, "Action": kept})
    assert len(statements) < len(document["Statement"]) or statements != document["Statement"]
    stack.moto.client("iam").put_user_policy(
        UserName=user, PolicyName=name, PolicyDocument=json.dumps({**document, "Statement": statements})
    )


def gain_s3_star(stack: LocalStack, app: LocalApp) -> None:
    user = stack.app_outputs(app)["copy_user_name"]
    extra = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    stack.moto.client("iam").put_user_policy(
        UserName=user, PolicyName="drift", PolicyDocument=json.dumps(extra)
    )


def claim_other_region(stack: LocalStack, app: LocalApp) -> None:
    data = json.loads(stack.outputs_path.read_text())
    data["applications"][app.app_id]["region"] = "us-west-2"
    write_outputs(stack.outputs_path, data)


def sendbird_reports_other_region(stack: LocalStack, app: LocalApp) -> None:
    stack.emulator.add_application(app.app_id, app.api_token, "us-2", org_api_key=ORG_KEY)


def deactivate_access_key(stack: LocalStack, app: LocalApp) -> None:
    outputs = stack.app_outputs(app)
    stack.moto.client("iam").update_access_key(
        UserName=outputs["copy_user_name"], AccessKeyId=outputs["copy_access_key_id"], Status="Inactive"
    )


@pytest.mark.parametrize(
    ("drift", "expected"),
    [
        (lose_put_object, ["s3:PutObject"]),
        (gain_s3_star, ["s3:GetObject"]),
        (claim_other_region, ["us-west-2", "ap-northeast-2"]),
        (sendbird_reports_other_region, ["Sendbird", "us-west-2"]),
        (deactivate_access_key, ["Inactive", "{copy_access_key_id}"]),
    ],
    ids=["policy-loses-put-object", "user-gains-s3-star", "outputs-claim-other-region",
         "sendbird-reports-other-region", "access-key-deactivated"],
)  # fmt: skip
def test_each_misconfiguration_fails_the_smoke_test_by_name(local_stack: LocalStack, drift, expected) -> None:
    (app,) = local_stack.apps
    drift(local_stack, app)
    done = local_stack.smoke(app, recording_id=app.recording_id)
    text = done.stdout + done.stderr
    assert done.returncode == 1, text
    for word in expected:
        assert word.format(**local_stack.app_outputs(app)) in text, text
    assert "Traceback" not in text
    # It stopped before asking Sendbird to copy into a destination it knows is wrong.
    assert local_stack.emulator.copies == []
    assert_no_secrets(local_stack.secrets(), text)


# -- the README's main job ------------------------------------------------------------------------


@pytest.mark.slow
def test_main_job_command_exits_zero(tmp_path: Path) -> None:
    script = str(PROJECT_DIR / "scripts" / "run-local")
    done = subprocess.run(
        ["bash", script, "--workdir", str(tmp_path), "--recording-mb", "6", "--keep-outputs"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "Local run verdict: PASS" in done.stdout
    # Keep every recording: the scheduled function (the local stack deploys it), run as Lambda would,
    # copies the seeded history and catches the one copy the emulator wrote without its moov; the
    # CLI's second run requests that one again, copies it whole, and requests nothing else.
    first, second = done.stdout.split(
        "second run (the damaged copy requested again; everything else already safe):"
    )
    assert "first run, as Lambda would run it" in first
    caught = re.search(r"CAUGHT: the copy of (\S+) is damaged", first)
    assert caught, first[-3000:]
    assert "no 'moov' box" in first and '"RecordingsDamaged": 1' in first  # its reason and its metric
    assert '"_aws": {"CloudWatchMetrics"' in first  # its embedded-metric log line
    assert "already safe" in second
    assert f"copy requests made by the second run: 1; {caught.group(1)} copied whole: yes" in second
    assert "Traceback" not in done.stdout + done.stderr
    (kept,) = tmp_path.glob("local-outputs-*.json")  # kept to read the secrets it must not print
    outputs = json.loads(kept.read_text())
    for secret in outputs["copy_secret_access_keys"].values():
        assert secret not in done.stdout + done.stderr
