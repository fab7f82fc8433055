"""Pure policy builders of the scheduled sync: the function's role and the scheduler's role.

The function's role is least privilege for what the sync core does with the operator's credentials
in ``sendbird-copy sync``: read its two secrets, list the bucket (to find a copied recording), read
and write the ledger prefix, read the bucket's objects (``s3:GetObject``, with ``kms:Decrypt`` only
through S3), write manifests and tag a verified recording with its parent's id, and write its own
logs. It verifies a copy by listing (size) and by reading only byte ranges of its MP4 structure (box
headers, a few small boxes: ``sendbird_copy.sync.mp4``), never the whole recording; the bucket policy
already refuses any object that is not SSE-KMS with the stack's key. It can neither write nor delete
a recording. With Object Lock (``object_lock``), it may also retain a recording version
(``s3:PutObjectRetention``, which can only keep a version longer, never shorten a COMPLIANCE one; never
``s3:BypassGovernanceRetention``): the sync retains each verified copy (sendbird_copy/sync/retention.py).

No statement has ``Resource: "*"``: every action here accepts a resource ARN.
"""

from __future__ import annotations

from sendbird_copy.facts import LEDGER_PREFIX, MANIFEST_PREFIX, TAG_LIVE_EVENT_ID, TAG_ROOM_ID

from ..storage.policies import KMS_USE_ACTIONS, VERSION, Policy, s3_service_name

LAMBDA_SERVICE = "lambda.amazonaws.com"
SCHEDULER_SERVICE = "scheduler.amazonaws.com"

SID_READ_SECRETS = "ReadOwnSecrets"
SID_DECRYPT_SECRETS = "DecryptSecretsViaSecretsManager"
SID_LIST_BUCKET = "ListRecordingsBucket"
SID_LEDGER = "ReadWriteLedger"
SID_LEDGER_KEY = "UseKeyViaS3ForLedger"
SID_READ_RECORDINGS = "ReadRecordingRangesToVerify"
SID_MANIFESTS = "WriteManifests"
SID_TAG_RECORDINGS = "TagRecordingsWithTheirParent"
SID_LOGS = "WriteOwnLogs"
SID_RETAIN_RECORDINGS = "RetainVerifiedRecordings"
FUNCTION_POLICY_SIDS = (
    SID_READ_SECRETS,
    SID_DECRYPT_SECRETS,
    SID_LIST_BUCKET,
    SID_LEDGER,
    SID_LEDGER_KEY,
    SID_READ_RECORDINGS,
    SID_MANIFESTS,
    SID_TAG_RECORDINGS,
    SID_LOGS,
)


def secrets_manager_service_name(region: str, dns_suffix: str = "amazonaws.com") -> str:
    """The ``kms:ViaService`` value of KMS calls Secrets Manager makes on a caller's behalf."""
    return f"secretsmanager.{region}.{dns_suffix}"


def ledger_objects(bucket_arn: str) -> str:
    return f"{bucket_arn}/{LEDGER_PREFIX}*"


def manifest_objects(bucket_arn: str) -> str:
    return f"{bucket_arn}/{MANIFEST_PREFIX}*"


def bucket_objects(bucket_arn: str) -> str:
    """Every object: a copy's key is Sendbird's choice (undocumented), so no narrower pattern holds."""
    return f"{bucket_arn}/*"


def _service_trust(service: str, condition: Policy | None = None) -> Policy:
    statement: Policy = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": VERSION, "Statement": [statement]}


def function_trust_policy() -> Policy:
    """Lambda assumes the function's role (Lambda documents no source condition for execution roles)."""
    return _service_trust(LAMBDA_SERVICE)


def scheduler_trust_policy(*, account_id: str) -> Policy:
    """EventBridge Scheduler, only for schedules of this account (confused-deputy guard)."""
    return _service_trust(SCHEDULER_SERVICE, {"StringEquals": {"aws:SourceAccount": account_id}})


def _use_key_via(sid: str, actions: list[str], key_arn: str, service: str) -> Policy:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": service}},
    }


def function_policy(
    *,
    bucket_arn: str,
    kms_key_arn: str,
    secret_arns: list[str],
    log_group_arn: str,
    region: str,
    dns_suffix: str = "amazonaws.com",
) -> Policy:
    """The function role's one inline policy (see the module doc)."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": SID_READ_SECRETS,
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": sorted(secret_arns),
            },
            # A secret given by ARN may use another key: its owner grants that (README).
            _use_key_via(
                SID_DECRYPT_SECRETS,
                ["kms:Decrypt"],
                kms_key_arn,
                secrets_manager_service_name(region, dns_suffix),
            ),
            {"Sid": SID_LIST_BUCKET, "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
            {
                "Sid": SID_LEDGER,
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": ledger_objects(bucket_arn),
            },
            # Ledger objects are SSE-KMS by the bucket's default encryption; recordings are SSE-KMS too
            # (kms:Decrypt through S3 for the ranged reads below).
            _use_key_via(SID_LEDGER_KEY, KMS_USE_ACTIONS, kms_key_arn, s3_service_name(region, dns_suffix)),
            # A copy's MP4 structure is checked by ranged reads before it counts as copied.
            {
                "Sid": SID_READ_RECORDINGS,
                "Effect": "Allow",
                "Action": "s3:GetObject",
                "Resource": bucket_objects(bucket_arn),
            },
            # Each verified copy's manifest (``find`` reads them with the operator's credentials),
            # and its parent's id as a tag on the recording object (on the verified version, by its
            # id: s3:PutObjectVersionTagging). The recordings' keys are Sendbird's (undocumented):
            # the tag is allowed on any object, with our two tag keys only.
            {
                "Sid": SID_MANIFESTS,
                "Effect": "Allow",
                "Action": "s3:PutObject",
                "Resource": manifest_objects(bucket_arn),
            },
            {
                "Sid": SID_TAG_RECORDINGS,
                "Effect": "Allow",
                "Action": ["s3:PutObjectTagging", "s3:PutObjectVersionTagging"],
                "Resource": bucket_objects(bucket_arn),
                "Condition": {
                    "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": [TAG_LIVE_EVENT_ID, TAG_ROOM_ID]}
                },
            },
            {
                "Sid": SID_LOGS,
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                # Log streams are resources under the group: "<group arn>:log-stream:<name>".
                "Resource": f"{log_group_arn}:*",
            },
        ],
    }


def with_retention(policy: Policy, *, bucket_arn: str) -> Policy:
    """``function_policy`` for a storage with Object Lock: the sync also retains each verified
    recording version. Only what it calls: PutObjectRetention (it learns the version from HeadObject,
    which its s3:GetObject grant covers); no GetObjectRetention, legal hold or bypass."""
    retain = {
        "Sid": SID_RETAIN_RECORDINGS,
        "Effect": "Allow",
        "Action": "s3:PutObjectRetention",
        "Resource": bucket_objects(bucket_arn),
    }
    return {**policy, "Statement": [*policy["Statement"], retain]}


def scheduler_policy(*, function_arn: str, dead_letter_queue_arn: str) -> Policy:
    """Invoke exactly this function (unqualified ARN: no other version or alias), and send failed
    invocations to the schedule's dead-letter queue."""
    return {
        "Version": VERSION,
        "Statement": [
            {
                "Sid": "InvokeSyncFunction",
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": function_arn,
            },
            {
                "Sid": "SendToDeadLetterQueue",
                "Effect": "Allow",
                "Action": "sqs:SendMessage",
                "Resource": dead_letter_queue_arn,
            },
        ],
    }
