"""The one assertion that no secret leaked, used by every test that looks at output or logs."""

from __future__ import annotations

from collections.abc import Iterable


def assert_no_secrets(secrets: Iterable[str], *texts: str) -> None:
    """Every secret is absent from every text (a secret is shown by its first 4 characters only)."""
    secrets = list(secrets)
    assert secrets, "a test that checks for leaks must know at least one secret"
    for secret in secrets:
        assert secret, "empty secret"
        for text in texts:
            assert secret not in text, f"a secret ({secret[:4]}...) leaked into output"
