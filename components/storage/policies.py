"""Pure builders of every policy document RecordingStorage writes (plain dicts, no Pulumi).

How the copy identity is named in resource policies (bucket policy, key policy): never as
``Principal: {"AWS": <user arn>}``. S3 and KMS resolve such a principal when the policy is written;
a just-created IAM user is not yet visible to them (IAM is eventually consistent: "Invalid principal
in policy"), and a user that is later recreated under the same name leaves a dangling unique id in
the policy. Instead the principal is the account root, which always exists, narrowed with
``aws:PrincipalArn``. A same-account Allow for the root principal delegates to IAM, so the user's own
identity policy is the real grant: removing that policy really revokes access (the e2e tests rely
on it), and the resource-policy statements only state the intended scope.
"""

from __future__ import annotations

from typing import Any

from sendbird_copy.facts import TOOL_PREFIXES

Policy = dict[str, Any]
VERSION = "2012-10-17"

KMS_USE_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]

# Bucket-policy Sids: stable, so diffs and the emulator's skip report can name statements.
SID_DENY_INSECURE_TRANSPORT = "DenyInsecureTransport"
SID_DENY_OUTDATED_TLS = "DenyOutdatedTls"
SID_DENY_WRONG_KMS_KEY = "DenyWrongKmsKey"
SID_DENY_KMS_WITHOUT_KEY_ID = "DenyKmsWithoutOurKeyId"
SID_DENY_NON_KMS_ENCRYPTION = "DenyNonKmsEncryption"
SID_ALLOW_COPY_WRITE = "AllowCopyIdentityWrite"
SID_ALLOW_COPY_LIST = "AllowCopyIdentityList"
SID_DENY_COPY_TOOL_PREFIXES = "DenyCopyIdentityToolPrefixes"
SID_DENY_COPY_OBJECT_TAGS = "DenyCopyIdentityObjectTags"
SID_DENY_COPY_OBJECT_LOCK = "DenyCopyIdentityObjectLock"
BUCKET_POLICY_SIDS = (
    SID_DENY_INSECURE_TRANSPORT,
    SID_DENY_OUTDATED_TLS,
    SID_DENY_WRONG_KMS_KEY,
    SID_DENY_KMS_WITHOUT_KEY_ID,
    SID_DENY_NON_KMS_ENCRYPTION,
    SID_ALLOW_COPY_WRITE,
    SID_ALLOW_COPY_LIST,
    SID_DENY_COPY_TOOL_PREFIXES,
    SID_DENY_COPY_OBJECT_TAGS,
    SID_DENY_COPY_OBJECT_LOCK,
)
# The copy identity's own policy: the same refusal, so it holds whichever policy is read first.
SID_IDENTITY_DENY_TOOL_PREFIXES = "DenyToolPrefixes"
SID_IDENTITY_DENY_OBJECT_TAGS = "DenyObjectTags"
SID_IDENTITY_DENY_OBJECT_LOCK = "DenyObjectLock"
# Object tags carry each recording's live event or room (sync/manifest.py) and may drive lifecycle
# filters: the copy identity may neither read nor set them, on any object.
OBJECT_TAG_ACTIONS = [
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:DeleteObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectVersionTagging",
]
# Object Lock is the bucket owner's (components/storage/options/object_lock.py): the key handed to Sendbird
# may never retain or hold a version (a legal hold it set it could also lift), bypass a governance
# retention, or enable Object Lock on the bucket (irreversible). Refused on every bucket, with the
# option or without: its identity policy grants none of them, and a drifted one (s3:*) still cannot.
OBJECT_LOCK_ACTIONS = [
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
    "s3:PutBucketObjectLockConfiguration",
]

# Log-bucket-policy Sids.
SID_ALLOW_ACCESS_LOG_DELIVERY = "AllowS3AccessLogDelivery"
ACCESS_LOG_BUCKET_POLICY_SIDS = (SID_DENY_INSECURE_TRANSPORT, SID_ALLOW_ACCESS_LOG_DELIVERY)
# The service principal that delivers S3 server access logs.
LOGGING_SERVICE = "logging.s3.amazonaws.com"
# S3 Inventory's delivery (into the log bucket, with ``Inventory``).
SID_ALLOW_INVENTORY_DELIVERY = "AllowS3InventoryDelivery"
S3_SERVICE = "s3.amazonaws.com"
MIN_TLS_VERSION = 1.2

SSE_HEADER_KEY = "s3:x-amz-server-side-encryption"
SSE_KMS_KEY_HEADER_KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id"


def account_root_arn(partition: str, account_id: str) -> str:
    return f"arn:{partition}:iam::{account_id}:root"


def s3_service_name(region: str, dns_suffix: str = "amazonaws.com") -> str:
    """The ``kms:ViaService`` value of KMS calls S3 makes on a caller's behalf in ``region``."""
    return f"s3.{region}.{dns_suffix}"


def _document(*statements: Policy) -> Policy:
    return {"Version": VERSION, "Statement": list(statements)}


def _objects(bucket_arn: str) -> str:
    return f"{bucket_arn}/*"


def tool_objects(bucket_arn: str) -> list[str]:
    """Every object under the prefixes the tool keeps its own state in (``facts.TOOL_PREFIXES``)."""
    return [f"{bucket_arn}/{prefix}*" for prefix in TOOL_PREFIXES]


def _via_s3(key_arn: str, region: str, dns_suffix: str) -> Policy:
    """Identity-policy statement: use the key only through S3 in the bucket's region."""
    return {
        "Sid": "UseKeyViaS3",
        "Effect": "Allow",
        "Action": KMS_USE_ACTIONS,
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": s3_service_name(region, dns_suffix)}},
    }


def bucket_policy(
    *, bucket_arn: str, kms_key_arn: str, copy_identity_arn: str, account_id: str, partition: str = "aws"
) -> Policy:
    """The one bucket policy: five guard rails for everyone, two narrow grants for the copy identity."""
    copy_identity = {
        "Principal": {"AWS": account_root_arn(partition, account_id)},
        "Condition": {"StringEquals": {"aws:PrincipalArn": copy_identity_arn}},
    }
    return _document(
        _deny_insecure_transport(bucket_arn),
        _deny_outdated_tls(bucket_arn),
        # Deny only a write that *names* another key. Not StringNotEqualsIfExists: IfExists makes an
        # absent header count as "not equal", which would deny every write relying on the bucket's
        # default encryption (Sendbird's copy sends no SSE headers). Plain StringNotEquals is also
        # true when the key is absent, hence the Null guard ("the header is present").
        {
            "Sid": SID_DENY_WRONG_KMS_KEY,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": _objects(bucket_arn),
            "Condition": {
                "StringNotEquals": {SSE_KMS_KEY_HEADER_KEY: kms_key_arn},
                "Null": {SSE_KMS_KEY_HEADER_KEY: "false"},
            },
        },
        # "aws:kms" without a key id makes S3 use the AWS-managed aws/s3 key, which the Deny above
        # never sees (no key header). A write with no SSE header at all stays allowed: the bucket's
        # default encryption (our key) applies to it.
        {
            "Sid": SID_DENY_KMS_WITHOUT_KEY_ID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": _objects(bucket_arn),
            "Condition": {"Null": {SSE_HEADER_KEY: "false", SSE_KMS_KEY_HEADER_KEY: "true"}},
        },
        {
            "Sid": SID_DENY_NON_KMS_ENCRYPTION,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": _objects(bucket_arn),
            "Condition": {
                "StringNotEquals": {SSE_HEADER_KEY: "aws:kms"},
                "Null": {SSE_HEADER_KEY: "false"},
            },
        },
        {
            "Sid": SID_ALLOW_COPY_WRITE,
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": _objects(bucket_arn),
            **copy_identity,
        },
        {
            "Sid": SID_ALLOW_COPY_LIST,
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            **copy_identity,
        },
        # The key handed to Sendbird must never forge the sync's ledger, state or lease: refused here
        # too, so a drifted identity policy (s3:* on bucket/*) still cannot. Principal "*" narrowed
        # by aws:PrincipalArn, as in the key policy: a user ARN as Principal would be resolved to a
        # unique id when written, and a recreated user would silently escape the Deny.
        {
            "Sid": SID_DENY_COPY_TOOL_PREFIXES,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": tool_objects(bucket_arn),
            "Condition": {"StringEquals": {"aws:PrincipalArn": copy_identity_arn}},
        },
        {
            "Sid": SID_DENY_COPY_OBJECT_TAGS,
            "Effect": "Deny",
            "Principal": "*",
            "Action": OBJECT_TAG_ACTIONS,
            "Resource": _objects(bucket_arn),
            "Condition": {"StringEquals": {"aws:PrincipalArn": copy_identity_arn}},
        },
        {
            "Sid": SID_DENY_COPY_OBJECT_LOCK,
            "Effect": "Deny",
            "Principal": "*",
            "Action": OBJECT_LOCK_ACTIONS,
            "Resource": [bucket_arn, _objects(bucket_arn)],
            "Condition": {"StringEquals": {"aws:PrincipalArn": copy_identity_arn}},
        },
    )


def _deny_insecure_transport(bucket_arn: str) -> Policy:
    return {
        "Sid": SID_DENY_INSECURE_TRANSPORT,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, _objects(bucket_arn)],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def _deny_outdated_tls(bucket_arn: str) -> Policy:
    return {
        "Sid": SID_DENY_OUTDATED_TLS,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, _objects(bucket_arn)],
        # A number, as AWS's own examples write it: the operator compares numerically.
        "Condition": {"NumericLessThan": {"s3:TlsVersion": MIN_TLS_VERSION}},
    }


def access_log_bucket_policy(
    *,
    log_bucket_arn: str,
    prefix: str,
    source_bucket_arn: str,
    account_id: str,
    inventory_prefix: str | None = None,
) -> Policy:
    """The log bucket's policy: only S3's logging service may write, only under ``prefix``, and only
    logs of ``source_bucket_arn`` in ``account_id`` (confused-deputy guard); no request without TLS.
    With ``inventory_prefix`` (S3 Inventory to this bucket), S3 itself may also write the inventory
    lists of the same bucket, under ``<inventory_prefix>/`` only.

    ``aws:SourceArn`` is compared with StringEquals (an exact ARN, so the same as AWS's ArnLike
    example) and the Resource is one string: both are what moto's logging check and evaluator read.
    """
    source = {"aws:SourceArn": source_bucket_arn, "aws:SourceAccount": account_id}
    statements = [
        _deny_insecure_transport(log_bucket_arn),
        {
            "Sid": SID_ALLOW_ACCESS_LOG_DELIVERY,
            "Effect": "Allow",
            "Principal": {"Service": LOGGING_SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{log_bucket_arn}/{prefix}*",
            "Condition": {"StringEquals": source},
        },
    ]
    if inventory_prefix is not None:
        # AWS's statement for inventory delivery, with its bucket-owner-full-control condition (S3
        # sends that ACL, which a BucketOwnerEnforced bucket accepts).
        statements.append(
            {
                "Sid": SID_ALLOW_INVENTORY_DELIVERY,
                "Effect": "Allow",
                "Principal": {"Service": S3_SERVICE},
                "Action": "s3:PutObject",
                "Resource": f"{log_bucket_arn}/{inventory_prefix}/*",
                "Condition": {"StringEquals": {**source, "s3:x-amz-acl": "bucket-owner-full-control"}},
            }
        )
    return _document(*statements)


def copy_identity_policy(
    *, bucket_arn: str, kms_key_arn: str, region: str, dns_suffix: str = "amazonaws.com"
) -> Policy:
    """Exactly what Sendbird's copy needs: write objects, list the bucket, use the key through S3;
    and nothing at all under the tool's own prefixes (an explicit Deny: a forged ledger entry, lease,
    state or manifest would stop every copy or mislead ``find``), and no object tag, read or set."""
    return _document(
        {
            "Sid": "WriteRecordings",
            "Effect": "Allow",
            "Action": "s3:PutObject",
            "Resource": _objects(bucket_arn),
        },
        {"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
        _via_s3(kms_key_arn, region, dns_suffix),
        {
            "Sid": SID_IDENTITY_DENY_TOOL_PREFIXES,
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": tool_objects(bucket_arn),
        },
        {
            "Sid": SID_IDENTITY_DENY_OBJECT_TAGS,
            "Effect": "Deny",
            "Action": OBJECT_TAG_ACTIONS,
            "Resource": _objects(bucket_arn),
        },
    )


def key_policy(
    *,
    account_id: str,
    region: str,
    copy_identity_arn: str | None,
    upload_role_arn: str | None = None,
    partition: str = "aws",
    dns_suffix: str = "amazonaws.com",
) -> Policy:
    """Key policy: the root statement (no lock-out: IAM policies keep working) plus the copy identity
    (and the upload role) through S3 in this region only, from this account only. The replica's key
    (``replication``) names no copy identity: only the root statement, so the replication role's own
    policy is its grant.

    The Allows delegate to IAM, so each identity also gets two Denies that hold even if its IAM
    policy drifts to kms:*: no KMS action but the two S3 needs, and none outside S3 in this region.
    They name the identity with ``Principal: "*"`` plus ``aws:PrincipalArn`` (see the module doc), so
    they never touch the account admin. The bucket policy deliberately gets no such Deny: the e2e
    smoke test must still see an identity policy that drifted to s3:*, which a Deny would hide.
    """
    root = account_root_arn(partition, account_id)
    via_s3_service = s3_service_name(region, dns_suffix)

    def via_s3(sid: str, principal_arn: str) -> Policy:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": KMS_USE_ACTIONS,
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "aws:PrincipalArn": principal_arn,
                    "kms:ViaService": via_s3_service,
                    "kms:CallerAccount": account_id,
                }
            },
        }

    def deny_beyond_s3(sid_prefix: str, principal_arn: str) -> list[Policy]:
        who = {"StringEquals": {"aws:PrincipalArn": principal_arn}}
        return [
            {
                "Sid": f"Deny{sid_prefix}OtherKmsActions",
                "Effect": "Deny",
                "Principal": "*",
                "NotAction": KMS_USE_ACTIONS,
                "Resource": "*",
                "Condition": who,
            },
            # Only the two actions: every other one is denied above. Not "kms:*": moto's key-policy
            # check ignores conditions and would then refuse DescribeKey to everyone.
            {
                "Sid": f"Deny{sid_prefix}OutsideS3",
                "Effect": "Deny",
                "Principal": "*",
                "Action": KMS_USE_ACTIONS,
                "Resource": "*",
                "Condition": {**who, "StringNotEquals": {"kms:ViaService": via_s3_service}},
            },
        ]

    statements = [
        {
            "Sid": "EnableRootAccountPermissions",
            "Effect": "Allow",
            "Principal": {"AWS": root},
            "Action": "kms:*",
            "Resource": "*",
        },
    ]
    if copy_identity_arn is not None:
        statements += [
            via_s3("AllowCopyIdentityViaS3", copy_identity_arn),
            *deny_beyond_s3("CopyIdentity", copy_identity_arn),
        ]
    if upload_role_arn is not None:
        statements += [
            via_s3("AllowUploadRoleViaS3", upload_role_arn),
            *deny_beyond_s3("UploadRole", upload_role_arn),
        ]
    return _document(*statements)


def sendbird_principal_arn(principal: str, partition: str = "aws") -> str:
    """An account id becomes that account's root ARN; an ARN is kept as given."""
    return account_root_arn(partition, principal) if principal.isdigit() else principal


def upload_role_trust_policy(*, sendbird_principal: str, external_id: str, partition: str = "aws") -> Policy:
    """Only Sendbird's principal, and only with the agreed external id (confused-deputy guard)."""
    return _document(
        {
            "Sid": "SendbirdAssumeRoleWithExternalId",
            "Effect": "Allow",
            "Principal": {"AWS": sendbird_principal_arn(sendbird_principal, partition)},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
        }
    )


def upload_role_policy(
    *, bucket_arn: str, kms_key_arn: str, region: str, dns_suffix: str = "amazonaws.com"
) -> Policy:
    """The actions Sendbird documents for direct upload, scoped to this bucket and key."""
    return _document(
        {
            "Sid": "ListBucketAndUploads",
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
            "Resource": bucket_arn,
        },
        # s3:Put* only on bucket/*: there it matches object actions (PutObject, PutObjectTagging, ...).
        # On the bucket ARN it would include PutBucketPolicy, PutBucketAcl, PutLifecycleConfiguration...
        # i.e. Sendbird could rewrite this bucket's guard rails.
        {
            "Sid": "ReadWriteObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts", "s3:Put*"],
            "Resource": _objects(bucket_arn),
        },
        _via_s3(kms_key_arn, region, dns_suffix),
        # s3:Put* on objects covers PutObjectRetention and PutObjectLegalHold: Object Lock is the
        # owner's (a retention Sendbird set in COMPLIANCE mode could never be shortened).
        {
            "Sid": SID_IDENTITY_DENY_OBJECT_LOCK,
            "Effect": "Deny",
            "Action": OBJECT_LOCK_ACTIONS,
            "Resource": [bucket_arn, _objects(bucket_arn)],
        },
    )
