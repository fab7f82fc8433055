"""The per-environment program: stack config -> one RecordingStorage per Sendbird application -> outputs.

The outputs follow ``sendbird_copy.stack_outputs`` (the smoke test's contract): ``applications``
(plain, keyed by app id) and ``copy_secret_access_keys`` (one secret).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components import InputError, RecordingStorage
from components.config import parse_stack_config, resource_name
from sendbird_copy.project import CONFIG_NAMESPACE
from sendbird_copy.stack_outputs import APPLICATIONS, SECRET_KEYS


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


def main() -> None:
    try:
        # Parse and validate every application before creating any resource.
        applications = parse_stack_config(namespace_config())
        storages = {args.app_id: RecordingStorage(resource_name(args.app_id), args) for args in applications}
    except InputError as err:
        # The Pulumi CLI prints a RunError as its message alone; any other exception as a traceback.
        raise pulumi.RunError(str(err)) from err

    pulumi.export(APPLICATIONS, {app_id: storage.public_outputs() for app_id, storage in storages.items()})
    pulumi.export(
        SECRET_KEYS,
        pulumi.Output.secret(
            {app_id: storage.copy_secret_access_key for app_id, storage in storages.items()}
        ),
    )


main()
