"""The real program (``__main__.py``) with each stack file, under recording mocks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from components.config import resource_name
from components.storage.bucket import ACCESS_LOG_CHILD
from components.type_tokens import (
    ACCESS_KEY,
    BUCKET,
    BUCKET_POLICY,
    IAM_ROLE,
    IAM_USER,
    KMS_ALIAS,
    KMS_KEY,
    LIFECYCLE,
    RECORDING_STORAGE,
    RECORDING_SYNC,
    REGIONAL_TYPES,
    ROLE_POLICY,
    SECRET,
    SECRET_VERSION,
    SYNC_REGIONAL_TYPES,
    USER_POLICY,
)
from localdev.program_runner import PROJECT_DIR, load_stack_config
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from sendbird_copy.outputs import (
    APPLICATIONS,
    OPTIONAL_FIELDS,
    REQUIRED_FIELDS,
    SCHEDULED_SYNC,
    SECRET_KEYS,
    parse_stack_outputs,
)
from sendbird_copy.rules.regions import resolve_region
from tests.components.pulumi_mocks import (
    ALLOW,
    DEFAULT_STORAGE_TYPES,
    SYNC_TYPES_WITH_EXISTING_TOKEN,
    StackRun,
    identity_decision,
    run_stack,
    run_stack_file,
)
from tests.markdown import code_blocks, markdown_files

STACKS = sorted(
    p.name.removeprefix("Pulumi.").removesuffix(".yaml")
    for p in (PROJECT_DIR / "stacks").glob("Pulumi.*.yaml")
)
PER_APP = DEFAULT_STORAGE_TYPES


def _apps(config: dict[str, Any]) -> list[dict[str, Any]]:
    return config[f"{NAMESPACE}:applications"]


def _setting(config: dict[str, Any], app: dict[str, Any], key: str, default: Any = None) -> Any:
    return app.get(key, config.get(f"{NAMESPACE}:{key}", default))


def _sync_block(config: dict[str, Any], app: dict[str, Any]) -> dict[str, Any]:
    return {**(config.get(f"{NAMESPACE}:sync") or {}), **(app.get("sync") or {})}


def _sync_on(config: dict[str, Any], app: dict[str, Any]) -> bool:
    """A ``sync`` block (stack-wide or the application's own) turns it on; ``enabled: false`` off."""
    if config.get(f"{NAMESPACE}:sync") is None and app.get("sync") is None:
        return False
    return bool(_sync_block(config, app).get("enabled", True))


def _of_app(run: StackRun, app_id: str) -> list[Any]:
    prefix = f"{resource_name(app_id)}-"
    return [r for r in run.mocks.custom if r.name.startswith(prefix)]


def _recording_resources(run: StackRun, app_id: str) -> dict[str, Any]:
    """The recordings bucket's resources by type, without the access-log bucket's.

    Pulumi registers the two buckets in no fixed order, so picking "the first bucket" is flaky.
    """
    return {r.typ: r for r in _of_app(run, app_id) if f"-{ACCESS_LOG_CHILD}-" not in r.name}


@pytest.fixture(scope="module", params=STACKS)
def stack_run(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any], StackRun]:
    return request.param, load_stack_config(request.param), run_stack_file(request.param)


def test_the_three_environments_exist():
    assert {"dev", "staging", "prod"} <= set(STACKS)


def test_stack_creates_the_expected_resources(stack_run):
    _, config, run = stack_run
    apps = _apps(config)
    expected: Counter[str] = Counter()
    for app in apps:
        types = list(PER_APP)
        if _setting(config, app, "kms_key_arn"):
            types = [t for t in types if t not in (KMS_KEY, KMS_ALIAS)]
        if _setting(config, app, "upload_role"):
            types += [IAM_ROLE, ROLE_POLICY]
        if _sync_on(config, app):
            types += SYNC_TYPES_WITH_EXISTING_TOKEN
            if not _sync_block(config, app).get("api_token_secret_arn"):
                types += [SECRET, SECRET_VERSION]  # the component stores the token
        expected.update(types)
        assert Counter(r.typ for r in _of_app(run, app["app_id"])) == Counter(types)
    assert Counter(r.typ for r in run.mocks.custom) == expected
    assert len(run.mocks.of_type(RECORDING_STORAGE)) == len(apps)
    assert len(run.mocks.of_type(RECORDING_SYNC)) == sum(_sync_on(config, app) for app in apps)


def test_staging_and_prod_run_the_scheduled_sync_and_dev_does_not():
    for stack, on in (("dev", False), ("staging", True), ("prod", True)):
        config = load_stack_config(stack)
        assert {_sync_on(config, app) for app in _apps(config)} == {on}, stack


def test_every_regional_resource_is_in_its_applications_region(stack_run):
    _, config, run = stack_run
    for app in _apps(config):
        region = resolve_region(app["region"])
        regional = [r for r in _of_app(run, app["app_id"]) if r.typ in REGIONAL_TYPES | SYNC_REGIONAL_TYPES]
        assert len(regional) >= 7
        for record in regional:
            assert record.inputs["region"] == region, f"{record.name} is in {record.inputs['region']}"
        key = [r for r in regional if r.typ == KMS_KEY]
        if key:
            assert f":kms:{region}:" in key[0].state["arn"]
        assert run.outputs[APPLICATIONS][app["app_id"]]["region"] == region


def test_outputs_follow_the_smoke_test_contract(stack_run):
    stack, config, run = stack_run
    assert set(run.outputs) == {APPLICATIONS, SECRET_KEYS, SCHEDULED_SYNC}
    assert run.secret == {APPLICATIONS: False, SECRET_KEYS: True, SCHEDULED_SYNC: False}
    synced = {app["app_id"] for app in _apps(config) if _sync_on(config, app)}
    assert set(run.outputs[SCHEDULED_SYNC]) == synced
    for sync in run.outputs[SCHEDULED_SYNC].values():
        assert sync["function_name"] and sync["schedule_name"]
        assert sync["api_token_secret_arn"].startswith("arn:aws:secretsmanager:")
        assert sync["copy_key_secret_arn"].startswith("arn:aws:secretsmanager:")
    parsed = parse_stack_outputs(run.outputs, source=f"stack {stack}")
    assert set(parsed) == {app["app_id"] for app in _apps(config)}
    for app_id, app in parsed.items():
        # Exactly the fields of AppOutputs: the required ones, the optional ones when they apply.
        config_app = next(a for a in _apps(config) if a["app_id"] == app_id)
        optional = set(OPTIONAL_FIELDS) if _setting(config, config_app, "upload_role") else set()
        assert set(run.outputs[APPLICATIONS][app_id]) == set(REQUIRED_FIELDS) | optional
        bucket = _recording_resources(run, app_id)[BUCKET]
        assert app.bucket_name == bucket.state["bucket"]
        assert app.copy_access_key_id.startswith("AKIA")


def test_no_secret_appears_in_a_plain_output(stack_run):
    _, config, run = stack_run
    assert len(run.mocks.secrets) == len(_apps(config))
    assert sorted(run.outputs[SECRET_KEYS].values()) == sorted(run.mocks.secrets)
    plain = json.dumps(run.outputs[APPLICATIONS])
    for secret in run.mocks.secrets:
        assert secret not in plain


def test_stack_settings_reach_the_resources(stack_run):
    _, config, run = stack_run
    for app in _apps(config):
        records = _recording_resources(run, app["app_id"])
        bucket, key = records[BUCKET], records.get(KMS_KEY)
        protect = _setting(config, app, "protect", False)
        assert bucket.inputs["forceDestroy"] is _setting(config, app, "force_destroy", False)
        assert bool(bucket.protect) is protect
        if app.get("bucket_name"):
            assert bucket.inputs["bucket"] == app["bucket_name"]
        if key is not None:
            assert bool(key.protect) is protect
            assert key.inputs["deletionWindowInDays"] == _setting(config, app, "kms_deletion_window_days", 30)
        retention = {**config.get(f"{NAMESPACE}:retention", {}), **app.get("retention", {})}
        rules = {rule["id"]: rule for rule in records[LIFECYCLE].inputs["rules"]}
        assert rules["abort-incomplete-multipart-uploads"]["abortIncompleteMultipartUpload"] == {
            "daysAfterInitiation": retention.get("abort_incomplete_multipart_days", 7)
        }
        assert rules["expire-noncurrent-versions"]["noncurrentVersionExpiration"] == {
            "noncurrentDays": retention.get("noncurrent_expiration_days", 30)
        }
        recordings = rules.get("recordings-retention", {})
        assert recordings.get("expiration", {}).get("days") == retention.get("expiration_days")
        if "transition_days" in retention:
            assert recordings["transitions"] == [
                {
                    "days": retention["transition_days"],
                    "storageClass": retention.get("transition_storage_class", "STANDARD_IA"),
                }
            ]
        for typ in (BUCKET, KMS_KEY, IAM_USER):
            if typ in records:
                assert records[typ].inputs["tags"]["SendbirdAppId"] == app["app_id"]


def test_environments_differ_as_a_platform_team_would_choose():
    dev, prod = load_stack_config("dev"), load_stack_config("prod")
    assert dev[f"{NAMESPACE}:force_destroy"] is True
    assert dev[f"{NAMESPACE}:kms_deletion_window_days"] == 7
    assert dev[f"{NAMESPACE}:retention"]["expiration_days"] <= 30
    assert prod[f"{NAMESPACE}:protect"] is True
    assert not prod.get(f"{NAMESPACE}:force_destroy", False)
    assert prod[f"{NAMESPACE}:retention"]["expiration_days"] >= 365
    assert prod[f"{NAMESPACE}:retention"]["transition_days"] >= 30
    prod_regions = {resolve_region(app["region"]) for app in _apps(prod)}
    assert len(prod_regions) == 2  # one stack, two applications, two regions


def _two_region_run() -> tuple[list[str], StackRun]:
    apps = [
        {"app_id": "2E7A9C4B-1F3D-4A8E-9B6C-5D0F2A7E3C1B", "region": "us-1"},
        {"app_id": "8C1F5A3E-7B2D-4E9A-8F4C-6A3B1D9E2F7C", "region": "ap-southeast-1"},
    ]
    return [a["app_id"] for a in apps], run_stack({f"{NAMESPACE}:applications": apps})


def test_two_applications_in_two_regions_get_independent_resources():
    (first, second), run = _two_region_run()
    regions = {first: "us-east-1", second: "ap-southeast-1"}
    sets = {app_id: _recording_resources(run, app_id) for app_id in regions}
    assert all(Counter(r.typ for r in _of_app(run, a)) == Counter(PER_APP) for a in regions)
    assert len(run.mocks.custom) == 2 * len(PER_APP)
    for app_id, records in sets.items():
        for record in records.values():
            if record.typ in REGIONAL_TYPES:
                assert record.inputs["region"] == regions[app_id]
    a, b = sets[first], sets[second]
    for typ in (BUCKET, KMS_KEY, IAM_USER, ACCESS_KEY):
        assert a[typ].id != b[typ].id, typ
    assert a[KMS_KEY].state["arn"].split(":")[3] == "us-east-1"
    assert b[KMS_KEY].state["arn"].split(":")[3] == "ap-southeast-1"
    # Each copy identity reaches only its own bucket and key.
    via = {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    policy_a = a[USER_POLICY].inputs["policy"]
    assert identity_decision(policy_a, "s3:PutObject", f"{a[BUCKET].state['arn']}/k") == ALLOW
    assert identity_decision(policy_a, "s3:PutObject", f"{b[BUCKET].state['arn']}/k") != ALLOW
    assert identity_decision(policy_a, "kms:GenerateDataKey", a[KMS_KEY].state["arn"], via) == ALLOW
    assert identity_decision(policy_a, "kms:GenerateDataKey", b[KMS_KEY].state["arn"], via) != ALLOW
    bucket_policy_a = a[BUCKET_POLICY].inputs["policy"]
    assert b[IAM_USER].state["arn"] not in bucket_policy_a and b[KMS_KEY].state["arn"] not in bucket_policy_a
    assert a[IAM_USER].state["arn"] in bucket_policy_a and a[KMS_KEY].state["arn"] in bucket_policy_a
    assert set(run.outputs[SECRET_KEYS]) == set(regions)
    assert run.outputs[SECRET_KEYS][first] != run.outputs[SECRET_KEYS][second]


def test_program_also_runs_as_a_preview():
    run = run_stack(load_stack_config("dev"), stack="dev", preview=True)
    assert len(run.mocks.custom) == len(PER_APP)


def reuse_examples() -> list[str]:
    """Every Python block of README.md and docs/*.md that imports the installed components: what
    users copy, found by what it does (not by the heading above it)."""
    return [
        block
        for path in markdown_files()
        for block in code_blocks(path, "python")
        if "from sendbird_recordings import" in block
    ]


def test_reuse_example_from_another_stack(tmp_path: Path):
    """The reuse example (docs/configuration.md), read from the docs and run as another team's program."""
    [example] = reuse_examples()  # one example: a second one would need its own expectations
    program = tmp_path / "__main__.py"
    program.write_text(example)
    run = run_stack({}, stack="support", program=program)
    assert run.secret["copy_secret_access_key"] is True
    assert run.outputs["recordings_bucket"].startswith("support-call-recordings-")
    assert run.outputs["copy_secret_access_key"] == run.mocks.secrets[0]
    lifecycle = run.mocks.one(LIFECYCLE)
    assert lifecycle.inputs["region"] == "ap-northeast-2"
    rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
    assert rules["recordings-retention"]["expiration"] == {"days": 365}
