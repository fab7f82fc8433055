"""RecordingSync: the sync core on AWS's own scheduler, in the customer's account.

EventBridge Scheduler invokes a Lambda function (one run at a time) that runs ``sendbird-copy
sync`` for one application: every completed recording copied exactly once, before Sendbird deletes it.
Its configuration is names and ARNs; the API token and the copy key pair travel through Secrets
Manager (encrypted with the stack's KMS key). Its logs carry the sync's counts as CloudWatch embedded
metrics, and alarms watch them.
"""

# No ``from __future__ import annotations``: Pulumi's component analyzer (provider/) reads the output
# annotations at runtime.
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from sendbird_copy import facts
from sendbird_copy.facts import PROJECT_NAME

from ..context import StorageContext
from ..naming import (
    MAX_IAM_NAME,
    NOT_IN_FUNCTION_NAME,
    NOT_IN_IAM_NAME,
    NOT_IN_QUEUE_NAME,
    NOT_IN_SCHEDULE_NAME,
    autoname_or_shortened,
    log_group_name,
    secret_name_part,
)
from ..type_tokens import RECORDING_SYNC
from ..validation import check_component_call
from . import dashboard as dashboards
from . import policies as sync_policies
from .args import RecordingSyncArgs, ResolvedSync
from .function_archive import build_archive
from .monitoring import create_alarms, create_dashboard

MAX_FUNCTION_NAME = 64
MAX_SCHEDULE_NAME = 64
MAX_QUEUE_NAME = 80
# A failed delivery of the scheduler (throttled, function missing) is retried this often within an
# hour, then parked in the dead-letter queue (and its alarm fires).
SCHEDULER_RETRIES = 3
SCHEDULER_MAX_EVENT_AGE_SECONDS = 3600
# Dead letters are kept 14 days (SQS's maximum), long enough to be looked at after an alarm.
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600
# Where the function's code archive is built (named by its content hash; rebuilt only when it changes).
ARCHIVE_CACHE = Path(tempfile.gettempdir()) / f"{PROJECT_NAME}-function"
# The event each scheduled invocation carries (the handler ignores it beyond logging it).
SCHEDULED_EVENT_SOURCE = f"{PROJECT_NAME}.schedule"


@dataclass(frozen=True)
class SyncResources:
    """Every child resource of one RecordingSync (each with the component as its parent).

    ``api_token_secret`` and ``api_token_version`` are None with ``api_token_secret_arn`` (an existing
    secret). ``alarms`` maps ``errors``, ``at-risk``, ``lost``, ``not-running`` and ``dead-letters`` to
    their alarms.
    """

    api_token_secret: aws.secretsmanager.Secret | None
    api_token_version: aws.secretsmanager.SecretVersion | None
    copy_key_secret: aws.secretsmanager.Secret
    copy_key_version: aws.secretsmanager.SecretVersion
    log_group: aws.cloudwatch.LogGroup
    role: aws.iam.Role
    role_policy: aws.iam.RolePolicy
    function: aws.lambda_.Function
    invoke_config: aws.lambda_.FunctionEventInvokeConfig
    dead_letter_queue: aws.sqs.Queue
    scheduler_role: aws.iam.Role
    scheduler_policy: aws.iam.RolePolicy
    schedule: aws.scheduler.Schedule
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    # None with ``dashboard=False``.
    dashboard: aws.cloudwatch.Dashboard | None = None


def _secret(
    ctx: StorageContext,
    suffix: str,
    description: str,
    kms_key_arn: pulumi.Input[str],
    value: pulumi.Input[str],
) -> tuple[aws.secretsmanager.Secret, aws.secretsmanager.SecretVersion]:
    secret = aws.secretsmanager.Secret(
        ctx.child_name(suffix),
        # A prefix, so a re-created secret never waits for the old name's recovery window.
        name_prefix=(
            f"{PROJECT_NAME}/{pulumi.get_stack()}/"
            f"{secret_name_part(ctx.name, pulumi.get_project(), pulumi.get_stack())}/{suffix}-"
        ),
        description=description,
        kms_key_id=kms_key_arn,
        tags=ctx.tags,
        **ctx.regional(),
    )
    version = aws.secretsmanager.SecretVersion(
        ctx.child_name(f"{suffix}-value"),
        secret_id=secret.id,
        # secret_string, not the write-only secret_string_wo: Pulumi stores a write-only value in
        # state inputs as a secret all the same, and then shows no diff when it changes (pulumi.com
        # docs, "Write-only Fields"), so a new token or a rotated key would never reach the secret.
        secret_string=pulumi.Output.secret(value),
        **ctx.regional(additional_secret_outputs=["secretString"]),
    )
    return secret, version


def _copy_key_json(args: ResolvedSync) -> pulumi.Output[str]:
    return pulumi.Output.secret(
        pulumi.Output.all(args.storage.copy_access_key_id, args.storage.copy_secret_access_key).apply(
            lambda v: json.dumps({facts.COPY_KEY_ID_FIELD: v[0], facts.COPY_KEY_SECRET_FIELD: v[1]})
        )
    )


def _role(ctx: StorageContext, suffix: str, trust: pulumi.Input[str]) -> aws.iam.Role:
    name = _aws_name(ctx, suffix, MAX_IAM_NAME, NOT_IN_IAM_NAME)
    return aws.iam.Role(
        ctx.child_name(suffix),
        name=name,
        assume_role_policy=trust,
        path="/sendbird/",
        tags=ctx.tags,
        opts=ctx.opts(),
    )


def _function_policy(values: list[Any], region: str, object_lock: bool) -> dict[str, Any]:
    """The function role's policy from (bucket ARN, key ARN, token secret ARN, copy-key secret ARN,
    log group ARN, DNS suffix); with Object Lock, the sync may also retain each verified recording."""
    bucket_arn, kms_key_arn, token_arn, copy_arn, log_group_arn, dns_suffix = values
    policy = sync_policies.function_policy(
        bucket_arn=bucket_arn,
        kms_key_arn=kms_key_arn,
        secret_arns=[token_arn, copy_arn],
        log_group_arn=log_group_arn,
        region=region,
        dns_suffix=dns_suffix,
    )
    return sync_policies.with_retention(policy, bucket_arn=bucket_arn) if object_lock else policy


def _environment(args: ResolvedSync, token_secret_arn: pulumi.Input[str], copy_key_secret_arn: Any) -> Any:
    """Names and ARNs only (a test asserts it): the secrets are read from Secrets Manager at run time."""
    variables: dict[str, pulumi.Input[str]] = {
        facts.ENV_APP_ID: args.app_id,
        facts.ENV_BUCKET_NAME: args.storage.bucket_name,
        facts.ENV_KMS_KEY_ARN: args.storage.kms_key_arn,
        facts.ENV_API_TOKEN_SECRET_ARN: token_secret_arn,
        facts.ENV_COPY_KEY_SECRET_ARN: copy_key_secret_arn,
        facts.ENV_WARN_DAYS: str(args.warn_days),
        facts.ENV_EVENT_MARGIN_HOURS: str(args.event_margin_hours),
        facts.ENV_METRICS_NAMESPACE: facts.METRICS_NAMESPACE,
    }
    if args.sendbird_api_base_url is not None:
        variables[facts.ENV_API_BASE_URL] = args.sendbird_api_base_url
    if args.storage.object_lock_mode is not None and args.storage.object_lock_period is not None:
        variables[facts.ENV_OBJECT_LOCK_MODE] = args.storage.object_lock_mode
        variables[facts.ENV_OBJECT_LOCK_PERIOD] = args.storage.object_lock_period
    return aws.lambda_.FunctionEnvironmentArgs(variables=variables)


def _function(
    ctx: StorageContext,
    args: ResolvedSync,
    role: aws.iam.Role,
    environment: Any,
    log_group: aws.cloudwatch.LogGroup,
    after: list[pulumi.Resource],
) -> aws.lambda_.Function:
    """Created after its log group (so Lambda never creates one without retention), its role's
    policy and the secrets' values (so its first run can read them)."""
    archive = build_archive(ARCHIVE_CACHE)
    name = _aws_name(ctx, "sync", MAX_FUNCTION_NAME, NOT_IN_FUNCTION_NAME)
    return aws.lambda_.Function(
        ctx.child_name("sync"),
        name=name,
        description=f"Copies every completed recording of Sendbird application {args.app_id} to its bucket",
        role=role.arn,
        runtime=facts.RUNTIME,
        architectures=[facts.ARCHITECTURE],
        handler=facts.HANDLER,
        code=pulumi.FileArchive(str(archive.path)),
        # The provider compares this hash, so an unchanged package shows no diff (the archive is
        # built byte for byte the same from the same inputs).
        source_code_hash=archive.sha256_base64,
        timeout=facts.TIMEOUT_SECONDS,
        memory_size=facts.MEMORY_MB,
        reserved_concurrent_executions=facts.RESERVED_CONCURRENCY,
        environment=environment,
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=log_group.name),
        tags=ctx.tags,
        **ctx.regional(log_group, *after),
    )


def _create_children(ctx: StorageContext, args: ResolvedSync) -> SyncResources:
    token_secret = token_version = None
    if args.api_token is not None:
        token_secret, token_version = _secret(
            ctx,
            "api-token",
            f"Sendbird API token of application {args.app_id}",
            args.storage.kms_key_arn,
            args.api_token,
        )
        token_secret_arn: pulumi.Input[str] = token_secret.arn
    else:
        assert args.api_token_secret_arn is not None  # the args require one of the two
        token_secret_arn = args.api_token_secret_arn
    copy_secret, copy_version = _secret(
        ctx,
        "copy-key",
        f"Access key pair Sendbird copies the recordings of application {args.app_id} with",
        args.storage.kms_key_arn,
        _copy_key_json(args),
    )
    log_group = aws.cloudwatch.LogGroup(
        ctx.child_name("sync-logs"),
        name=log_group_name(pulumi.get_project(), pulumi.get_stack(), ctx.name),
        retention_in_days=args.log_retention_days,
        tags=ctx.tags,
        **ctx.regional(),
    )
    role = _role(ctx, "sync-role", json.dumps(sync_policies.function_trust_policy()))
    region = ctx.region
    object_lock = args.storage.object_lock_mode is not None  # the sync retains each verified copy
    role_policy = aws.iam.RolePolicy(
        f"{role.pulumi_resource_name}-policy",
        role=role.id,
        name=f"{PROJECT_NAME}-sync",
        policy=pulumi.Output.all(
            args.storage.bucket_arn,
            args.storage.kms_key_arn,
            token_secret_arn,
            copy_secret.arn,
            log_group.arn,
            ctx.dns_suffix,
        ).apply(lambda v: json.dumps(_function_policy(v, region, object_lock))),
        opts=ctx.opts(),
    )
    versions = [v for v in (token_version, copy_version) if v is not None]
    environment = _environment(args, token_secret_arn, copy_secret.arn)
    function = _function(ctx, args, role, environment, log_group, [role_policy, *versions])
    # Scheduler invokes asynchronously; Lambda's own two retries would overlap the next run. The next
    # scheduled run is the retry: it starts where the ledger left off.
    invoke_config = aws.lambda_.FunctionEventInvokeConfig(
        ctx.child_name("sync-invoke"),
        function_name=function.name,
        maximum_retry_attempts=0,
        maximum_event_age_in_seconds=SCHEDULER_MAX_EVENT_AGE_SECONDS,
        **ctx.regional(),
    )
    queue = aws.sqs.Queue(
        ctx.child_name("sync-dead-letters"),
        name=_aws_name(ctx, "sync-dead-letters", MAX_QUEUE_NAME, NOT_IN_QUEUE_NAME),
        sqs_managed_sse_enabled=True,
        message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
        tags=ctx.tags,
        **ctx.regional(),
    )
    scheduler_role = _role(
        ctx,
        "sync-scheduler-role",
        ctx.account_id.apply(
            lambda account: json.dumps(sync_policies.scheduler_trust_policy(account_id=account))
        ),
    )
    scheduler_policy = aws.iam.RolePolicy(
        f"{scheduler_role.pulumi_resource_name}-policy",
        role=scheduler_role.id,
        name=f"{PROJECT_NAME}-invoke-sync",
        policy=pulumi.Output.all(function.arn, queue.arn).apply(
            lambda v: json.dumps(
                sync_policies.scheduler_policy(function_arn=v[0], dead_letter_queue_arn=v[1])
            )
        ),
        opts=ctx.opts(),
    )
    schedule = aws.scheduler.Schedule(
        ctx.child_name("sync-schedule"),
        name=_aws_name(ctx, "sync-schedule", MAX_SCHEDULE_NAME, NOT_IN_SCHEDULE_NAME),
        description=f"Runs the recording sync of Sendbird application {args.app_id}",
        schedule_expression=args.schedule,
        schedule_expression_timezone="UTC",
        flexible_time_window=aws.scheduler.ScheduleFlexibleTimeWindowArgs(mode="OFF"),
        target=aws.scheduler.ScheduleTargetArgs(
            arn=function.arn,
            role_arn=scheduler_role.arn,
            input=json.dumps({"source": SCHEDULED_EVENT_SOURCE, "app_id": args.app_id}),
            retry_policy=aws.scheduler.ScheduleTargetRetryPolicyArgs(
                maximum_retry_attempts=SCHEDULER_RETRIES,
                maximum_event_age_in_seconds=SCHEDULER_MAX_EVENT_AGE_SECONDS,
            ),
            dead_letter_config=aws.scheduler.ScheduleTargetDeadLetterConfigArgs(arn=queue.arn),
        ),
        **ctx.regional(scheduler_policy, invoke_config),
    )
    alarms = create_alarms(ctx, args, function, queue)
    return SyncResources(
        api_token_secret=token_secret,
        api_token_version=token_version,
        copy_key_secret=copy_secret,
        copy_key_version=copy_version,
        log_group=log_group,
        role=role,
        role_policy=role_policy,
        function=function,
        invoke_config=invoke_config,
        dead_letter_queue=queue,
        scheduler_role=scheduler_role,
        scheduler_policy=scheduler_policy,
        schedule=schedule,
        alarms=alarms,
        dashboard=create_dashboard(ctx, args, function, queue, log_group, alarms) if args.dashboard else None,
    )


class RecordingSync(pulumi.ComponentResource):
    """The scheduled sync of one Sendbird application's recordings into its RecordingStorage.

    Outputs: ``function_name``, ``function_arn``, ``schedule_name``, ``log_group_name``,
    ``role_arn``, ``api_token_secret_arn``, ``copy_key_secret_arn``, ``dashboard_name`` and
    ``dashboard_url``; ``public_outputs()`` gives them as one entry of the ``scheduled_sync`` stack
    output. ``resources`` (a ``SyncResources``) holds every child, as RecordingStorage's
    ``resources`` does.
    """

    # The outputs, declared for the component package's schema (each docstring is its description).
    function_name: pulumi.Output[str]
    """The sync function's name (``aws lambda invoke --function-name`` runs it now)."""
    function_arn: pulumi.Output[str]
    """The sync function's ARN."""
    schedule_name: pulumi.Output[str]
    """The EventBridge Scheduler schedule that invokes the function."""
    log_group_name: pulumi.Output[str]
    """The function's log group: one summary line and one metrics line per run."""
    role_arn: pulumi.Output[str]
    """The function's role (reads its two secrets, lists the bucket, reads and writes the ledger)."""
    api_token_secret_arn: pulumi.Output[str]
    """The secret holding the Sendbird API token (created, or ``api_token_secret_arn``)."""
    copy_key_secret_arn: pulumi.Output[str]
    """The secret holding the copy key pair (JSON: access_key_id, secret_access_key)."""
    dashboard_name: pulumi.Output[str | None]
    """The CloudWatch dashboard of the sync, in the application's region (none with dashboard: false)."""
    dashboard_url: pulumi.Output[str | None]
    """The dashboard in the CloudWatch console (none with dashboard: false)."""

    def __init__(
        self, name: str, args: RecordingSyncArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        check_component_call("RecordingSync", name, args, RecordingSyncArgs)
        super().__init__(RECORDING_SYNC, name, None, opts)

        resolved = args.checked()  # the caller's args stay as passed
        ctx = StorageContext.of(self, name, resolved)
        children = _create_children(ctx, resolved)
        self.resources = children
        self.function_name = children.function.name
        self.function_arn = children.function.arn
        self.schedule_name = children.schedule.name
        self.log_group_name = children.log_group.name
        self.role_arn = children.role.arn
        existing_secret: Any = resolved.api_token_secret_arn  # set when no secret was created
        self.api_token_secret_arn = (
            children.api_token_secret.arn
            if children.api_token_secret is not None
            else pulumi.Output.from_input(existing_secret)
        )
        self.copy_key_secret_arn = children.copy_key_secret.arn
        board = children.dashboard
        self.dashboard_name = pulumi.Output.from_input(board.dashboard_name if board else None)
        self.dashboard_url = self.dashboard_name.apply(
            lambda name: dashboards.dashboard_url(ctx.region, name) if name else None
        )
        self.register_outputs(self.public_outputs())

    def public_outputs(self) -> "dict[str, pulumi.Output[Any]]":
        """Every output (none is secret): one entry of the ``scheduled_sync`` stack output."""
        return {field: getattr(self, field) for field in SYNC_OUTPUT_FIELDS}


SYNC_OUTPUT_FIELDS = (
    "function_name",
    "function_arn",
    "schedule_name",
    "log_group_name",
    "role_arn",
    "api_token_secret_arn",
    "copy_key_secret_arn",
    "dashboard_name",
    "dashboard_url",
)


def _aws_name(ctx: StorageContext, suffix: str, limit: int, not_allowed: re.Pattern[str]) -> str | None:
    """The AWS name of the child ``suffix``: None (Pulumi autonames it) when AWS takes that, else
    cleaned to fit ``limit`` and AWS's characters, with a stable hash (``autoname_or_shortened``)."""
    return autoname_or_shortened(
        ctx.child_name(suffix), limit, pulumi.get_project(), pulumi.get_stack(), not_allowed=not_allowed
    )
