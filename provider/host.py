"""The component provider: which components the package hosts, its schema, and ``construct``.

Pulumi's ``ComponentProvider`` (what ``component_provider_host`` serves) infers the schema from the
components' annotations and builds a component from another language's inputs. The gaps of its
analyzer and construct path are closed here, each in one small step, so the classes Python users call
stay as they are (and descriptions lose their docstrings' indentation):

- it marks a property required unless its annotation admits None, so a dataclass field with a
  default (``force_destroy: bool = False``) would be required in every language: such fields are
  made optional (the default applies, as in Python);
- it cannot mark an output secret: ``Hosted.secret_outputs`` are marked in the schema (their values
  are secret Outputs already);
- it reads a field's description from its class's source, which a dataclass derived from other
  dataclasses' fields (``hosted_sync.RecordingSyncFields``) does not have: such a field carries its
  description in its metadata (``hosted_sync.DESCRIPTION``), taken where the analyzer found none;
- it hands the constructor a dict (pulumi/pulumi#18526), while the components take validating
  dataclasses: the dict is turned into the component's args class, nested objects included, so every
  check and message of ``components/storage/args.py`` applies to other languages too;
- integers travel as floats (``30.0``), and its conversion to int is overwritten by the float a line
  later (pulumi 3.272), while its ``int(value)`` raises TypeError on an Output: integers are converted
  here, a Pulumi value (another resource's output) when it resolves, so the day counts take Outputs
  in every language, as in Python. A fraction (2.5) stays, and the args refuse it with their message.

``serve`` is ``component_provider_host`` with this provider: the same ``pulumi.provider.main``.
"""

import dataclasses
import importlib.metadata
import inspect
import json
import sys
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.provider import main
from pulumi.provider.experimental.analyzer import PropertyDefinition, PropertyType
from pulumi.provider.experimental.component import ComponentDefinition, ComponentProvider
from pulumi.provider.experimental.schema import generate_schema
from pulumi.provider.experimental.util import camel_case
from sendbird_recordings.storage.recording_storage import RecordingStorage

from sendbird_copy.facts import PROJECT_NAME
from sendbird_copy.outputs import SECRET_FIELDS

from .hosted_sync import DESCRIPTION, RECORDING_SYNC

# The package name, the first part of every type token (``sendbird-recordings:index:RecordingStorage``,
# as components/type_tokens.py has it: the analyzer names each resource ``<package>:index:<Class>``).
PACKAGE_NAME = PROJECT_NAME


@dataclass(frozen=True)
class Hosted:
    """One component of the package, and its outputs that are secrets (marked so in the schema)."""

    component: type[pulumi.ComponentResource]
    secret_outputs: Sequence[str] = ()
    # Inputs that are secrets (the generated SDKs then treat a plain value as secret too).
    secret_inputs: Sequence[str] = ()


# Every component the package hosts: adding one is one line here.
HOSTED: tuple[Hosted, ...] = (
    Hosted(RecordingStorage, secret_outputs=SECRET_FIELDS),
    # Given the storage's values one by one (provider/hosted_sync.py says why).
    Hosted(RECORDING_SYNC, secret_inputs=("api_token", "copy_secret_access_key")),
)


def _require_descriptions(spec: dict[str, Any]) -> None:
    """Every input and output has a description. The analyzer reads them from the source with
    ``ast.parse`` and silently drops them when that fails (CPython 3.11's can fail when a garbage
    collection inside the parse runs a finalizer that parses too): a schema without them must not be
    served or written."""
    objects = [*spec.get("types", {}).values()]
    for resource in spec.get("resources", {}).values():
        objects += [{"properties": resource.get("inputProperties", {})}, resource]
    missing = [
        name
        for obj in objects
        for name, prop in obj.get("properties", {}).items()
        if not prop.get("description")
    ]
    if missing:
        raise RuntimeError(
            f"the component analyzer found no description for {', '.join(sorted(missing))}: every argument "
            "and output needs a docstring (or the source could not be parsed in this process)"
        )


def package_version() -> str:
    """The installed distribution's version, so the schema and the package agree."""
    return importlib.metadata.version(PROJECT_NAME)


def args_type(component: type[pulumi.ComponentResource]) -> Any:
    """The class a component's ``__init__`` takes as ``args`` (what the analyzer reads too)."""
    return inspect.get_annotations(component.__init__)["args"]


def _dataclass_in(hint: Any) -> type | None:
    """The dataclass a field's annotation names (also inside ``X | None``), else None."""
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        found = [t for t in map(_dataclass_in, typing.get_args(hint)) if t is not None]
        return found[0] if len(found) == 1 else None
    return None


def args_from_inputs(cls: Any, values: Mapping[str, Any]) -> Any:
    """``cls(**values)``, nested dataclasses built from their dicts: the wire's shape (already mapped
    to Python names by the provider) made into the args a Python caller would pass. A class that is no
    dataclass (a TypedDict, say) gets the dict as it is."""
    if not dataclasses.is_dataclass(cls):
        return dict(values)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in values:
            continue  # absent: the field's default, as in Python
        value = values[f.name]
        # f.type is the annotation itself (no postponed annotations; get_type_hints would choke on
        # pulumi.Input's forward reference to Output).
        nested = _dataclass_in(f.type)
        kwargs[f.name] = args_from_inputs(nested, value) if nested and isinstance(value, Mapping) else value
    factory: Any = cls  # is_dataclass narrows cls to an instance type mypy cannot call
    return factory(**kwargs)


def _with_defaults_optional(
    properties: Mapping[str, PropertyDefinition], mapping: Mapping[str, str], cls: Any
) -> None:
    """Mark optional each property whose dataclass field has a default (the analyzer ignores them)."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        return
    defaulted = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    for schema_name, prop in properties.items():
        if mapping[schema_name] in defaulted:
            prop.optional = True


def _with_field_descriptions(
    properties: Mapping[str, PropertyDefinition], mapping: Mapping[str, str], cls: Any
) -> None:
    """Describe each property the analyzer found no docstring of by its field's metadata, if any."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        return
    described = {
        f.name: f.metadata[DESCRIPTION] for f in dataclasses.fields(cls) if DESCRIPTION in f.metadata
    }
    for schema_name, prop in properties.items():
        if mapping[schema_name] in described:
            _describe(prop, described[mapping[schema_name]])


def _describe(prop: PropertyDefinition | None, description: str) -> None:
    """``prop``, and a list's items or a map's values in it, described where the analyzer could not
    (it gives those the field's docstring too)."""
    if prop is None:
        return
    if prop.description is None:
        prop.description = description
    _describe(prop.items, description)
    _describe(prop.additional_properties, description)


def _clean_descriptions(node: Any) -> None:
    """Docstrings keep their source indentation; a description should not."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "description" and isinstance(value, str):
                node[key] = inspect.cleandoc(value)
            else:
                _clean_descriptions(value)
    elif isinstance(node, list):
        for item in node:
            _clean_descriptions(item)


class ComponentPackageProvider(ComponentProvider):
    """Pulumi's component provider with the gaps of the module doc closed."""

    def __init__(self, hosted: Iterable[Hosted], name: str, version: str) -> None:
        hosted = tuple(hosted)
        super().__init__([h.component for h in hosted], name, None, version)
        self._args_types = {h.component.__name__: args_type(h.component) for h in hosted}
        for component_name, cls in self._args_types.items():
            inputs = self._component_defs[component_name]
            _with_defaults_optional(inputs.inputs, inputs.inputs_mapping, cls)
            _with_field_descriptions(inputs.inputs, inputs.inputs_mapping, cls)
        for type_def in self._type_defs.values():
            _with_defaults_optional(type_def.properties, type_def.properties_mapping, type_def.python_type)
        spec = generate_schema(
            name, version, None, self._component_defs, self._type_defs, self._dependencies
        ).to_json()
        for h in hosted:
            resource = spec["resources"][f"{name}:index:{h.component.__name__}"]
            for output in h.secret_outputs:
                resource["properties"][camel_case(output)]["secret"] = True
            for secret_input in h.secret_inputs:
                resource["inputProperties"][camel_case(secret_input)]["secret"] = True
        _clean_descriptions(spec)
        _require_descriptions(spec)
        self.spec: dict[str, Any] = spec
        self.schema = json.dumps(spec)

    def map_inputs(self, inputs: Any, component_def: ComponentDefinition) -> Any:
        """The constructor's ``args``: the component's args class, built (and so validated) from the
        inputs the provider mapped to Python names."""
        mapped = super().map_inputs(inputs, component_def)
        return args_from_inputs(self._args_types[component_def.name], mapped)

    def map_input_properties(
        self,
        inputs: Any,
        properties: dict[str, PropertyDefinition],
        mapping: dict[str, str],
        component_name: str,
        property_path: str,
    ) -> Any:
        """The provider's mapping (called for nested objects too), then each integer made an int; an
        integer Output is set aside first (a placeholder keeps a required one present)."""
        integers = {name for name, prop in properties.items() if prop.type == PropertyType.INTEGER}
        later: dict[str, pulumi.Output[Any]] = {}
        if isinstance(inputs, dict):
            later = {k: v for k, v in inputs.items() if k in integers and isinstance(v, pulumi.Output)}
            inputs = {**inputs, **dict.fromkeys(later, 0)}
        mapped = dict(
            super().map_input_properties(inputs, properties, mapping, component_name, property_path)
        )
        for name in integers:
            if mapping[name] in mapped:
                mapped[mapping[name]] = _whole(mapped[mapping[name]])
        # A number that is whole (warnDays 20) reads as Python's would (20, not 20.0) in messages.
        numbers = [n for n, prop in properties.items() if prop.type == PropertyType.NUMBER]
        for name in numbers:
            value = mapped.get(mapping[name])
            if isinstance(value, float) and value.is_integer():
                mapped[mapping[name]] = int(value)
        for name, value in later.items():
            mapped[mapping[name]] = value.apply(_whole)
        return mapped


def _whole(value: Any) -> Any:
    """A float that is a whole number as an int; anything else as it is (for the args to judge)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def build_provider() -> ComponentPackageProvider:
    return ComponentPackageProvider(HOSTED, PACKAGE_NAME, package_version())


def serve() -> None:
    """Serve the provider to the engine (the plugin's entry; the engine address is in argv)."""
    main(build_provider(), sys.argv[1:])
