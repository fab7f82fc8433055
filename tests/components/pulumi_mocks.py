"""Recording Pulumi mocks: every resource the program registers, with the inputs and options it got.

``RecordingMocks`` (on ``localdev.pulumi_mocks.HandlerMocks``, the base it shares with the emulator
deploy) answers like AWS would (names, ARNs in the resource's region, ``AKIA...`` access key ids,
40-character secrets) and keeps what it received. ``RecordingMonitor`` adds what Pulumi's
mock monitor does not pass to mocks: ``protect``, explicit and input dependencies, and the parent.
``run_stack`` runs ``__main__.py`` through ``localdev.program_runner.run_program``; ``run_component``
builds something directly (a RecordingStorage, say) under the same mocks.
"""

from __future__ import annotations

import asyncio
import base64
import datetime
import fnmatch
import hashlib
import json
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from unittest import mock

import pulumi
import pulumi.runtime.mocks as pulumi_mocks
from google.protobuf import json_format
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import wait_for_rpcs

from components.storage.bucket import ACCESS_LOG_CHILD
from components.type_tokens import (
    ACCESS_KEY,
    BUCKET,
    BUCKET_LOGGING,
    BUCKET_NOTIFICATION,
    BUCKET_POLICY,
    DASHBOARD,
    ENCRYPTION,
    EVENT_RULE,
    FUNCTION_EVENT_INVOKE_CONFIG,
    IAM_ROLE,
    IAM_USER,
    KMS_ALIAS,
    KMS_KEY,
    LAMBDA_FUNCTION,
    LIFECYCLE,
    LOG_GROUP,
    METRIC_ALARM,
    OWNERSHIP,
    PUBLIC_ACCESS_BLOCK,
    QUEUE,
    RESOURCE_TYPES,
    ROLE_POLICY,
    ROTATING,
    SCHEDULE,
    SECRET,
    SECRET_VERSION,
    USER_POLICY,
    VERSIONING,
)
from localdev.program_runner import PROJECT_DIR, load_stack_config, run_program
from localdev.pulumi_mocks import (
    DEFAULT_ACCOUNT_ID,
    PARTITION,
    Handler,
    HandlerMocks,
    Registration,
    rotating_state,
    unwrap_secrets,
)
from sendbird_copy.facts import PROJECT_NAME

ACCOUNT_ID = DEFAULT_ACCOUNT_ID

# What one RecordingStorage registers with its defaults: the access-log bucket and its settings,
# then everything else (one place for the tests that count resources).
LOG_BUCKET_TYPES = [BUCKET, PUBLIC_ACCESS_BLOCK, BUCKET_POLICY, OWNERSHIP, ENCRYPTION, LIFECYCLE]
DEFAULT_STORAGE_TYPES = [
    BUCKET,
    PUBLIC_ACCESS_BLOCK,
    BUCKET_POLICY,
    OWNERSHIP,
    VERSIONING,
    ENCRYPTION,
    LIFECYCLE,
    KMS_KEY,
    KMS_ALIAS,
    IAM_USER,
    USER_POLICY,
    ACCESS_KEY,
    BUCKET_NOTIFICATION,
    BUCKET_LOGGING,
    *LOG_BUCKET_TYPES,
]

# What one RecordingSync registers when the API token's secret is an existing one (the stacks'
# way); with ``api_token`` it adds a secret and its value.
SYNC_TYPES_WITH_EXISTING_TOKEN = [
    SECRET,
    SECRET_VERSION,
    LOG_GROUP,
    IAM_ROLE,
    ROLE_POLICY,
    LAMBDA_FUNCTION,
    FUNCTION_EVENT_INVOKE_CONFIG,
    QUEUE,
    IAM_ROLE,
    ROLE_POLICY,
    SCHEDULE,
    *[METRIC_ALARM] * 7,
    DASHBOARD,
]

T = TypeVar("T")


def _unique_number(kind: str, name: str) -> int:
    """The number a mock folds into a generated name: derived from the resource, not from the order
    resources arrive in (the program registers them concurrently), so two runs of one program agree,
    as the engine's state keeps an autonamed resource's name from one update to the next."""
    return int(hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:6], 16)


class RecordingMocks(HandlerMocks):
    """Answers like AWS would and keeps what it received (``registered``, ``calls``, ``secrets``).

    A secret input reaches the handlers (and ``Registration.inputs``) as its plain value, as a
    provider sees it; ``secret_inputs`` keeps which inputs were secret, and the answer marks them
    secret again, as the engine keeps a secret input's output secret.
    """

    def __init__(self, account_id: str = ACCOUNT_ID) -> None:
        self.account_id = account_id
        self.secrets: list[str] = []  # every secret value handed out, to search outputs for leaks
        self.secret_inputs: dict[tuple[str, str], set[str]] = {}  # (type, name) -> secret input names
        # The time provider's clock, and the Rotating states of an earlier update (name -> (id, state)):
        # a Rotating still in its period keeps its state, as the provider's read would.
        self.now = datetime.datetime.now(datetime.UTC)
        self.earlier_rotations: dict[str, tuple[str, dict[str, Any]]] = {}
        super().__init__()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        plain: dict[str, Any] = {}
        secret: set[str] = set()
        for key, value in args.inputs.items():
            plain[key], is_secret = unwrap_secrets(value)
            if is_secret:
                secret.add(key)
        args.inputs = plain
        with self._lock:
            self.secret_inputs[(args.typ, args.name)] = secret
        resource_id, state = super().new_resource(args)
        return resource_id, {k: rpc.wrap_rpc_secret(v) if k in secret else v for k, v in state.items()}

    def handlers(self) -> Mapping[str, Handler]:
        """Every type the components register (``RESOURCE_TYPES``): by default an id and the region,
        as a bucket setting gets; the types that AWS names or gives an ARN, as AWS would."""
        return {
            **dict.fromkeys(RESOURCE_TYPES, self._bucket_setting),
            BUCKET: self._bucket,
            KMS_KEY: self._kms_key,
            KMS_ALIAS: self._kms_alias,
            IAM_USER: self._iam_identity("user"),
            IAM_ROLE: self._iam_identity("role"),
            ACCESS_KEY: self._access_key,
            USER_POLICY: self._inline_policy,
            ROLE_POLICY: self._inline_policy,
            ROTATING: self._rotating,
            SECRET: self._secret,
            LOG_GROUP: self._log_group,
            LAMBDA_FUNCTION: self._named_arn("lambda", "function:"),
            SCHEDULE: self._named_arn("scheduler", "schedule/default/"),
            QUEUE: self._queue,
            METRIC_ALARM: self._named_arn("cloudwatch", "alarm:"),
            DASHBOARD: self._dashboard,
            EVENT_RULE: self._named_arn("events", "rule/"),
        }

    def _dashboard(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        board = inputs["dashboardName"]
        return board, {"dashboardArn": f"arn:{PARTITION}:cloudwatch::{self.account_id}:dashboard/{board}"}

    def unhandled(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        return f"{name}-id", {}

    # -- what AWS would answer ---------------------------------------------------------------------
    def _bucket(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        # The provider appends a 26-character unique id to bucket_prefix.
        n = _unique_number("bucket", name)
        bucket = inputs.get("bucket") or f"{inputs.get('bucketPrefix', name + '-')}20250101000000{n:012d}"
        return bucket, {
            "bucket": bucket,
            "arn": f"arn:{PARTITION}:s3:::{bucket}",
            "bucketDomainName": f"{bucket}.s3.amazonaws.com",
            "region": region,
        }

    def _bucket_setting(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        return str(inputs.get("bucket", name)), {"region": region}

    def _kms_key(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        key_id = str(uuid.uuid4())
        return key_id, {
            "keyId": key_id,
            "arn": f"arn:{PARTITION}:kms:{region}:{self.account_id}:key/{key_id}",
            "region": region,
        }

    def _kms_alias(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        alias = inputs["name"]
        return alias, {"arn": f"arn:{PARTITION}:kms:{region}:{self.account_id}:{alias}", "region": region}

    def _iam_identity(self, kind: str) -> Handler:
        def create(name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
            n = _unique_number(kind, name)
            if inputs.get("namePrefix"):  # the provider appends a 26-character unique id
                iam_name = f"{inputs['namePrefix']}20250101000000{n:012d}"
            else:
                iam_name = inputs.get("name") or f"{name}-{n:07x}"  # like Pulumi's autonaming
            path = inputs.get("path", "/")
            return iam_name, {
                "name": iam_name,
                "arn": f"arn:{PARTITION}:iam::{self.account_id}:{kind}{path}{iam_name}",
                "uniqueId": f"AID{n:017d}",
            }

        return create

    def _access_key(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        secret = base64.b64encode(os.urandom(30)).decode()
        with self._lock:
            self.secrets.append(secret)
        return f"AKIA{uuid.uuid4().hex[:16].upper()}", {"secret": secret, "status": "Active"}

    def _rotating(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        """The time provider: the earlier state while its rotation time has not passed, else new."""
        earlier = self.earlier_rotations.get(name)
        if earlier is not None:
            due = datetime.datetime.fromisoformat(earlier[1]["rotationRfc3339"].replace("Z", "+00:00"))
            if self.now < due:
                return earlier
        return rotating_state(inputs, self.now)

    def _autoname(self, name: str, inputs: dict[str, Any]) -> str:
        n = _unique_number("autoname", name)
        if inputs.get("namePrefix"):
            return f"{inputs['namePrefix']}{n:06x}"
        return inputs.get("name") or f"{name}-{n:07x}"  # like Pulumi's autonaming

    def _named_arn(self, service: str, kind: str) -> Handler:
        """A resource named like Pulumi autonames it, with an ARN ``...:<kind><name>``."""

        def create(name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
            resource_name = self._autoname(name, inputs)
            arn = f"arn:{PARTITION}:{service}:{region}:{self.account_id}:{kind}{resource_name}"
            return resource_name, {"name": resource_name, "arn": arn, "region": region}

        return create

    def _secret(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        # Secrets Manager appends "-" and six random characters to the name in the ARN.
        secret_name = self._autoname(name, inputs)
        arn = f"arn:{PARTITION}:secretsmanager:{region}:{self.account_id}:secret:{secret_name}-AbC123"
        return arn, {"name": secret_name, "arn": arn, "region": region}

    def _log_group(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        group = self._autoname(name, inputs)
        arn = f"arn:{PARTITION}:logs:{region}:{self.account_id}:log-group:{group}"
        return group, {"name": group, "arn": arn}

    def _queue(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        queue = self._autoname(name, inputs)
        url = f"https://sqs.{region}.amazonaws.com/{self.account_id}/{queue}"
        arn = f"arn:{PARTITION}:sqs:{region}:{self.account_id}:{queue}"
        return url, {"name": queue, "url": url, "arn": arn}

    def _inline_policy(self, name: str, inputs: dict[str, Any], region: str) -> tuple[str, dict[str, Any]]:
        owner = inputs.get("user") or inputs.get("role")
        policy_name = inputs.get("name") or f"{name}-{_unique_number('policy', name):07x}"
        return f"{owner}:{policy_name}", {"name": policy_name}

    # -- queries -----------------------------------------------------------------------------------
    def one(
        self, typ: str, component: str | None = None, access_logs: bool = False, replica: bool = False
    ) -> Registration:
        """The single resource of ``typ`` (of one component, when given: names start with it); of
        the access-log bucket's resources with ``access_logs``, of the replication's (``-replica-``,
        ``-replication-``) with ``replica``, else of the others."""
        found = [
            r
            for r in self.of_type(typ)
            if (component is None or r.name.startswith(f"{component}-"))
            and (f"-{ACCESS_LOG_CHILD}-" in r.name) == access_logs
            and ("-replica" in r.name) == replica
        ]
        assert len(found) == 1, f"expected one {typ} for {component}, got {[r.name for r in found]}"
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.registered if r.urn == urn)

    def secret_input_names(self, record: Registration) -> set[str]:
        """The inputs of ``record`` that arrived as secrets."""
        return self.secret_inputs.get((record.typ, record.name), set())


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Pulumi's mock monitor, also recording the options mocks never see."""

    mocks: RecordingMocks

    def RegisterResource(self, request: Any) -> Any:  # the gRPC method name
        response = super().RegisterResource(request)
        self.mocks.annotate(
            request.type,
            request.name,
            urn=response.urn,
            parent=request.parent,
            protect=request.protect if request.HasField("protect") else None,
            dependencies=list(request.dependencies),
            replacement_trigger=(
                json_format.MessageToDict(request.replacement_trigger)
                if request.HasField("replacement_trigger")
                else None
            ),
            delete_before_replace=request.deleteBeforeReplace,
        )
        return response


@contextmanager
def _recording_monitor() -> Iterator[None]:
    # set_mocks builds its monitor from this module attribute; swap in ours for the run.
    with mock.patch.object(pulumi_mocks, "MockMonitor", RecordingMonitor):
        yield


@dataclass
class StackRun:
    outputs: dict[str, Any]
    secret: dict[str, bool]
    mocks: RecordingMocks


def run_stack(
    config: dict[str, Any],
    stack: str = "test",
    mocks: RecordingMocks | None = None,
    program: Path = PROJECT_DIR / "__main__.py",
    preview: bool = False,
    secret_keys: Iterable[str] = (),
) -> StackRun:
    """Run the program with ``config`` (namespaced keys, as in a stack file) under recording mocks;
    ``secret_keys`` were set with ``--secret``."""
    mocks = mocks or RecordingMocks()
    with _recording_monitor():
        outputs, secret = run_program(
            mocks, config, stack=stack, preview=preview, program=program, secret_keys=secret_keys
        )
    return StackRun(outputs, secret, mocks)


def run_stack_file(stack: str) -> StackRun:
    """The program with a stack file's config. The ``local`` stack's scheduled sync gets its API
    tokens and emulator URL as the main job gives them (``local_run.deploy_inputs``)."""
    from localdev.local_run import deploy_inputs, local_apps

    config = load_stack_config(stack)
    if stack == "local":
        config, secret_keys = deploy_inputs(config, local_apps(config, "mocks"), "http://127.0.0.1:9/v1")
        return run_stack(config, stack=stack, secret_keys=secret_keys)
    return run_stack(config, stack=stack)


def run_component(build: Callable[[], T], mocks: RecordingMocks, stack: str = "test") -> T:
    """Call ``build`` (which constructs resources) under ``mocks``; wait until all are registered.

    A run that failed (an Output's check raising, say) leaves its Outputs in Pulumi's global list,
    which ``wait_for_rpcs`` awaits (and re-raises): start from an empty one, as ``pulumi.runtime.test``
    does.
    """
    pulumi_settings.SETTINGS.outputs.clear()
    pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_all_config({})
    with _recording_monitor():
        pulumi.runtime.set_mocks(mocks, project=PROJECT_NAME, stack=stack, preview=False)
    result = build()
    asyncio.get_event_loop().run_until_complete(wait_for_rpcs())
    return result


def resolve(output: Any) -> Any:
    """The plain value of an Output (after ``run_component``)."""
    return asyncio.get_event_loop().run_until_complete(output.future())


def registration_snapshot(mocks: RecordingMocks, secrets: bool = True) -> dict[str, Any]:
    """Per resource: inputs, protection, parent, dependencies and (with ``secrets``) which inputs were
    secret, with the values the mocks made up (generated names, key ids) replaced by what they
    stand for: two runs compare equal whatever order their resources registered in."""
    made_up: dict[str, str] = {}
    for record in mocks.custom:
        for key in ("bucket", "keyId", "name"):
            if record.typ in (BUCKET, KMS_KEY, IAM_USER, IAM_ROLE) and key in record.state:
                made_up[str(record.state[key])] = f"<{record.name}.{key}>"
    text = json.dumps(
        {
            f"{r.typ} {r.name}": [
                r.inputs,
                r.protect,
                r.parent,
                sorted(r.dependencies),
                *([sorted(mocks.secret_input_names(r))] if secrets else []),
            ]
            for r in mocks.registered
        },
        sort_keys=True,
        default=lambda value: (
            f"<{type(value).__name__} {getattr(value, 'path', '')}>"
        ),  # the Lambda's archive
    )
    for value, placeholder in sorted(made_up.items(), key=lambda item: -len(item[0])):
        text = text.replace(value, placeholder)
    snapshot: dict[str, Any] = json.loads(text)
    return snapshot


def is_secret(output: pulumi.Output[Any]) -> bool:
    return bool(asyncio.get_event_loop().run_until_complete(output.is_secret()))


# -- Evaluating the policies the mocks received -------------------------------------------------------
# moto's IAM evaluator decides action and resource matching and StringEquals conditions. It treats
# every other condition operator as met, which would make each conditional Deny of the bucket policy
# deny everything; ``conditions_met`` adds exactly the operators our policies use, with AWS's rules for
# absent keys, so "no TLS is denied" and "TLS with our key is not" can both be shown.
ALLOW, DENY, NEUTRAL = "allow", "deny", "neutral"


def identity_decision(
    policy: str | dict[str, Any], action: str, resource: str, context: dict[str, str] | None = None
) -> str:
    """An identity policy's verdict (moto's evaluator). Pass every StringEquals key in ``context``:
    moto counts an absent key as met, and an Allow whose StringEquals is unmet as an explicit deny."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    document = policy if isinstance(policy, str) else json.dumps(policy)
    result = IAMPolicy(document).is_action_permitted(
        action, resource, incoming_condition_values=context or {}
    )
    return {PermissionResult.PERMITTED: ALLOW, PermissionResult.DENIED: DENY}.get(result, NEUTRAL)


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def conditions_met(conditions: dict[str, dict[str, Any]], context: dict[str, str]) -> bool:
    """AWS semantics for the operators our policies use; an unknown operator fails the test run."""
    for operator, entries in conditions.items():
        for key, expected in entries.items():
            values, present = _as_list(expected), key in context
            actual = context.get(key, "")
            if operator == "StringEquals":
                met = present and actual in values
            elif operator in ("StringNotEquals", "StringNotEqualsIfExists"):
                # A negated operator is true when the key is absent, IfExists or not.
                met = not present or actual not in values
            elif operator == "StringLike":  # * and ? wildcards, case-sensitive
                met = present and any(fnmatch.fnmatchcase(actual, v) for v in values)
            elif operator == "Bool":
                met = present and actual.lower() in [v.lower() for v in values]
            elif operator == "NumericLessThan":
                met = present and any(float(actual) < float(v) for v in values)
            elif operator == "Null":  # "true": the key must be absent; "false": present
                met = (not present) if values[0] == "true" else present
            else:
                raise AssertionError(f"the test evaluator does not know condition operator {operator}")
            if not met:
                return False
    return True


def _principal_matches(principal: Any, principal_arn: str) -> bool:
    if principal == "*":
        return True
    account = principal_arn.split(":")[4]
    for value in _as_list(principal.get("AWS", [])):
        # An account-root principal stands for every principal of that account (delegation to IAM).
        if value in ("*", principal_arn) or value == f"arn:{PARTITION}:iam::{account}:root":
            return True
    return False


def resource_policy_decision(
    policy: str | dict[str, Any],
    action: str,
    resource: str,
    principal_arn: str | None,
    context: dict[str, str],
) -> str:
    """A bucket or key policy's verdict for one request: deny wins, else allow, else neutral. With
    ``principal_arn`` None, an identity policy's (``conditional_identity_decision``)."""
    from moto.iam.access_control import IAMPolicyStatement, PermissionResult

    document = json.loads(policy) if isinstance(policy, str) else policy
    verdict = NEUTRAL
    for statement in document["Statement"]:
        bare = {k: v for k, v in statement.items() if k not in ("Condition", "Principal")}
        if IAMPolicyStatement(bare).is_action_permitted(action, resource) == PermissionResult.NEUTRAL:
            continue  # action or resource does not match
        if principal_arn is not None and not _principal_matches(statement["Principal"], principal_arn):
            continue
        if not conditions_met(statement.get("Condition", {}), context):
            continue
        if statement["Effect"] == "Deny":
            return DENY
        verdict = ALLOW
    return verdict


def conditional_identity_decision(
    policy: str | dict[str, Any], action: str, resource: str, context: dict[str, str] | None = None
) -> str:
    """An identity policy's verdict with AWS's condition semantics: moto's statement matcher for
    action and resource, ``conditions_met`` for conditions. Needed where two Allows of one action
    differ only in a condition (moto would turn the unmet one into an explicit deny)."""
    return resource_policy_decision(policy, action, resource, None, context or {})


def same_account_s3_decision(
    identity_policy: str | dict[str, Any],
    bucket_policy: str | dict[str, Any],
    action: str,
    resource: str,
    principal_arn: str,
    context: dict[str, str],
) -> str:
    """Same-account S3 access: an explicit deny anywhere wins; the bucket policy's root-principal
    statements only delegate to IAM, so the identity policy must allow."""
    if resource_policy_decision(bucket_policy, action, resource, principal_arn, context) == DENY:
        return DENY
    identity_context = {k: v for k, v in context.items() if k.startswith("kms:")}
    return identity_decision(identity_policy, action, resource, identity_context)


def same_account_kms_decision(
    identity_policy: str | dict[str, Any],
    key_policy: str | dict[str, Any],
    action: str,
    key_arn: str,
    principal_arn: str,
    context: dict[str, str],
) -> str:
    """Same-account KMS access: an explicit deny in the key policy wins; the key policy must allow
    (our Allows all name the account root, i.e. delegate to IAM), and then the identity policy
    decides. ``aws:PrincipalArn`` is always in a real request's context, so it is added here."""
    context = {"aws:PrincipalArn": principal_arn, **context}
    key_verdict = resource_policy_decision(key_policy, action, key_arn, principal_arn, context)
    if key_verdict != ALLOW:
        return key_verdict  # DENY, or NEUTRAL: without a key-policy grant IAM cannot grant either
    identity_context = {k: v for k, v in context.items() if k.startswith("kms:")}
    return identity_decision(identity_policy, action, key_arn, identity_context)
