"""Facts about Sendbird's API as documented (Calls/Live Platform API v1), in one place; imported by the
client, the emulator, the components and the local tools. Pure and cheap to import: no requests, no
Pulumi."""

from __future__ import annotations

import re
from datetime import timedelta

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
