"""RecordingSync as the component package serves it to other languages: given the storage's values
one by one (plain fields), because Pulumi's Python component analyzer (3.272) cannot take a component
of the package itself as an argument. It turns a ``ComponentResource``-typed argument into a reference
into another package's schema (``/<package>/v<version>/schema.json#/resources/<type>``), found through
the class's ``pulumi_type`` and the ``pulumi-plugin.json`` of its top-level module; RecordingStorage
has neither, and a reference to the package's own resource is no dependency.

``RecordingSyncFields`` is derived, never written out: the fields of ``StorageOutputs`` (the storage's
values) followed by those of ``RecordingSyncArgs`` but ``storage`` (the settings), each with its type,
default and repr, so the two cannot drift. A class built so has no source the analyzer could read
docstrings from: each field carries its description in its metadata (``DESCRIPTION``, which the
provider reads, see host.py), the docstring of the field it copies, with RecordingStorage's outputs
named as other languages name them (``RecordingStorage.bucket_name`` -> ``RecordingStorage.bucketName``),
and the class it was copied from (``COPIED_FROM``, where the reference generator reads its annotation).

``RECORDING_SYNC`` is RecordingSync with only its ``args`` annotation changed (same name, module and
outputs, so the analyzer reads the same type token, description and output docstrings); its
constructor builds ``RecordingSyncArgs(storage=StorageOutputs(...), ...)`` from the fields
(``sync_args_with_storage_values``), so every check and message of ``components/sync/args.py`` applies.
"""

# No ``from __future__ import annotations``: the analyzer reads these annotations at runtime.
import dataclasses
import re
from typing import Any

import pulumi
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.util import camel_case
from sendbird_recordings.sync.args import RecordingSyncArgs, StorageOutputs, sync_args_with_storage_values
from sendbird_recordings.sync.recording_sync import RecordingSync

from sendbird_copy.facts import PROJECT_NAME

# The keys of a derived field's metadata: its description in the schema, and the class it copies.
DESCRIPTION = "description"
COPIED_FROM = "copied_from"
# RecordingStorage's outputs named in a docstring, by their Python names.
_STORAGE_OUTPUT = re.compile(r"(RecordingStorage(?:\.|'s ))([a-z][a-z0-9_]*)")


def _other_languages(description: str | None) -> str | None:
    """A Python docstring as other languages read it: RecordingStorage's outputs in camelCase."""
    if description is None:
        return None
    return _STORAGE_OUTPUT.sub(lambda m: m[1] + camel_case(m[2]), description)


def _copied_fields() -> list[tuple[str, Any, "dataclasses.Field[Any]"]]:
    """(name, type, field) of StorageOutputs' fields, then RecordingSyncArgs' but ``storage``."""
    docs = Analyzer(PROJECT_NAME)  # reads a field's docstring from its class's source, as for a schema
    copied = []
    for source, skipped in ((StorageOutputs, ()), (RecordingSyncArgs, ("storage",))):
        for f in dataclasses.fields(source):
            if f.name in skipped:
                continue
            metadata = {
                DESCRIPTION: _other_languages(docs.get_docstring(source, f.name)),
                COPIED_FROM: source,
            }
            kwargs: dict[str, Any] = {"repr": f.repr, "metadata": metadata}
            if f.default is not dataclasses.MISSING:
                kwargs["default"] = f.default
            if f.default_factory is not dataclasses.MISSING:
                kwargs["default_factory"] = f.default_factory
            copied.append((f.name, f.type, dataclasses.field(**kwargs)))
    return copied


def _post_init(self: Any) -> None:
    self.to_args()  # every check now, when the provider builds these from the inputs


def _to_args(self: Any) -> RecordingSyncArgs:
    return sync_args_with_storage_values({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})


RecordingSyncFields: Any = dataclasses.make_dataclass(
    "RecordingSyncFields",
    _copied_fields(),
    frozen=True,
    namespace={
        "__module__": __name__,
        "__doc__": "RecordingSyncArgs with the storage given by its outputs (the other languages' form).",
        "__post_init__": _post_init,
        "to_args": _to_args,
    },
)


def _init(
    self: Any, name: str, args: RecordingSyncFields, opts: pulumi.ResourceOptions | None = None
) -> None:
    RecordingSync.__init__(self, name, args.to_args(), opts)


RECORDING_SYNC: type[pulumi.ComponentResource] = type(
    "RecordingSync",
    (RecordingSync,),
    {
        "__init__": _init,
        "__module__": RecordingSync.__module__,
        "__qualname__": RecordingSync.__qualname__,
        "__doc__": RecordingSync.__doc__,
    },
)
