"""A recording's bytes as the emulator's copy writes them: a real MP4 of exactly its byte_size.

The committed fixture (``fixtures/``, made once by ``scripts/make-recording-fixture.sh``: 2 s of
1280 x 720 at 30 fps, H.264, a few KB) is padded to the recording's ``byte_size`` without re-encoding:
a top-level ``free`` box after it (64-bit size past 4 GiB), filled with the recording's own
pattern so every recording's object differs; a padding under a box header's 8 bytes grows the
fixture's last box, ``mdat``, instead (its samples' offsets do not move). A recording smaller than
the fixture cannot hold a whole MP4: it gets the fixture's first bytes (a truncated file).

A copy can be damaged on request (``DAMAGES``), keeping the byte size: ``truncated`` (``mdat``
declares more than the file holds: a recording cut short), ``no-moov`` (the movie box renamed
``free``: the file holds no index) and ``not-mp4`` (bytes that are no MP4 at all).
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Iterator
from pathlib import Path

from localdev.sendbird_emulator.state import PART_SIZE, parts_count, recording_bytes

FIXTURE = Path(__file__).parent / "fixtures" / "recording-1280x720-30fps.mp4"
FIXTURE_DURATION_S = 2.0
FIXTURE_SIZE = 4728  # checked when loaded: a changed fixture changes what the tests expect
TRUNCATED, NO_MOOV, NOT_MP4 = "truncated", "no-moov", "not-mp4"
DAMAGES = (TRUNCATED, NO_MOOV, NOT_MP4)
TRUNCATED_MISSING = 1024 * 1024  # a truncated copy's mdat declares this many bytes more than it holds


@functools.cache
def fixture() -> bytes:
    data = FIXTURE.read_bytes()
    if len(data) != FIXTURE_SIZE or _last_box(data)[1] != b"mdat":
        raise RuntimeError(f"{FIXTURE} is not the committed fixture ({len(data)} bytes)")
    return data


def _last_box(data: bytes) -> tuple[int, bytes]:
    """(offset, type) of the last top-level box of a well-formed file with 32-bit box sizes."""
    offset = last = 0
    kind = b""
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        last, offset = offset, offset + size
    return last, kind


def _box_offset(data: bytes, kind: bytes) -> int:
    offset = 0
    while offset < len(data):
        size, found = struct.unpack(">I4s", data[offset : offset + 8])
        if found == kind:
            return offset
        offset += size
    raise ValueError(f"no {kind!r} box in the fixture")


def _with_size(data: bytes, offset: int, size: int) -> bytes:
    return data[:offset] + struct.pack(">I", size) + data[offset + 4 :]


class RecordingFile:
    """The bytes of one recording's copy (``damage``: one of ``DAMAGES`` or None), read by range."""

    def __init__(self, recording_id: str, byte_size: int, damage: str | None = None) -> None:
        if damage is not None and damage not in DAMAGES:
            raise ValueError(f"damage must be one of {', '.join(DAMAGES)}, got {damage!r}")
        self.recording_id, self.size, self.damage = recording_id, byte_size, damage
        self.head, self.pad_header = self._layout()

    def _layout(self) -> tuple[bytes, bytes]:
        """The file's head (the fixture, possibly changed) and the free box's header after it."""
        data = fixture()
        if self.damage == NOT_MP4:
            return b"", b""
        if self.size <= len(data):
            return data[: self.size], b""
        pad = self.size - len(data)
        mdat = _last_box(data)[0]
        if self.damage == NO_MOOV:
            moov = _box_offset(data, b"moov")
            data = data[: moov + 4] + b"free" + data[moov + 8 :]
        if self.damage == TRUNCATED:  # mdat runs over the padding and past the end
            declared = self.size - mdat + TRUNCATED_MISSING
            return _with_size(data, mdat, min(declared, 2**32 - 1)), b""
        if pad < 8:  # too little for a box header: grow mdat, the last box, instead
            mdat_size = struct.unpack(">I", data[mdat : mdat + 4])[0]
            return _with_size(data, mdat, mdat_size + pad), b""
        if pad < 2**32:
            return data, struct.pack(">I4s", pad, b"free")
        return data, struct.pack(">I4sQ", 1, b"free", pad)

    def read(self, offset: int, length: int) -> bytes:
        """Bytes ``offset`` to ``offset + length`` of the file (fewer at its end)."""
        end = min(self.size, offset + length)
        if offset >= end:
            return b""
        prefix = self.head + self.pad_header
        out = prefix[offset:end]
        if end > len(prefix):
            start = max(offset, len(prefix))
            out += recording_bytes(self.recording_id, start, end - start)
        return out

    def parts(self, part_size: int = PART_SIZE) -> Iterator[bytes]:
        """The file as upload parts, one at a time, so no more than a part is ever in memory."""
        for index in range(parts_count(self.size, part_size)):
            yield self.read(index * part_size, part_size)
