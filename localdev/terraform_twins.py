"""Terraform twins of what a Pulumi program registers, for scanners that read Terraform (checkov).

``render`` is pure: the custom resources the mocks recorded (``Registration``: type token, name,
inputs, id, state) in, a Terraform JSON-shaped document out (``{"resource": {type: {name: attrs}}}``).
Each type the components register (``type_tokens.RESOURCE_TYPES``) has a twin (``TWIN_TYPES``), named
from its token as Terraform names it (``terraform_type``); camelCase inputs become snake_case
attributes, except where pulumi-aws named a property differently (its plurals of repeated blocks,
``rules`` -> ``rule``; a few renames, Function ``name`` -> ``function_name``); nested objects become
blocks and ``MAP_ATTRIBUTES`` stay maps. A string equal to another resource's id, ARN or name
becomes a reference (``${aws_s3_bucket.x.id}``), so a scanner's graph checks see that, say, the
public-access block belongs to the bucket.

``to_hcl`` writes that document in Terraform's native syntax and ``write_twins`` puts it in a
directory: checkov 3.x finds no resources in ``*.tf.json`` files (it reports ``resource_count`` 0), so
the file it scans is ``main.tf``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.type_tokens import (
    BUCKET,
    BUCKET_LOGGING,
    BUCKET_NOTIFICATION,
    ENCRYPTION,
    EVENT_RULE,
    IAM_ROLE,
    IAM_USER,
    INTELLIGENT_TIERING,
    INVENTORY,
    KMS_ALIAS,
    KMS_KEY,
    LAMBDA_FUNCTION,
    LIFECYCLE,
    LOG_GROUP,
    METRIC_ALARM,
    QUEUE,
    REPLICATION_CONFIG,
    RESOURCE_TYPES,
    SCHEDULE,
    SECRET,
)
from localdev.pulumi_mocks import Registration

Document = dict[str, Any]


@dataclass(frozen=True)
class TwinType:
    """A Terraform resource type, and how a Pulumi resource's inputs become its attributes."""

    terraform: str
    # What other resources refer to: Terraform attribute -> Pulumi state key ("id": the resource id).
    # The first that matches a value wins (a bucket's id and name are the same string: ``id``).
    exports: Mapping[str, str] = field(default_factory=dict)
    # Pulumi property (at any depth of this resource) -> Terraform name, or None for no twin.
    renames: Mapping[str, str | None] = field(default_factory=dict)


_RULE = {"rules": "rule"}
_NAME_ID = {"name": "name", "arn": "arn"}

# What other resources refer to, for the types that are referred to (see TwinType.exports).
_EXPORTS: Mapping[str, Mapping[str, str]] = {
    BUCKET: {"id": "id", "arn": "arn"},
    KMS_KEY: {"arn": "arn", "id": "id"},
    KMS_ALIAS: {"arn": "arn", "name": "name"},
    IAM_USER: _NAME_ID,
    IAM_ROLE: _NAME_ID,
    SECRET: {"arn": "arn", "id": "id"},
    LAMBDA_FUNCTION: {"arn": "arn", "function_name": "name"},
    LOG_GROUP: _NAME_ID,
    SCHEDULE: {"arn": "arn"},
    QUEUE: {"arn": "arn", "id": "id", "url": "url"},
    METRIC_ALARM: {"arn": "arn"},
    EVENT_RULE: {"name": "name", "arn": "arn"},
}
# Where pulumi-aws named a property otherwise than Terraform (see TwinType.renames).
_RENAMES: Mapping[str, Mapping[str, str | None]] = {
    ENCRYPTION: _RULE,
    LIFECYCLE: {
        **_RULE,
        "transitions": "transition",
        "noncurrentVersionTransitions": "noncurrent_version_transition",
    },
    BUCKET_NOTIFICATION: {"topics": "topic", "queues": "queue", "lambdaFunctions": "lambda_function"},
    BUCKET_LOGGING: {"targetGrants": "target_grant"},
    IAM_ROLE: {"inlinePolicies": "inline_policy"},
    SECRET: {"replicas": "replica"},
    # The deployment package is a Pulumi archive; Terraform's twin would be ``filename``, which no
    # check reads.
    LAMBDA_FUNCTION: {"name": "function_name", "code": None},
    METRIC_ALARM: {"name": "alarm_name", "metricQueries": "metric_query"},
    REPLICATION_CONFIG: _RULE,
    INTELLIGENT_TIERING: {"tierings": "tiering"},
}
# Where pulumi-aws's token does not spell the Terraform type (it shortened or renamed it).
_TERRAFORM_TYPES: Mapping[str, str] = {
    REPLICATION_CONFIG: "aws_s3_bucket_replication_configuration",
    INVENTORY: "aws_s3_bucket_inventory",
}

_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    return _CAMEL_HUMP.sub(r"_\1", name).lower()


def terraform_type(token: str) -> str:
    """The Terraform type of a Pulumi type token, as the bridged providers name them:
    ``aws:s3/bucketPolicy:BucketPolicy`` -> ``aws_s3_bucket_policy``, and a resource of a provider's
    ``index`` module without it: ``time:index/rotating:Rotating`` -> ``time_rotating``; the few
    tokens pulumi-aws renamed as Terraform spells them (``_TERRAFORM_TYPES``)."""
    if token in _TERRAFORM_TYPES:
        return _TERRAFORM_TYPES[token]
    provider, module_and_resource, _ = token.split(":")
    module, _, resource = module_and_resource.partition("/")
    return "_".join([provider, *([] if module == "index" else [module]), snake_case(resource)])


# Every type RecordingStorage and RecordingSync register (type_tokens.RESOURCE_TYPES), and nothing
# else: a type missing here fails the render (UnknownTypeError) rather than leaving its resources out
# of a scan.
TWIN_TYPES: Mapping[str, TwinType] = {
    typ: TwinType(
        _TERRAFORM_TYPES.get(typ, terraform_type(typ)), _EXPORTS.get(typ, {}), _RENAMES.get(typ, {})
    )
    for typ in sorted(RESOURCE_TYPES)
}

# Attributes whose value is a map: its keys are data (tag names, variable names), not attributes.
MAP_ATTRIBUTES = frozenset({"tags", "tags_all", "variables", "dimensions"})


class UnknownTypeError(ValueError):
    """A resource type with no Terraform twin: a scan that silently left it out would prove nothing."""


def terraform_name(pulumi_name: str) -> str:
    """A Terraform resource name (letters, digits, ``_``, ``-``; not starting with a digit)."""
    name = re.sub(r"[^A-Za-z0-9_-]", "_", pulumi_name)
    return name if re.match(r"[A-Za-z_]", name) else f"_{name}"


def twin_type(typ: str) -> TwinType:
    try:
        return TWIN_TYPES[typ]
    except KeyError:
        raise UnknownTypeError(
            f"no Terraform twin for resource type {typ}; add it to RESOURCE_TYPES in components.type_tokens"
        ) from None


def _literal(value: str) -> str:
    # A literal "${" or "%{" would be a template in Terraform: escaped as Terraform does.
    return value.replace("${", "$${").replace("%{", "%%{")


def _index(resources: Iterable[Registration]) -> dict[str, tuple[str, str]]:
    """Every exported value -> (the exporting resource's address, attribute); a value two resources
    export is no reference (left out, so it stays a literal)."""
    index: dict[str, tuple[str, str]] = {}
    ambiguous: set[str] = set()
    for record in resources:
        twin = twin_type(record.typ)
        address = f"{twin.terraform}.{terraform_name(record.name)}"
        seen: set[str] = set()
        for attribute, key in twin.exports.items():
            value = record.id if key == "id" else record.state.get(key)
            if not isinstance(value, str) or not value or value in seen:
                continue
            seen.add(value)
            if value in index and index[value][0] != address:
                ambiguous.add(value)
            index.setdefault(value, (address, attribute))
    return {value: target for value, target in index.items() if value not in ambiguous}


def _convert(
    value: Any, twin: TwinType, refs: Mapping[str, tuple[str, str]], own: str, is_map: bool = False
) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)  # Pulumi hands numbers over as floats; Terraform's 90 is a whole number
    if isinstance(value, str):
        target = refs.get(value)
        if target is not None and target[0] != own:
            return f"${{{target[0]}.{target[1]}}}"  # a Terraform reference
        return _literal(value)
    if isinstance(value, list):
        return [_convert(v, twin, refs, own) for v in value]
    if isinstance(value, dict):
        if is_map:
            return {str(k): _convert(v, twin, refs, own) for k, v in value.items() if v is not None}
        return _attributes(value, twin, refs, own)
    return value


def _attributes(
    inputs: Mapping[str, Any], twin: TwinType, refs: Mapping[str, tuple[str, str]], own: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in sorted(inputs.items()):
        name = twin.renames[key] if key in twin.renames else snake_case(key)
        if name is None or value is None:
            continue
        out[name] = _convert(value, twin, refs, own, is_map=name in MAP_ATTRIBUTES)
    return out


def render(registrations: Iterable[Registration]) -> Document:
    """The Terraform twins of the custom resources in ``registrations`` (components hold nothing)."""
    resources = [r for r in registrations if r.custom]
    refs = _index(resources)
    document: dict[str, dict[str, Any]] = {}
    for record in sorted(resources, key=lambda r: (twin_type(r.typ).terraform, r.name)):
        twin = twin_type(record.typ)
        name = terraform_name(record.name)
        own = f"{twin.terraform}.{name}"
        document.setdefault(twin.terraform, {})[name] = _attributes(record.inputs, twin, refs, own)
    return {"resource": document}


# -- Terraform's native syntax --------------------------------------------------------------------


def _hcl_string(value: str) -> str:
    # JSON's escapes are HCL's, except \b and \f, which HCL spells as \u escapes.
    return json.dumps(value).replace("\\b", "\\u0008").replace("\\f", "\\u000c")


def _hcl_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return _hcl_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_hcl_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_hcl_string(str(k))} = {_hcl_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Terraform literal for {type(value).__name__}")


def _hcl_body(attributes: Mapping[str, Any], indent: str) -> list[str]:
    lines: list[str] = []
    for key, value in attributes.items():
        if key not in MAP_ATTRIBUTES and isinstance(value, dict):
            blocks = [value]
        elif (
            key not in MAP_ATTRIBUTES
            and isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
        ):
            blocks = value
        else:
            lines.append(f"{indent}{key} = {_hcl_value(value)}")
            continue
        for block in blocks:  # a nested block, once per element of a repeated one
            lines += [f"{indent}{key} {{", *_hcl_body(block, indent + "  "), f"{indent}}}"]
    return lines


def to_hcl(document: Document) -> str:
    """``document`` (from ``render``) in Terraform's native syntax."""
    lines: list[str] = []
    for terraform_type, resources in document["resource"].items():
        for name, attributes in resources.items():
            lines += [f'resource "{terraform_type}" "{name}" {{', *_hcl_body(attributes, "  "), "}", ""]
    return "\n".join(lines)


def write_twins(registrations: Iterable[Registration], directory: Path) -> Path:
    """Render ``registrations`` into ``directory/main.tf`` (the directory is created); its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "main.tf"
    path.write_text(to_hcl(render(registrations)))
    return path
