"""What ``status`` reads of the bucket: one listing serves both the ledger and the objects.

An entry is read only when the sync's record of checked copies (``checked.py``) does not vouch for
its recording, so ``status`` at thousands of recordings makes a request per 1,000 keys, not one per
recording. A copied entry is then judged by its object as well: one that is not in the bucket, or of
another size, is not safe (``gone``). A copy whose Object Lock retention the record says is still to
apply (``Checked.unwritten``) is a problem (exit 1): it can still be deleted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

from sendbird_copy.facts import RESERVED_PREFIXES
from sendbird_copy.sync.bucket.checked import ClaimChecker
from sendbird_copy.sync.bucket.ledger import COPIED, FAILED, Ledger, LedgerEntry, Stored


def read_bucket(
    ledger: Ledger, kms_key_arn: str, problems: list[str]
) -> tuple[list[tuple[str, Stored]], dict[str, dict[str, Any]]]:
    """(every ledger entry by key, every object outside the tool's prefixes by key); what could
    not be read of the record of checked copies goes to ``problems``."""
    checker = ClaimChecker(ledger, kms_key_arn, Counter())
    checker.load()
    problems.extend(f"s3://{ledger.bucket}/{d['key']}: {d['problem']}" for d in checker.damaged)
    listed: list[str] = []
    objects: dict[str, dict[str, Any]] = {}
    for page in ledger.s3.get_paginator("list_objects_v2").paginate(Bucket=ledger.bucket):
        for item in page.get("Contents", []):
            key = item["Key"]
            name = key[len(ledger.prefix) :]
            if not key.startswith(RESERVED_PREFIXES):
                objects[key] = item
            elif key.startswith(ledger.prefix) and "/" not in name and name.endswith(".json"):
                listed.append(key)
    stored: list[tuple[str, Stored]] = []
    for key in listed:
        rid = unquote(key[len(ledger.prefix) : -len(".json")])
        vouched = checker.checked.get(rid)
        if vouched is not None and "retention" in (vouched.unwritten or ()):
            # Copied, but its Object Lock retention is not applied yet: it can still be deleted.
            problems.append(
                f"recording {rid}: its copy {vouched.key} is not retained yet (Object Lock retention "
                "refused or not reached; the next `sendbird-copy sync` applies it)"
            )
        if vouched is not None:
            entry = LedgerEntry(
                rid, ledger.app_id, COPIED, vouched.where or "", "checked", "",
                object=vouched.as_object(), deadline=vouched.deadline,
            )  # fmt: skip
            stored.append((key, Stored(entry, None, None, key)))
            continue
        read = ledger.read_key(key)
        if read is not None:  # else deleted since the listing
            stored.append((key, read))
    return stored, objects


def judged_by_object(entries: list[LedgerEntry], objects: dict[str, dict[str, Any]]) -> list[LedgerEntry]:
    """The entries, a copied one whose object is not in the bucket as recorded turned into a failed
    one that says so (the one judge, ``outcomes.judge``, then calls it failed, or lost past its
    deadline: never safe)."""
    judged = []
    for entry in entries:
        found = entry.object if entry.state == COPIED and isinstance(entry.object, dict) else None
        key, size = (found.get("key"), found.get("size")) if found else (None, None)
        item = objects.get(key) if isinstance(key, str) else None
        gone = None
        if found is not None and item is None:
            gone = f"its object {key} is not in the bucket"
        elif (
            found is not None
            and item is not None
            and isinstance(size, int)
            and int(item.get("Size", -1)) != size
        ):
            gone = f"its object {key} has {item.get('Size')} bytes, not {size}"
        if gone is not None:
            why = f"the ledger says copied, but {gone} (`sendbird-copy sync --full-scan` copies it again)"
            entry = replace(entry, state=FAILED, last_error=why)
        judged.append(entry)
    return judged
