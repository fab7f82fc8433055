"""The recordings' retention never reaches the tool's own objects (issue 23 item 6), after a real
sync: the emulator deploy of the real program into moto (IAM authentication on), the real
``sendbird-copy sync`` CLI, then every object in the bucket judged against the deployed lifecycle
rules by a small pure evaluator (``tests/lifecycle.py``).

A moto limit changes what is read back: moto keeps no size filter, so its
GetBucketLifecycleConfiguration answers the retention rule without ``ObjectSizeGreaterThan``. The
test reads moto's answer, checks that everything else in it is what the program sent, and judges
the objects by the rules as sent (``DeployResult.lifecycle_rules``, what AWS would hold). Judged by
moto's answer instead, the tool's objects would be matched: that is the defect before the filter.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest

from localdev.moto_server import MotoServer
from localdev.program_runner import load_stack_config
from localdev.smoke_runner import cli_command
from sendbird_copy.facts import CONFIG_NAMESPACE, TOOL_OBJECT_MAX_BYTES, TOOL_PREFIXES
from tests.lifecycle import acting_on
from tests.localdev.local_stack import LocalStack, deploy_local

RETENTION = "recordings-retention"


def _config(retention: dict[str, Any] | None) -> dict[str, Any]:
    config = copy.deepcopy(load_stack_config("local"))
    if retention is not None:
        config[f"{CONFIG_NAMESPACE}:retention"] = {**config[f"{CONFIG_NAMESPACE}:retention"], **retention}
    return config


def _without_size(rule: dict[str, Any]) -> dict[str, Any]:
    where = {k: v for k, v in rule.get("Filter", {}).items() if k != "ObjectSizeGreaterThan"}
    return {**rule, "Filter": where}


@pytest.mark.parametrize(
    "retention",
    [
        None,  # the local stack's own: recordings expire after 14 days
        {"transition_days": 1, "transition_storage_class": "GLACIER", "expiration_days": 30},
    ],
    ids=["expire-14-days", "glacier-after-1-day"],
)
def test_after_a_sync_no_tool_object_is_under_the_recordings_retention(
    moto: MotoServer, emulator: Any, tmp_path: Path, retention: dict[str, Any] | None
) -> None:
    stack: LocalStack = deploy_local(moto, emulator, tmp_path, _config(retention))
    (app,) = stack.apps
    command, env = cli_command(stack.target, "sync", app.app_id, app.api_token)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr

    bucket = stack.app_outputs(app)["bucket_name"]
    s3 = moto.client("s3", app.aws_region)
    objects = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    tool = {k: size for k, size in objects.items() if k.startswith(TOOL_PREFIXES)}
    recordings = {k: size for k, size in objects.items() if app.recording_id in k and k not in tool}
    assert any(k.endswith("/_run/state.json") for k in tool) and len(tool) >= 2, sorted(objects)
    assert len(recordings) == 1, sorted(objects)
    assert all(size <= TOOL_OBJECT_MAX_BYTES for size in tool.values())

    sent = stack.result.lifecycle_rules[bucket]
    held = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    by_id = {r["ID"]: r for r in held}
    for rule in sent:  # moto holds every rule as sent, but for the size filter it does not keep
        assert {k: v for k, v in by_id[rule["ID"]].items() if k != "Filter"} == {
            k: v for k, v in rule.items() if k != "Filter"
        }
        assert by_id[rule["ID"]].get("Filter", {}) == _without_size(rule)["Filter"]
    (retention_rule,) = [r for r in sent if r["ID"] == RETENTION]
    assert retention_rule["Filter"] == {"ObjectSizeGreaterThan": TOOL_OBJECT_MAX_BYTES}

    for key, size in tool.items():
        assert RETENTION not in acting_on(sent, key, size), key
    for key, size in recordings.items():
        assert RETENTION in acting_on(sent, key, size), key
    # The evaluator can say no: by moto's answer (no size filter: the whole bucket, as before the
    # fix), every one of the tool's objects would expire or move with the recordings.
    assert all(RETENTION in acting_on(held, key, size) for key, size in tool.items())
