"""Is a copy a whole MP4? Its structure read with a few ranged reads, never the whole object.

A small ISO base media (MP4) box reader rather than a library: the pure-Python MP4 libraries read a
local file or the whole stream (pymp4, construct-based; mutagen parses tags from a file object it seeks
freely), while this check must bound what it fetches whatever the file's size. It needs five fixed
box layouts (mvhd, tkhd, mdhd, hdlr, stts) and box headers (README, "Dependencies").

What it reads, through ``read(offset, length)`` (ranged GETs of one object version):
- every top-level box header, each declared size held against the object's size: a box running past
  the end is a truncated file; ``ftyp``, ``moov`` and ``mdat`` must be there;
- inside ``moov``, only child headers and the small boxes it needs: ``mvhd`` (duration, timescale),
  and the video track's ``tkhd`` (width, height), ``mdhd`` (timescale) and the first entries of
  ``stts`` (frame rate). Sample tables (stsz, stco, ...) are skipped by their headers.
Reads go through ``ChunkedReader``: each fetch takes ``chunk`` bytes at once (a box header and its
neighbours), and at most ``max_reads`` fetches and ``max_bytes`` bytes are ever made per object.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sendbird_copy.aws import aws_errors

# Sendbird's documented recording format (SENDBIRD_API.md): 1280 x 720 at 30 fps.
DEFAULT_WIDTH, DEFAULT_HEIGHT, DEFAULT_FPS = 1280, 720, 30.0
FPS_TOLERANCE = 0.05  # 29.97 (NTSC) is not 30; 30.0 from rounded deltas is
REQUIRED_TOP = ("ftyp", "moov", "mdat")
MAX_READS = 8  # ranged GETs per object, whatever its size
CHUNK = 64 * 1024  # bytes per GET: a faststart moov of a short file, or a header and its neighbours
MAX_BYTES = MAX_READS * CHUNK
MAX_TOP_BOXES = 64  # a regular MP4 has 3-6; a fragmented one has thousands (not checked here)
MAX_CHILDREN = 64  # children walked inside one container box
SMALL_BOX_MAX = 4096  # mvhd, tkhd, mdhd, hdlr are ~100 bytes: a larger one is not what it says
STTS_ENTRIES_READ = 64  # a constant-rate track has one or two entries

ReadRange = Callable[[int, int], bytes]  # (offset, length) -> exactly those bytes of the object


@dataclass(frozen=True)
class MediaFacts:
    """What the check found: the movie's duration and the video track's resolution and frame rate."""

    duration_s: float
    width: int
    height: int
    fps: float | None  # None: the track has no samples

    @property
    def is_default(self) -> bool:
        """Sendbird's documented 1280 x 720 at 30 fps."""
        return (
            (self.width, self.height) == (DEFAULT_WIDTH, DEFAULT_HEIGHT)
            and self.fps is not None
            and abs(self.fps - DEFAULT_FPS) <= FPS_TOLERANCE
        )

    def describe(self) -> str:
        fps = "no frames" if self.fps is None else f"{self.fps:g} fps"
        return f"{self.duration_s:g} s, {self.width}x{self.height}, {fps}"

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "default_format": self.is_default}


@dataclass(frozen=True)
class Damaged:
    """The copy is not a whole MP4: ``reason`` says what is wrong, in a reader's words."""

    reason: str


@dataclass(frozen=True)
class Cost:
    """What one check fetched."""

    reads: int
    bytes: int


class _Broken(Exception):
    """Raised inside the reader; ``inspect`` answers it as ``Damaged``."""


class ChunkedReader:
    """Ranged reads of an object of ``size`` bytes, each fetch ``chunk`` bytes, within a budget."""

    def __init__(
        self,
        size: int,
        read: ReadRange,
        *,
        chunk: int = CHUNK,
        max_reads: int = MAX_READS,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.size = size
        self._read = read
        self._chunk, self._max_reads, self._max_bytes = chunk, max_reads, max_bytes
        self._segments: list[tuple[int, bytes]] = []
        self.reads = 0
        self.bytes = 0

    def get(self, offset: int, length: int) -> bytes:
        """Bytes ``offset`` to ``offset + length`` (fewer at the object's end)."""
        length = max(0, min(length, self.size - offset))
        for start, data in self._segments:
            if start <= offset and offset + length <= start + len(data):
                return data[offset - start : offset - start + length]
        fetch = min(max(length, self._chunk), self.size - offset)
        if self.reads + 1 > self._max_reads or self.bytes + fetch > self._max_bytes:
            raise _Broken(
                f"its structure needs more than {self._max_reads} reads or {self._max_bytes} bytes to "
                "check (a fragmented or unusual MP4): not shown whole"
            )
        data = self._read(offset, fetch)
        self.reads += 1
        self.bytes += len(data)
        if len(data) != fetch:
            raise _Broken(f"a read of {fetch} bytes at offset {offset} gave {len(data)}")
        self._segments.append((offset, data))
        return data[:length]


@dataclass(frozen=True)
class Box:
    type: str
    start: int  # offset of the header
    header: int  # 8, or 16 with a 64-bit size
    end: int  # offset just past the box

    @property
    def body(self) -> int:
        return self.start + self.header

    @property
    def body_size(self) -> int:
        return self.end - self.body


def read_box(reader: ChunkedReader, offset: int, limit: int) -> Box:
    """The box whose header is at ``offset``, inside a parent ending at ``limit``."""
    head = reader.get(offset, 16 if limit - offset >= 16 else 8)
    if len(head) < 8:
        raise _Broken(f"{limit - offset} stray bytes at offset {offset}, too few for a box header")
    size, raw = struct.unpack(">I4s", head[:8])
    kind = raw.decode("latin-1")
    if not all(32 <= b < 127 for b in raw):
        raise _Broken(f"no box at offset {offset} (bytes {head[:8].hex()})")
    header = 8
    if size == 1:  # a 64-bit size follows the type
        if len(head) < 16:
            raise _Broken(f"box '{kind}' at offset {offset} is cut off in its 64-bit size")
        size = struct.unpack(">Q", head[8:16])[0]
        header = 16
    elif size == 0:  # the box runs to the end of its parent (the file, at the top level)
        size = limit - offset
    if size < header:
        raise _Broken(f"box '{kind}' at offset {offset} declares {size} bytes, less than its header")
    if offset + size > limit:
        raise _Broken(
            f"truncated: box '{kind}' at offset {offset} declares {size} bytes, {offset + size - limit} "
            f"past the end of its {'file' if limit == reader.size else 'parent'} ({limit} bytes)"
        )
    return Box(kind, offset, header, offset + size)


def children(reader: ChunkedReader, parent: Box, cap: int = MAX_CHILDREN) -> list[Box]:
    """The boxes directly inside ``parent`` (headers only)."""
    return _boxes(reader, parent.body, parent.end, cap, f"box '{parent.type}' holds more than {cap} boxes")


def _boxes(reader: ChunkedReader, start: int, end: int, cap: int, too_many: str) -> list[Box]:
    """The boxes one after another from ``start`` to ``end`` (headers only); more than ``cap``: broken,
    saying ``too_many``."""
    found: list[Box] = []
    offset = start
    while offset < end:
        if len(found) >= cap:
            raise _Broken(too_many)
        box = read_box(reader, offset, end)
        found.append(box)
        offset = box.end
    return found


def _first(boxes: list[Box], kind: str, where: str) -> Box:
    for box in boxes:
        if box.type == kind:
            return box
    raise _Broken(f"no '{kind}' box in {where}")


def _small(reader: ChunkedReader, box: Box) -> bytes:
    if box.body_size > SMALL_BOX_MAX:
        raise _Broken(f"box '{box.type}' declares {box.body_size} bytes; such a box has a few hundred")
    return reader.get(box.body, box.body_size)


def _timed(data: bytes, kind: str) -> tuple[int, int]:
    """(timescale, duration) of an mvhd or mdhd body (version 0: 32-bit times, 1: 64-bit)."""
    try:
        if data[0] == 1:
            timescale, duration = struct.unpack(">IQ", data[20:32])
        else:
            timescale, duration = struct.unpack(">II", data[12:20])
    except (struct.error, IndexError):
        raise _Broken(f"box '{kind}' is too short ({len(data)} bytes)") from None
    if timescale == 0:
        raise _Broken(f"box '{kind}' has a timescale of 0")
    return timescale, duration


def _dimensions(data: bytes) -> tuple[int, int]:
    """Width and height of a tkhd body: 16.16 fixed-point numbers, its last 8 bytes."""
    if len(data) < (92 if data[:1] == b"\x01" else 80):
        raise _Broken(f"box 'tkhd' is too short ({len(data)} bytes)")
    width, height = struct.unpack(">II", data[-8:])
    return width >> 16, height >> 16


def _fps(reader: ChunkedReader, stts: Box, timescale: int) -> float | None:
    """Frames per second from the first entries of the time-to-sample table."""
    head = reader.get(stts.body, min(stts.body_size, 8 + 8 * STTS_ENTRIES_READ))
    if len(head) < 8:
        raise _Broken("box 'stts' is too short")
    (count,) = struct.unpack(">I", head[4:8])
    entries = min(count, (len(head) - 8) // 8)
    if count and entries == 0:
        raise _Broken(f"box 'stts' declares {count} entries and holds none")
    frames = duration = 0
    for index in range(entries):
        n, delta = struct.unpack(">II", head[8 + 8 * index : 16 + 8 * index])
        frames, duration = frames + n, duration + n * delta
    return round(frames * timescale / duration, 3) if duration else None


def _video_track(reader: ChunkedReader, traks: list[Box]) -> tuple[int, int, float | None]:
    for trak in traks:
        inside = children(reader, trak)
        mdia = _first(inside, "mdia", "a track")
        in_mdia = children(reader, mdia)
        handler = _small(reader, _first(in_mdia, "hdlr", "a track's media"))[8:12]
        if handler != b"vide":
            continue
        width, height = _dimensions(_small(reader, _first(inside, "tkhd", "the video track")))
        timescale, _ = _timed(_small(reader, _first(in_mdia, "mdhd", "the video track")), "mdhd")
        minf = _first(in_mdia, "minf", "the video track")
        stbl = _first(children(reader, minf), "stbl", "the video track")
        stts = _first(children(reader, stbl), "stts", "the video track's sample table")
        return width, height, _fps(reader, stts, timescale)
    raise _Broken("no video track in 'moov'")


def _inspect(reader: ChunkedReader) -> MediaFacts:
    if reader.size < 8:
        raise _Broken(f"not an MP4: {reader.size} bytes")
    start = reader.get(0, 8)
    if start[4:8] != b"ftyp":
        raise _Broken(f"not an MP4: it begins with bytes {start.hex()}, not an 'ftyp' box")
    too_many = f"more than {MAX_TOP_BOXES} top-level boxes (a fragmented MP4?): not checked"
    top = _boxes(reader, 0, reader.size, MAX_TOP_BOXES, too_many)
    kinds = {box.type for box in top}
    missing = [kind for kind in REQUIRED_TOP if kind not in kinds]
    if missing:
        raise _Broken(f"no '{missing[0]}' box (top-level boxes: {', '.join(b.type for b in top)})")
    moov = _first(top, "moov", "the file")
    in_moov = children(reader, moov)
    timescale, duration = _timed(_small(reader, _first(in_moov, "mvhd", "'moov'")), "mvhd")
    width, height, fps = _video_track(reader, [b for b in in_moov if b.type == "trak"])
    return MediaFacts(round(duration / timescale, 3), width, height, fps)


def inspect(size: int, read: ReadRange, **limits: int) -> tuple[MediaFacts | Damaged, Cost]:
    """The facts of an object of ``size`` bytes read through ``read``, or what is wrong with it;
    and what the check fetched. ``limits``: ``chunk``, ``max_reads``, ``max_bytes``."""
    reader = ChunkedReader(size, read, **limits)
    try:
        result: MediaFacts | Damaged = _inspect(reader)
    except _Broken as exc:
        result = Damaged(str(exc))
    return result, Cost(reader.reads, reader.bytes)


def s3_range_reader(
    s3: object, bucket: str, key: str, etag: str | None, seen: dict[str, Any] | None = None
) -> ReadRange:
    """Ranged GETs of one object; with ``etag``, of that version only (a changed object fails the
    read with PreconditionFailed rather than mixing two files). ``seen`` gets the ``VersionId`` and
    ``LastModified`` of the version read: what Object Lock retains (retention.py)."""

    def read(offset: int, length: int) -> bytes:
        extra = {"IfMatch": etag} if etag else {}
        answer = s3.get_object(  # type: ignore[attr-defined]
            Bucket=bucket, Key=key, Range=f"bytes={offset}-{offset + length - 1}", **extra
        )
        if seen is not None:
            seen.update({name: answer.get(name) for name in ("VersionId", "LastModified")})
        # read(amt): a bare read() fails on the Lambda runtime's urllib3 1.26 (no read1); a dropped
        # connection while streaming maps like any AWS error.
        with answer["Body"] as body, aws_errors():
            return bytes(body.read(length))

    return read
