"""The scheduled function's configuration: its environment (names and ARNs only, ``facts.ENV_*``),
each variable through the rule the component applies to the same value, and its two Secrets Manager
secrets read with the function's own role. Every message names the variable, never a value."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sendbird_copy import facts, rules
from sendbird_copy.errors import OptionError, ServiceError, describe
from sendbird_copy.rules import check_json_object, check_secret, has_control_characters

REQUIRED_ENV = (
    facts.ENV_APP_ID,
    facts.ENV_BUCKET_NAME,
    facts.ENV_KMS_KEY_ARN,
    facts.ENV_API_TOKEN_SECRET_ARN,
    facts.ENV_COPY_KEY_SECRET_ARN,
    facts.ENV_REGION,
)


class ScheduledSyncError(ServiceError):
    """The scheduled run did not do its job: raised so that Lambda counts an Error (see the module
    docstring for when). The message is redacted; the run's summary is in ``summary``."""

    def __init__(self, message: str, summary: dict[str, Any]) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class FunctionConfig:
    """The function's environment, checked: names and ARNs, never a secret."""

    app_id: str
    region: str
    bucket_name: str
    kms_key_arn: str
    api_token_secret_arn: str
    copy_key_secret_arn: str
    warn_days: float = rules.WARN_DAYS_DEFAULT
    event_margin_hours: float = rules.EVENT_MARGIN_HOURS_DEFAULT
    metrics_namespace: str = facts.METRICS_NAMESPACE
    api_base_url: str | None = None  # None: Sendbird's own (sendbird_facts.API_BASE_URL_TEMPLATE)
    # Object Lock (both or neither): each copied recording version retained (sync/retention.py).
    object_lock_mode: str | None = None
    object_lock_period: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> FunctionConfig:
        """Every variable through the rule the component applies to the same value
        (``sendbird_copy.rules``), so what the component accepts the function accepts too."""
        values = {name: environ.get(name, "").strip() for name in (*REQUIRED_ENV, *_OPTIONAL_ENV)}
        missing = [name for name in REQUIRED_ENV if not values[name]]
        if missing:
            raise OptionError(
                f"missing or empty environment variable: {', '.join(missing)}. The scheduled sync needs "
                f"{', '.join(REQUIRED_ENV)} (the RecordingSync component sets them; Lambda sets "
                f"{facts.ENV_REGION})"
            )
        for name, value in values.items():
            if has_control_characters(value):
                raise OptionError(f"environment variable {name} contains control characters")

        def checked(rule: Callable[..., Any], env: str, *more: Any) -> Any:
            return rule(env_input(env), values[env], *more)

        region = checked(rules.check_aws_region, facts.ENV_REGION)
        optional = {
            "warn_days": (rules.check_warn_days, facts.ENV_WARN_DAYS),
            "event_margin_hours": (rules.check_event_margin_hours, facts.ENV_EVENT_MARGIN_HOURS),
            "metrics_namespace": (rules.check_metrics_namespace, facts.ENV_METRICS_NAMESPACE),
            "api_base_url": (rules.check_base_url, facts.ENV_API_BASE_URL),
            "object_lock_mode": (rules.check_object_lock_mode, facts.ENV_OBJECT_LOCK_MODE),
            "object_lock_period": (_lock_period, facts.ENV_OBJECT_LOCK_PERIOD),
        }
        lock = (facts.ENV_OBJECT_LOCK_MODE, facts.ENV_OBJECT_LOCK_PERIOD)
        if bool(values[lock[0]]) != bool(values[lock[1]]):
            # Half a lock would retain nothing, or in an unknown mode, without a word.
            raise OptionError(
                f"environment variables {' and '.join(lock)} go together: one is set, the other "
                "missing or empty (the RecordingSync component sets both with object_lock, else neither)"
            )
        return cls(
            app_id=checked(rules.check_app_id, facts.ENV_APP_ID),
            region=region,
            bucket_name=checked(rules.check_bucket_name, facts.ENV_BUCKET_NAME),
            kms_key_arn=checked(rules.check_kms_key_arn, facts.ENV_KMS_KEY_ARN, region),
            api_token_secret_arn=checked(rules.check_secret_arn, facts.ENV_API_TOKEN_SECRET_ARN, region),
            copy_key_secret_arn=checked(rules.check_secret_arn, facts.ENV_COPY_KEY_SECRET_ARN, region),
            # An unset optional variable keeps the field's default.
            **{field: checked(rule, env) for field, (rule, env) in optional.items() if values[env]},
        )


def _lock_period(name: str, value: str) -> str:
    rules.check_object_lock_period(name, value)
    return value


def env_input(variable: str) -> str:
    """How the function's messages name an environment variable (the rules' ``name``)."""
    return f"environment variable {variable}"


_OPTIONAL_ENV = (
    facts.ENV_WARN_DAYS,
    facts.ENV_EVENT_MARGIN_HOURS,
    facts.ENV_METRICS_NAMESPACE,
    facts.ENV_API_BASE_URL,
    facts.ENV_OBJECT_LOCK_MODE,
    facts.ENV_OBJECT_LOCK_PERIOD,
)


# -- secrets -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FunctionSecrets:
    api_token: str = field(repr=False)
    copy_access_key_id: str
    copy_secret_access_key: str = field(repr=False)


def read_secrets(secretsmanager: Any, config: FunctionConfig) -> FunctionSecrets:
    """Both secrets, with the function's role; every message names the variable, never a value."""
    token_name = f"the secret named by {facts.ENV_API_TOKEN_SECRET_ARN}"
    token = rules.check_api_token(
        token_name, _secret_string(secretsmanager, config.api_token_secret_arn, token_name)
    )
    key_name = f"the secret named by {facts.ENV_COPY_KEY_SECRET_ARN}"
    text = _secret_string(secretsmanager, config.copy_key_secret_arn, key_name)
    shape = (
        f'{key_name} must be a JSON object {{"{facts.COPY_KEY_ID_FIELD}": ..., '
        f'"{facts.COPY_KEY_SECRET_FIELD}": ...}}'
    )
    data = check_json_object(
        text,
        f"{shape}; it is not JSON (not shown here)",
        f"{shape}; it is JSON of another shape (not shown here)",
    )
    fields_found = {}
    for name in (facts.COPY_KEY_ID_FIELD, facts.COPY_KEY_SECRET_FIELD):
        value = data.get(name)
        if not isinstance(value, str):
            raise OptionError(f"{shape}; field {name} is missing or not a string")
        fields_found[name] = check_secret(f"{key_name}, field {name}", value)
    return FunctionSecrets(
        api_token=token,
        copy_access_key_id=fields_found[facts.COPY_KEY_ID_FIELD],
        copy_secret_access_key=fields_found[facts.COPY_KEY_SECRET_FIELD],
    )


def _secret_string(secretsmanager: Any, arn: str, name: str) -> str:
    try:
        response = secretsmanager.get_secret_value(SecretId=arn)
    except ServiceError as exc:
        reason = with_permission_hint(describe(exc))
        raise ScheduledSyncError(f"cannot read {name} ({arn}): {reason}", {}) from None
    text = response.get("SecretString")
    if not isinstance(text, str):
        raise OptionError(f"{name} has no SecretString (a binary secret?); store it as text")
    return text


# The IAM action behind each AWS operation the function makes: a refusal names what the role lacks.
_ACTIONS = {
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "ListObjectsV2": "s3:ListBucket",
    "GetSecretValue": "secretsmanager:GetSecretValue",
    "PutObjectRetention": "s3:PutObjectRetention",
}
_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "KMS.AccessDeniedException")


def with_permission_hint(reason: str) -> str:
    """``reason`` plus, when it is an AWS refusal of an operation (``describe``'s "Op: Code ..."),
    the IAM permission the function's role lacks."""
    for operation, action in _ACTIONS.items():  # "Op: AccessDenied", wherever the reason says it
        if any(f"{operation}: {denied}" in reason for denied in _DENIED):
            return f"{reason} [the function's role lacks {action} here]"
    return reason
