"""Facts the project states once: the names it owns (Pulumi project, config namespace, the
prefixes it reserves in the bucket), Sendbird's API as documented (Calls/Live Platform API v1), and what
the scheduled sync function and the component that deploys it agree on (its environment, metrics and
runtime). Imported by the components, the program, the helper, the function and the local tools; pure
and cheap to import: no requests, no boto3, no Pulumi.

The function's environment holds names and ARNs only: the API token and the copy key pair travel through
Secrets Manager, never through the function's configuration."""

from __future__ import annotations

import re
from datetime import timedelta

# -- from project ------------------------------------------------------------
# The Pulumi project, the stack-config namespace and the component package share this name.
PROJECT_NAME = "sendbird-recordings"
CONFIG_NAMESPACE = PROJECT_NAME

# Objects the smoke test's preflight writes (and the deployer deletes); a lifecycle rule expires
# leftovers after a day, and the search for a copied recording ignores them.
PREFLIGHT_PREFIX = "_preflight/"

# The sync's ledger: one small JSON object per recording, written with the operator's credentials.
# A lifecycle rule on the bucket expires it LEDGER_EXPIRATION_DAYS after it was last written, weeks
# after Sendbird itself deleted the recording (two weeks after its upload), so it never grows forever.
LEDGER_PREFIX = "_sendbird-sync/"
LEDGER_EXPIRATION_DAYS = 60

# One small JSON document per verified copy (sync/manifest.py): what the recording is (its live event
# or room, times, sizes, checksum, key) for as long as the recording is kept. Written by the operator
# or the function's role only; a lifecycle rule expires it with the recordings (never the ledger's).
MANIFEST_PREFIX = "_sendbird-manifests/"
# The tags a verified recording object gets (its parent's id), for S3's own tools and lifecycle filters.
TAG_LIVE_EVENT_ID = "sendbird:live_event_id"
TAG_ROOM_ID = "sendbird:room_id"

# The prefixes the tool keeps its own state under (ledger, discovery state, lease; manifests): the copy
# identity, whose key is handed to Sendbird, is refused every action on them, in its identity policy
# and by a Deny in the bucket policy. The preflight probes stay writable: the copy identity writes them.
TOOL_PREFIXES = (LEDGER_PREFIX, MANIFEST_PREFIX)

# The recordings' retention rules (transition, expiration) match objects larger than this only, and
# the tool never writes an object of its own above it (aws.write_json refuses): S3 lifecycle filters
# cannot leave a prefix out, and Sendbird's key layout is undocumented, so size is what sets the tool's
# objects apart. 128 KiB: S3's own default floor for transitions, far above a ledger entry or a state.
TOOL_OBJECT_MAX_BYTES = 128 * 1024

# Prefixes that hold this project's own objects, never recordings: listings that look for a copied
# recording skip them (a ledger key contains the recording id too).
RESERVED_PREFIXES = (PREFLIGHT_PREFIX, *TOOL_PREFIXES)


# -- from sendbird_facts ------------------------------------------------------------
# Live and Calls share one base URL per application (documented).
API_BASE_URL_TEMPLATE = "https://api-{application_id}.calls.sendbird.com/v1"
# The Organization API: the only API that reports an application's region.
ORG_API_BASE_URL = "https://gate.sendbird.com"

# The copy writes the file in 5 MB parts (documented); also S3's minimum multipart part size.
COPY_PART_SIZE = 5 * 1024 * 1024
# Sendbird keeps a recording two weeks after its upload completed; after that it is gone.
RECORDING_RETENTION = timedelta(days=14)
# List endpoints page with `limit` (at most 100) and a `next` token.
MAX_PAGE_LIMIT = 100
# Documented rate limits, per application and per endpoint, in requests per second.
GET_REQUESTS_PER_SECOND = 10
WRITE_REQUESTS_PER_SECOND = 5  # POST, PUT, DELETE: so at most 5 copies started per second

# The application id becomes one DNS label of the API host (api-{app_id}.calls.sendbird.com), and
# Sendbird's ids are UUIDs (hex digits and '-'). One rule for the component and the client: letters,
# digits and '-', starting and ending with a letter or digit, at most 63 - len("api-") = 59 characters.
# '_' is refused (no host name may carry it), and '.', '/', '@' could steer the token to another host.
APP_ID_MAX_LENGTH = 59
APP_ID_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,57}[A-Za-z0-9])?$")
APP_ID_ALLOWED = (
    f"letters, digits and hyphens, starting and ending with a letter or digit, at most {APP_ID_MAX_LENGTH} "
    "characters (Sendbird application ids are UUIDs; the id becomes part of the API host name)"
)


def is_valid_app_id(value: object) -> bool:
    """True for a string that follows the one application-id rule above."""
    return isinstance(value, str) and APP_ID_PATTERN.match(value) is not None


def api_base_url(application_id: str, template: str | None = None) -> str:
    """The Calls/Live API base URL of one application (``template`` overrides, e.g. an emulator)."""
    # replace, not str.format: any other brace in an override stays literal.
    return (template or API_BASE_URL_TEMPLATE).replace("{application_id}", application_id).rstrip("/")


# -- from scheduled_facts ------------------------------------------------------------
# -- the function ---------------------------------------------------------------------------------
HANDLER = "sendbird_copy.sync.function.handler.handler"
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
# Optional, together: the Object Lock retention the sync applies to each copied recording version
# (RecordingStorage's object_lock: GOVERNANCE or COMPLIANCE; P<days>D or P<years>Y).
ENV_OBJECT_LOCK_MODE = "RECORDINGS_OBJECT_LOCK_MODE"
ENV_OBJECT_LOCK_PERIOD = "RECORDINGS_OBJECT_LOCK_PERIOD"
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
# 1 when this run's probe write as the copy identity failed (sendbird_copy.sync.function.write_path), else 0.
METRIC_WRITE_PATH_BROKEN = "WritePathBroken"
METRIC_DAMAGED = "DamagedState"
METRIC_RECORDINGS_DAMAGED = "RecordingsDamaged"
METRICS = (
    METRIC_COPIED,
    METRIC_AT_RISK,
    METRIC_LOST,
    METRIC_FAILED,
    METRIC_PENDING,
    METRIC_DAMAGED,
    METRIC_WRITE_PATH_BROKEN,
    METRIC_RECORDINGS_DAMAGED,
)
# What each metric counts, per run (the component's alarm descriptions and the README can quote these).
METRIC_DESCRIPTIONS = {
    METRIC_COPIED: "recordings copied and verified by this run",
    METRIC_AT_RISK: "recordings not copied yet whose deadline (two weeks after they stopped) is within "
    f"{ENV_WARN_DAYS} days (its default: sendbird_copy.rules.WARN_DAYS_DEFAULT)",
    METRIC_LOST: "recordings past their deadline and never copied: Sendbird may have deleted them",
    METRIC_FAILED: "recordings whose copy failed (refused, wrong size, or given up after three attempts)",
    METRIC_PENDING: "completed recordings left for the next run: not claimed before the time budget ran "
    "out, or copy requested and its object not verified yet",
    METRIC_DAMAGED: "objects the sync keeps in the bucket (ledger entries, discovery state, the record of "
    "checked copies) that could not be read or made no sense; each is named in the run's summary",
    METRIC_WRITE_PATH_BROKEN: "1 when the run's probe write as the copy identity (the key Sendbird "
    "copies with) failed: Sendbird's copies would fail too; else 0",
    METRIC_RECORDINGS_DAMAGED: "copies this run found damaged (a missing or truncated MP4 box, or not an "
    "MP4): never marked copied, requested again by the next run while Sendbird holds the recording",
}
METRIC_UNIT = "Count"
# The message of the one log line each run ends with (the dashboard's log query looks for it).
SUMMARY_MESSAGE = "sendbird recording sync summary"
