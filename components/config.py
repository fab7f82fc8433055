"""Pure parsing of the stack config (namespace ``sendbird-recordings``) into RecordingStorageArgs.

Stack-wide settings apply to every application; an application may override any of them
(``retention`` and ``tags`` merge key by key, everything else replaces, ``object_lock`` whole).
Unknown keys are errors, so a typo such as ``expiraton_days`` fails preview instead of silently
keeping a default.

The argument types check every value themselves (``storage/args.py``, ``sync/args.py``); this module
only shapes the config into them. When a construction fails, the error is relocated to the config key
the value came from: ``applications[1].bucket_name`` for an application's own key, the stack-wide
key (``retention.transition_days``) for an inherited one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sendbird_copy.errors import Input, InputError
from sendbird_copy.facts import CONFIG_NAMESPACE
from sendbird_copy.rules import check_bool

from .storage.args import RecordingStorageArgs, Retention, UploadRole
from .storage.options.inventory import Inventory
from .storage.options.object_lock import ObjectLock
from .storage.options.replication import Replication
from .sync.args import PLAIN_SETTINGS, check_api_token, check_arns, check_settings

# Settings allowed stack-wide and per application.
SHARED_KEYS = (
    "force_destroy",
    "protect",
    "retention",
    "kms_deletion_window_days",
    "kms_key_arn",
    "tags",
    "upload_role",
    "recording_events",
    "access_logs",
    "access_log_bucket",
    "access_log_days",
    "copy_key_rotation_days",
    "replication",
    "recording_event_target_arn",
    "inventory",
    "object_lock",
)
# The scheduled sync (RecordingSync): a ``sync`` block stack-wide or per application (merged key by
# key) turns it on; ``enabled: false`` turns it off for one application. The API tokens are one
# secret object keyed by app id, unless a block names an existing secret.
SYNC_KEY = "sync"
SYNC_KEYS = ("enabled", *PLAIN_SETTINGS, "alarm_topic_arn", "api_token_secret_arn", "dashboard")
API_TOKENS_KEY = "sendbird_api_tokens"
STACK_KEYS = ("applications", *SHARED_KEYS, SYNC_KEY, API_TOKENS_KEY)
APPLICATION_ONLY_KEYS = ("app_id", "region", "bucket_name")
APPLICATION_KEYS = (*APPLICATION_ONLY_KEYS, *SHARED_KEYS, SYNC_KEY)
RETENTION_KEYS = tuple(Retention.__dataclass_fields__)
UPLOAD_ROLE_KEYS = tuple(UploadRole.__dataclass_fields__)
REPLICATION_KEYS = tuple(Replication.__dataclass_fields__)
INVENTORY_KEYS = tuple(Inventory.__dataclass_fields__)
OBJECT_LOCK_KEYS = tuple(ObjectLock.__dataclass_fields__)
# Shared settings that replace the stack-wide value (the other three are merged or typed).
_REPLACED_KEYS = (
    "force_destroy",
    "protect",
    "kms_deletion_window_days",
    "kms_key_arn",
    "recording_events",
    "access_logs",
    "access_log_bucket",
    "access_log_days",
    "copy_key_rotation_days",
    "recording_event_target_arn",
    "inventory",
)

# Stack-wide settings checked against each application (its region, access logs or events): an
# error in one names the application that uses it.
_PER_APPLICATION_CHECKED = ("kms_key_arn", "recording_event_target_arn")
_PER_APPLICATION_BLOCKS = ("replication.", "inventory.")


def resource_name(app_id: str) -> str:
    """The RecordingStorage name ``__main__`` gives an application: its id, lowercased. A UUID (36
    characters) keeps every generated AWS name as it always was; a longer id (up to 59) gets shortened
    IAM names ending in a hash (``components.naming``), each within AWS's limit."""
    return app_id.lower()


def _check_keys(obj: Any, allowed: tuple[str, ...], input_name: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise InputError(Input(input_name), f" {obj!r} is not an object. Allowed keys: {', '.join(allowed)}")
    unknown = sorted(str(k) for k in obj if k not in allowed)
    if unknown:
        raise InputError(
            Input(input_name),
            f" has unknown key(s) {', '.join(unknown)}. Allowed keys: {', '.join(allowed)}",
        )
    return obj


def _upload_role(value: Any) -> UploadRole:
    """An UploadRole from its config object; errors name ``upload_role.*`` (relocate them)."""
    fields = _check_keys(value, UPLOAD_ROLE_KEYS, "upload_role")
    missing = [k for k in UPLOAD_ROLE_KEYS if not fields.get(k)]
    if missing:
        raise InputError(
            Input(f"upload_role.{missing[0]}"),
            " is missing: sendbird_principal and external_id are required together (Sendbird's AWS "
            "account id or principal ARN, and the external id it sends)",
        )
    return UploadRole(**fields)


def _replication(value: Any) -> Replication | None:
    """A Replication from its config object (null: none); errors name ``replication.*``. Replaced,
    never merged: an application's block is its whole replication."""
    if value is None:
        return None
    fields = _check_keys(value, REPLICATION_KEYS, "replication")
    if fields.get("region") is None:
        raise InputError(
            Input("replication.region"),
            " is missing: the replica's region (an AWS region code or Sendbird region key, other than "
            "the bucket's)",
        )
    return Replication(**fields)


def _object_lock(value: Any) -> ObjectLock | None:
    """An ObjectLock from its config object (None: off); errors name ``object_lock.*``. A missing
    mode is passed on as None for the type to refuse by name."""
    if value is None:
        return None
    fields = _check_keys(value, OBJECT_LOCK_KEYS, "object_lock")
    return ObjectLock(fields.get("mode"), fields.get("days"), fields.get("years"))  # type: ignore[arg-type]


class _Stack:
    """The stack-wide settings. Retention and the upload role are built here once, under their
    stack-wide keys; the other values are checked where an application uses them."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.retention_fields = dict(_check_keys(raw.get("retention", {}), RETENTION_KEYS, "retention"))
        self.retention = Retention(**self.retention_fields)
        upload = raw.get("upload_role")
        self.upload_role = None if upload is None else _upload_role(upload)
        self.replication = _replication(raw.get("replication"))


class _Application:
    """One application's config over the stack's: its values, and where each came from."""

    def __init__(self, app: Mapping[str, Any], index: int, stack: _Stack) -> None:
        self.app, self.stack, self.where = app, stack, f"applications[{index}]."

    def _set_here(self, name: str) -> bool:
        """Whether the input ``name`` (``tags.team``) has its value from this application's own keys."""
        head, _, rest = name.partition(".")
        if head in APPLICATION_ONLY_KEYS:
            return True
        if head not in self.app:
            return False
        if head != "tags":
            return True
        stack_tags, own_tags = self.stack.raw.get("tags", {}), self.app["tags"]
        if not isinstance(stack_tags, Mapping):
            return False  # the stack-wide value could not be merged
        return not rest or (isinstance(own_tags, Mapping) and rest in own_tags)

    def label(self, name: str) -> str:
        """The config key of the input ``name``, for an error message."""
        if self._set_here(name):
            return self.where + name
        # Checked against this application's region or its other settings: say which application.
        if name in _PER_APPLICATION_CHECKED or name.startswith(_PER_APPLICATION_BLOCKS):
            return f"{name} (stack-wide, used by {self.where}app_id {self.app.get('app_id')})"
        return name

    def _tags(self) -> Any:
        """Merged key by key; a value that is no mapping is passed on for the type to refuse."""
        stack_tags, own_tags = self.stack.raw.get("tags", {}), self.app.get("tags", {})
        if isinstance(stack_tags, Mapping) and isinstance(own_tags, Mapping):
            return {**stack_tags, **own_tags}
        return own_tags if isinstance(stack_tags, Mapping) else stack_tags

    def _retention(self) -> Retention:
        if "retention" not in self.app:
            return self.stack.retention
        own = _check_keys(self.app["retention"], RETENTION_KEYS, "retention")
        return Retention(**{**self.stack.retention_fields, **own})

    def _upload_role(self) -> UploadRole | None:
        if "upload_role" not in self.app:
            return self.stack.upload_role
        value = self.app["upload_role"]
        return None if value is None else _upload_role(value)

    def _replication(self) -> Replication | None:
        if "replication" not in self.app:
            return self.stack.replication
        return _replication(self.app["replication"])

    def _object_lock(self) -> ObjectLock | None:
        """Replaced whole, not merged: a retention is one decision (mode with its period)."""
        return _object_lock(
            self.app["object_lock"] if "object_lock" in self.app else self.stack.raw.get("object_lock")
        )

    def args(self) -> RecordingStorageArgs:
        # Config values may have any type: the argument types check them (None: "is missing").
        values: dict[str, Any] = {
            "app_id": self.app.get("app_id"),
            "region": self.app.get("region"),
            "bucket_name": self.app.get("bucket_name"),
            **{key: self.stack.raw[key] for key in _REPLACED_KEYS if key in self.stack.raw},
            **{key: self.app[key] for key in _REPLACED_KEYS if key in self.app},
        }
        try:
            if isinstance(values.get("inventory"), Mapping):  # replaced whole, never merged
                values["inventory"] = Inventory(
                    **_check_keys(values["inventory"], INVENTORY_KEYS, "inventory")
                )
            return RecordingStorageArgs(
                retention=self._retention(),
                tags=self._tags(),
                upload_role=self._upload_role(),
                replication=self._replication(),
                object_lock=self._object_lock(),
                **values,
            )
        except InputError as err:
            raise err.relocated(self.label) from None


def parse_stack_config(raw: Mapping[str, Any]) -> list[RecordingStorageArgs]:
    """All applications of a stack, fully validated, or InputError naming the offending key."""
    _check_keys(raw, STACK_KEYS, f"config namespace '{CONFIG_NAMESPACE}'")
    applications = raw.get("applications")
    if not isinstance(applications, list) or not applications:
        raise InputError(
            f"applications is missing or empty (got {applications!r}). Allowed: a list of objects, each "
            f"with app_id and region, e.g. [{{app_id: <Sendbird app id>, region: ap-2}}]"
        )
    stack = _Stack(raw)
    parsed = [
        _Application(_check_keys(app, APPLICATION_KEYS, f"applications[{i}]"), i, stack).args()
        for i, app in enumerate(applications)
    ]

    seen_ids: dict[str, int] = {}
    seen_buckets: dict[str, int] = {}
    for i, args in enumerate(parsed):
        # Case-insensitive: the id is a host name, and the resource names derive from it lowercased.
        first = seen_ids.setdefault(args.app_id.lower(), i)
        if first != i:
            raise InputError(
                f"applications[{i}].app_id '{args.app_id}' duplicates applications[{first}].app_id. "
                f"Allowed: each Sendbird application once per stack"
            )
        if isinstance(args.bucket_name, str):  # config values are plain
            first = seen_buckets.setdefault(args.bucket_name, i)
            if first != i:
                raise InputError(
                    f"applications[{i}].bucket_name '{args.bucket_name}' is also applications[{first}]"
                    f".bucket_name. Allowed: one bucket per application (bucket names are global)"
                )
    _check_replica_names(parsed)
    return parsed


def _check_replica_names(parsed: list[RecordingStorageArgs]) -> None:
    """A replica's fixed name is used once in the stack, and is no recordings bucket's (bucket names
    are global: a stack-wide ``replication.bucket_name`` cannot serve two applications)."""
    sources = {args.bucket_name: i for i, args in enumerate(parsed) if isinstance(args.bucket_name, str)}
    seen: dict[str, int] = {}
    for i, args in enumerate(parsed):
        name = args.replication.bucket_name if args.replication is not None else None
        if not isinstance(name, str):
            continue
        first = seen.setdefault(name, i)
        clash = f"applications[{first}]'s replica" if first != i else None
        if name in sources and sources[name] != i:
            clash = f"applications[{sources[name]}].bucket_name"
        if clash is not None:
            raise InputError(
                f"replication.bucket_name '{name}' of applications[{i}] is also {clash}. Allowed: one "
                "replica bucket per application, named like no other bucket (bucket names are global)"
            )


@dataclass(frozen=True)
class SyncConfig:
    """One application's scheduled-sync settings from the stack config: RecordingSyncArgs keyword
    values (all checked), with the API token (plain here: the program makes it a secret) or the ARN
    of an existing secret."""

    settings: dict[str, Any]
    api_token: str | None


def _token_fix(app_id: str) -> str:
    return f"pulumi config set --secret --path '{API_TOKENS_KEY}[\"{app_id}\"]' <token>"


def parse_sync_config(
    raw: Mapping[str, Any], applications: list[RecordingStorageArgs], tokens_are_secret: bool
) -> dict[str, SyncConfig]:
    """The applications whose sync is on, keyed by app id; InputError naming the config key.

    Call after ``parse_stack_config`` (which checked the keys and the applications)."""
    stack_block = dict(_check_keys(raw.get(SYNC_KEY, {}), SYNC_KEYS, SYNC_KEY))
    tokens = raw.get(API_TOKENS_KEY, {})
    if API_TOKENS_KEY in raw and not tokens_are_secret:
        raise InputError(
            Input(API_TOKENS_KEY),
            " is stored in plain text. Allowed: a secret (pulumi config set --secret --path ...), so the "
            "tokens are encrypted in the stack's config and state",
        )
    if not isinstance(tokens, Mapping):
        raise InputError(Input(API_TOKENS_KEY), " is not an object. Allowed: an object keyed by app id")
    configs: dict[str, SyncConfig] = {}
    for index, (app, args) in enumerate(zip(raw["applications"], applications, strict=True)):
        own = app.get(SYNC_KEY)
        where = f"applications[{index}].{SYNC_KEY}."
        block = {**stack_block, **_check_keys(own, SYNC_KEYS, where[:-1])} if own is not None else stack_block
        if (SYNC_KEY not in raw and own is None) or not block.get("enabled", True):
            continue

        def label(name: str, own: Any = own, where: str = where) -> str:
            return f"{where}{name}" if isinstance(own, Mapping) and name in own else f"{SYNC_KEY}.{name}"

        settings = {k: v for k, v in block.items() if k != "enabled"}
        try:
            check_bool("enabled", block.get("enabled", True))
            settings.update(check_settings(settings))
            check_arns(settings, args.aws_region)
        except InputError as err:
            raise err.relocated(label) from None
        token = None
        if settings.get("api_token_secret_arn") is None:
            token = tokens.get(args.app_id)
            if isinstance(token, str) and token.strip():
                check_api_token(f"{API_TOKENS_KEY}.{args.app_id}", token)
            else:
                raise InputError(
                    Input(f"{API_TOKENS_KEY}.{args.app_id}"),
                    f" is missing: the sync of {where[: -len(SYNC_KEY) - 2]} needs the application's API "
                    f"token. Allowed: {_token_fix(args.app_id)}, or sync.api_token_secret_arn (an existing "
                    "secret)",
                )
        configs[args.app_id] = SyncConfig(settings, token)
    return configs
