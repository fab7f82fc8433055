"""check-region against moto (real S3/KMS region answers) and the emulator's Organization API."""

from __future__ import annotations

from localdev.moto_server import MotoServer
from sendbird_copy.checks.region_check import bucket_region, compare_regions
from tests.sendbird_copy.aws_builders import stack_outputs
from tests.sendbird_copy.cli_support import ORG_API_KEY, CopyCli


def test_everything_in_one_region_passes(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest))
    assert done.exit_code == 0, done.text
    assert f"PASS bucket region — bucket {dest.bucket} is in ap-northeast-2" in done.stdout
    assert "PASS KMS key" in done.stdout and "is Enabled" in done.stdout
    assert (
        "PASS regions match — all in ap-northeast-2: stack outputs ap-northeast-2, bucket ap-northeast-2"
        in done.stdout
    )
    assert done.stdout.rstrip().endswith("verdict: PASS (1 application(s))")


def test_bucket_in_another_region_lists_every_source(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(region="ap-northeast-2", bucket_region="us-west-2")
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    check = done.check("regions match")
    assert check["status"] == "fail"
    assert (
        check["detail"]
        == "regions differ: stack outputs ap-northeast-2, bucket us-west-2, KMS key ap-northeast-2"
    )
    assert "application's region" in check["fix"]
    assert done.json()["verdict"] == "fail"


def test_key_in_another_region(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(region="eu-central-1", key_region="ap-northeast-1")
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    assert done.check("KMS key")["status"] == "pass"  # it exists, just elsewhere
    assert done.check("regions match")["detail"] == (
        "regions differ: stack outputs eu-central-1, bucket eu-central-1, KMS key ap-northeast-1"
    )


def test_us_east_1_bucket_without_location_constraint_matches(copy_cli: CopyCli, moto: MotoServer) -> None:
    dest = copy_cli.destination(region="us-east-1")
    # The S3 quirk the check must absorb: GetBucketLocation reports no constraint for us-east-1.
    assert (
        moto.client("s3", "us-east-1").get_bucket_location(Bucket=dest.bucket)["LocationConstraint"] is None
    )
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest))
    assert done.exit_code == 0, done.text
    assert "all in us-east-1" in done.stdout


def test_bucket_region_falls_back_to_get_bucket_location(moto: MotoServer, copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(region="us-east-1")
    s3 = moto.client("s3", "us-east-1")

    class NoHeader:  # an S3 that answers HeadBucket without x-amz-bucket-region
        def head_bucket(self, Bucket: str) -> dict:
            return {"ResponseMetadata": {"HTTPHeaders": {}}}

        def get_bucket_location(self, Bucket: str) -> dict:
            return s3.get_bucket_location(Bucket=Bucket)

    assert bucket_region(NoHeader(), dest.bucket) == "us-east-1"


def test_missing_bucket_and_disabled_key_fail_by_name(copy_cli: CopyCli, moto: MotoServer) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    moto.client("kms", "ap-northeast-2").disable_key(KeyId=dest.kms_key_arn.rsplit("/", 1)[-1])
    dest.bucket = "sendbird-rec-never-created"
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    assert done.check("bucket region")["detail"] == (
        "bucket sendbird-rec-never-created does not exist in the deployer's account"
    )
    assert "is Disabled" in done.check("KMS key")["detail"]
    assert "bucket unknown" in done.check("regions match")["detail"]


# -- the region Sendbird reports (Organization API, served by the emulator) -------------------------


def org_args(emulator) -> list[str]:
    return ["--org-api-base-url", emulator.org_base_url, "--api-base-url", emulator.base_url]


def test_sendbird_reported_region_that_matches(copy_cli: CopyCli, emulator) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    emulator.add_application(dest.app_id, "token-unused", "ap-2", org_api_key=ORG_API_KEY)
    done = copy_cli.invoke(
        "check-region", copy_cli.outputs(dest), *org_args(emulator), "--json", org_key=ORG_API_KEY
    )
    assert done.exit_code == 0, done.text
    assert done.check("Sendbird application region")["detail"] == (
        "Sendbird reports region key 'ap-2' (Seoul, South Korea), which runs in ap-northeast-2"
    )
    assert "Sendbird application ap-northeast-2" in done.check("regions match")["detail"]


def test_sendbird_reporting_another_region_fails(copy_cli: CopyCli, emulator) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    emulator.add_application(dest.app_id, "token-unused", "us-2", org_api_key=ORG_API_KEY)
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest), *org_args(emulator), org_key=ORG_API_KEY)
    assert done.exit_code == 1
    assert (
        "regions differ: stack outputs ap-northeast-2, bucket ap-northeast-2, KMS key ap-northeast-2, "
        "Sendbird application us-west-2"
    ) in done.stdout


def test_without_org_key_sendbird_is_not_asked(copy_cli: CopyCli, emulator) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    emulator.add_application(dest.app_id, "token-unused", "us-2", org_api_key=ORG_API_KEY)
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest), *org_args(emulator), org_key=None)
    assert done.exit_code == 0, done.text
    assert "Sendbird" not in done.stdout
    assert not [path for _, path, _ in emulator.requests_log if "/applications/" in path]


def test_wrong_org_key_fails_with_sendbirds_code(copy_cli: CopyCli, emulator) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    emulator.add_application(dest.app_id, "token-unused", "ap-2", org_api_key="another-org-key-0000")
    copy_cli.secrets.append("another-org-key-0000")
    done = copy_cli.invoke(
        "check-region", copy_cli.outputs(dest), *org_args(emulator), "--json", org_key=ORG_API_KEY
    )
    assert done.exit_code == 1
    detail = done.check("Sendbird application region")["detail"]
    assert "Organization API lookup of application" in detail and "401" in detail


def test_unknown_region_key_exits_2_naming_key_and_flag(copy_cli: CopyCli, emulator) -> None:
    dest = copy_cli.destination(region="ap-northeast-1")
    emulator.add_application(
        dest.app_id, "token-unused", "tokyo-1", org_api_key=ORG_API_KEY, aws_region="ap-northeast-1"
    )
    outputs = copy_cli.outputs(dest)
    done = copy_cli.invoke("check-region", outputs, *org_args(emulator), org_key=ORG_API_KEY)
    assert done.exit_code == 2
    assert "'tokyo-1'" in done.stderr and "--sendbird-aws-region" in done.stderr
    assert done.stdout == ""

    # The way out the message names: state the application's AWS region.
    done = copy_cli.invoke(
        "check-region", outputs, *org_args(emulator), "--sendbird-aws-region", "ap-northeast-1", "--json",
        org_key=ORG_API_KEY,
    )  # fmt: skip
    assert done.exit_code == 0, done.text
    assert "using --sendbird-aws-region ap-northeast-1" in done.check("Sendbird application region")["detail"]


def test_stated_region_that_contradicts_the_resources_fails(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(region="ap-northeast-2")
    done = copy_cli.invoke("check-region", copy_cli.outputs(dest), "--sendbird-aws-region", "us-2")
    assert done.exit_code == 1
    assert "--sendbird-aws-region us-west-2" in done.stdout


def test_several_apps_are_all_checked_and_one_failure_fails_the_run(copy_cli: CopyCli) -> None:
    good = copy_cli.destination(region="ap-northeast-2")
    bad = copy_cli.destination(region="us-west-2", bucket_region="eu-central-1")
    done = copy_cli.invoke("check-region", copy_cli.outputs(good, bad), "--json")
    assert done.exit_code == 1
    verdicts = {app["app_id"]: app["passed"] for app in done.json()["applications"]}
    assert verdicts == {good.app_id: True, bad.app_id: False}

    done = copy_cli.invoke("check-region", copy_cli.outputs(good, bad), "--app-id", good.app_id)
    assert done.exit_code == 0, done.text
    assert bad.app_id not in done.stdout


def test_compare_regions_needs_every_source_known() -> None:
    assert compare_regions([("stack outputs", "us-east-1"), ("bucket", "us-east-1")]).passed
    unknown = compare_regions([("stack outputs", "us-east-1"), ("bucket", None)])
    # Not a second failure: the bucket's own check failed already and names why.
    assert unknown.status == "skip" and "bucket unknown" in unknown.detail
    assert unknown.detail.startswith("skipped: bucket region check failed")
    mismatch = compare_regions([("stack outputs", "us-east-1"), ("bucket", None), ("KMS key", "eu-west-1")])
    assert mismatch.status == "fail"  # what is known already disagrees


def test_missing_existing_kms_key_says_it_was_the_stacks_input(copy_cli: CopyCli) -> None:
    import json

    dest = copy_cli.destination(region="ap-northeast-2")
    document = stack_outputs(dest)
    missing = "arn:aws:kms:ap-northeast-2:123456789012:key/00000000-0000-0000-0000-000000000000"
    # With kms_key_arn set, the program exports the key ARN as kms_alias too.
    document["applications"][dest.app_id].update(kms_key_arn=missing, kms_alias=missing)
    path = copy_cli.tmp_path / "outputs.json"
    path.write_text(json.dumps(document))
    done = copy_cli.invoke("check-region", path, "--json")
    assert done.exit_code == 1
    check = done.check("KMS key")
    assert check["detail"].startswith(f"the existing KMS key the stack was given (kms_key_arn) {missing}")
    assert "fix kms_key_arn in the stack config" in check["fix"]


def test_the_three_region_lookups_run_at_once() -> None:
    """S3, KMS and Sendbird each answer only once all three were asked: one after another, the
    first would wait at the barrier until it breaks."""
    import threading

    from sendbird_copy.checks.region_check import SendbirdRegionSource, check_regions
    from tests.sendbird_copy.cli.test_cli import StubKms, StubS3, app

    barrier = threading.Barrier(3, timeout=10)

    class Waiting:
        def __init__(self, inner: object) -> None:
            self.inner = inner

        def __getattr__(self, name: str):
            def call(**params: object) -> object:
                barrier.wait()
                return getattr(self.inner, name)(**params)

            return call

    def organization(app_id: str) -> dict:
        barrier.wait()
        return {"app_id": app_id, "region": {"region_key": "ap-2", "region_name": "Seoul"}}

    checks = check_regions(
        app(),
        s3=Waiting(StubS3("ap-northeast-2")),
        kms_for_region=lambda _region: Waiting(StubKms()),
        sendbird=SendbirdRegionSource(lookup=organization),
    )
    assert [(c.name, c.status) for c in checks] == [
        ("bucket region", "pass"),
        ("KMS key", "pass"),
        ("Sendbird application region", "pass"),
        ("regions match", "pass"),
    ]
