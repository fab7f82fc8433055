"""What the scheduled sync function and the component that deploys it agree on, in one place.

``components.RecordingSync`` sets these environment variables, builds the archive with these
dependencies and creates alarms on these metrics; ``sendbird_copy.scheduled`` (the Lambda handler)
reads them. Pure and cheap to import (the handler imports it on every cold start).

The environment holds names and ARNs only: the API token and the copy key pair travel through
Secrets Manager, never through the function's configuration.
"""

from __future__ import annotations

# -- the function ---------------------------------------------------------------------------------
HANDLER = "sendbird_copy.scheduled.handler"
# A current Python runtime on Graviton (cheaper per GB-second than x86_64 for the same work).
RUNTIME = "python3.13"
ARCHITECTURE = "arm64"
# Lambda's maximum: a sync of a large backlog runs as long as it may, then leaves the rest pending
# for the next invocation.
TIMEOUT_SECONDS = 900
MEMORY_MB = 256
# One run at a time: two overlapping runs would share the application's 5 POSTs/s.
RESERVED_CONCURRENCY = 1

# Distributions the archive carries: what `sendbird_copy`'s sync imports that Lambda's Python runtime
# lacks. boto3, botocore and urllib3 are part of the runtime; click, tqdm and pulumi are not needed by
# the handler. Pure Python only (compiled accelerators are left out: the runtime is arm64).
ARCHIVE_DISTRIBUTIONS = ("requests", "certifi", "idna", "charset-normalizer")
# What the runtime provides (and a local run as Lambda makes importable): boto3 and what it needs.
RUNTIME_DISTRIBUTIONS = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")

# -- its environment (names and ARNs, never a secret) ----------------------------------------------
ENV_APP_ID = "SENDBIRD_APP_ID"
ENV_BUCKET_NAME = "RECORDINGS_BUCKET_NAME"
ENV_KMS_KEY_ARN = "RECORDINGS_KMS_KEY_ARN"
ENV_API_TOKEN_SECRET_ARN = "SENDBIRD_API_TOKEN_SECRET_ARN"
ENV_COPY_KEY_SECRET_ARN = "COPY_KEY_SECRET_ARN"
ENV_WARN_DAYS = "SYNC_WARN_DAYS"
ENV_EVENT_MARGIN_HOURS = "SYNC_EVENT_MARGIN_HOURS"
ENV_METRICS_NAMESPACE = "SYNC_METRICS_NAMESPACE"
# Optional: Sendbird's API base URL (the emulator's, locally); default: Sendbird's own.
ENV_API_BASE_URL = "SENDBIRD_API_BASE_URL"
# The region comes from Lambda's own AWS_REGION: the function runs in the application's region.
ENV_REGION = "AWS_REGION"

# -- the copy key secret: a JSON object with these two fields ---------------------------------------
COPY_KEY_ID_FIELD = "access_key_id"
COPY_KEY_SECRET_FIELD = "secret_access_key"

# -- metrics (CloudWatch embedded metric format in the function's logs) ----------------------------
METRICS_NAMESPACE = "SendbirdRecordings"
METRIC_DIMENSION = "AppId"
METRIC_COPIED = "RecordingsCopied"
METRIC_AT_RISK = "RecordingsAtRisk"
METRIC_LOST = "RecordingsLost"
METRIC_FAILED = "RecordingsFailed"
METRIC_PENDING = "RecordingsPending"
METRICS = (METRIC_COPIED, METRIC_AT_RISK, METRIC_LOST, METRIC_FAILED, METRIC_PENDING)
# What each metric counts, per run (the component's alarm descriptions and the README can quote these).
METRIC_DESCRIPTIONS = {
    METRIC_COPIED: "recordings copied and verified by this run",
    METRIC_AT_RISK: "recordings not copied yet whose deadline (two weeks after they stopped) is within "
    f"{ENV_WARN_DAYS} days (its default: sendbird_copy.rules.WARN_DAYS_DEFAULT)",
    METRIC_LOST: "recordings past their deadline and never copied: Sendbird may have deleted them",
    METRIC_FAILED: "recordings whose copy failed (refused, wrong size, or given up after three attempts)",
    METRIC_PENDING: "completed recordings left for the next run: not claimed before the time budget ran "
    "out, or copy requested and its object not verified yet",
}
METRIC_UNIT = "Count"
