"""Sendbird's API: the client (``client``: one ``requests`` session, timeouts, urllib3 ``Retry``, a total
deadline per answer, errors mapped into the one tree) and the one place every answer is checked against
the shape the sync relies on (``answers``). The names callers use are re-exported here."""

from sendbird_copy.api.client import (
    FIND_MAX_PAGES as FIND_MAX_PAGES,
)
from sendbird_copy.api.client import (
    OrganizationClient as OrganizationClient,
)
from sendbird_copy.api.client import (
    SendbirdClient as SendbirdClient,
)
from sendbird_copy.api.client import (
    client_factory as client_factory,
)
