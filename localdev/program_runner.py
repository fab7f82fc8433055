"""Run the real Pulumi program (``__main__.py``) in-process under ``pulumi.runtime.set_mocks``.

No Pulumi CLI and no cloud: the mocks decide what each resource "creates". Tests use a recording
mock (``tests/``) and the emulator deploy uses one that applies each resource to moto. This module
only wires config in, runs the program once, and hands back every stack output fully resolved.
"""

from __future__ import annotations

import asyncio
import json
import re
import runpy
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.stack import wait_for_rpcs

from sendbird_copy.facts import PROJECT_NAME
from sendbird_copy.rules import SHOWN_PATH_CHARACTERS, shorten, type_name

PROJECT_DIR = Path(__file__).resolve().parent.parent


class ProgramError(RuntimeError):
    """The program failed under mocks; the message is the program's own (for example bad config)."""


class StackFileError(ProgramError):
    """A stack name or stack file that cannot be read as one; the message names the input."""


# Pulumi's own rule for stack names, minus a leading '.', so a name is always one file in stacks/.
STACK_NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
STACK_NAME_ALLOWED = (
    "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters "
    "(the stack file is stacks/Pulumi.<name>.yaml)"
)
MAX_STACK_FILE_BYTES = 1024 * 1024  # stack files are a few kilobytes; this bounds a wrong file
STACK_FILE_ALLOWED = "a YAML mapping whose 'config' is a mapping of settings (as pulumi writes it)"


def check_stack_name(stack: str, input_name: str = "stack") -> str:
    """``stack`` if it names one file in stacks/ (no path characters); StackFileError otherwise."""
    if not isinstance(stack, str) or STACK_NAME_PATTERN.fullmatch(stack) is None:
        raise StackFileError(
            f"{input_name} '{shorten(stack)}' is not a stack name. Allowed: {STACK_NAME_ALLOWED}"
        )
    return stack


def stack_file_path(stack: str, project_dir: Path = PROJECT_DIR, input_name: str = "stack") -> Path:
    """``stacks/Pulumi.<stack>.yaml``; StackFileError naming the stacks there when it does not exist."""
    path = project_dir / "stacks" / f"Pulumi.{check_stack_name(stack, input_name)}.yaml"
    if not path.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in path.parent.glob("Pulumi.*.yaml"))
        raise StackFileError(
            f"{input_name} '{stack}': {_shown(path)} does not exist. Allowed: {', '.join(known) or 'none'}"
        )
    return path


class DuplicateKeyError(Exception):
    """A mapping of the stack file names one key twice (PyYAML keeps the last value silently)."""

    def __init__(self, key: str, first_line: int, second_line: int) -> None:
        super().__init__(key)
        self.key, self.first_line, self.second_line = key, first_line, second_line


def _unique_keys_loader() -> type:
    """yaml.SafeLoader that refuses a key repeated in one mapping: PyYAML's own keeps the last one, so
    a second ``sendbird-recordings:applications`` dropped the first list and a second ``region:``
    won without a word."""
    import yaml

    class UniqueKeysLoader(yaml.SafeLoader):
        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            if isinstance(node, yaml.MappingNode):
                seen: dict[Any, int] = {}
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue  # a merge key (<<) may be overridden: that is what it is for
                    key = self.construct_object(key_node, deep=True)
                    line = key_node.start_mark.line + 1
                    try:
                        if key in seen:
                            raise DuplicateKeyError(shorten(str(key)), seen[key], line)
                        seen[key] = line
                    except TypeError:
                        continue  # an unhashable key: SafeLoader refuses it itself
            return super().construct_mapping(node, deep)

    return UniqueKeysLoader


def load_stack_config(stack: str, project_dir: Path = PROJECT_DIR) -> dict[str, Any]:
    """The ``config:`` block of ``stacks/Pulumi.<stack>.yaml`` (keys stay namespaced)."""
    return read_stack_file(stack_file_path(stack, project_dir))


def read_stack_file(path: Path) -> dict[str, Any]:
    """The ``config:`` block of the stack file at ``path``; StackFileError naming the file otherwise.

    Every way a file can be wrong (unreadable, not UTF-8, not YAML, the wrong shape) is one message
    that names the file and what is allowed, never a traceback.
    """
    import yaml  # PyYAML ships with pulumi's own dependencies

    shown = _shown(path)
    try:
        if path.is_dir():
            raise StackFileError(f"stack file {shown} is a directory. Allowed: {STACK_FILE_ALLOWED}")
        if path.exists() and not path.is_file():  # a FIFO or a device would block or never end
            raise StackFileError(f"stack file {shown} is not a regular file. Allowed: {STACK_FILE_ALLOWED}")
        if path.stat().st_size > MAX_STACK_FILE_BYTES:
            raise StackFileError(
                f"stack file {shown} is larger than {MAX_STACK_FILE_BYTES // 1024} KiB. "
                f"Allowed: {STACK_FILE_ALLOWED}"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StackFileError(f"stack file {shown} does not exist. Allowed: {STACK_FILE_ALLOWED}") from None
    except UnicodeDecodeError:
        raise StackFileError(f"stack file {shown} is not UTF-8 text. Allowed: {STACK_FILE_ALLOWED}") from None
    except OSError as err:
        reason = err.strerror or type(err).__name__
        raise StackFileError(
            f"stack file {shown} cannot be read ({reason}). Allowed: a file you can read"
        ) from None
    try:
        document = yaml.load(text, Loader=_unique_keys_loader())  # noqa: S506 - a SafeLoader
    except DuplicateKeyError as err:
        raise StackFileError(
            f"stack file {shown}: key '{err.key}' appears twice in one mapping (line {err.first_line} and "
            f"line {err.second_line}); YAML would keep only the last. Allowed: each key once per mapping"
        ) from None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise StackFileError(
            f"stack file {shown} is not valid YAML: {shorten(err.problem or err.context or 'a syntax error')}"
            f"{where}. Allowed: {STACK_FILE_ALLOWED}"
        ) from None
    except (yaml.YAMLError, RecursionError, ValueError) as err:
        raise StackFileError(
            f"stack file {shown} is not valid YAML ({type(err).__name__}). Allowed: {STACK_FILE_ALLOWED}"
        ) from None
    return _config_block(document, shown)


def _config_block(document: Any, shown: str) -> dict[str, Any]:
    if document is None:
        return {}  # an empty file: no settings (the caller names what is missing)
    if not isinstance(document, dict):
        raise StackFileError(
            f"stack file {shown}: the top level is {type_name(document)}. Allowed: {STACK_FILE_ALLOWED}"
        )
    config = document.get("config")
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise StackFileError(
            f"stack file {shown}: 'config' is {type_name(config)}. Allowed: {STACK_FILE_ALLOWED}"
        )
    for key in config:
        if not isinstance(key, str):
            raise StackFileError(
                f"stack file {shown}: config key {shorten(key)} is {type_name(key)}. "
                "Allowed: text keys such as sendbird-recordings:applications"
            )
    return config


def _shown(path: Path) -> str:
    """A path for a message: relative to the project when inside it, shortened."""
    with suppress(ValueError, OSError, RuntimeError):
        path = path.resolve().relative_to(PROJECT_DIR)
    return shorten(str(path), SHOWN_PATH_CHARACTERS)


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
    secret_keys: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, bool]]:
    """Run ``program`` once under ``mocks`` with ``config``; return (outputs, which are secret).
    ``secret_keys``: the config keys set as secrets (``pulumi config set --secret``).

    Errors the program raises (a bad config value, say) come back as ProgramError with the
    program's message, so callers can show it as Pulumi would at preview.
    """
    # A fresh Stack for every run, and no Outputs left over from an earlier run that failed (Pulumi
    # keeps them in a global list that wait_for_rpcs awaits and re-raises), as pulumi.runtime.test does.
    pulumi_settings.SETTINGS.outputs.clear()
    pulumi_settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_all_config({k: _config_value(v) for k, v in config.items()}, list(secret_keys))
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
    """Finish and close the event loop the mocks runtime ran on; call once, when the process is done.

    A program that failed leaves its registrations in flight: left pending, each prints "Task was
    destroyed but it is pending!" (and "coroutine ... was never awaited") when the loop is collected
    at interpreter exit, and an open loop adds "Exception ignored in BaseEventLoop.__del__", all under
    the one error line the user should see. They are cancelled here, not when the program fails: a
    later run in the same process (the tests) still needs Pulumi's state as the failed run left it.
    """
    loop = asyncio.get_event_loop_policy().get_event_loop()
    if loop.is_running() or loop.is_closed():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    loop.close()
