"""What every child of one component (RecordingStorage, RecordingSync) shares, built once by the
component: its name, region, account, partition, tags and parent. The resource modules take it
instead of a dozen parameters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pulumi
import pulumi_aws as aws

from .naming import default_tags


class ComponentArgs(Protocol):
    """What a component's args give its context (RecordingStorageArgs and RecordingSyncArgs do)."""

    @property
    def app_id(self) -> str: ...
    @property
    def aws_region(self) -> str: ...
    @property
    def tags(self) -> Mapping[str, pulumi.Input[str]]: ...


@dataclass(frozen=True)
class StorageContext:
    """The shared facts of one RecordingStorage's children."""

    # The component's name: every child is named ``<name>-<suffix>``.
    name: str
    app_id: str
    # The AWS region every regional child is pinned to (never a Sendbird region key).
    region: str
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]
    dns_suffix: pulumi.Output[str]
    # Every taggable child gets these (the caller's tags plus ours; see naming.default_tags). A
    # caller's value may be an Output (checked when it resolves).
    tags: Mapping[str, pulumi.Input[str]]
    parent: pulumi.Resource

    @classmethod
    def of(cls, component: pulumi.Resource, name: str, args: ComponentArgs) -> StorageContext:
        """Ask the provider for account and partition once, on behalf of ``component``."""
        invoke = pulumi.InvokeOutputOptions(parent=component)
        identity = aws.get_caller_identity_output(opts=invoke)
        partition = aws.get_partition_output(opts=invoke)
        return cls(
            name=name,
            app_id=args.app_id,
            region=args.aws_region,
            account_id=identity.account_id,
            partition=partition.partition,
            dns_suffix=partition.dns_suffix,
            tags=default_tags(args.app_id, args.tags),
            parent=component,
        )

    def child_name(self, suffix: str) -> str:
        return f"{self.name}-{suffix}"

    def opts(self, *after: pulumi.Resource, protect: bool = False, **more: Any) -> pulumi.ResourceOptions:
        """A child's options: parented to the component, after ``after``; ``protect`` only adds
        protection (None rather than False, so a protect=True set on the component still applies)."""
        return pulumi.ResourceOptions(
            parent=self.parent, depends_on=list(after), protect=True if protect else None, **more
        )

    def regional(self, *after: pulumi.Resource, **more: Any) -> dict[str, Any]:
        """The arguments every regional child shares: its region and options (``opts``)."""
        return {"region": self.region, "opts": self.opts(*after, **more)}
