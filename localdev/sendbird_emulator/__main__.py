"""Run the Sendbird emulator until Ctrl-C.

    python -m localdev.sendbird_emulator --port 8765 --s3-endpoint-url http://127.0.0.1:5000 \\
        --app APP_ID:TOKEN:REGION_KEY[:ORG_KEY] --recording APP_ID:RECORDING_ID:STATUS:BYTE_SIZE \\
        [--region-key-aws REGION_KEY=AWS_REGION] [--error-rate 0.1] [--latency 0.5] [--fail-next 3] \\
        [--seed-events 40] [--seed-rooms 20] [--seed 0] [--copy-mbps 200] [--damage-next no-moov[:REC]]

Options:
  --app                one application (repeatable); its token selects it on the shared base URL
                       (/v1); /api-<APP_ID>/v1 serves it alone and refuses other tokens
  --recording          a completed (or other Live status) recording in its own live event, stopped an
                       hour ago (repeatable; added after any seeded ones, so it is listed first)
  --region-key-aws     the AWS region of a Sendbird region key missing from the table
  --error-rate RATE    share of requests answering 5xx (0-1)
  --latency SECONDS    delay before every answer (0-600)
  --fail-next N        the first N requests answer 503 (500999)
  --seed-events N      add N live events (0-10000) to every --app, each with 1-3 recordings:
                       mostly completed and recent, a few 11.5-13.9 days old (at risk), a few older
                       than 14 days (expired: not listed, copy answers 400200), some recording,
                       paused, ready, uploading or failed (localdev/sendbird_emulator/seeding.py)
  --seed-rooms N       the same with rooms (0-10000; Calls statuses: recording, uploading, completed,
                       failed)
  --seed N             seed of the seeded data and of --error-rate's draws (0-4294967295); the same
                       seed and app id always give the same ids, times and sizes (64 KiB at most)
  --copy-mbps X        each copy's upload is held to X megabits per second (0.001-100000; default:
                       as fast as S3 takes it), so copies take realistic time
  --damage-next HOW[:RECORDING_ID]
                       the next copy (of RECORDING_ID only, when given) is written damaged, of the
                       recording's byte size: truncated, no-moov or not-mp4 (repeatable; each copy is
                       otherwise a real MP4: localdev/sendbird_emulator/media.py)

Rate limits are Sendbird's documented ones (GET 10/s, POST 5/s per application and endpoint). A
recording expires 14 days after it stopped, by the wall clock. Every bad value exits 2 with one line
naming the flag, before anything listens.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from localdev.sendbird_emulator.media import DAMAGES
from localdev.sendbird_emulator.seeding import MAX_SEED_PARENTS, seed_application
from localdev.sendbird_emulator.server import MAX_COPY_MBPS, SendbirdEmulator
from localdev.sendbird_emulator.state import LIVE_STATUSES
from sendbird_copy.errors import InputError
from sendbird_copy.rules import check_sendbird_id, shorten
from sendbird_copy.rules.regions import SENDBIRD_REGIONS, is_aws_region


def _app(spec: str) -> tuple[str, str, str, str | None]:
    # The region key is checked in build(): an unknown one is fine with a --region-key-aws mapping.
    parts = spec.split(":")
    if len(parts) not in (3, 4) or not all(parts):
        raise argparse.ArgumentTypeError(
            "expected APP_ID:TOKEN:REGION_KEY or APP_ID:TOKEN:REGION_KEY:ORG_KEY, each part non-empty"
        )
    return parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else None


def _region_mapping(spec: str) -> tuple[str, str]:
    key, sep, aws_region = spec.partition("=")
    if not sep or not key or not aws_region:
        raise argparse.ArgumentTypeError("expected REGION_KEY=AWS_REGION, for example tokyo-1=ap-northeast-1")
    if not is_aws_region(aws_region):
        raise argparse.ArgumentTypeError(f"'{aws_region}' is not an AWS region (for example ap-northeast-1)")
    return key, aws_region


def _number(text: str, low: float, high: float = math.inf) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    # isfinite: NaN compares False with everything and would slip through a range check.
    if not math.isfinite(value) or not low <= value <= high:
        limits = f"between {low:g} and {high:g}" if math.isfinite(high) else f">= {low:g} and finite"
        raise argparse.ArgumentTypeError(f"'{text}' must be {limits}")
    return value


def _rate(text: str) -> float:
    return _number(text, 0.0, 1.0)


MAX_LATENCY_SECONDS = 600.0  # every wait is bounded: a client's timeout fires long before this


def _seconds(text: str) -> float:
    return _number(text, 0.0, MAX_LATENCY_SECONDS)


def _count(text: str, high: int | None = None) -> int:
    # isascii: str.isdigit() accepts other scripts' digits (and superscripts int() refuses).
    if not (text.isascii() and text.isdigit()):
        raise argparse.ArgumentTypeError(f"'{text}' is not a non-negative integer")
    value = int(text)
    if high is not None and value > high:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 and {high}")
    return value


MAX_SEED = 2**32 - 1
MIN_COPY_MBPS = 0.001


def _parents(text: str) -> int:
    return _count(text, MAX_SEED_PARENTS)


def _seed(text: str) -> int:
    return _count(text, MAX_SEED)


def _mbps(text: str) -> float:
    return _number(text, MIN_COPY_MBPS, MAX_COPY_MBPS)


def _recording(spec: str) -> tuple[str, str, str, int]:
    # APP_ID first and STATUS:BYTE_SIZE last, so a recording id may itself contain ':'.
    app_id, _, rest = spec.partition(":")
    pieces = rest.rsplit(":", 2)
    if not app_id or len(pieces) != 3 or not pieces[0]:
        raise argparse.ArgumentTypeError("expected APP_ID:RECORDING_ID:STATUS:BYTE_SIZE")
    recording_id, status, size = pieces
    if status not in LIVE_STATUSES:
        raise argparse.ArgumentTypeError(
            f"status '{status}' is not one of: {', '.join(sorted(LIVE_STATUSES))}"
        )
    if not size.isdigit():
        raise argparse.ArgumentTypeError(f"byte size '{size}' is not a non-negative integer")
    return app_id, recording_id, status, int(size)


def _damage(spec: str) -> tuple[str, str | None]:
    how, colon, recording_id = spec.partition(":")
    if how not in DAMAGES:
        raise argparse.ArgumentTypeError(f"'{shorten(how)}' is not one of: {', '.join(DAMAGES)}")
    if not colon:
        return how, None
    # "no-moov:" with no id would silently damage any recording's copy: an id after ':' must be one.
    try:
        return how, check_sendbird_id("RECORDING_ID", recording_id)
    except InputError as exc:
        raise argparse.ArgumentTypeError(f"HOW:RECORDING_ID: {exc}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m localdev.sendbird_emulator",
        description="Local Sendbird Calls/Live + Organization API emulator (copies into S3/moto).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--s3-endpoint-url", help="S3 endpoint for copies, e.g. moto's URL (default: AWS)")
    parser.add_argument(
        "--app", type=_app, action="append", default=[], metavar="APP_ID:TOKEN:REGION_KEY[:ORG_KEY]"
    )
    parser.add_argument(
        "--recording",
        type=_recording,
        action="append",
        default=[],
        metavar="APP_ID:RECORDING_ID:STATUS:BYTE_SIZE",
    )
    parser.add_argument(
        "--region-key-aws",
        type=_region_mapping,
        action="append",
        default=[],
        metavar="REGION_KEY=AWS_REGION",
        help="the AWS region of a region key missing from the table (repeatable; overrides the table)",
    )
    parser.add_argument(
        "--error-rate", type=_rate, default=0.0, metavar="RATE", help="share of requests answering 5xx (0-1)"
    )
    parser.add_argument(
        "--latency", type=_seconds, default=0.0, metavar="SECONDS", help="delay before every answer"
    )
    parser.add_argument(
        "--fail-next", type=_count, default=0, metavar="N", help="the first N requests answer 503 (500999)"
    )
    parser.add_argument(
        "--seed-events", type=_parents, default=0, metavar="N", help="live events to seed in every --app"
    )
    parser.add_argument(
        "--seed-rooms", type=_parents, default=0, metavar="N", help="rooms to seed in every --app"
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, metavar="N", help="seed of the seeded data and faults"
    )
    parser.add_argument(
        "--copy-mbps",
        type=_mbps,
        default=None,
        metavar="X",
        help="hold each copy to X Mbit/s (default: no limit)",
    )
    parser.add_argument(
        "--damage-next",
        type=_damage,
        action="append",
        default=[],
        metavar="HOW[:RECORDING_ID]",
        help=f"the next copy (of RECORDING_ID) is written damaged: {', '.join(DAMAGES)} (repeatable)",
    )
    return parser


def build(argv: Sequence[str] | None = None) -> SendbirdEmulator:
    """A seeded, configured emulator (not started); exits 2 with one line on any bad argument."""
    parser = _parser()
    return _configure(parser, parser.parse_args(argv))


def _configure(parser: argparse.ArgumentParser, args: argparse.Namespace) -> SendbirdEmulator:
    aws_regions = _checked_region_keys(parser, args)
    emulator = SendbirdEmulator(
        args.s3_endpoint_url, host=args.host, port=args.port, seed=args.seed, copy_mbps=args.copy_mbps
    )
    try:
        for app_id, token, region_key, org_key in args.app:
            emulator.add_application(
                app_id, token, region_key, org_api_key=org_key, aws_region=aws_regions.get(region_key)
            )
            if args.seed_events or args.seed_rooms:
                seed_application(
                    emulator, app_id, events=args.seed_events, rooms=args.seed_rooms, seed=args.seed
                )
        for app_id, recording_id, status, size in args.recording:
            emulator.add_recording(app_id, recording_id, status=status, byte_size=size)
    except ValueError as exc:
        parser.error(str(exc))  # exits 2
    emulator.error_rate = args.error_rate
    emulator.latency = args.latency
    if args.fail_next:
        emulator.fail_next(args.fail_next)
    for how, recording_id in args.damage_next:
        emulator.damage_next_copies(how, recording_id=recording_id)
    return emulator


def _checked_region_keys(parser: argparse.ArgumentParser, args: argparse.Namespace) -> dict[str, str]:
    """Exit 2 on a bad port, a repeated app or region key, or a region key nobody maps; returns
    ``--region-key-aws`` as a dict."""
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a TCP port (0-65535)")
    if (args.seed_events or args.seed_rooms) and not args.app:
        parser.error("--seed-events/--seed-rooms: there is no --app to seed")
    aws_regions: dict[str, str] = {}
    for key, aws_region in args.region_key_aws:
        if key in aws_regions:
            parser.error(f"--region-key-aws: region key '{key}' is given more than once")
        aws_regions[key] = aws_region
    app_ids: set[str] = set()
    for app_id, _, region_key, _ in args.app:
        # The library's add_application replaces an app; twice on one command line is a mistake.
        if app_id in app_ids:
            parser.error(f"--app: application id '{app_id}' is given more than once")
        app_ids.add(app_id)
        if region_key not in SENDBIRD_REGIONS and region_key not in aws_regions:
            parser.error(
                f"--app {app_id}: region key '{region_key}' is not one of: {', '.join(SENDBIRD_REGIONS)}; "
                f"pass its AWS region with --region-key-aws {region_key}=AWS_REGION"
            )
    unused = sorted(set(aws_regions) - {region_key for _, _, region_key, _ in args.app})
    if unused:
        parser.error(f"--region-key-aws: no --app uses region key(s) {', '.join(unused)}")
    return aws_regions


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    emulator = _configure(parser, args)
    try:
        emulator.start()
    except OSError as exc:
        parser.error(f"cannot listen on {args.host}:{args.port}: {exc}")

    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    print(f"Sendbird API base URL:   {emulator.base_url}", flush=True)
    print(f"Organization API URL:    {emulator.org_base_url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    try:
        while not stop.wait(0.5):  # a timed wait keeps the main thread responsive to signals
            pass
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
