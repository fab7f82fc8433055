"""Write ``docs/reference.md``, the configuration reference, from the code:
``.venv/bin/python -m localdev.reference_docs`` from the repository root (``--check``: exit 1 if stale).

Everything in it is read, never restated: the component package's schema (``provider.schema``, what
other languages see), the args dataclasses (their docstrings, each field's annotation, default and
docstring), the stack-config keys ``components/config.py`` declares, the stack outputs of
``sendbird_copy/outputs.py``, the scheduled function's metrics, and the options of every click
command (``sendbird-copy``, ``scripts/run-local``, ``scripts/sandbox``). No field, key or option
name is written here, so a reshaped argument needs only a re-run. The output is deterministic (no
time, no absolute path); ``tests/test_reference_docs.py`` regenerates it and fails on any difference.
"""

import argparse
import ast
import dataclasses
import functools
import inspect
import sys
import textwrap
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import click

from localdev.python_source import collection_held, parse
from provider.hosted_sync import COPIED_FROM, DESCRIPTION

PROJECT_DIR = Path(__file__).resolve().parent.parent
REFERENCE_FILE = PROJECT_DIR / "docs" / "reference.md"
REGENERATE = ".venv/bin/python -m localdev.reference_docs"  # from the repository root
# Where a stack-config key that is no component argument is explained (config.py declares no text).
CONFIG_ONLY = "see [configuration.md](configuration.md)"


# -- markdown helpers ----------------------------------------------------------------------------------
def _cell(text: Any) -> str:
    """One table cell: a single line, pipes escaped, the checkout's own path never shown."""
    flat = " ".join(str(text).split())
    flat = flat.replace(f"{PROJECT_DIR}/", "").replace(str(PROJECT_DIR), ".").replace("|", "\\|")
    # Outside code spans, <STACK> would read as an HTML tag and vanish.
    parts = flat.split("`")
    return "`".join(p if i % 2 else p.replace("<", "&lt;").replace(">", "&gt;") for i, p in enumerate(parts))


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


# -- the args dataclasses ------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class FieldDoc:
    name: str
    annotation: str
    default: str
    doc: str


@functools.cache
def _class_body(cls: type) -> list[ast.stmt]:
    """The class's statements, parsed once per process (``python_source`` says why the parse and
    ``inspect.getsource``, which parses the class's module, run with collection held off)."""
    with collection_held():
        tree = parse(textwrap.dedent(inspect.getsource(cls)))
    node = tree.body[0]
    assert isinstance(node, ast.ClassDef), cls
    return node.body


def _source_docs(cls: type) -> dict[str, tuple[str, str]]:
    """Each annotated attribute's (annotation as written, docstring below it): what the component
    analyzer reads too. A field without a docstring gets an empty one."""
    found: dict[str, tuple[str, str]] = {}
    body = _class_body(cls)
    for stmt, after in zip(body, [*body[1:], None], strict=True):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            doc = ""
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                doc = inspect.cleandoc(str(after.value.value))
            found[stmt.target.id] = (ast.unparse(stmt.annotation), doc)
    return found


def _default(f: "dataclasses.Field[Any]") -> str:
    if f.default is not dataclasses.MISSING:
        return repr(f.default)
    if f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
        return f"{type(value).__name__}()" if dataclasses.is_dataclass(value) else repr(value)
    return "required"


def field_docs(cls: type) -> list[FieldDoc]:
    """A dataclass's fields, in order, as a reader of the source sees them. A field copied from
    another dataclass (``provider.hosted_sync``) is read where that class declares it, and described
    as its metadata says."""
    sources: dict[type, dict[str, tuple[str, str]]] = {}
    docs = []
    for f in dataclasses.fields(cls):
        owner = f.metadata.get(COPIED_FROM, cls)
        if owner not in sources:
            sources[owner] = _source_docs(owner)
        annotation, doc = sources[owner].get(f.name, (str(f.type), ""))
        if f.metadata.get(DESCRIPTION):
            doc = inspect.cleandoc(f.metadata[DESCRIPTION])
        docs.append(FieldDoc(f.name, annotation, _default(f), doc))
    return docs


def dataclass_in(hint: Any) -> type | None:
    """The dataclass an annotation names (also inside ``X | None``), else None."""
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        found = [t for t in map(dataclass_in, typing.get_args(hint)) if t is not None]
        return found[0] if len(found) == 1 else None
    return None


def nested_dataclasses(cls: type) -> dict[str, type]:
    """The dataclasses a dataclass's fields take (one level), by field name."""
    return {f.name: nested for f in dataclasses.fields(cls) if (nested := dataclass_in(f.type)) is not None}


def _args_section(classes: Iterable[type]) -> list[str]:
    lines: list[str] = []
    seen: set[type] = set()
    queue = list(classes)
    while queue:
        cls = queue.pop(0)
        if cls in seen:
            continue
        seen.add(cls)
        queue.extend(nested_dataclasses(cls).values())
        lines += [f"### `{cls.__module__}.{cls.__qualname__}`", "", inspect.getdoc(cls) or "", ""]
        rows = [(_code(d.name), _code(d.annotation), _code(d.default), d.doc) for d in field_docs(cls)]
        lines += _table(("field", "type", "default", "meaning"), rows)
    return lines


# -- the component package's schema --------------------------------------------------------------------
def _schema_type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return prop["$ref"].rsplit(":", 1)[-1]
    kind = prop.get("type", "")
    if kind == "array":
        return f"list of {_schema_type(prop.get('items', {}))}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of {_schema_type(prop['additionalProperties'])}"
    return str(kind)


def _flags(prop: dict[str, Any], required: bool) -> str:
    flags = ["required" if required else "optional"]
    flags += [flag for flag in ("plain", "secret") if prop.get(flag)]
    return ", ".join(flags)


def _property_rows(properties: dict[str, Any], required: Iterable[str]) -> list[tuple[str, ...]]:
    needed = set(required)
    return [
        (_code(name), _schema_type(prop), _flags(prop, name in needed), prop.get("description", ""))
        for name, prop in properties.items()
    ]


def _schema_section(spec: dict[str, Any]) -> list[str]:
    header = ("property", "type", "flags", "description")
    lines: list[str] = []
    for token, resource in spec.get("resources", {}).items():
        lines += [f"### `{token}`", "", resource.get("description", ""), "", "Inputs:", ""]
        inputs = resource.get("inputProperties", {})
        lines += _table(header, _property_rows(inputs, resource.get("requiredInputs", ())))
        lines += ["Outputs:", ""]
        lines += _table(header, _property_rows(resource.get("properties", {}), resource.get("required", ())))
    for token, type_def in spec.get("types", {}).items():
        lines += [f"### type `{token}`", "", type_def.get("description", ""), ""]
        lines += _table(header, _property_rows(type_def.get("properties", {}), type_def.get("required", ())))
    return lines


# -- the stack config ----------------------------------------------------------------------------------
def _config_rows(prefix: str, keys: Iterable[str], cls: type | None, where: str) -> Iterator[tuple[str, ...]]:
    """One row per key; a key naming a field of ``cls`` takes its default and docstring, and a key
    whose field is a dataclass is expanded into that dataclass's keys."""
    docs = {d.name: d for d in field_docs(cls)} if cls is not None else {}
    nested = nested_dataclasses(cls) if cls is not None else {}
    for key in keys:
        doc = docs.get(key)
        if key in nested:
            sub = nested[key]
            yield from _config_rows(f"{prefix}{key}.", [f.name for f in dataclasses.fields(sub)], sub, where)
            continue
        argument = _code(f"{cls.__name__}.{key}") if doc is not None and cls is not None else ""
        yield (
            _code(prefix + key),
            where,
            argument or f"none: {CONFIG_ONLY}",
            _code(doc.default) if doc else "",
            doc.doc if doc else "",
        )


def _config_section() -> list[str]:
    from components import config
    from components.storage.args import RecordingStorageArgs
    from components.sync.args import RecordingSyncArgs
    from sendbird_copy.facts import CONFIG_NAMESPACE

    app = "applications[i]."
    shared = set(config.SHARED_KEYS)
    stack_only = [k for k in config.STACK_KEYS if k not in shared and k != config.SYNC_KEY]
    rows = [
        *_config_rows("", stack_only, RecordingStorageArgs, "stack"),
        *_config_rows(app, [k for k in config.APPLICATION_ONLY_KEYS], RecordingStorageArgs, "application"),
        *_config_rows("", config.SHARED_KEYS, RecordingStorageArgs, "stack or application"),
        *_config_rows(f"{config.SYNC_KEY}.", config.SYNC_KEYS, RecordingSyncArgs, "stack or application"),
    ]
    return [
        f'Namespace `{CONFIG_NAMESPACE}` (`components/config.py`). "stack or application": set '
        f"stack-wide, or inside one entry of `applications` to override it there. A key that names a "
        "component argument takes that argument's default and rules.",
        "",
        *_table(("key", "where", "component argument", "default", "meaning"), rows),
    ]


def _outputs_section() -> list[str]:
    from components.sync.recording_sync import SYNC_OUTPUT_FIELDS
    from sendbird_copy import outputs as stack_outputs

    rows = [
        (_code(stack_outputs.APPLICATIONS), "plain", ", ".join(map(_code, stack_outputs.PUBLIC_FIELDS))),
        (_code(stack_outputs.SECRET_KEYS), "secret", ", ".join(map(_code, stack_outputs.SECRET_FIELDS))),
        (_code(stack_outputs.SCHEDULED_SYNC), "plain", ", ".join(map(_code, SYNC_OUTPUT_FIELDS))),
    ]
    return [
        "Each keyed by app id (`sendbird_copy/outputs.py`, `AppOutputs`; the sync's from "
        "`components/sync/recording_sync.py`, only for applications with a sync).",
        "",
        *_table(("stack output", "kind", "fields per application"), rows),
    ]


def _metrics_section() -> list[str]:
    from sendbird_copy import facts

    rows = [(_code(name), text) for name, text in facts.METRIC_DESCRIPTIONS.items()]
    return [
        f"Namespace `{facts.METRICS_NAMESPACE}`, dimension `{facts.METRIC_DIMENSION}`, one data point "
        "per run (`sendbird_copy/facts.py`).",
        "",
        *_table(("metric", "counts"), rows),
    ]


# -- click commands ------------------------------------------------------------------------------------
def _range(param: click.Parameter) -> str:
    """The bounds a parameter type declares (click's ranges, or the project's low/high types)."""
    kind = param.type
    for low_name, high_name in (("low", "high"), ("min", "max")):
        low, high = getattr(kind, low_name, None), getattr(kind, high_name, None)
        if low is not None or high is not None:
            return f"{'' if low is None else low}..{'' if high is None else high}"
    return ""


def _option_rows(command: click.Command, ctx: click.Context) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for param in command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is None:  # a hidden option
            continue
        rows.append((_code(record[0]), _range(param), record[1]))
    return rows


def _context(command: click.Command, name: str, parent: click.Context | None = None) -> click.Context:
    return click.Context(command, info_name=name, parent=parent, **command.context_settings)


def _command_section(command: click.Command, name: str, how: str) -> list[str]:
    """A command, and for a group each subcommand; options every subcommand shares are listed once."""
    ctx = _context(command, name)
    header = ("option", "range", "meaning")
    lines = [f"### `{name}`", "", f"Run as `{how}`.", "", inspect.cleandoc(command.help or ""), ""]
    lines += _table(header, _option_rows(command, ctx))
    if not isinstance(command, click.Group):
        return lines
    subs = [(n, sub) for n in command.list_commands(ctx) if (sub := command.get_command(ctx, n))]
    rows = {n: _option_rows(sub, _context(sub, n, ctx)) for n, sub in subs}
    # An option every subcommand has (the same flag, the same help) is listed once, before them.
    shared = [row for row in rows[subs[0][0]] if all(row in other for other in rows.values())] if subs else []
    if shared:
        lines += [f"Options of every `{name}` command:", "", *_table(header, shared)]
    for sub_name, sub in subs:
        lines += [f"#### `{name} {sub_name}`", "", inspect.cleandoc(sub.help or ""), ""]
        own = [row for row in rows[sub_name] if row not in shared]
        lines += _table(header, own) if own else []
    return lines


def _commands_section() -> list[str]:
    from localdev import main_job, sandbox
    from sendbird_copy.cli import commands as cli

    return [
        *_command_section(cli.cli, "sendbird-copy", "sendbird-copy COMMAND [OPTIONS]"),
        *_command_section(main_job.main, "scripts/run-local", "./scripts/run-local [OPTIONS]"),
        *_command_section(sandbox.main, "scripts/sandbox", "./scripts/sandbox [OPTIONS]"),
    ]


# -- the document --------------------------------------------------------------------------------------
def _parsed_schema() -> dict[str, Any]:
    """The component package's schema; its analyzer parses the components' source with ``ast``."""
    from provider.schema import schema

    with collection_held():
        return schema()


def render() -> str:
    from provider.host import HOSTED, args_type

    lines = [
        "# Configuration reference",
        "",
        f"<!-- Generated by `{REGENERATE}` from the code; do not edit (a test fails when it is stale). -->",
        "",
        "Everything here is read from the code: the arguments' docstrings, the stack-config keys, the "
        "component package's schema and the commands' options. The prose guides are in "
        "[the docs index](../README.md#documentation).",
        "",
        "## Stack configuration",
        "",
        *_config_section(),
        "## Stack outputs",
        "",
        *_outputs_section(),
        "## Python arguments",
        "",
        "The classes each component takes as ``args``, with the dataclasses they nest; the package "
        "`components` of this repository installs as `sendbird_recordings`.",
        "",
        *_args_section(args_type(h.component) for h in HOSTED),
        "## Component package schema (other languages)",
        "",
        "`provider/schema.json`, as `provider/schema.py` generates it. *plain*: a literal or config "
        "value, never another resource's output; *secret*: marked secret in every language.",
        "",
        *_schema_section(_parsed_schema()),
        "## Scheduled sync metrics",
        "",
        *_metrics_section(),
        "## Commands",
        "",
        *_commands_section(),
    ]
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale; write nothing")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        stale = not REFERENCE_FILE.exists() or REFERENCE_FILE.read_text() != text
        if stale:
            print(f"{REFERENCE_FILE.relative_to(PROJECT_DIR)} is stale: run `{REGENERATE}`", file=sys.stderr)
        return 1 if stale else 0
    REFERENCE_FILE.parent.mkdir(exist_ok=True)
    REFERENCE_FILE.write_text(text)
    print(f"wrote {REFERENCE_FILE.relative_to(PROJECT_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
