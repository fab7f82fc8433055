"""Pulumi type tokens, in one place: the components' own, every resource type they register
(``RESOURCE_TYPES``), and the provider functions (invokes) they call. The components, the tests'
recording mocks, the emulator deploy's mocks (which dispatch on these) and the scanner's Terraform
twins (one per type of ``RESOURCE_TYPES``) all import them from here. Pure and cheap to import.
"""

from __future__ import annotations

from sendbird_copy.facts import PROJECT_NAME

# The component (DESIGN: ``sendbird-recordings:index:<Class>``).
RECORDING_STORAGE = f"{PROJECT_NAME}:index:RecordingStorage"
RECORDING_SYNC = f"{PROJECT_NAME}:index:RecordingSync"

# S3: the bucket and its bucket-level settings.
BUCKET = "aws:s3/bucket:Bucket"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_NOTIFICATION = "aws:s3/bucketNotification:BucketNotification"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
# Replication to a second region (the replica bucket's own settings use the types above).
REPLICATION_CONFIG = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
INVENTORY = "aws:s3/inventory:Inventory"
INTELLIGENT_TIERING = "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration"
# EventBridge: the rule and target that deliver recording-arrived events.
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
# Object Lock on the recordings bucket (components/storage/options/object_lock.py).
OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
# KMS.
KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
# IAM (global: these take no region).
IAM_USER = "aws:iam/user:User"
USER_POLICY = "aws:iam/userPolicy:UserPolicy"
ACCESS_KEY = "aws:iam/accessKey:AccessKey"
IAM_ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
# The scheduled sync (RecordingSync).
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
FUNCTION_EVENT_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"
SCHEDULE = "aws:scheduler/schedule:Schedule"
QUEUE = "aws:sqs/queue:Queue"
METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
DASHBOARD = "aws:cloudwatch/dashboard:Dashboard"
# pulumiverse time (no region, no cloud: a timestamp in the state).
ROTATING = "time:index/rotating:Rotating"

# The resource types RecordingStorage pins to the application's region, and the global ones.
REGIONAL_TYPES = frozenset(
    {
        BUCKET,
        PUBLIC_ACCESS_BLOCK,
        OWNERSHIP,
        VERSIONING,
        ENCRYPTION,
        LIFECYCLE,
        BUCKET_POLICY,
        BUCKET_NOTIFICATION,
        BUCKET_LOGGING,
        KMS_KEY,
        KMS_ALIAS,
        REPLICATION_CONFIG,
        INVENTORY,
        INTELLIGENT_TIERING,
        EVENT_RULE,
        EVENT_TARGET,
        OBJECT_LOCK,
    }
)
# The resource types RecordingSync pins to the application's region (its roles are IAM: global).
SYNC_REGIONAL_TYPES = frozenset(
    {
        SECRET,
        SECRET_VERSION,
        LOG_GROUP,
        LAMBDA_FUNCTION,
        FUNCTION_EVENT_INVOKE_CONFIG,
        SCHEDULE,
        QUEUE,
        METRIC_ALARM,
        DASHBOARD,
    }
)
# Every custom resource type the components register: the regional ones above and the global ones
# (IAM; the time provider's Rotating, a timestamp in the state).
RESOURCE_TYPES = (
    REGIONAL_TYPES
    | SYNC_REGIONAL_TYPES
    | {IAM_USER, USER_POLICY, ACCESS_KEY, IAM_ROLE, ROLE_POLICY, ROTATING}
)

# Invokes: the component calls the first two; the third is answered for programs that ask.
GET_CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
GET_PARTITION = "aws:index/getPartition:getPartition"
GET_REGION = "aws:index/getRegion:getRegion"
