"""Run the Sendbird emulator until Ctrl-C.

    python -m sendbird_copy.emulator --port 8765 --s3-endpoint-url http://127.0.0.1:5000 \\
        --app APP_ID:TOKEN:REGION_KEY[:ORG_KEY] --recording APP_ID:RECORDING_ID:STATUS:BYTE_SIZE
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from sendbird_copy.emulator.server import SendbirdEmulator
from sendbird_copy.emulator.state import LIVE_STATUSES
from sendbird_copy.regions import SENDBIRD_REGIONS


def _app(spec: str) -> tuple[str, str, str, str | None]:
    parts = spec.split(":")
    if len(parts) not in (3, 4) or not all(parts):
        raise argparse.ArgumentTypeError(
            "expected APP_ID:TOKEN:REGION_KEY or APP_ID:TOKEN:REGION_KEY:ORG_KEY, each part non-empty"
        )
    if parts[2] not in SENDBIRD_REGIONS:
        raise argparse.ArgumentTypeError(
            f"region key '{parts[2]}' is not one of: {', '.join(SENDBIRD_REGIONS)}"
        )
    return parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else None


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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sendbird_copy.emulator",
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a TCP port (0-65535)")
    emulator = SendbirdEmulator(args.s3_endpoint_url, host=args.host, port=args.port)
    try:
        for app_id, token, region_key, org_key in args.app:
            emulator.add_application(app_id, token, region_key, org_api_key=org_key)
        for app_id, recording_id, status, size in args.recording:
            emulator.add_recording(app_id, recording_id, status=status, byte_size=size)
    except ValueError as exc:
        parser.error(str(exc))  # exits 2
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
