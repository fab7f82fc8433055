"""The tool's own objects as stored: the ones that grow with the window are gzipped, and read back
bounded (a gzip bomb stops at the bound and then reads as damaged, never fills memory)."""

from __future__ import annotations

import gzip
import hashlib
import json
import uuid

from sendbird_copy.aws import unpacked
from sendbird_copy.facts import TOOL_OBJECT_MAX_BYTES


def test_a_gzipped_body_reads_back_as_written_and_plain_text_as_it_is() -> None:
    text = json.dumps({"recordings": {f"rec-{n}": {"key": f"rec-{n}.mp4"} for n in range(100)}}).encode()
    assert unpacked(gzip.compress(text, mtime=0), None) == text
    assert unpacked(text, None) == text


def test_a_gzip_bomb_is_inflated_only_to_the_bound() -> None:
    bomb = gzip.compress(b"\0" * (50 << 20), mtime=0)  # 50 MiB of zeros in about 50 KiB
    assert len(bomb) < TOOL_OBJECT_MAX_BYTES
    assert len(unpacked(bomb, 1 << 20)) == 1 << 20


def test_a_body_that_only_looks_gzipped_is_left_for_the_parser_to_refuse() -> None:
    assert unpacked(b"\x1f\x8bnot gzip", 100) == b"\x1f\x8bnot gzip"


def test_a_window_of_thousands_of_checked_copies_stays_under_the_tool_objects_cap() -> None:
    # ~170 bytes a recording as JSON (uuid key, size, ETag, KMS key id): 1,000 of them are over the
    # cap as text (the retention rule would match the record), well under it gzipped.
    records = {}
    for n in range(1000):  # ids and ETags as random as real ones (hex from a hash), not a counter
        rid = str(uuid.UUID(hashlib.md5(f"rec-{n}".encode()).hexdigest()))
        records[rid] = {
            "key": f"{rid}.mp4",
            "size": 52_428_800 + n * 7919,
            "etag": f'"{hashlib.md5(rid.encode()).hexdigest()}"',
            "kms_key_id": "f5e8332d-d0c4-4c1b-b9bc-8622ed70dbc5",
            "deadline": "2026-12-20T00:00:00+00:00",
        }
    text = json.dumps({"version": 1, "recordings": records}, separators=(",", ":")).encode()
    assert len(text) > TOOL_OBJECT_MAX_BYTES
    assert len(gzip.compress(text, mtime=0)) < TOOL_OBJECT_MAX_BYTES * 3 // 4
