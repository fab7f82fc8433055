"""RecordingStorage: everything Sendbird's copy API needs in one AWS region, secure by default."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .args import RecordingStorageArgs
from .bucket import configure_bucket, create_bucket
from .copy_identity import create_copy_user, grant_copy_user
from .key import create_key
from .naming import bucket_prefix, default_tags, kms_alias_name
from .upload_role import create_upload_role, grant_upload_role
from .validation import InputError, validate_args

TYPE_TOKEN = "sendbird-recordings:index:RecordingStorage"


class RecordingStorage(pulumi.ComponentResource):
    """A KMS-encrypted bucket in the Sendbird application's region, the key, and the copy identity.

    Outputs: ``bucket_name``, ``bucket_arn``, ``region``, ``kms_key_arn``, ``kms_alias``,
    ``copy_user_name``, ``copy_access_key_id``, ``copy_secret_access_key`` (secret), ``app_id`` and,
    with ``upload_role``, ``upload_role_arn`` (else None).
    """

    app_id: pulumi.Output[str]
    region: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    kms_alias: pulumi.Output[str]
    copy_user_name: pulumi.Output[str]
    copy_access_key_id: pulumi.Output[str]
    copy_secret_access_key: pulumi.Output[str]
    upload_role_arn: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: RecordingStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Validate before registering anything: bad input fails preview with no resource created.
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"RecordingStorage name {name!r} is empty. Allowed: a non-empty string")
        try:
            aws_region = validate_args(args)
        except InputError as exc:
            raise InputError(f"RecordingStorage '{name}': {exc}") from None
        super().__init__(TYPE_TOKEN, name, None, opts)

        tags = default_tags(args.app_id, args.tags)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=invoke)
        partition_info = aws.get_partition_output(opts=invoke)
        account_id, partition = identity.account_id, partition_info.partition
        dns_suffix = partition_info.dns_suffix

        bucket = create_bucket(
            name,
            region=aws_region,
            bucket_name=args.bucket_name,
            bucket_prefix=bucket_prefix(name),
            force_destroy=args.force_destroy,
            protect=args.protect,
            tags=tags,
            parent=self,
        )
        user, access_key = create_copy_user(name, tags=tags, parent=self)
        role = (
            create_upload_role(
                name, app_id=args.app_id, upload=args.upload_role, partition=partition, tags=tags, parent=self
            )
            if args.upload_role is not None
            else None
        )

        key_resources: list[pulumi.Resource] = []
        if args.kms_key_arn is not None:
            # An existing key: its policy is the owner's (it must let IAM policies grant use, i.e. keep
            # the account-root statement). kms_alias then carries the key ARN, a valid KMS key id.
            kms_key_arn = pulumi.Output.from_input(args.kms_key_arn)
            kms_alias = pulumi.Output.from_input(args.kms_key_arn)
        else:
            key, alias = create_key(
                name,
                app_id=args.app_id,
                region=aws_region,
                alias_name=kms_alias_name(pulumi.get_stack(), name),
                deletion_window_days=args.kms_deletion_window_days,
                account_id=account_id,
                partition=partition,
                dns_suffix=dns_suffix,
                copy_identity_arn=user.arn,
                upload_role_arn=role.arn if role is not None else None,
                protect=args.protect,
                tags=tags,
                parent=self,
            )
            kms_key_arn, kms_alias = key.arn, alias.name
            key_resources = [key, alias]

        user_policy = grant_copy_user(
            name,
            user=user,
            region=aws_region,
            bucket_arn=bucket.arn,
            kms_key_arn=kms_key_arn,
            dns_suffix=dns_suffix,
            parent=self,
        )
        if role is not None:
            grant_upload_role(
                name,
                role=role,
                region=aws_region,
                bucket_arn=bucket.arn,
                kms_key_arn=kms_key_arn,
                dns_suffix=dns_suffix,
                parent=self,
            )
        configure_bucket(
            name,
            bucket=bucket,
            region=aws_region,
            kms_key_arn=kms_key_arn,
            copy_identity_arn=user.arn,
            account_id=account_id,
            partition=partition,
            retention=args.retention,
            policy_after=[user_policy, access_key, *key_resources],
            parent=self,
        )

        self.app_id = pulumi.Output.from_input(args.app_id)
        self.region = pulumi.Output.from_input(aws_region)
        self.bucket_name = bucket.bucket
        self.bucket_arn = bucket.arn
        self.kms_key_arn = kms_key_arn
        self.kms_alias = kms_alias
        self.copy_user_name = user.name
        self.copy_access_key_id = access_key.id
        self.copy_secret_access_key = pulumi.Output.secret(access_key.secret)
        self.upload_role_arn = role.arn if role is not None else None

        outputs = {**self.public_outputs(), "copy_secret_access_key": self.copy_secret_access_key}
        self.register_outputs(outputs)

    def public_outputs(self) -> dict[str, pulumi.Output[str]]:
        """Every non-secret output, in the shape of one entry of the ``applications`` stack output."""
        public = {
            "app_id": self.app_id,
            "region": self.region,
            "bucket_name": self.bucket_name,
            "bucket_arn": self.bucket_arn,
            "kms_key_arn": self.kms_key_arn,
            "kms_alias": self.kms_alias,
            "copy_user_name": self.copy_user_name,
            "copy_access_key_id": self.copy_access_key_id,
        }
        if self.upload_role_arn is not None:
            public["upload_role_arn"] = self.upload_role_arn
        return public
