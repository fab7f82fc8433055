"""checkov on the Terraform twins of what the program registers, against docs/security.md's findings.

The twins are rendered (``localdev.terraform_twins``) from the very resources the mocks record: the
dev, staging and prod stacks, and RecordingStorages with every option on. checkov (its own venv,
``.venv-scan``, made by ``scripts/scan-bootstrap.sh``) scans them once, offline. Every failed check
must be justified in docs/security.md's findings table (found by its header row, ``| check | on
(Terraform twin) | why it stays open |``), and every row there must still fail (no stale
justification): that table is the one list. A missing checkov fails, never skips: CI
installs it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from components import (
    Inventory,
    ObjectLock,
    RecordingStorage,
    RecordingStorageArgs,
    Replication,
    Retention,
    UploadRole,
)
from components.type_tokens import (
    ACCESS_KEY,
    BUCKET,
    BUCKET_LOGGING,
    ENCRYPTION,
    IAM_USER,
    INVENTORY,
    KMS_KEY,
    LIFECYCLE,
    PUBLIC_ACCESS_BLOCK,
    REPLICATION_CONFIG,
    RESOURCE_TYPES,
    ROTATING,
)
from localdev import terraform_twins
from localdev.program_runner import PROJECT_DIR
from localdev.pulumi_mocks import Registration
from localdev.terraform_twins import (
    TWIN_TYPES,
    UnknownTypeError,
    render,
    terraform_name,
    terraform_type,
    to_hcl,
    twin_type,
    write_twins,
)
from tests.components.pulumi_mocks import RecordingMocks, run_component, run_stack_file
from tests.markdown import DOCS_DIR, table_rows

CHECKOV = Path(os.environ.get("CHECKOV", PROJECT_DIR / ".venv-scan" / "bin" / "checkov"))
STACKS = ("dev", "staging", "prod")
ALL_OPTIONS = "all-options"
# A bucket with none of its settings: checkov must fail it where it passes the real twins, or the
# references it follows would prove nothing.
CONTROL = "control"
APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
CHECK_ID = re.compile(r"\bCKV2?_[A-Z0-9]+_\d+\b")


def _all_options(mocks: RecordingMocks) -> None:
    """Every opt-in of RecordingStorage, in two components: one that creates everything (upload role,
    key rotation, retention, protection, Object Lock, a replica, inventory to its log bucket, delivery
    of recording events to another bus), one that brings its own key and log bucket (archive tiers,
    inventory to a bucket of its own with its key, events to a queue)."""
    retention = Retention(transition_days=30, expiration_days=365)
    own_key = "arn:aws:kms:ap-northeast-2:123456789012:key/0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e"
    full = RecordingStorageArgs(
        app_id=APP_ID,
        region="ap-2",
        retention=retention,
        protect=True,
        upload_role=UploadRole("210987654321", "external-id-0123456789"),
        copy_key_rotation_days=90,
        tags={"environment": "scan"},
        replication=Replication(
            region="eu-west-1",
            replication_time_control=True,
            alarm_topic_arn="arn:aws:sns:ap-northeast-2:123456789012:recording-alarms",
        ),
        inventory=Inventory(),
        recording_event_target_arn="arn:aws:events:eu-west-1:210987654321:event-bus/central-media",
        object_lock=ObjectLock("COMPLIANCE", years=7),
    )
    own = RecordingStorageArgs(
        app_id="3C5A7E9B-2D4F-4A6C-8E1B-7F9D3A5C1E2B",
        region="ap-2",
        bucket_name="example-own-key-and-logs",
        kms_key_arn=own_key,
        access_log_bucket="example-central-access-logs",
        force_destroy=True,
        retention=Retention(
            transition_days=1,
            transition_storage_class="INTELLIGENT_TIERING",
            intelligent_tiering_archive_days=90,
            intelligent_tiering_deep_archive_days=180,
        ),
        inventory=Inventory(destination_bucket="example-central-audit", kms_key_arn=own_key),
        recording_event_target_arn="arn:aws:sqs:ap-northeast-2:123456789012:recordings-arrived",
    )
    run_component(lambda: [RecordingStorage("everything", full), RecordingStorage("own", own)], mocks)


def _lone_bucket() -> Registration:
    return Registration(
        BUCKET,
        "lone",
        {"bucket": "lone-bucket"},
        None,
        True,
        "lone-bucket",
        {"arn": "arn:aws:s3:::lone-bucket"},
    )


# -- the renderer, without checkov ----------------------------------------------------------------


@pytest.fixture(scope="module")
def all_options() -> RecordingMocks:
    mocks = RecordingMocks()
    _all_options(mocks)
    return mocks


def _twin(document: dict[str, Any], typ: str, pulumi_name: str) -> dict[str, Any]:
    return document["resource"][twin_type(typ).terraform][terraform_name(pulumi_name)]


def _ref(typ: str, pulumi_name: str, attribute: str) -> str:
    return f"${{{twin_type(typ).terraform}.{terraform_name(pulumi_name)}.{attribute}}}"


def test_twins_refer_to_the_resources_they_configure(all_options):
    document = render(all_options.registered)
    bucket = _ref(BUCKET, "everything-bucket", "id")
    for typ, name in [
        (PUBLIC_ACCESS_BLOCK, "everything-public-access-block"),
        (LIFECYCLE, "everything-lifecycle"),
    ]:
        assert _twin(document, typ, name)["bucket"] == bucket, name
    logging = _twin(document, BUCKET_LOGGING, "everything-access-logging")
    assert logging["bucket"] == bucket
    assert logging["target_bucket"] == _ref(BUCKET, "everything-access-logs-bucket", "id")
    [rule] = _twin(document, ENCRYPTION, "everything-encryption")["rule"]
    assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"] == _ref(
        KMS_KEY, "everything-key", "arn"
    )
    assert _twin(document, ACCESS_KEY, "everything-copy-access-key")["user"] == _ref(
        IAM_USER, "everything-copy-user", "name"
    )
    # A value no resource here exports stays as it is: the existing key and log bucket.
    own_logging = _twin(document, BUCKET_LOGGING, "own-access-logging")
    assert own_logging["target_bucket"] == "example-central-access-logs"
    assert own_logging["bucket"] == _ref(BUCKET, "own-bucket", "id")


def test_twins_use_terraform_names_blocks_and_numbers(all_options):
    document = render(all_options.registered)
    lifecycle = _twin(document, LIFECYCLE, "everything-lifecycle")
    rules = {r["id"]: r for r in lifecycle["rule"]}  # pulumi-aws's "rules" is Terraform's repeated "rule"
    assert rules["abort-incomplete-multipart-uploads"]["abort_incomplete_multipart_upload"] == {
        "days_after_initiation": 7
    }
    assert rules["recordings-retention"]["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    bucket = _twin(document, BUCKET, "everything-bucket")
    assert bucket["tags"]["SendbirdAppId"] == APP_ID  # a map keeps its keys
    hcl = to_hcl(document)
    assert "  rule {\n" in hcl and "    abort_incomplete_multipart_upload {\n" in hcl
    assert '"SendbirdAppId" = ' in hcl


def test_a_value_two_resources_export_is_no_reference():
    twins = [_lone_bucket(), _lone_bucket()]
    twins[1].name = "other"
    twins.append(
        Registration(PUBLIC_ACCESS_BLOCK, "pab", {"bucket": "lone-bucket"}, None, True, "lone-bucket", {})
    )
    assert _twin(render(twins), PUBLIC_ACCESS_BLOCK, "pab")["bucket"] == "lone-bucket"


def test_a_literal_template_is_escaped_and_an_unknown_type_refused():
    policy = Registration(
        "aws:s3/bucketPolicy:BucketPolicy", "p", {"policy": '{"Resource": "${aws:username}"}'}, None, True
    )
    assert render([policy])["resource"]["aws_s3_bucket_policy"]["p"]["policy"] == (
        '{"Resource": "$${aws:username}"}'
    )
    with pytest.raises(UnknownTypeError, match="aws:ec2/instance:Instance"):
        render([Registration("aws:ec2/instance:Instance", "i", {}, None, True)])
    assert terraform_name("9f1c-bucket") == "_9f1c-bucket"  # Terraform names start with a letter or _


def test_every_type_the_components_register_has_its_twin_named_as_terraform_names_it():
    assert set(TWIN_TYPES) == RESOURCE_TYPES
    assert terraform_type(ENCRYPTION) == "aws_s3_bucket_server_side_encryption_configuration"
    assert terraform_type(IAM_USER) == "aws_iam_user"
    assert terraform_type(ROTATING) == "time_rotating"
    assert terraform_type(REPLICATION_CONFIG) == "aws_s3_bucket_replication_configuration"
    assert terraform_type(INVENTORY) == "aws_s3_bucket_inventory"  # pulumi-aws's token is aws:s3/inventory
    assert all(twin.terraform == terraform_type(typ) for typ, twin in TWIN_TYPES.items())
    detailed = set(terraform_twins._EXPORTS) | set(terraform_twins._RENAMES)
    assert detailed <= RESOURCE_TYPES  # no leftover detail of a type no component registers


# -- checkov ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    check_id: str
    address: str  # "aws_s3_bucket.<name>"
    where: str  # the twin directory: a stack, ALL_OPTIONS or CONTROL
    name: str


@dataclass(frozen=True)
class Scan:
    failed: list[Finding]
    passed: list[Finding]
    summary: dict[str, Any]
    rendered: int


def checkov_env() -> dict[str, str]:
    """Offline: no platform key, no mapping or guideline download, no update check; a proxy on a
    closed local port makes any request that slips through fail at once instead of waiting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_", "CKV_"))}
    dead = "http://127.0.0.1:9"
    env.update(
        BC_SKIP_MAPPING="TRUE",
        CKV_SKIP_PACKAGE_UPDATE_CHECK="true",
        HTTP_PROXY=dead,
        HTTPS_PROXY=dead,
        http_proxy=dead,
        https_proxy=dead,
        NO_PROXY="",
        no_proxy="",
    )
    return env


def run_checkov(root: Path) -> dict[str, Any]:
    if not os.access(CHECKOV, os.X_OK):
        pytest.fail(f"checkov not found at {CHECKOV}: run scripts/scan-bootstrap.sh (scripts/test.sh does)")
    command = [
        str(CHECKOV),
        "--directory",
        str(root),
        "--framework",
        "terraform",
        "--skip-download",
        "--download-external-modules",
        "false",
        "--output",
        "json",
    ]
    done = subprocess.run(
        command, cwd=root, capture_output=True, text=True, env=checkov_env(), timeout=300, check=False
    )
    # 0: nothing failed, 1: some check failed; anything else is checkov itself failing.
    assert done.returncode in (0, 1), f"checkov exited {done.returncode}: {done.stderr[-3000:]}"
    report = json.loads(done.stdout)
    assert isinstance(report, dict) and "results" in report, f"checkov found nothing to scan: {report}"
    return report


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory, all_options: RecordingMocks) -> Scan:
    root = tmp_path_factory.mktemp("twins")
    rendered = 0
    sources: dict[str, list[Registration]] = {s: run_stack_file(s).mocks.registered for s in STACKS}
    sources[ALL_OPTIONS] = all_options.registered
    sources[CONTROL] = [_lone_bucket()]
    for where, registrations in sources.items():
        write_twins(registrations, root / where)
        rendered += sum(len(v) for v in render(registrations)["resource"].values())
    report = run_checkov(root)

    def findings(kind: str) -> list[Finding]:
        return [
            Finding(c["check_id"], c["resource"], Path(c["file_path"]).parent.name, c["check_name"])
            for c in report["results"][kind]
        ]

    return Scan(findings("failed_checks"), findings("passed_checks"), report["summary"], rendered)


FINDINGS_DOC = DOCS_DIR / "security.md"
FINDINGS_HEADER = ("check", "on (Terraform twin)", "why it stays open")


def documented_justifications() -> list[tuple[str, list[str], str]]:
    """The rows of docs/security.md's findings table: (check id, resource patterns, the whole row)."""
    justified = []
    for cells in table_rows(FINDINGS_DOC, FINDINGS_HEADER):
        ids = CHECK_ID.findall(cells[0])
        patterns = re.findall(r"`([a-z0-9_]+\.[^`]+)`", cells[1]) if len(cells) > 2 else []
        assert len(ids) == 1 and patterns and cells[-1], (
            f"{FINDINGS_DOC.name} row must be: | one check id | `terraform_type.name-pattern` ... | why |: "
            f"{cells}"
        )
        justified.append((ids[0], patterns, " | ".join(cells)))
    return justified


def _justified(finding: Finding, justified: list[tuple[str, list[str], str]]) -> bool:
    return any(
        finding.check_id == check and any(fnmatch.fnmatchcase(finding.address, p) for p in patterns)
        for check, patterns, _ in justified
    )


@pytest.mark.slow
def test_checkov_scans_every_twin(scan):
    assert scan.summary["parsing_errors"] == 0
    assert scan.summary["resource_count"] == scan.rendered  # no resource lost between render and scan


@pytest.mark.slow
def test_checkov_follows_the_references(scan):
    """The public-access block (CKV2_AWS_6) and lifecycle (CKV2_AWS_61) are separate resources: checkov
    credits the bucket only through the reference. The lone bucket of the control has neither."""
    for check in ("CKV2_AWS_6", "CKV2_AWS_61"):
        assert Finding(check, "aws_s3_bucket.everything-bucket", ALL_OPTIONS, "") in {
            Finding(f.check_id, f.address, f.where, "") for f in scan.passed
        }, check
        assert any(f.check_id == check and f.where == CONTROL for f in scan.failed), check


@pytest.mark.slow
def test_every_finding_is_justified_in_the_security_doc(scan):
    justified = documented_justifications()
    open_findings = sorted(
        {
            f"{f.check_id} {f.address} ({f.where}): {f.name}"
            for f in scan.failed
            if f.where != CONTROL and not _justified(f, justified)
        }
    )
    fix = f"fix these, or justify each in {FINDINGS_DOC.name}'s findings table:\n"
    assert not open_findings, fix + "\n".join(open_findings)


@pytest.mark.slow
def test_every_justified_finding_still_fails(scan):
    findings = [f for f in scan.failed if f.where != CONTROL]
    stale = [
        f"{check} {pattern}: {row}"
        for check, patterns, row in documented_justifications()
        for pattern in patterns
        if not any(_justified(f, [(check, [pattern], row)]) for f in findings)
    ]
    remove = f"checkov no longer reports these; remove them from {FINDINGS_DOC.name}:\n"
    assert not stale, remove + "\n".join(stale)
