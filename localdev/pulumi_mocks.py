"""The one base of the Pulumi mocks the program runs under (``pulumi.runtime.set_mocks``): the tests'
recording mocks (``tests/pulumi_mocks.py``) and the emulator deploy's (``localdev/emulator_deploy/``).

What they share lives here: a component resource passes through (it creates nothing); a custom
resource goes to the handler its type token maps to (``handlers``); the invokes RecordingStorage
needs (getCallerIdentity, getPartition, and getRegion for programs that ask) are answered by hooks a
subclass may override; and every registration and call is kept. Importable without moto.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import rpc

from components.type_tokens import GET_CALLER_IDENTITY, GET_PARTITION, GET_REGION

DEFAULT_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"  # the provider's region when a resource sets none
PARTITION = "aws"
DNS_SUFFIX = "amazonaws.com"


def rotating_state(inputs: dict[str, Any], now: datetime.datetime) -> tuple[str, dict[str, Any]]:
    """What the time provider answers for a new ``time.Rotating`` created at ``now``: its id is the
    base timestamp, and ``rotationRfc3339`` the moment it is due (only ``rotationDays`` is modelled)."""
    base = now.astimezone(datetime.UTC).replace(microsecond=0)
    due = base + datetime.timedelta(days=float(inputs.get("rotationDays") or 0))
    stamp = base.strftime("%Y-%m-%dT%H:%M:%SZ")
    return stamp, {"rfc3339": stamp, "rotationRfc3339": due.strftime("%Y-%m-%dT%H:%M:%SZ")}


# (logical name, inputs, region) -> (physical id, what the cloud adds to the inputs)
Handler = Callable[[str, dict[str, Any], str], tuple[str, dict[str, Any]]]
Outputs = dict[str, Any]


@dataclass
class Registration:
    """One registered resource: what the program asked for and what the mocks answered.

    ``urn``, ``parent``, ``protect``, ``dependencies`` and the replacement options are never passed
    to mocks; a monitor that sees the registration requests fills them in with ``annotate`` (the
    tests' RecordingMonitor).
    """

    typ: str
    name: str
    inputs: dict[str, Any]
    provider: str | None
    custom: bool
    id: str = ""
    state: dict[str, Any] = field(default_factory=dict)
    urn: str = ""
    parent: str = ""
    protect: bool | None = None
    dependencies: list[str] = field(default_factory=list)
    # The ``replacement_trigger`` option as the engine got it (None: not set), and delete-before-replace.
    replacement_trigger: Any = None
    delete_before_replace: bool = False


def unwrap_secrets(value: Any) -> tuple[Any, bool]:
    """``value`` with every secret the mock monitor wrapped unwrapped, and whether there was one."""
    if rpc.is_rpc_secret(value):
        return unwrap_secrets(rpc.unwrap_rpc_secret(value))[0], True
    if isinstance(value, dict):
        pairs = {k: unwrap_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(secret for _, secret in pairs.values())
    if isinstance(value, list):
        items = [unwrap_secrets(v) for v in value]
        return [v for v, _ in items], any(secret for _, secret in items)
    return value, False


class HandlerMocks(pulumi.runtime.Mocks):
    """Pulumi mocks that create each custom resource with the handler of its type token."""

    account_id = DEFAULT_ACCOUNT_ID

    def __init__(self) -> None:
        self.registered: list[Registration] = []
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()  # the mock monitor registers from several threads
        self._handlers = self.handlers()
        self._invokes: dict[str, Callable[[dict[str, Any]], Outputs]] = {
            GET_CALLER_IDENTITY: self.caller_identity,
            GET_PARTITION: self.partition,
            GET_REGION: self.region,
        }

    # -- for subclasses ----------------------------------------------------------------------------
    def handlers(self) -> Mapping[str, Handler]:
        """Type token -> handler, for every custom resource type these mocks can create."""
        return {}

    def create(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        """Create one custom resource (a subclass may wrap this, e.g. to translate its errors)."""
        handler = self._handlers.get(typ)
        if handler is None:
            return self.unhandled(typ, name, inputs)
        return handler(name, inputs, inputs.get("region") or DEFAULT_REGION)

    def unhandled(self, typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, Outputs]:
        """A custom resource of a type with no handler: refused by default."""
        raise self.refusal(
            f"cannot apply resource type {typ} ('{name}'); add a handler to {type(self).__name__}.handlers()"
        )

    def refusal(self, what: str) -> Exception:
        """The error for something these mocks cannot do (``what`` starts with "cannot")."""
        return NotImplementedError(f"{type(self).__name__} {what}")

    def caller_identity(self, args: dict[str, Any]) -> Outputs:
        return {
            "accountId": self.account_id,
            "arn": f"arn:{PARTITION}:iam::{self.account_id}:user/deployer",
            "userId": "AIDADEPLOYER00000000",
            "id": self.account_id,
        }

    def partition(self, args: dict[str, Any]) -> Outputs:
        return {
            "partition": PARTITION,
            "dnsSuffix": DNS_SUFFIX,
            "reverseDnsPrefix": "com.amazonaws",
            "id": PARTITION,
        }

    def region(self, args: dict[str, Any]) -> Outputs:
        region = args.get("region") or DEFAULT_REGION
        return {"name": region, "region": region, "id": region}

    # -- Mocks interface ---------------------------------------------------------------------------
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        # A provider sees a secret input's plain value (the engine keeps the secrecy, not the provider).
        inputs = {key: unwrap_secrets(value)[0] for key, value in args.inputs.items()}
        # A component resource holds nothing to create.
        resource_id, outputs = self.create(args.typ, args.name, inputs) if args.custom else ("", {})
        state = {**inputs, **outputs}
        record = Registration(
            args.typ, args.name, inputs, args.provider, bool(args.custom), resource_id, state
        )
        with self._lock:
            self.registered.append(record)
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        call_args = dict(args.args)
        with self._lock:
            self.calls.append((args.token, call_args))
        answer = self._invokes.get(args.token)
        if answer is None:
            raise self.refusal(f"cannot answer the call {args.token}")
        return answer(call_args), []

    # -- what was registered -----------------------------------------------------------------------
    def annotate(self, typ: str, name: str, **fields: Any) -> None:
        """Add what a monitor saw to the latest registration of ``typ`` named ``name``."""
        with self._lock:
            for record in reversed(self.registered):
                if record.typ == typ and record.name == name:
                    for key, value in fields.items():
                        setattr(record, key, value)
                    return

    @property
    def custom(self) -> list[Registration]:
        return [r for r in self.registered if r.custom]

    def of_type(self, typ: str) -> list[Registration]:
        return [r for r in self.registered if r.typ == typ]
