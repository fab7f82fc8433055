"""Emulator deploy: the real Pulumi program, applied to a moto server instead of AWS.

This is NOT the Pulumi engine. ``__main__.py`` and the real components run in-process under
``pulumi.runtime.set_mocks``; the mocks' resource handler below creates each resource in moto over
its HTTP API (boto3, signed as the deployer) and returns the attributes AWS would, so the stack
outputs hold real moto-issued names, ARNs and access keys. Users with the Pulumi CLI can run the
same program with ``pulumi up --stack local`` instead (``localdev/automation.py``).

One deliberate difference, reported rather than hidden: moto's policy evaluator understands only
``StringEquals`` and treats every other condition as met, so a conditional Deny (TLS, TLS version,
KMS key header) would deny every request. moto also judges a bucket policy without the caller, so a
Deny meant for one principal (the copy identity's on the tool's prefixes) would refuse every caller;
its twin in the copy identity's IAM policy is what moto enforces. Such statements are left out of the
bucket policy applied to moto and listed in ``DeployResult.skipped_statements`` by Sid; the mocks
tests prove their content.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from components import type_tokens as tt
from components.sync.policies import LAMBDA_SERVICE
from localdev.emulator_deploy.audit import AuditResourceHandlers, NotApplied
from localdev.emulator_deploy.object_lock import ObjectLockHandlers
from localdev.emulator_deploy.replication import ReplicationHandlers
from localdev.emulator_deploy.sync import DeployedFunction, SyncResourceHandlers, to_aws_shape
from localdev.emulator_deploy.sync import num as _num
from localdev.moto_server import MotoServer
from localdev.program_runner import run_program
from localdev.pulumi_mocks import DEFAULT_REGION, Handler, HandlerMocks, rotating_state

# The only condition operator moto evaluates; see the module docstring.
MOTO_EVALUATED_OPERATORS = frozenset({"StringEquals"})
# Condition keys that name the caller. moto judges a bucket policy without the caller (no principal,
# no request context: every StringEquals counts as met), so a Deny meant for one caller refuses all.
CALLER_KEYS = frozenset({"aws:principalarn", "aws:userid", "aws:username", "aws:principalaccount"})


class EmulatorDeployError(RuntimeError):
    """A resource could not be applied to moto; the message names the resource and the AWS error."""


@dataclass(frozen=True)
class DeployedResource:
    type: str
    name: str
    physical_id: str
    region: str | None


@dataclass(frozen=True)
class SkippedStatement:
    bucket: str
    sid: str
    reason: str


@dataclass
class DeployResult:
    outputs: dict[str, Any]
    secret_outputs: dict[str, bool]
    resources: list[DeployedResource] = field(default_factory=list)
    skipped_statements: list[SkippedStatement] = field(default_factory=list)
    functions: list[DeployedFunction] = field(default_factory=list)
    # Roles whose trust policy moto got with the deployer in Lambda's place, so a local run can assume
    # them (moto's AssumeRole checks the caller's exact ARN; Lambda's service principal cannot be played).
    trust_widened: list[str] = field(default_factory=list)
    # Identity-policy statements moto got in another form (``widen_for_moto``), by owner and Sid.
    adapted_statements: list[SkippedStatement] = field(default_factory=list)
    # Each bucket's lifecycle rules as sent to moto (AWS's shape): moto keeps no size filter, so its
    # GetBucketLifecycleConfiguration drops ObjectSizeGreaterThan; this is what AWS would hold.
    lifecycle_rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    not_applied: list[NotApplied] = field(default_factory=list)  # what moto cannot hold (audit.py)


def split_policy_for_moto(policy_json: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The policy moto can evaluate faithfully, and (Sid, reason) for each statement left out."""
    policy = json.loads(policy_json)
    statements = policy.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    kept, skipped = [], []
    for index, statement in enumerate(statements):
        reason = _unevaluable(statement)
        if reason:
            skipped.append((statement.get("Sid") or f"statement[{index}]", reason))
        else:
            kept.append(statement)
    return {**policy, "Statement": kept}, skipped


def _unevaluable(statement: Mapping[str, Any]) -> str | None:
    """Why moto would misjudge this bucket-policy statement, or None when it judges it faithfully."""
    conditions = statement.get("Condition", {})
    unsupported = sorted(set(conditions) - MOTO_EVALUATED_OPERATORS)
    if unsupported:
        return f"moto treats {', '.join(unsupported)} as always met, so it would apply to every request"
    keys = {str(key).lower() for entries in conditions.values() for key in entries}
    if statement.get("Effect") == "Deny" and (statement.get("Principal", "*") != "*" or keys & CALLER_KEYS):
        # The copy identity's own IAM policy carries the same Deny, which moto does judge per caller.
        return "moto judges bucket policies without the caller: a Deny for one principal would refuse all"
    return None


# Services whose actions moto 5.2 authorises against resource "*" whatever the request names.
MOTO_STAR_RESOURCE_SERVICES = ("secretsmanager",)


def widen_for_moto(policy_json: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """An identity policy as moto can judge it, and (Sid, reason) for each statement adapted: a grant
    of a service moto authorises against "*" gets Resource "*" there (the real, ARN-scoped grant
    is proven by the mocks tests' policy evaluation)."""
    policy = json.loads(policy_json)
    statements, adapted = [], []
    for index, statement in enumerate(policy.get("Statement", [])):
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        services = {str(a).split(":", 1)[0] for a in actions}
        if statement.get("Effect") == "Allow" and services & set(MOTO_STAR_RESOURCE_SERVICES):
            sid = statement.get("Sid") or f"statement[{index}]"
            reason = (
                f"moto authorises {', '.join(sorted(services))} against resource *; applied with Resource *"
            )
            adapted.append((sid, reason))
            statement = {**statement, "Resource": "*"}
        statements.append(statement)
    return {**policy, "Statement": statements}, adapted


class MotoDeployMocks(
    ObjectLockHandlers, AuditResourceHandlers, SyncResourceHandlers, ReplicationHandlers, HandlerMocks
):
    """Pulumi mocks whose resource handlers create every resource in a moto server."""

    def __init__(self, server: MotoServer) -> None:
        self.server = server
        self.skipped_statements: list[SkippedStatement] = []
        self.functions: list[DeployedFunction] = []
        self.trust_widened: list[str] = []
        self.adapted_statements: list[SkippedStatement] = []
        self.lifecycle_rules: dict[str, list[dict[str, Any]]] = {}
        self._unique = itertools.count(1)
        super().__init__()

    def handlers(self) -> Mapping[str, Handler]:
        return {
            tt.BUCKET: self._bucket,
            tt.PUBLIC_ACCESS_BLOCK: self._public_access_block,
            tt.OWNERSHIP: self._ownership_controls,
            tt.VERSIONING: self._versioning,
            tt.ENCRYPTION: self._encryption,
            tt.LIFECYCLE: self._lifecycle,
            tt.BUCKET_POLICY: self._bucket_policy,
            tt.BUCKET_NOTIFICATION: self._notification,
            tt.BUCKET_LOGGING: self._logging,
            tt.KMS_KEY: self._kms_key,
            tt.KMS_ALIAS: self._kms_alias,
            tt.IAM_USER: self._iam_user,
            tt.USER_POLICY: self._inline_policy("user"),
            tt.ACCESS_KEY: self._access_key,
            tt.IAM_ROLE: self._iam_role,
            tt.ROLE_POLICY: self._inline_policy("role"),
            tt.ROTATING: lambda name, inputs, region: rotating_state(
                inputs, datetime.datetime.now(datetime.UTC)
            ),
            tt.SECRET: self._secret,
            tt.SECRET_VERSION: self._secret_version,
            tt.LOG_GROUP: self._log_group,
            tt.LAMBDA_FUNCTION: self._function,
            tt.FUNCTION_EVENT_INVOKE_CONFIG: self._invoke_config,
            tt.QUEUE: self._queue,
            tt.SCHEDULE: self._schedule,
            tt.METRIC_ALARM: self._alarm,
            tt.DASHBOARD: self._dashboard,
            tt.REPLICATION_CONFIG: self._replication,
            **self.object_lock_handlers(),
        }

    @property
    def resources(self) -> list[DeployedResource]:
        """Every resource applied to moto, in the order it was (region None: a global resource)."""
        return [
            DeployedResource(r.typ, r.name, r.id, r.state["region"] if "region" in r.inputs else None)
            for r in self.custom
        ]

    def create(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        region = inputs.get("region") or DEFAULT_REGION
        try:
            physical_id, outputs = super().create(typ, name, inputs)
        except ClientError as err:
            error = err.response.get("Error", {})
            raise EmulatorDeployError(
                f"{typ} '{name}' in {region}: moto refused it: "
                f"{error.get('Code', '?')}: {error.get('Message', '')}"
            ) from None
        except BotoCoreError as err:  # bad parameters or an unreachable moto
            raise EmulatorDeployError(f"{typ} '{name}' in {region}: {err}") from None
        return physical_id, {**outputs, "region": region} if "region" in inputs else outputs

    def refusal(self, what: str) -> Exception:
        return EmulatorDeployError(f"emulator deploy {what}")

    def caller_identity(self, args: dict[str, Any]) -> dict[str, Any]:
        identity = self.server.client("sts").get_caller_identity()
        account = identity["Account"]
        return {"accountId": account, "arn": identity["Arn"], "userId": identity["UserId"], "id": account}

    # -- S3 ----------------------------------------------------------------------------------------
    def _bucket_name(self, name: str, inputs: dict[str, Any]) -> str:
        if inputs.get("bucket"):
            return str(inputs["bucket"])
        # Like the provider's bucket_prefix: prefix + a unique, lowercase suffix.
        prefix = str(inputs.get("bucketPrefix") or f"{name}-").lower()
        return f"{prefix}{time.strftime('%Y%m%d%H%M%S')}{next(self._unique):06d}"[:63]

    def _bucket(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = self._bucket_name(name, inputs)
        s3 = self.server.client("s3", region)
        create: dict[str, Any] = {"Bucket": bucket}
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        s3.create_bucket(**create)
        tags = inputs.get("tags") or {}
        if tags:
            tag_set = [{"Key": k, "Value": str(v)} for k, v in tags.items()]
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_set})
        return bucket, {
            "bucket": bucket,
            "arn": f"arn:aws:s3:::{bucket}",
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{bucket}.s3.{region}.amazonaws.com",
            "tagsAll": tags,
        }

    def _public_access_block(
        self, name: str, inputs: dict[str, Any], region: str
    ) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
        config = to_aws_shape({flag: bool(inputs.get(flag, False)) for flag in flags})
        self.server.client("s3", region).put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=config
        )
        return bucket, {}

    def _ownership_controls(
        self, name: str, inputs: dict[str, Any], region: str
    ) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        rule = to_aws_shape(inputs["rule"])
        self.server.client("s3", region).put_bucket_ownership_controls(
            Bucket=bucket, OwnershipControls={"Rules": [rule]}
        )
        return bucket, {}

    def _versioning(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        status = inputs["versioningConfiguration"]["status"]
        self.server.client("s3", region).put_bucket_versioning(
            Bucket=bucket, VersioningConfiguration={"Status": status}
        )
        return bucket, {}

    def _encryption(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        rules = to_aws_shape(inputs["rules"])
        for rule in rules:  # a list in Pulumi, {"EncryptionType": [...]} in S3's API
            if "BlockedEncryptionTypes" in rule:
                rule["BlockedEncryptionTypes"] = {"EncryptionType": rule["BlockedEncryptionTypes"]}
        self.server.client("s3", region).put_bucket_encryption(
            Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules}
        )
        return bucket, {}

    def _lifecycle(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        self.lifecycle_rules[bucket] = to_aws_shape(inputs["rules"])
        self.server.client("s3", region).put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": self.lifecycle_rules[bucket]}
        )
        return bucket, {}

    def _bucket_policy(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        applied, skipped = split_policy_for_moto(inputs["policy"])
        self.skipped_statements.extend(SkippedStatement(bucket, sid, reason) for sid, reason in skipped)
        self.server.client("s3", region).put_bucket_policy(Bucket=bucket, Policy=json.dumps(applied))
        # The state keeps the full policy: that is what the program asked for.
        return bucket, {}

    def _notification(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        bucket = inputs["bucket"]
        # Only what RecordingStorage sets: EventBridge on (an empty EventBridgeConfiguration).
        config: dict[str, Any] = {"EventBridgeConfiguration": {}} if inputs.get("eventbridge") else {}
        self.server.client("s3", region).put_bucket_notification_configuration(
            Bucket=bucket, NotificationConfiguration=config
        )
        return bucket, {}

    def _logging(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        """moto checks what S3 does: the target bucket exists in the same region and its policy lets
        logging.s3.amazonaws.com put objects under the prefix. It keeps but does not return the
        key format (the mocks tests show it)."""
        bucket = inputs["bucket"]
        enabled: dict[str, Any] = {
            "TargetBucket": inputs["targetBucket"],
            "TargetPrefix": inputs.get("targetPrefix", ""),
        }
        if inputs.get("targetObjectKeyFormat"):
            enabled["TargetObjectKeyFormat"] = to_aws_shape(inputs["targetObjectKeyFormat"])
        self.server.client("s3", region).put_bucket_logging(
            Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": enabled}
        )
        return bucket, {}

    # -- KMS ---------------------------------------------------------------------------------------
    def _kms_key(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        kms = self.server.client("kms", region)
        create: dict[str, Any] = {
            "Description": inputs.get("description", ""),
            "KeyUsage": inputs.get("keyUsage", "ENCRYPT_DECRYPT"),
        }
        if inputs.get("policy"):
            create["Policy"] = inputs["policy"]
        if inputs.get("tags"):
            create["Tags"] = [{"TagKey": k, "TagValue": str(v)} for k, v in inputs["tags"].items()]
        metadata = kms.create_key(**create)["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            kms.enable_key_rotation(KeyId=metadata["KeyId"])
        return metadata["KeyId"], {
            "arn": metadata["Arn"],
            "keyId": metadata["KeyId"],
            "deletionWindowInDays": _num(inputs.get("deletionWindowInDays", 30)),
            "isEnabled": True,
        }

    def _kms_alias(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        kms = self.server.client("kms", region)
        alias, target = inputs["name"], inputs["targetKeyId"]
        kms.create_alias(AliasName=alias, TargetKeyId=target)
        key_arn = kms.describe_key(KeyId=target)["KeyMetadata"]["Arn"]
        account = key_arn.split(":")[4]
        return alias, {"arn": f"arn:aws:kms:{region}:{account}:{alias}", "targetKeyArn": key_arn}

    # -- IAM (global: no region) -------------------------------------------------------------------
    def _iam_name(self, name: str, inputs: dict[str, Any]) -> str:
        # Like the provider: a name_prefix gets a 26-character unique suffix; with neither name nor
        # prefix, Pulumi autonames from the logical name.
        if inputs.get("namePrefix"):
            return f"{inputs['namePrefix']}{time.strftime('%Y%m%d%H%M%S')}{next(self._unique):012d}"
        return str(inputs.get("name") or f"{name}-{next(self._unique):07d}")

    def _iam_user(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        user_name = self._iam_name(name, inputs)
        create: dict[str, Any] = {"UserName": user_name, "Path": inputs.get("path", "/")}
        if inputs.get("tags"):
            create["Tags"] = [{"Key": k, "Value": str(v)} for k, v in inputs["tags"].items()]
        user = self.server.client("iam").create_user(**create)["User"]
        return user_name, {"name": user_name, "arn": user["Arn"], "uniqueId": user["UserId"]}

    def _access_key(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        key = self.server.client("iam").create_access_key(UserName=inputs["user"])["AccessKey"]
        return key["AccessKeyId"], {"secret": key["SecretAccessKey"], "status": key["Status"]}

    def _iam_role(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        role_name = self._iam_name(name, inputs)
        role = self.server.client("iam").create_role(
            RoleName=role_name,
            Path=inputs.get("path", "/"),
            AssumeRolePolicyDocument=self._trust_for_moto(role_name, inputs["assumeRolePolicy"]),
        )["Role"]
        return role_name, {"name": role_name, "arn": role["Arn"], "uniqueId": role["RoleId"]}

    def _trust_for_moto(self, role_name: str, trust_json: str) -> str:
        """A role Lambda assumes is assumed by the deployer here instead, so the main job can run the
        function with the role's own credentials (reported in ``trust_widened``; the state keeps the
        real trust policy). moto cannot play Lambda's service principal, nor judge a trust policy
        that mixes a service principal with an account one, so the deployer replaces Lambda."""
        trust = json.loads(trust_json)
        services = [s.get("Principal", {}).get("Service") for s in trust.get("Statement", [])]
        if LAMBDA_SERVICE not in services:
            return trust_json
        deployer = self.server.client("sts").get_caller_identity()["Arn"]
        statement = {
            "Sid": "EmulatorOnlyDeployerRunsTheFunction",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
        }
        self.trust_widened.append(role_name)
        return json.dumps({**trust, "Statement": [{**statement, "Principal": {"AWS": deployer}}]})

    def _inline_policy(self, kind: str) -> Handler:
        """The handler of an inline policy of an IAM ``kind`` ("user" or "role")."""

        def put(name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
            owner, policy_name = inputs[kind], self._iam_name(name, inputs)
            document, adapted = widen_for_moto(inputs["policy"])
            self.adapted_statements.extend(SkippedStatement(owner, sid, reason) for sid, reason in adapted)
            put_policy = getattr(self.server.client("iam"), f"put_{kind}_policy")
            put_policy(
                **{
                    f"{kind.capitalize()}Name": owner,
                    "PolicyName": policy_name,
                    "PolicyDocument": json.dumps(document),
                }
            )
            return f"{owner}:{policy_name}", {"name": policy_name}

        return put


def deploy_to_emulator(
    server: MotoServer, config: dict[str, Any], stack: str = "local", secret_keys: Iterable[str] = ()
) -> DeployResult:
    """Run the program with ``config`` (``secret_keys`` set as secrets) and apply every resource it
    declares to ``server``."""
    mocks = MotoDeployMocks(server)
    outputs, secret = run_program(mocks, config, stack=stack, preview=False, secret_keys=secret_keys)
    return DeployResult(
        outputs,
        secret,
        mocks.resources,
        mocks.skipped_statements,
        mocks.functions,
        mocks.trust_widened,
        mocks.adapted_statements,
        mocks.lifecycle_rules,
        mocks.not_applied,
    )


def write_outputs(path: Path, outputs: dict[str, Any]) -> None:
    """Write the stack outputs JSON the smoke test reads: owner-only, all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o600)  # the file holds the copy user's secret key
        with os.fdopen(handle, "w") as out:
            json.dump(outputs, out, indent=2, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
