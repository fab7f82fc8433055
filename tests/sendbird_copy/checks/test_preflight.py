"""preflight against moto with IAM authentication on: the copy user's real grant decides every probe.

moto limits that shape these tests (docs/development.md, "moto's limits"): an Inactive
access key still signs requests in moto, so the key check through IAM is what proves it; KMS is
never called with the copy identity.
"""

from __future__ import annotations

from localdev.moto_server import MotoServer
from sendbird_copy.aws import key_id
from sendbird_copy.checks.preflight import Probe, _expect_refused
from tests.sendbird_copy.aws_builders import documented_grant, objects_under
from tests.sendbird_copy.cli_support import CopyCli

PROBES = [
    "copy access key",
    "s3:PutObject",
    "s3:ListBucket",
    "s3:GetObject",
    "s3:DeleteObject",
    "s3:GetBucketPolicy",
    "default encryption",
]


def statuses(done) -> dict[str, str]:
    (app,) = done.json()["applications"]
    return {check["name"]: check["status"] for check in app["checks"]}


def with_extra(bucket: str, action: str, resource: str | None = None) -> list[dict]:
    extra = {"Effect": "Allow", "Action": action, "Resource": resource or f"arn:aws:s3:::{bucket}/*"}
    return [*documented_grant(bucket), extra]


def test_exactly_the_documented_grant_passes_and_leaves_nothing_behind(
    copy_cli: CopyCli, moto: MotoServer
) -> None:
    dest = copy_cli.destination()
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 0, done.text
    assert statuses(done) == dict.fromkeys(PROBES, "pass")
    assert done.check("s3:GetObject")["detail"] == "refused (AccessDenied), as it should be"
    assert key_id(dest.kms_key_arn) in done.check("default encryption")["detail"]
    assert objects_under(moto, dest, "_preflight/") == []  # the deployer removed the probe


def test_human_report_has_one_line_per_probe(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination()
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest))
    assert done.exit_code == 0, done.text
    lines = done.stdout.splitlines()
    assert lines[0] == f"application {dest.app_id}"
    assert [line.split(" — ")[0].strip() for line in lines[1:-1]] == [f"PASS {name}" for name in PROBES]
    assert lines[-1] == "verdict: PASS (1 application(s))"


def test_missing_put_object_is_named_with_the_fix(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(grant=lambda bucket: documented_grant(bucket)[1:])
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    put = done.check("s3:PutObject")
    assert put["status"] == "fail"
    assert put["detail"] == "s3:PutObject is refused (AccessDenied)"
    assert put["fix"].startswith(f"grant s3:PutObject on arn:aws:s3:::{dest.bucket}/*")
    assert done.check("default encryption")["status"] == "skip"
    assert statuses(done)["s3:ListBucket"] == "pass"


def test_missing_list_bucket_is_named(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(grant=lambda bucket: documented_grant(bucket)[:1])
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest))
    assert done.exit_code == 1
    assert "FAIL s3:ListBucket — s3:ListBucket is refused (AccessDenied)" in done.stdout
    assert f"fix: grant s3:ListBucket on arn:aws:s3:::{dest.bucket}" in done.stdout


def test_s3_star_is_too_wide_and_every_extra_action_is_named(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(grant=[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}])
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    assert statuses(done) == {
        **dict.fromkeys(PROBES, "pass"),
        "s3:GetObject": "fail",
        "s3:DeleteObject": "fail",
        "s3:GetBucketPolicy": "fail",
    }
    get = done.check("s3:GetObject")
    assert get["detail"] == (
        "grant too wide: s3:GetObject is allowed; Sendbird needs only s3:PutObject and s3:ListBucket"
    )
    assert "remove s3:GetObject" in get["fix"]


def test_get_object_alone_is_named(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(grant=lambda bucket: with_extra(bucket, "s3:GetObject"))
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest))
    assert done.exit_code == 1
    assert "FAIL s3:GetObject — grant too wide: s3:GetObject is allowed" in done.stdout
    assert "PASS s3:DeleteObject" in done.stdout and "PASS s3:GetBucketPolicy" in done.stdout


def test_delete_allowed_is_named(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(versioning=True, grant=lambda bucket: with_extra(bucket, "s3:DeleteObject"))
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest))
    assert done.exit_code == 1
    assert "FAIL s3:DeleteObject — grant too wide: s3:DeleteObject is allowed" in done.stdout


def test_delete_marker_of_a_wrongly_allowed_delete_is_removed() -> None:
    """AWS records a delete marker when a versioned bucket "deletes" a never-written key; moto does
    not, so this part is shown with a stand-in S3 that answers the way AWS does."""
    deleted: list[dict] = []

    class VersionedS3:
        def delete_object(self, **kwargs):
            deleted.append(kwargs)
            return {"DeleteMarker": True, "VersionId": "v-marker"} if "VersionId" not in kwargs else {}

    probe = Probe.new()
    check = _expect_refused(
        "s3:DeleteObject",
        lambda: VersionedS3().delete_object(Bucket="b", Key=probe.never_written),
        VersionedS3(),
        "b",
        probe,
    )
    assert not check.passed
    assert deleted[-1] == {"Bucket": "b", "Key": probe.never_written, "VersionId": "v-marker"}


def test_policy_read_allowed_is_named(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(
        grant=lambda bucket: with_extra(bucket, "s3:GetBucketPolicy", f"arn:aws:s3:::{bucket}")
    )
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    assert done.check("s3:GetBucketPolicy")["detail"].startswith(
        "grant too wide: s3:GetBucketPolicy is allowed"
    )


def test_inactive_access_key_is_named(copy_cli: CopyCli, moto: MotoServer) -> None:
    dest = copy_cli.destination()
    moto.client("iam").update_access_key(
        UserName=dest.user, AccessKeyId=dest.access_key_id, Status="Inactive"
    )
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    check = done.check("copy access key")
    assert check["detail"] == f"access key {dest.access_key_id} of IAM user {dest.user} is Inactive"
    assert "--status Active" in check["fix"]


def test_access_key_not_on_the_user_is_named(copy_cli: CopyCli, moto: MotoServer) -> None:
    dest = copy_cli.destination()
    moto.client("iam").delete_access_key(UserName=dest.user, AccessKeyId=dest.access_key_id)
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    assert done.check("copy access key")["detail"] == (
        f"access key {dest.access_key_id} is not a key of IAM user {dest.user} (its keys: none)"
    )
    # S3 rejects the deleted key itself: one check says the key is not valid; no probe blames the grant.
    credentials = done.check("copy credentials")
    assert credentials["status"] == "fail"
    assert f"S3 rejected access key {dest.access_key_id} itself (InvalidAccessKeyId)" in credentials["detail"]
    assert "rotated or deleted" in credentials["fix"]
    for probe in ("s3:PutObject", "s3:ListBucket", "s3:GetObject", "s3:DeleteObject", "s3:GetBucketPolicy"):
        assert done.check(probe) == {
            "name": probe,
            "status": "skip",
            "passed": True,
            "detail": "skipped: copy credentials failed",
        }
    assert "grant s3:" not in done.stdout  # no "grant s3:..." fix line for a key problem


def test_bucket_without_sse_kms_default_fails_naming_the_encryption(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination(encryption="AES256")
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    check = done.check("default encryption")
    assert check["detail"] == "the bucket's default encryption wrote the probe with AES256"
    assert "SSE-KMS (aws:kms)" in check["fix"]


def test_key_id_accepts_arn_or_id() -> None:
    arn = "arn:aws:kms:ap-northeast-2:123456789012:key/1234abcd-12ab"
    assert key_id(arn) == key_id("1234abcd-12ab") == "1234abcd-12ab"
    assert key_id(None) is None


def test_wrong_secret_key_in_the_outputs_is_blamed_on_the_key(copy_cli: CopyCli) -> None:
    dest = copy_cli.destination()
    dest.secret_access_key = dest.secret_access_key[::-1]  # stale outputs: same key id, wrong secret
    copy_cli.secrets.append(dest.secret_access_key)
    done = copy_cli.invoke("preflight", copy_cli.outputs(dest), "--json")
    assert done.exit_code == 1
    assert "(SignatureDoesNotMatch)" in done.check("copy credentials")["detail"]
    assert done.check("s3:ListBucket")["detail"] == "skipped: copy credentials failed"
    assert done.check("copy access key")["status"] == "pass"  # IAM knows the key id: only the secret is off


def test_the_probes_that_need_only_the_written_probe_run_at_once_and_it_is_deleted_last() -> None:
    """The four grant probes and the encryption check each wait at one barrier for the others: run
    one after another, the first would time out there (a refused probe then reads as a failure)."""
    import threading

    from botocore.exceptions import ClientError

    from tests.sendbird_copy.cli.test_cli import KEY_ARN, app

    barrier = threading.Barrier(5, timeout=10)
    calls: list[str] = []

    def after_the_others(name: str, answer: object = None, denied: bool = False):
        def call(**_params: object) -> object:
            barrier.wait()
            calls.append(name)
            if denied:
                raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, name)
            return answer

        return call

    class Paginator:
        def paginate(self, UserName: str):
            calls.append("iam")
            return [{"AccessKeyMetadata": [{"AccessKeyId": "AKIAFAKEFAKEFAKE0000", "Status": "Active"}]}]

    iam = type("Iam", (), {"get_paginator": lambda self, _name: Paginator()})()
    copy_s3 = type("CopyS3", (), {})()

    def put(**_params: object) -> dict:
        calls.append("put")
        return {"VersionId": "v1"}

    copy_s3.put_object = put
    copy_s3.list_objects_v2 = after_the_others("list", {})
    copy_s3.get_object = after_the_others("get", denied=True)
    copy_s3.delete_object = after_the_others("delete", denied=True)
    copy_s3.get_bucket_policy = after_the_others("policy", denied=True)
    deployer_s3 = type("DeployerS3", (), {})()
    deployer_s3.head_object = after_the_others(
        "head", {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": KEY_ARN}
    )
    deployer_s3.delete_object = lambda **params: calls.append(f"cleanup {params['VersionId']}")

    from sendbird_copy.aws import mapped
    from sendbird_copy.checks.preflight import run_preflight

    # mapped: the stand-ins raise botocore's errors, mapped at the boundary as AwsClients' clients are.
    checks = run_preflight(app(), iam=mapped(iam), copy_s3=mapped(copy_s3), deployer_s3=mapped(deployer_s3))
    assert [(c.name, c.status) for c in checks] == [(name, "pass") for name in PROBES]
    assert calls.index("put") < min(calls.index(n) for n in ("list", "get", "delete", "policy", "head"))
    assert calls[-1] == "cleanup v1"
