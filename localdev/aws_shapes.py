"""Pulumi's resource inputs in the shapes boto3 expects: shared by the emulator deploy's handlers."""

from __future__ import annotations

from typing import Any

# Pulumi property names that do not become AWS API names by capitalising the first letter.
_AWS_NAME_EXCEPTIONS = {"id": "ID", "sseAlgorithm": "SSEAlgorithm", "kmsMasterKeyId": "KMSMasterKeyID"}


def to_aws_shape(value: Any) -> Any:
    """Pulumi's camelCase inputs -> the PascalCase shapes boto3 expects (numbers arrive as floats)."""
    if isinstance(value, dict):
        return {
            _AWS_NAME_EXCEPTIONS.get(key, key[:1].upper() + key[1:]): to_aws_shape(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [to_aws_shape(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def num(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


__all__ = ["num", "to_aws_shape"]
