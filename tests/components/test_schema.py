"""The component package's schema, generated offline from the code: it equals the committed
``provider/schema.json``, types, descriptions, required-ness and ``plain`` follow the Python args, the
secret output is marked secret, and the YAML example sets only what the schema allows."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import Inventory, RecordingStorageArgs, Retention, UploadRole
from components.sync.recording_sync import SYNC_OUTPUT_FIELDS
from components.type_tokens import RECORDING_STORAGE, RECORDING_SYNC
from provider.host import HOSTED
from provider.hosted_sync import RecordingSyncFields
from provider.schema import REGENERATE, SCHEMA_FILE, render
from sendbird_copy.outputs import OPTIONAL_FIELDS, PUBLIC_FIELDS, SECRET_FIELDS

PROJECT_DIR = Path(__file__).resolve().parents[2]
YAML_EXAMPLE = PROJECT_DIR / "examples" / "yaml" / "Pulumi.yaml"
TYPE_PREFIX = "#/types/sendbird-recordings:index:"

# What another language may pass as a Pulumi value (an Output): the schema's non-plain inputs. Every
# other input is plain: app_id and region (they shape the resource graph) and the component's own
# settings. Written out here, not derived, so a change of the analyzer or the args shows up.
NOT_PLAIN = {
    "RecordingStorage": {"bucketName", "kmsKeyArn", "accessLogBucket", "recordingEventTargetArn"},
    "Inventory": {"destinationBucket", "kmsKeyArn", "destinationAccountId"},
    "Retention": {
        "transitionDays",
        "expirationDays",
        "noncurrentExpirationDays",
        "abortIncompleteMultipartDays",
    },
    "UploadRole": {"sendbirdPrincipal", "externalId"},
    "RecordingSync": {
        "bucketName",
        "bucketArn",
        "kmsKeyArn",
        "copyAccessKeyId",
        "copySecretAccessKey",
        "apiToken",
        "apiTokenSecretArn",
        "alarmTopicArn",
    },
}
ARGS = {
    "RecordingStorage": RecordingStorageArgs,
    "Retention": Retention,
    "UploadRole": UploadRole,
    "Inventory": Inventory,
    # Other languages give the storage by its values (provider/hosted_sync.py says why).
    "RecordingSync": RecordingSyncFields,
}
JSON_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number"}
# Outputs: every AppOutputs field (the stack-output contract), and where the access logs go.
OUTPUTS = {*PUBLIC_FIELDS, *SECRET_FIELDS, "access_log_bucket"}
OPTIONAL_OUTPUTS = {*OPTIONAL_FIELDS, "access_log_bucket"}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The schema as ``python -m provider.schema`` generates it, in a fresh interpreter: the analyzer
    reads attribute docstrings with ``ast.parse`` and drops a description silently when that fails,
    as CPython 3.11's can in a busy process (``localdev.python_source`` says how): the command's own
    process is what users run."""
    code = "import json, sys; from provider.schema import schema; json.dump(schema(), sys.stdout)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    generated: dict[str, Any] = json.loads(done.stdout)
    return generated


@pytest.fixture(scope="module")
def resource(spec: dict[str, Any]) -> dict[str, Any]:
    resource: dict[str, Any] = spec["resources"][RECORDING_STORAGE]
    return resource


def _object(spec: dict[str, Any], name: str) -> tuple[dict[str, Any], list[str]]:
    """(properties, required) of a component's inputs or of a named type."""
    if name in ("RecordingStorage", "RecordingSync"):
        res = spec["resources"][f"sendbird-recordings:index:{name}"]
        return res["inputProperties"], res["requiredInputs"]
    typ = spec["types"][f"sendbird-recordings:index:{name}"]
    return typ["properties"], typ.get("required", [])


def test_the_committed_schema_is_the_generated_one(spec: dict[str, Any]) -> None:
    committed = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else "(missing)"
    assert committed == render(spec), f"{SCHEMA_FILE} is stale: regenerate it with `{REGENERATE}`"


def test_the_package_hosts_the_component_under_its_type_token(spec: dict[str, Any]) -> None:
    """The schema's token is the one the component registers with (components/type_tokens.py)."""
    assert spec["name"] == "sendbird-recordings"
    assert set(spec["resources"]) == {f"sendbird-recordings:index:{h.component.__name__}" for h in HOSTED}
    assert {RECORDING_STORAGE, RECORDING_SYNC} <= set(spec["resources"])
    assert all(resource["isComponent"] is True for resource in spec["resources"].values())
    assert {f"sendbird-recordings:index:{n}" for n in ("Retention", "UploadRole")} <= set(spec["types"])


@pytest.mark.parametrize("name", list(ARGS))
def test_every_input_follows_its_python_field(spec: dict[str, Any], name: str) -> None:
    """Type, description, required exactly when the field has no default, plain unless it takes an
    Input: for the component's args and each nested type."""
    properties, required = _object(spec, name)
    cls = ARGS[name]
    fields = {camel(f.name): f for f in dataclasses.fields(cls)}
    assert set(properties) == set(fields)
    hints = {f.name: f.type for f in dataclasses.fields(cls)}  # get_type_hints chokes on pulumi.Input
    for prop_name, prop in properties.items():
        f = fields[prop_name]
        assert prop["description"].strip() and prop["description"] == prop["description"].strip(), prop_name
        assert not re.search(r"\n\s", prop["description"]), f"{prop_name}: description keeps indentation"
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        assert (prop_name in required) is not has_default, prop_name
        assert prop.get("plain", False) is (prop_name not in NOT_PLAIN[name]), prop_name
        if "$ref" in prop:
            assert prop["$ref"] == TYPE_PREFIX + _dataclass_name(hints[f.name]), prop_name
        elif prop["type"] == "array":
            assert prop_name == "optionalFields" and prop["items"]["type"] == "string"  # Inventory's
        elif prop["type"] == "object":
            assert prop_name == "tags"  # keys plain, values strings that may be Outputs
            assert prop["additionalProperties"]["type"] == "string"
            assert "plain" not in prop["additionalProperties"]
        else:
            assert prop["type"] == JSON_TYPES[_scalar(hints[f.name])], prop_name


def _dataclass_name(hint: Any) -> str:
    candidates = (hint, *typing.get_args(hint))
    (cls,) = [t for t in candidates if isinstance(t, type) and dataclasses.is_dataclass(t)]
    return cls.__name__


def _scalar(hint: Any) -> type:
    """The scalar type inside ``X | None`` and ``pulumi.Input[X]`` (Input's first member is X)."""
    (scalar,) = {t for t in (hint, *typing.get_args(hint)) if t in JSON_TYPES}
    return typing.cast(type, scalar)


def test_app_id_and_region_are_the_required_plain_inputs(resource: dict[str, Any]) -> None:
    assert resource["requiredInputs"] == ["appId", "region"]
    for name in ("appId", "region"):
        assert resource["inputProperties"][name] == {
            "description": resource["inputProperties"][name]["description"],
            "type": "string",
            "plain": True,
        }


def test_every_output_is_declared_and_only_the_secret_key_is_secret(resource: dict[str, Any]) -> None:
    outputs = resource["properties"]
    assert set(outputs) == {camel(name) for name in OUTPUTS}
    assert sorted(resource["required"]) == sorted(camel(n) for n in OUTPUTS - OPTIONAL_OUTPUTS)
    assert SECRET_FIELDS == ("copy_secret_access_key",)
    for name, prop in outputs.items():
        assert prop["type"] == "string" and prop["description"].strip(), name
        assert "plain" not in prop, name  # outputs are Outputs
        assert prop.get("secret", False) is (name == "copySecretAccessKey"), name


def test_the_sync_declares_every_output_and_its_two_secret_inputs(spec: dict[str, Any]) -> None:
    resource = spec["resources"][RECORDING_SYNC]
    assert set(resource["properties"]) == {camel(name) for name in SYNC_OUTPUT_FIELDS}
    assert not any(prop.get("secret") for prop in resource["properties"].values())  # names and ARNs
    secret_inputs = {name for name, prop in resource["inputProperties"].items() if prop.get("secret")}
    assert secret_inputs == {"apiToken", "copySecretAccessKey"}


# -- The YAML example against the schema ---------------------------------------------------------------
def _check_value(spec: dict[str, Any], prop: dict[str, Any], value: Any, path: str) -> list[str]:
    """What is wrong with ``value`` for ``prop``: a ``${...}`` expression stands for any value, except
    of a resource's output where the property is plain (config is known when the program runs)."""
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        # ${config} is known when the program runs; ${resource.output} is not, so not for a plain input.
        if prop.get("plain") and "." in value[2:-1]:
            return [f"{path}: plain, but {value} is a resource output"]
        return []
    if "$ref" in prop:
        name = prop["$ref"].removeprefix(TYPE_PREFIX)
        properties, required = _object(spec, name)
        return _check_object(spec, properties, required, value, path)
    expected: Any = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict}[
        prop["type"]
    ]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        return [f"{path}: {value!r} is not a {prop['type']}"]
    if isinstance(value, dict):
        item = prop["additionalProperties"]
        return [e for k, v in value.items() for e in _check_value(spec, item, v, f"{path}.{k}")]
    return []


def _check_object(
    spec: dict[str, Any], properties: dict[str, Any], required: list[str], values: Any, path: str
) -> list[str]:
    if not isinstance(values, dict):
        return [f"{path}: {values!r} is not an object"]
    errors = [f"{path}.{name}: required, not set" for name in required if name not in values]
    for name, value in values.items():
        if name not in properties:
            errors.append(f"{path}.{name}: no such property")
        else:
            errors.extend(_check_value(spec, properties[name], value, f"{path}.{name}"))
    return errors


def validate_yaml_program(spec: dict[str, Any], program: dict[str, Any]) -> list[str]:
    """Every RecordingStorage of a Pulumi YAML program against the schema, and every output it reads."""
    errors: list[str] = []
    tokens = {RECORDING_STORAGE, RECORDING_STORAGE.replace(":index:", ":")}
    storages = {n: r for n, r in program.get("resources", {}).items() if r.get("type") in tokens}
    if not storages:
        return ["no RecordingStorage resource"]
    res = spec["resources"][RECORDING_STORAGE]
    for name, declared in storages.items():
        errors += _check_object(
            spec, res["inputProperties"], res["requiredInputs"], declared.get("properties", {}), name
        )
    for expression in re.findall(r"\$\{([^}]+)\}", json.dumps(program.get("outputs", {}))):
        resource_name, _, output = expression.partition(".")
        if resource_name in storages and output not in res["properties"]:
            errors.append(f"outputs: {expression}: no such output")
    return errors


def test_the_yaml_example_sets_only_what_the_schema_allows(spec: dict[str, Any]) -> None:
    program = yaml.safe_load(YAML_EXAMPLE.read_text())
    assert validate_yaml_program(spec, program) == []
    assert program["packages"] == {"sendbird-recordings": "../../provider"}
    assert (YAML_EXAMPLE.parent / program["packages"]["sendbird-recordings"] / "PulumiPlugin.yaml").exists()


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda p: p.pop("region"), "recordings.region: required, not set"),
        (lambda p: p.update(bucketNmae="x"), "recordings.bucketNmae: no such property"),
        (lambda p: p.update(forceDestroy="yes"), "recordings.forceDestroy: 'yes' is not a boolean"),
        (lambda p: p["retention"].update(transitionDays="30"), "recordings.retention.transitionDays: '30'"),
        (lambda p: p["uploadRole"].pop("externalId"), "recordings.uploadRole.externalId: required"),
        (lambda p: p.update(region="${other.region}"), "recordings.region: plain, but ${other.region}"),
        (lambda p: p["tags"].update(team=7), "recordings.tags.team: 7 is not a string"),
    ],
)
def test_the_yaml_check_catches_a_wrong_property(spec: dict[str, Any], change: Any, error: str) -> None:
    """The check above can fail: each kind of mistake in a copy of the example is reported."""
    program = yaml.safe_load(YAML_EXAMPLE.read_text())
    change(program["resources"]["recordings"]["properties"])
    errors = validate_yaml_program(spec, program)
    assert len(errors) == 1 and errors[0].startswith(error), errors
