"""docs/reference.md is generated from the code (``localdev.reference_docs``) and committed: it must be
what the generator writes today, and the generator must read every field, key and option from the code."""

# No ``from __future__ import annotations``: the example dataclasses below must carry real
# annotations, as the args modules do (the component analyzer needs them too).

import dataclasses
import subprocess
import sys
from pathlib import Path

import click
import pytest

from components import config
from localdev import reference_docs
from localdev.reference_docs import REFERENCE_FILE, REGENERATE, field_docs, nested_dataclasses
from provider.host import HOSTED, args_type
from sendbird_copy.cli import commands as cli

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_the_committed_reference_is_the_generated_one() -> None:
    # A subprocess, as users run it (the component analyzer's ast.parse can fail in a busy test
    # process on CPython 3.11: localdev.python_source says how).
    done = subprocess.run(
        [sys.executable, "-m", "localdev.reference_docs", "--check"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    stale = f"docs/reference.md is stale: regenerate it with `{REGENERATE}`\n{done.stderr}"
    assert done.returncode == 0, stale


def test_check_fails_on_a_stale_file_and_says_how_to_regenerate(tmp_path, monkeypatch, capsys) -> None:
    target = tmp_path / "docs" / "reference.md"
    monkeypatch.setattr(reference_docs, "REFERENCE_FILE", target)
    monkeypatch.setattr(reference_docs, "PROJECT_DIR", tmp_path)
    monkeypatch.setattr(reference_docs, "render", lambda: "# new\n")
    assert reference_docs.main(["--check"]) == 1  # missing
    target.parent.mkdir()
    target.write_text("# old\n")
    assert reference_docs.main(["--check"]) == 1
    assert REGENERATE in capsys.readouterr().err
    assert reference_docs.main([]) == 0
    assert target.read_text() == "# new\n"
    assert reference_docs.main(["--check"]) == 0


def _args_classes() -> list[type]:
    found, queue = [], [args_type(h.component) for h in HOSTED]
    while queue:
        cls = queue.pop(0)
        if cls not in found:
            found.append(cls)
            queue.extend(nested_dataclasses(cls).values())
    return found


@pytest.fixture(scope="module")
def reference() -> str:
    return REFERENCE_FILE.read_text()


@pytest.mark.parametrize("cls", _args_classes(), ids=lambda c: c.__name__)
def test_every_argument_is_in_the_reference_with_its_docstring(reference: str, cls: type) -> None:
    docs = field_docs(cls)
    assert [d.name for d in docs] == [f.name for f in dataclasses.fields(cls)]
    for doc in docs:
        assert doc.doc, f"{cls.__name__}.{doc.name} has no docstring: the reference would say nothing"
        assert f"| `{doc.name}` | `{doc.annotation}` |" in reference.replace("\\|", "|"), doc.name


def test_every_stack_config_key_is_in_the_reference(reference: str) -> None:
    keys = {*config.STACK_KEYS, *config.SHARED_KEYS}
    keys |= {f"applications[i].{k}" for k in config.APPLICATION_ONLY_KEYS}
    keys |= {f"{config.SYNC_KEY}.{k}" for k in config.SYNC_KEYS}
    keys |= {f"retention.{k}" for k in config.RETENTION_KEYS}
    keys |= {f"upload_role.{k}" for k in config.UPLOAD_ROLE_KEYS}
    keys -= {"retention", "upload_role", config.SYNC_KEY}  # shown by their keys
    missing = sorted(k for k in keys if f"| `{k}` |" not in reference)
    assert not missing, f"not in docs/reference.md: {missing}; regenerate it with `{REGENERATE}`"


def test_every_cli_option_is_in_the_reference(reference: str) -> None:
    ctx = click.Context(cli.cli, info_name="sendbird-copy")
    for name in cli.cli.list_commands(ctx):
        command = cli.cli.get_command(ctx, name)
        assert command is not None
        assert f"#### `sendbird-copy {name}`" in reference
        for param in command.params:
            for opt in param.opts:
                # An argument (link's RECORDING_ID) shows as click writes it: upper case.
                shown = opt.upper() if isinstance(param, click.Argument) else opt
                assert shown in reference, (name, opt)


def test_field_docs_read_annotations_defaults_and_docstrings() -> None:
    @dataclasses.dataclass
    class Inner:
        depth: int = 3
        """How deep."""

    @dataclasses.dataclass
    class Example:
        name: str
        """The name.

        Over two lines."""
        inner: Inner | None = None
        tags: dict[str, str] = dataclasses.field(default_factory=dict)
        nested: Inner = dataclasses.field(default_factory=Inner)
        """Built by a factory."""

    docs = {d.name: d for d in field_docs(Example)}
    assert (docs["name"].annotation, docs["name"].default) == ("str", "required")
    assert docs["name"].doc == "The name.\n\nOver two lines."
    inner = docs["inner"]
    assert (inner.annotation, inner.default, inner.doc) == ("Inner | None", "None", "")
    assert docs["tags"].default == "{}"
    assert (docs["nested"].default, docs["nested"].doc) == ("Inner()", "Built by a factory.")
    assert nested_dataclasses(Example) == {"inner": Inner, "nested": Inner}
