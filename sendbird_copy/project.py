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
