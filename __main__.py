"""The per-environment program: stack config -> one RecordingStorage per Sendbird application -> outputs.

The outputs follow ``sendbird_copy.outputs`` (the smoke test's contract): ``applications``
(plain, keyed by app id) and ``copy_secret_access_keys`` (one secret).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components import (
    InputError,
    RecordingStorage,
    RecordingStorageArgs,
    RecordingSync,
    RecordingSyncArgs,
    UploadRole,
)
from components.config import API_TOKENS_KEY, SyncConfig, parse_stack_config, parse_sync_config, resource_name
from sendbird_copy.facts import CONFIG_NAMESPACE
from sendbird_copy.outputs import APPLICATIONS, SCHEDULED_SYNC, SECRET_KEYS


def _decode(raw: Any) -> Any:
    # The engine hands every config value over as a string; objects, numbers and booleans as JSON.
    if not isinstance(raw, str):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def namespace_config() -> dict[str, Any]:
    """Every ``sendbird-recordings:*`` key, so unknown (mistyped) keys can be rejected too.

    ``pulumi.Config`` cannot list its keys, so read the runtime's config map: what the language host
    passes (``PULUMI_CONFIG``) plus what was set in-process (mocks, ``set_all_config``). A key set in
    both the current and the legacy form is an error: silently keeping one would drop the other.
    """
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{CONFIG_NAMESPACE}:"
    values: dict[str, Any] = {}
    full_keys: dict[str, str] = {}
    for key in sorted(keys):
        if key.startswith(prefix):
            name = key[len(prefix) :].removeprefix("config:")  # the legacy "<ns>:config:<key>" form
            if name in full_keys:
                raise InputError(
                    f"config keys '{full_keys[name]}' and '{key}' are both set; they are the same "
                    f"setting '{name}'. Allowed: one of them (remove the other with pulumi config rm)"
                )
            full_keys[name] = key
            values[name] = _decode(runtime_config.get_config(key))
    return values


def _is_secret_setting(name: str) -> bool:
    """Whether the setting ``name`` (current or legacy key) was set as a secret (``--secret``)."""
    keys = (f"{CONFIG_NAMESPACE}:{name}", f"{CONFIG_NAMESPACE}:config:{name}")
    listed = set(runtime_config.get_config_secret_keys_env())
    return any(runtime_config.is_config_secret(key) or key in listed for key in keys)


def keep_secrets(applications: list[RecordingStorageArgs]) -> list[RecordingStorageArgs]:
    """The config above is read as plain text: an upload role's external id from a secret setting
    (``upload_role``, or ``applications`` holding one) becomes a secret Output again, so the role's
    trust policy stays secret in the state."""
    if not (_is_secret_setting("upload_role") or _is_secret_setting("applications")):
        return applications
    return [
        args
        if args.upload_role is None
        else dataclasses.replace(
            args,
            upload_role=UploadRole(
                args.upload_role.sendbird_principal, pulumi.Output.secret(args.upload_role.external_id)
            ),
        )
        for args in applications
    ]


def sync_args(
    storage_args: RecordingStorageArgs, storage: RecordingStorage, config: SyncConfig
) -> RecordingSyncArgs:
    """The scheduled sync of one application: the storage it syncs, its token and settings."""
    return RecordingSyncArgs(
        storage=storage,
        api_token=pulumi.Output.secret(config.api_token) if config.api_token is not None else None,
        tags=storage_args.tags,
        **config.settings,
    )


def main() -> None:
    try:
        # Parse and validate every application (and its sync) before creating any resource.
        raw = namespace_config()
        applications = keep_secrets(parse_stack_config(raw))
        syncs = parse_sync_config(raw, applications, tokens_are_secret=_is_secret_setting(API_TOKENS_KEY))
        storages = {args.app_id: RecordingStorage(resource_name(args.app_id), args) for args in applications}
        scheduled = {
            args.app_id: RecordingSync(
                resource_name(args.app_id), sync_args(args, storages[args.app_id], syncs[args.app_id])
            )
            for args in applications
            if args.app_id in syncs
        }
    except InputError as err:
        # The Pulumi CLI prints a RunError as its message alone; any other exception as a traceback.
        raise pulumi.RunError(str(err)) from err

    pulumi.export(APPLICATIONS, {app_id: storage.public_outputs() for app_id, storage in storages.items()})
    pulumi.export(SCHEDULED_SYNC, {app_id: sync.public_outputs() for app_id, sync in scheduled.items()})
    pulumi.export(
        SECRET_KEYS,
        pulumi.Output.secret(
            {app_id: storage.copy_secret_access_key for app_id, storage in storages.items()}
        ),
    )


main()
