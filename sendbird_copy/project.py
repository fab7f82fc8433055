"""Names this project owns, in one place: its Pulumi project and config namespace, and the prefixes
it reserves inside the recordings bucket. Imported by the components, the program, the helper and the
local tools; pure and cheap to import.
"""

from __future__ import annotations

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

# Prefixes that hold this project's own objects, never recordings: listings that look for a copied
# recording skip them (a ledger key contains the recording id too).
RESERVED_PREFIXES = (PREFLIGHT_PREFIX, LEDGER_PREFIX)
