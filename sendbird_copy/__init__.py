"""Post-deploy helper for Sendbird recording storage: API client, region check, smoke test, CLI.

Importing this package must stay cheap and must never import Pulumi: a CI job runs it right
after ``pulumi up`` and its start time is measured in ``benchmarks/``.
"""

__version__ = "0.1.0"
