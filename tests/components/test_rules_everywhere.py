"""One table: each outside value through every entry point that takes it, with the same verdict and
the same words after the input's name (``sendbird_copy.rules`` is the one home of every rule).

Entry points, each the real one: the components' args, built under the Pulumi mocks (RecordingStorage,
and RecordingSync on it); the stack config, through the program (``__main__.py``) under the mocks;
the CLI flag, through click's CliRunner; the scheduled function's environment, through its reader
(``FunctionConfig.from_environ``). A flag and a variable carry text ("15"), a component and the config
a number (15): the rules read both, and show the number alike.

Drifts this table proves fixed: warn_days (0 refused by the component, 14 accepted by the CLI and the
function), a bucket name with dots (accepted by the function), a secret ARN without Secrets Manager's
suffix and a KMS key or secret in another region (accepted by the function), plain http to a remote
API (accepted by the function), an application id's rule (the function's was its own copy).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from click.testing import CliRunner

from components import RecordingStorage, RecordingStorageArgs, RecordingSync, RecordingSyncArgs
from localdev.program_runner import ProgramError
from sendbird_copy import facts
from sendbird_copy.cli.commands import cli
from sendbird_copy.errors import InputError
from sendbird_copy.facts import CONFIG_NAMESPACE as NAMESPACE
from sendbird_copy.outputs import parse_stack_outputs
from sendbird_copy.sync.function.handler import FunctionConfig, env_input
from tests.components.pulumi_mocks import ACCOUNT_ID, RecordingMocks, run_component, run_stack

APP_ID = "9F1C2B7E-4D3A-4C8B-A1E6-3B5D7F9A0C2E"
SENDBIRD_REGION, REGION = "ap-1", "ap-northeast-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"
SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:sendbird/token-Ab12Cd"
TOKEN = "sendbird-api-token-0123456789abcdef"
GOOD_ENV = {
    facts.ENV_APP_ID: APP_ID,
    facts.ENV_BUCKET_NAME: "recordings-bucket",
    facts.ENV_KMS_KEY_ARN: KEY,
    facts.ENV_API_TOKEN_SECRET_ARN: SECRET,
    facts.ENV_COPY_KEY_SECRET_ARN: SECRET.replace("token", "copy-key"),
    facts.ENV_REGION: REGION,
}
CLI_REACHED = "every option was accepted"

# A verdict: None (accepted) or the words after the input's name.
Verdict = str | None


def _problem(message: str, name: str) -> str:
    assert name in message, f"{name!r} not named in {message!r}"
    return message.split(name, 1)[1]


# -- the entry points: (input, value) -> verdict -------------------------------------------------------
def component(field: str, value: Any) -> Verdict:
    """RecordingStorage(args) and RecordingSync(storage=it) under the mocks; ``field`` is an argument
    of RecordingStorageArgs or of RecordingSyncArgs."""
    storage_fields = set(RecordingStorageArgs.__dataclass_fields__)

    def build() -> None:
        storage_values: dict[str, Any] = {"app_id": APP_ID, "region": SENDBIRD_REGION}
        sync_values: dict[str, Any] = {"api_token": pulumi.Output.secret(TOKEN)}
        if field == "api_token_secret_arn":
            sync_values = {}
        (storage_values if field in storage_fields else sync_values)[field] = value
        storage = RecordingStorage("recordings", RecordingStorageArgs(**storage_values))
        RecordingSync("recordings", RecordingSyncArgs(storage=storage, **sync_values))

    try:
        run_component(build, RecordingMocks())
    except InputError as err:
        return _problem(str(err), field)
    return None


def stack_config(key: str, value: Any) -> Verdict:
    """The program under the mocks with one application (and a sync block); ``key`` is an
    application's key, or ``sync.<key>`` of the stack-wide sync block."""
    app: dict[str, Any] = {"app_id": APP_ID, "region": SENDBIRD_REGION}
    sync: dict[str, Any] = {}
    tokens = {APP_ID: TOKEN}
    if key.startswith("sync."):
        sync[key.removeprefix("sync.")] = value
        name = key
    else:
        app[key] = value
        name = f"applications[0].{key}"
    if "api_token_secret_arn" in sync:
        tokens = {}
    config = {
        f"{NAMESPACE}:applications": [app],
        f"{NAMESPACE}:sync": sync,
        f"{NAMESPACE}:sendbird_api_tokens": tokens,
    }
    try:
        run_stack(config, secret_keys=[f"{NAMESPACE}:sendbird_api_tokens"])
    except ProgramError as err:
        return _problem(str(err), name)
    return None


def cli_flag(flag: str, text: str) -> Verdict:
    """``sendbird-copy sync <flag> <text>``; a factory that stops the run once the options passed."""

    def stop(_common: Any) -> Any:
        raise InputError(CLI_REACHED)

    result = CliRunner().invoke(cli, ["sync", "--outputs", "-", flag, text], obj=stop)
    if isinstance(result.exception, InputError) and str(result.exception) == CLI_REACHED:
        return None  # the options parsed and the command asked for its factory
    assert result.exit_code == 2, result.output
    return " " + _problem(result.output, f"Invalid value for '{flag}': ").strip().splitlines()[0]


def environment(variable: str, text: str) -> Verdict:
    try:
        FunctionConfig.from_environ({**GOOD_ENV, variable: text})
    except InputError as err:
        return _problem(str(err), env_input(variable))
    return None


def stack_outputs(field: str, value: Any) -> Verdict:
    """The helper's reading of the stack outputs (``parse_stack_outputs``, what every command reads);
    ``field`` is a field of one application's entry."""
    entry = {
        "app_id": APP_ID, "region": REGION, "bucket_name": "recordings-bucket",
        "bucket_arn": "arn:aws:s3:::recordings-bucket", "kms_key_arn": KEY, "kms_alias": "alias/x",
        "copy_user_name": "user", "copy_access_key_id": "AKIAEXAMPLEEXAMPLE00", field: value,
    }  # fmt: skip
    key = entry["app_id"]
    document = {"applications": {key: entry}, "copy_secret_access_keys": {key: "s" * 40}}
    try:
        parse_stack_outputs(document)
    except InputError as err:
        return _problem(str(err), f"applications.{key}.{field}")
    return None


def _text(value: Any) -> str:
    return str(value)


# -- the table -------------------------------------------------------------------------------------
# Each input: how each entry point names it (None: the entry point does not take it), then values and
# whether the rules accept them.
INPUTS: dict[str, dict[str, Any]] = {
    "warn_days": {
        "names": {"component": "warn_days", "config": "sync.warn_days", "cli": "--warn-days",
                  "env": facts.ENV_WARN_DAYS},
        "accepted": [0, 3, 13.5],
        "refused": [14, 15, -1, "three", math.nan],
    },
    "event_margin_hours": {
        "names": {"component": "event_margin_hours", "config": "sync.event_margin_hours",
                  "cli": "--event-margin-hours", "env": facts.ENV_EVENT_MARGIN_HOURS},
        "accepted": [0, 24, 336],
        "refused": [-1, 337, "a day", math.nan],
    },
    "bucket_name": {
        "names": {"component": "bucket_name", "config": "bucket_name", "env": facts.ENV_BUCKET_NAME},
        "accepted": ["recordings-bucket"],
        "refused": ["recordings.bucket", "Recordings", "ab"],
    },
    "app_id": {
        "names": {"component": "app_id", "config": "app_id", "env": facts.ENV_APP_ID,
                  "outputs": "app_id"},
        "accepted": [APP_ID],
        # issue 19 item 8: a path and a Cyrillic lookalike (U+0410) were "not found" for check-region.
        "refused": ["app_1", "a.b", "app/../x", "\u0410PP-A"],
    },
    "kms_key_arn": {
        "names": {"component": "kms_key_arn", "config": "kms_key_arn", "env": facts.ENV_KMS_KEY_ARN},
        "accepted": [KEY],
        "refused": [KEY.replace(REGION, "us-east-1"), "alias/recordings"],
    },
    "api_token_secret_arn": {
        "names": {"component": "api_token_secret_arn", "config": "sync.api_token_secret_arn",
                  "env": facts.ENV_API_TOKEN_SECRET_ARN},
        "accepted": [SECRET],
        "refused": [SECRET.removesuffix("-Ab12Cd"), SECRET.replace(REGION, "eu-central-1"), KEY],
    },
    "sendbird_api_base_url": {
        "names": {"component": "sendbird_api_base_url", "config": "sync.sendbird_api_base_url",
                  "env": facts.ENV_API_BASE_URL, "cli": "--api-base-url"},
        "accepted": ["https://api.example.com/v1", "http://127.0.0.1:8080/v1", "http://localhost:9/v1"],
        # issue 19 item 7: a query or fragment; the CLI took any http(s) URL (rules.check_url).
        "refused": ["http://api.example.com/v1", "https://user:pw@api.example.com/v1", "ftp://x",
                    "https://api.example.com/v1?x=1", "https://api.example.com/v1#f", "https://h/v1?"],
    },
    "tags": {
        "names": {"component": "tags", "config": "tags"},
        "accepted": [{"team": "rec-é: a/b=c+d@e_f.g"}, {"Cost Center": ""}],
        # issue 19 item 10: characters moto accepts and S3/IAM refuse.
        "refused": [{"team": "a#b"}, {"team": "x|y"}, {"bad#key": "v"}, {"team": "tab\there"}],
    },
    "schedule": {
        "names": {"component": "schedule", "config": "sync.schedule"},
        "accepted": ["rate(1 hour)", "cron(0 * * * ? *)"],
        "refused": ["rate(5 minutes)", "rate(2 days)", "hourly"],
    },
    "log_retention_days": {
        "names": {"component": "log_retention_days", "config": "sync.log_retention_days"},
        "accepted": [30],
        "refused": [31, 0],
    },
}  # fmt: skip

ENTRY_POINTS: dict[str, Callable[[str, Any], Verdict]] = {
    "component": component,
    "config": stack_config,
    "cli": lambda name, value: cli_flag(name, _text(value)),
    "env": lambda name, value: environment(name, _text(value)),
    "outputs": stack_outputs,
}
CASES = [
    pytest.param(name, value, verdict, id=f"{name}={value!r}")
    for name, spec in INPUTS.items()
    for verdict, values in (("accepted", spec["accepted"]), ("refused", spec["refused"]))
    for value in values
]


@pytest.mark.parametrize(("input_name", "value", "verdict"), CASES)
def test_every_entry_point_gives_the_same_verdict_and_the_same_words(
    input_name: str, value: Any, verdict: str
) -> None:
    verdicts: dict[str, Verdict] = {}
    for entry, name in INPUTS[input_name]["names"].items():
        if entry == "config" and isinstance(value, float) and not math.isfinite(value):
            continue  # JSON, the config's form, has no nan
        verdicts[entry] = ENTRY_POINTS[entry](name, value)
    if verdict == "accepted":
        assert all(v is None for v in verdicts.values()), verdicts
    else:
        words = set(verdicts.values())
        assert None not in words, verdicts
        assert len(words) == 1, verdicts  # the same message after the name, everywhere


def test_the_table_covers_each_entry_point_and_the_known_drifts() -> None:
    entries = {entry for spec in INPUTS.values() for entry in spec["names"]}
    assert entries == set(ENTRY_POINTS)
    assert 0 in INPUTS["warn_days"]["accepted"] and 14 in INPUTS["warn_days"]["refused"]
    assert "recordings.bucket" in INPUTS["bucket_name"]["refused"]
