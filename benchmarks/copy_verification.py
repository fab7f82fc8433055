"""What checking a copy's MP4 costs (``sendbird_copy/sync/mp4.py``), at 50 MB and at several GB, and the
sync's copy rate with the check on.

1. Ranged GETs and bytes the check reads per copy, through the same reader the sync uses
   (``s3_range_reader``: ranged ``GetObject`` of one ETag):
   - the emulator's copy (the committed fixture, moov first, padded with a ``free`` box) at 50 MB, an
     object in moto (IAM auth on, SSE-KMS like the stack's bucket);
   - the same at ``--large-gb`` (5 by default): moto keeps every object in memory, so a multi-GB
     object is served by a local stand-in client that answers each ranged GET from the emulator's
     ``RecordingFile`` (the bytes moto would hold); the 50 MB copy is read through both for a
     like-for-like line;
   - a long recording's layout: ``mdat`` first and ``moov`` at the end behind sample tables of 8 h at
     30 fps (864,000 samples: ~10 MB of stsz/stco), at both sizes, from the stand-in.
   Target: the large object's GETs and bytes at most 1.2x the 50 MB one's.
2. The sync's copy POST rate with the check on (``benchmarks.sync_throughput``'s measure: one
   application, ``--recordings`` recordings (300) of 1 MiB, Sendbird's real 5 POST/s limit). Target: at
   least 0.95 of the ceiling.

    .venv/bin/python -m benchmarks.copy_verification [--large-gb 5] [--recordings 300]
"""

from __future__ import annotations

import argparse
import io
import struct
from typing import Any

from benchmarks.sync_throughput import TARGET, measure
from localdev.moto_server import MotoServer, running_moto_server
from localdev.program_runner import load_stack_config
from localdev.sendbird_emulator.media import RecordingFile
from sendbird_copy.facts import COPY_PART_SIZE
from sendbird_copy.sync.mp4 import Cost, MediaFacts, inspect, s3_range_reader

MB = 1024 * 1024
RATIO_TARGET = 1.2
REGION = "ap-northeast-1"
LONG_SAMPLES = 8 * 3600 * 30


class StandIn:
    """Answers ranged GetObject calls from a ``read(offset, length)``: the bytes of an object too large
    for moto's memory."""

    def __init__(self, read: Any, size: int) -> None:
        self.read, self.size = read, size

    def get_object(self, Bucket: str, Key: str, Range: str, **_: Any) -> dict[str, Any]:
        first, last = (int(n) for n in Range.removeprefix("bytes=").split("-"))
        return {"Body": io.BytesIO(self.read(first, min(last, self.size - 1) - first + 1))}


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def long_recording(size: int) -> Any:
    """A ``read`` over a file of ``size`` bytes: ftyp, a 64-bit mdat, then a moov whose video track
    has the sample tables of an 8-hour recording at 30 fps (stts first, then stsz and stco)."""
    samples = LONG_SAMPLES
    mvhd = _box(b"mvhd", bytes(4) + struct.pack(">IIII", 0, 0, 1000, samples * 1000 // 30) + bytes(80))
    tkhd = _box(b"tkhd", bytes(76) + struct.pack(">II", 1280 << 16, 720 << 16))
    mdhd = _box(b"mdhd", bytes(4) + struct.pack(">IIII", 0, 0, 15360, samples * 512) + bytes(4))
    hdlr = _box(b"hdlr", bytes(8) + b"vide" + bytes(13))
    stts = _box(b"stts", bytes(4) + struct.pack(">III", 1, samples, 512))
    stsz = _box(b"stsz", bytes(4) + struct.pack(">II", 0, samples) + bytes(4 * samples))
    stco = _box(b"stco", bytes(4) + struct.pack(">I", samples) + bytes(4 * samples))
    stbl = _box(b"stbl", stts + stsz + stco)
    moov = _box(b"moov", mvhd + _box(b"trak", tkhd + _box(b"mdia", mdhd + hdlr + _box(b"minf", stbl))))
    ftyp = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2avc1mp41")
    mdat_size = size - len(ftyp) - len(moov)
    head = ftyp + struct.pack(">I4sQ", 1, b"mdat", mdat_size)
    moov_at = size - len(moov)

    def read(offset: int, length: int) -> bytes:
        out = bytearray()
        end = offset + length
        if offset < len(head):
            out += head[offset : min(end, len(head))]
        gap = max(0, min(end, moov_at) - max(offset, len(head)))
        out += bytes(gap)
        if end > moov_at:
            out += moov[max(0, offset - moov_at) : end - moov_at]
        return bytes(out)

    return read


def put_50mb(moto: MotoServer, size: int) -> tuple[Any, str, str, str]:
    """The emulator's copy of a ``size``-byte recording, uploaded into moto in 5 MB parts, SSE-KMS."""
    s3 = moto.client("s3", REGION)
    kms = moto.client("kms", REGION)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    bucket, key = "verification-bench", "rec-50mb.mp4"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    upload = s3.create_multipart_upload(
        Bucket=bucket, Key=key, ServerSideEncryption="aws:kms", SSEKMSKeyId=key_id
    )["UploadId"]
    parts = []
    for number, body in enumerate(RecordingFile("rec-50mb", size).parts(COPY_PART_SIZE), start=1):
        etag = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload, PartNumber=number, Body=body)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    etag = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}
    )["ETag"]
    return s3, bucket, key, etag


def line(label: str, size: int, result: MediaFacts | object, cost: Cost) -> Cost:
    facts = result.describe() if isinstance(result, MediaFacts) else f"DAMAGED: {result}"
    print(f"  {label:<44} {size / MB:>9,.0f} MiB  GETs {cost.reads}  bytes {cost.bytes:>7,}  ({facts})")
    return cost


def ratio(small: Cost, large: Cost) -> bool:
    gets, read = large.reads / small.reads, large.bytes / small.bytes
    ok = gets <= RATIO_TARGET and read <= RATIO_TARGET
    print(f"    ratio large/50 MB: GETs {gets:.2f}x, bytes {read:.2f}x (target <= {RATIO_TARGET}x)")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large-gb", type=int, default=5, help="the large object's size, in GiB")
    parser.add_argument("--recordings", type=int, default=300, help="recordings for the throughput run")
    args = parser.parse_args()
    small, large = 50 * MB, args.large_gb * 1024 * MB
    results = []
    with running_moto_server() as moto:
        print("the check's reads per copy, the emulator's copy (moov first, free-box padding):")
        s3, bucket, key, etag = put_50mb(moto, small)
        in_moto = line("50 MB object in moto", small, *inspect(small, s3_range_reader(s3, bucket, key, etag)))
        whole = RecordingFile("rec-50mb", small)
        stand_in = line("50 MB from the stand-in", small, *inspect(small, _reader(whole.read, small)))
        big = RecordingFile("rec-large", large)
        in_stand_in = line(
            f"{args.large_gb} GiB from the stand-in", large, *inspect(large, _reader(big.read, large))
        )
        results.append(ratio(in_moto, in_stand_in))
        results.append(stand_in == in_moto)  # the stand-in answers as moto does
        print("a long recording's layout (mdat first, moov at the end behind 8 h of sample tables):")
        small_long = line(
            "50 MB from the stand-in", small, *inspect(small, _reader(long_recording(small), small))
        )
        large_long = line(
            f"{args.large_gb} GiB from the stand-in",
            large,
            *inspect(large, _reader(long_recording(large), large)),
        )
        results.append(ratio(small_long, large_long))
        print(
            f"the sync's copy rate with the check on: one application, {args.recordings} recordings of 1 MiB:"
        )
        results.append(measure(moto.reset(), load_stack_config("local"), args.recordings, MB, "verify"))
    print(
        f"PASS: reads <= {RATIO_TARGET}x at any size, copy rate >= {TARGET:.2f} of the ceiling"
        if all(results)
        else "FAIL"
    )


def _reader(read: Any, size: int) -> Any:
    return s3_range_reader(StandIn(read, size), "stand-in", "object", None)


if __name__ == "__main__":
    main()
