"""``ClaimChecker.problem``: why a ``copied`` ledger entry is not believed. The branches the sync's
end-to-end tests do not reach on their own."""

from __future__ import annotations

from collections import Counter

from sendbird_copy.sync.bucket.checked import Checked, ClaimChecker
from sendbird_copy.sync.bucket.ledger import COPIED, Ledger, LedgerEntry

KMS = "arn:aws:kms:ap-northeast-2:123456789012:key/0b7e2a1c-5d4f-4e3a-9c8b-7a6f5e4d3c2b"
OTHER_KMS = "arn:aws:kms:ap-northeast-2:123456789012:key/11111111-2222-3333-4444-555555555555"
SIZE = 1024
DAY = "2026-11-28T12:00:00+00:00"


def _checker() -> ClaimChecker:
    # No request is made on these branches: the ledger's client is never called.
    return ClaimChecker(Ledger(None, "b", "APP"), KMS, Counter())


def _entry(recording_id: str, key: str, kms: str = KMS) -> LedgerEntry:
    found = {"key": key, "size": SIZE, "kms_key_id": kms}
    return LedgerEntry(recording_id, "APP", COPIED, "live event e1", "hand", DAY, DAY, object=found)


def test_an_entry_naming_another_recordings_checked_copy_is_not_believed() -> None:
    """Without a learned layout "rec-1-b.mp4" holds the id rec-1 (a "-" follows it), and this run
    does not list rec-1-b: only the record of checked copies knows the object is rec-1-b's."""
    checker = _checker()
    checker.checked["rec-1-b"] = Checked(
        key="rec-1-b.mp4", size=SIZE, etag='"e"', kms_key_id=None, deadline=DAY
    )
    problem = checker.problem(_entry("rec-1", "rec-1-b.mp4"), SIZE, None, {"rec-1"})
    assert problem == "its object rec-1-b.mp4 is the checked copy of recording rec-1-b"
    assert "rec-1" not in checker.checked  # not recorded as checked


def test_an_entry_naming_an_object_under_another_key_is_not_believed() -> None:
    problem = _checker().problem(_entry("rec-1", "rec-1.mp4", kms=OTHER_KMS), SIZE, None, {"rec-1"})
    assert problem == f"it names an object encrypted with another key ({OTHER_KMS})"
