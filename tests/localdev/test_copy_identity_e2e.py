"""The key handed to Sendbird cannot touch the sync's own objects (issue 23, cases 1-3), end to end:
the emulator deploy of the real program into moto with IAM authentication on, writes signed with the
copy identity's own key from the stack outputs, then the real ``sendbird-copy sync`` CLI.

What moto enforces here is the copy identity's IAM policy (its ``DenyToolPrefixes``): moto judges a
bucket policy without the caller, so the bucket policy's twin Deny is left out of the applied copy
and reported by Sid (``test_e2e_local``); its content is proven by the mocks' policy tests.
"""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localdev.moto_server import Credentials
from localdev.smoke_runner import cli_command
from sendbird_copy.facts import LEDGER_PREFIX, PREFLIGHT_PREFIX
from tests.localdev.local_stack import LocalStack


def _copy_identity_s3(local_stack: LocalStack) -> Any:
    (app,) = local_stack.apps
    outputs = local_stack.app_outputs(app)
    secret = local_stack.result.outputs["copy_secret_access_keys"][app.app_id]
    creds = Credentials(outputs["copy_access_key_id"], secret)
    return local_stack.moto.client("s3", app.aws_region, creds)


def _forgeries(local_stack: LocalStack) -> dict[str, dict[str, Any]]:
    """The issue's three attacks: a forged "copied" entry, a lease to year 9999, a rewritten state."""
    (app,) = local_stack.apps
    run = f"{LEDGER_PREFIX}{app.app_id}/_run/"
    return {
        f"{LEDGER_PREFIX}{app.app_id}/{app.recording_id}.json": {
            "recording_id": app.recording_id,
            "state": "copied",
            "object_key": f"evil/{app.recording_id}.mp4",
        },
        f"{run}lease.json": {"holder": "attacker", "until": "9999-12-31T23:59:59Z"},
        f"{run}state.json": {"layout": {"prefix": "evil/", "suffix": ".mp4"}, "watch": []},
    }


def _sync(local_stack: LocalStack) -> subprocess.CompletedProcess[str]:
    (app,) = local_stack.apps
    command, env = cli_command(local_stack.target, "sync", app.app_id, app.api_token)
    return subprocess.run(
        [*command, "--json"], env=env, capture_output=True, text=True, timeout=600, check=False
    )


def test_the_copy_identity_cannot_forge_the_sync_state_and_the_sync_still_copies(local_stack: LocalStack):
    (app,) = local_stack.apps
    bucket = local_stack.app_outputs(app)["bucket_name"]
    copy_s3 = _copy_identity_s3(local_stack)
    # Its grant still works where it must: a recording key and a preflight probe.
    copy_s3.put_object(Bucket=bucket, Key="elsewhere/another-recording.mp4", Body=b"written")
    copy_s3.put_object(Bucket=bucket, Key=f"{PREFLIGHT_PREFIX}probe-e2e.txt", Body=b"probe")
    for key, document in _forgeries(local_stack).items():
        with pytest.raises(ClientError) as refused:
            copy_s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(document).encode())
        assert refused.value.response["Error"]["Code"] == "AccessDenied", key

    done = _sync(local_stack)
    assert done.returncode == 0, done.stdout + done.stderr
    posts = local_stack.emulator.copy_posts(app.app_id)
    assert posts == {app.recording_id: 1}  # the real copy was requested, once
    deployer_s3 = local_stack.moto.client("s3", app.aws_region)
    keys = [o["Key"] for o in deployer_s3.list_objects_v2(Bucket=bucket)["Contents"]]
    entry = f"{LEDGER_PREFIX}{app.app_id}/{app.recording_id}.json"
    assert entry in keys  # written by the operator: the Deny is the copy identity's alone
    stored = json.loads(deployer_s3.get_object(Bucket=bucket, Key=entry)["Body"].read())
    assert stored["state"] == "copied" and not str(stored.get("object_key", "")).startswith("evil/")


def test_without_its_identity_deny_moto_would_take_the_forged_entry(local_stack: LocalStack):
    """The refusal above comes from the copy identity's own Deny: with it removed (drift), moto
    accepts the forged entry (the bucket policy's twin, which AWS would still apply, is not in moto)."""
    (app,) = local_stack.apps
    outputs = local_stack.app_outputs(app)
    iam = local_stack.moto.client("iam")
    user = outputs["copy_user_name"]
    (name,) = iam.list_user_policies(UserName=user)["PolicyNames"]
    policy = iam.get_user_policy(UserName=user, PolicyName=name)["PolicyDocument"]
    policy["Statement"] = [s for s in policy["Statement"] if s.get("Sid") != "DenyToolPrefixes"]
    iam.put_user_policy(UserName=user, PolicyName=name, PolicyDocument=json.dumps(policy))

    key, document = next(iter(_forgeries(local_stack).items()))
    _copy_identity_s3(local_stack).put_object(
        Bucket=outputs["bucket_name"], Key=key, Body=json.dumps(document).encode()
    )


def test_the_deployed_function_alarms_a_copy_identity_that_cannot_write(local_stack: LocalStack):
    """The deployed archive, run as Lambda would with its own role's credentials: each run writes
    its probe with the copy key from its secret; a copy identity without its grant is reported
    (WritePathBroken 1, the write-path alarm's metric) in the run that meets it."""
    from localdev.deployed_function import run_deployed
    from sendbird_copy import facts

    (app,) = local_stack.apps
    (function,) = local_stack.result.functions
    whole = run_deployed(local_stack.moto, function)
    assert whole.ok, whole.error
    assert whole.value["write_path"]["ok"] is True
    (metrics,) = [doc for doc in whole.json_lines() if "_aws" in doc]
    assert metrics[facts.METRIC_WRITE_PATH_BROKEN] == 0

    iam = local_stack.moto.client("iam")
    user = local_stack.app_outputs(app)["copy_user_name"]
    for name in iam.list_user_policies(UserName=user)["PolicyNames"]:
        iam.delete_user_policy(UserName=user, PolicyName=name)
    broken = run_deployed(local_stack.moto, function)
    assert broken.ok, broken.error  # nothing to copy failed yet: the alarm is the probe's own
    assert "the copy identity may not write" in broken.value["write_path"]["problem"]
    (metrics,) = [doc for doc in broken.json_lines() if "_aws" in doc]
    assert metrics[facts.METRIC_WRITE_PATH_BROKEN] == 1
