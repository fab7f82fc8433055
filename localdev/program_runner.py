"""Run the real Pulumi program (``__main__.py``) in-process under ``pulumi.runtime.set_mocks``.

No Pulumi CLI and no cloud: the mocks decide what each resource "creates". Tests use a recording
mock (``tests/``) and the emulator deploy uses one that applies each resource to moto. This module
only wires config in, runs the program once, and hands back every stack output fully resolved.
"""

from __future__ import annotations

import asyncio
import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import wait_for_rpcs

from sendbird_copy.project import PROJECT_NAME

PROJECT_DIR = Path(__file__).resolve().parent.parent


class ProgramError(RuntimeError):
    """The program failed under mocks; the message is the program's own (for example bad config)."""


def load_stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The ``config:`` block of ``stacks/Pulumi.<stack>.yaml`` (keys stay namespaced)."""
    import yaml  # PyYAML ships with pulumi's own dependencies

    path = project_dir / "stacks" / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in path.parent.glob("Pulumi.*.yaml"))
        raise ProgramError(f"stack '{stack}': {path} does not exist; stacks here: {', '.join(known)}")
    document = yaml.safe_load(path.read_text()) or {}
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ProgramError(f"{path}: 'config' must be a mapping")
    return config


def _config_value(value: Any) -> str:
    # The engine hands the program every config value as a string; objects travel as JSON.
    return value if isinstance(value, str) else json.dumps(value)


async def _resolve(value: Any) -> Any:
    """Await Outputs nested in dicts and lists, keeping secrets as plain values."""
    if isinstance(value, pulumi.Output):
        return await _resolve(await value.future(with_unknowns=False))
    if isinstance(value, dict):
        return {k: await _resolve(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [await _resolve(v) for v in value]
    return value


async def _secret_flags(outputs: dict[str, Any]) -> dict[str, bool]:
    flags = {}
    for name, value in outputs.items():
        flags[name] = isinstance(value, pulumi.Output) and bool(await value.is_secret())
    return flags


def run_program(
    mocks: pulumi.runtime.Mocks,
    config: dict[str, Any],
    stack: str = "test",
    preview: bool = False,
    program: Path = PROJECT_DIR / "__main__.py",
) -> tuple[dict[str, Any], dict[str, bool]]:
    """Run ``program`` once under ``mocks`` with ``config``; return (outputs, which are secret).

    Errors the program raises (a bad config value, say) come back as ProgramError with the
    program's message, so callers can show it as Pulumi would at preview.
    """
    pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]  # a fresh Stack for every run
    pulumi.runtime.set_all_config({k: _config_value(v) for k, v in config.items()})
    pulumi.runtime.set_mocks(mocks, project=PROJECT_NAME, stack=stack, preview=preview)
    root = pulumi_settings.get_root_resource()
    loop = asyncio.get_event_loop()
    try:
        runpy.run_path(str(program), run_name="__main__")
        loop.run_until_complete(wait_for_rpcs())
    except Exception as exc:  # the program's own error, surfaced without Pulumi's plumbing
        raise ProgramError(str(exc)) from exc
    outputs = dict(root.outputs) if root is not None else {}  # type: ignore[attr-defined]
    resolved = loop.run_until_complete(_resolve(outputs))
    secret = loop.run_until_complete(_secret_flags(outputs))
    return resolved, secret


def close_runtime() -> None:
    """Close the event loop the mocks runtime ran on; call once, when the process is done with it.

    Left open, a failed run's loop is collected at interpreter exit and prints "Exception ignored
    in BaseEventLoop.__del__" noise under the real error message.
    """
    loop = asyncio.get_event_loop_policy().get_event_loop()
    if not loop.is_running():
        loop.close()
