"""The MP4 box reader (sendbird_copy/sync/mp4.py) on crafted boxes and on the emulator's fixture."""

from __future__ import annotations

import struct

import pytest

from localdev.sendbird_emulator.media import DAMAGES, FIXTURE_DURATION_S, RecordingFile, fixture
from sendbird_copy.sync import mp4
from sendbird_copy.sync.mp4 import Damaged, MediaFacts, inspect


def box(kind: str, body: bytes = b"") -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind.encode()) + body


def big_box(kind: str, body: bytes) -> bytes:
    """A box with a 64-bit size (size field 1, then the real size)."""
    return struct.pack(">I4sQ", 1, kind.encode(), 16 + len(body)) + body


def mvhd(timescale: int = 1000, duration: int = 2000, version: int = 0) -> bytes:
    if version == 1:
        return box("mvhd", bytes([1, 0, 0, 0]) + struct.pack(">QQIQ", 0, 0, timescale, duration) + bytes(80))
    return box("mvhd", bytes(4) + struct.pack(">IIII", 0, 0, timescale, duration) + bytes(80))


def tkhd(width: int = 1280, height: int = 720) -> bytes:
    return box("tkhd", bytes(76) + struct.pack(">II", width << 16, height << 16))


def trak(handler: bytes = b"vide", fps_delta: int = 512, timescale: int = 15360, frames: int = 60) -> bytes:
    mdhd = box("mdhd", bytes(4) + struct.pack(">IIII", 0, 0, timescale, frames * fps_delta) + bytes(4))
    hdlr = box("hdlr", bytes(8) + handler + bytes(13))
    stts = box("stts", bytes(4) + struct.pack(">III", 1, frames, fps_delta))
    stsz = box("stsz", bytes(4) + struct.pack(">II", 0, frames) + bytes(4 * frames))
    stbl = box("stbl", stts + stsz)
    return box("trak", tkhd() + box("mdia", mdhd + hdlr + box("minf", stbl)))


def movie(*tracks: bytes, mdat: bytes = box("mdat", b"\x00" * 100), head: bytes | None = None) -> bytes:
    moov = box("moov", (head if head is not None else mvhd()) + b"".join(tracks or (trak(),)))
    return box("ftyp", b"isom\x00\x00\x02\x00") + moov + mdat


def check(data: bytes, size: int | None = None, **limits: int) -> tuple[MediaFacts | Damaged, mp4.Cost]:
    return inspect(len(data) if size is None else size, lambda offset, n: data[offset : offset + n], **limits)


def test_a_whole_movie_gives_its_duration_resolution_and_frame_rate():
    facts, cost = check(movie())
    assert facts == MediaFacts(duration_s=2.0, width=1280, height=720, fps=30.0)
    assert facts.is_default and cost.reads == 1


def test_64_bit_sizes_and_version_1_times_are_read():
    data = (
        box("ftyp", b"isom")
        + big_box("moov", mvhd(90000, 90000 * 5, version=1) + trak())
        + big_box("mdat", b"x")
    )
    facts, _ = check(data)
    assert facts == MediaFacts(duration_s=5.0, width=1280, height=720, fps=30.0)


def test_size_0_runs_to_the_end_of_the_file():
    data = movie(mdat=struct.pack(">I4s", 0, b"mdat") + b"\x00" * 5000)
    facts, _ = check(data)
    assert isinstance(facts, MediaFacts)


def test_a_box_past_the_end_is_truncated():
    data = movie(mdat=box("mdat", b"\x00" * 1000))
    facts, _ = check(data[:-10])
    assert isinstance(facts, Damaged) and facts.reason.startswith("truncated: box 'mdat'")
    assert "10 past the end" in facts.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<html>not a video</html>", "not an MP4"),
        (box("ftyp", b"isom") + box("mdat", b"x"), "no 'moov' box"),
        (box("ftyp", b"isom") + box("moov", mvhd() + trak()), "no 'mdat' box"),
        (movie(head=b""), "no 'mvhd' box"),
        (movie(trak(handler=b"soun")), "no video track"),
        (box("ftyp") + struct.pack(">I4s", 4, b"moov"), "less than its header"),
        (box("ftyp") + b"\x00\x00\x00", "too few for a box header"),
        (b"", "not an MP4: 0 bytes"),
    ],
)
def test_what_is_wrong_is_said(data, reason):
    facts, _ = check(data)
    assert isinstance(facts, Damaged) and reason in facts.reason, facts


def test_another_resolution_or_frame_rate_is_recorded_not_damaged():
    data = (
        box("ftyp", b"isom")
        + box("moov", mvhd() + _track(640, 360, delta=1001, timescale=30000))
        + box("mdat")
    )
    facts, _ = check(data)
    assert isinstance(facts, MediaFacts) and (facts.width, facts.height, facts.fps) == (640, 360, 29.97)
    assert not facts.is_default and "640x360, 29.97 fps" in facts.describe()


def _track(width: int, height: int, *, delta: int, timescale: int) -> bytes:
    whole = trak(fps_delta=delta, timescale=timescale)
    return whole.replace(tkhd(), tkhd(width, height))


def test_many_tiny_boxes_hit_the_cap_instead_of_reading_on():
    data = box("ftyp", b"isom") + box("free") * 1000 + box("moov", mvhd() + trak()) + box("mdat")
    facts, cost = check(data)
    assert isinstance(facts, Damaged) and "more than 64 top-level boxes" in facts.reason
    assert cost.reads <= mp4.MAX_READS


def test_the_read_budget_holds_whatever_the_layout():
    """Boxes far apart each cost a read: past the budget the check stops, and says why."""
    gap = 10 * mp4.CHUNK
    frees = b"".join(box("free", b"\x00" * gap) for _ in range(20))
    facts, cost = check(box("ftyp", b"isom") + frees + box("moov", mvhd() + trak()) + box("mdat"))
    assert isinstance(facts, Damaged) and "more than 8 reads" in facts.reason
    assert cost.reads == mp4.MAX_READS and cost.bytes <= mp4.MAX_BYTES


def test_a_huge_small_box_is_refused_not_read():
    data = box("ftyp", b"isom") + box("moov", box("mvhd", bytes(100_000)) + trak()) + box("mdat")
    facts, cost = check(data, chunk=1024)
    assert isinstance(facts, Damaged) and "box 'mvhd' declares" in facts.reason
    assert cost.bytes < 10_000


def test_a_large_moov_is_walked_by_its_headers():
    """A long recording's sample tables run to megabytes: only headers and small boxes are fetched."""
    big = box("stsz", bytes(12) + bytes(4_000_000))
    data = (
        box("ftyp", b"isom") + box("mdat", bytes(5_000_000)) + box("moov", mvhd() + trak() + box("udta", big))
    )
    facts, cost = check(data)
    assert isinstance(facts, MediaFacts) and cost.reads <= 3 and cost.bytes <= 3 * mp4.CHUNK


def test_the_emulator_fixture_is_sendbirds_default_format():
    facts, _ = check(fixture())
    assert facts == MediaFacts(FIXTURE_DURATION_S, 1280, 720, 30.0)


@pytest.mark.parametrize(
    "size", [len(fixture()) + 1, len(fixture()) + 7, len(fixture()) + 8, 50 << 20, 5 << 30]
)
def test_a_padded_copy_is_whole_at_any_size_in_the_same_reads(size):
    file = RecordingFile("rec-1", size)
    facts, cost = inspect(size, file.read)
    assert facts == MediaFacts(FIXTURE_DURATION_S, 1280, 720, 30.0)
    assert cost.reads <= 2 and cost.bytes <= 2 * mp4.CHUNK


@pytest.mark.parametrize("damage", DAMAGES)
def test_each_damage_the_emulator_makes_is_caught(damage):
    size = 12 << 20
    facts, _ = inspect(size, RecordingFile("rec-1", size, damage).read)
    assert isinstance(facts, Damaged), damage
