"""Which objects a bucket's lifecycle rules act on: a small pure evaluator of S3's rule filters
(AWS's shape, as GetBucketLifecycleConfiguration answers and PutBucketLifecycleConfiguration takes),
for the tests that show the recordings' retention never reaches the tool's own objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

Rule = Mapping[str, Any]


def matches(rule: Rule, key: str, size: int, tags: Mapping[str, str] | None = None) -> bool:
    """Whether an enabled ``rule``'s filter selects the object ``key`` of ``size`` bytes: every
    condition of the filter (or of its ``And``) holds; a missing or empty filter selects everything."""
    if rule.get("Status") != "Enabled":
        return False
    found = rule.get("Filter")
    legacy = found is None and "Prefix" in rule  # the old top-level Prefix
    where: Mapping[str, Any] = {"Prefix": rule["Prefix"]} if legacy else found or {}
    where = where.get("And", where)
    wanted = list(where.get("Tags", [])) + ([where["Tag"]] if "Tag" in where else [])
    larger, smaller = where.get("ObjectSizeGreaterThan"), where.get("ObjectSizeLessThan")
    return (
        key.startswith(where.get("Prefix") or "")
        and (larger is None or size > int(larger))
        and (smaller is None or size < int(smaller))
        and all((tags or {}).get(t["Key"]) == t.get("Value", "") for t in wanted)
    )


def moves_or_expires(rule: Rule) -> bool:
    """Whether ``rule`` transitions or expires current objects (a day count or a date), rather than
    only cleaning up noncurrent versions, delete markers or unfinished uploads."""
    expiration = rule.get("Expiration") or {}
    return bool(rule.get("Transitions") or rule.get("Transition")) or bool(
        expiration.get("Days") or expiration.get("Date")
    )


def acting_on(rules: Sequence[Rule], key: str, size: int) -> list[str]:
    """The ids of the rules that would move or expire the current version of ``key``."""
    return [str(r.get("ID")) for r in rules if moves_or_expires(r) and matches(r, key, size)]
