"""What believing only checked claims costs: a no-op sync run's S3 requests at 50 and at 1,000
completed recordings in the window, side by side, and ``status`` at 5,000.

On moto and the emulator (Sendbird's real rate limits): the local stack deployed into moto, one
application with W completed recordings whose copies and ``copied`` ledger entries are in the bucket
as an earlier release left them (no record of checked copies yet). The first run checks every claim
once (an object lookup each) and writes ``_run/verified.json``; the no-op runs after it read that one
object instead of one ledger entry per recording (target: at most 1.2x from W = 50 to W = 1,000).
Then ``status`` (offline: the ledger and the bucket; online: and Sendbird's listings) at W = 5,000:
one listing of the bucket serves both the ledger and the objects (target: under 5 s).

    .venv/bin/python -m benchmarks.bucket_state_cost [--small 50] [--large 1000] [--status 5000]
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.sync_history import CountedS3
from localdev.emulator_deploy import deploy_to_emulator
from localdev.local_run import deploy_inputs, local_apps, running_emulator_for
from localdev.moto_server import MotoServer, running_moto_server
from localdev.program_runner import load_stack_config
from sendbird_copy.api import SendbirdClient
from sendbird_copy.outputs import AppOutputs, parse_stack_outputs
from sendbird_copy.sync.bucket.ledger import COPIED, Ledger, LedgerEntry
from sendbird_copy.sync.run import SyncOptions, SyncServices, run_sync
from sendbird_copy.sync.status import StatusOptions, StatusServices, app_status

SIZE = 1024
# The application's own main recording is copied for real and its MP4 checked (sync/mp4.py): big
# enough to hold the emulator's fixture whole (at 1 KB it is truncated, reported damaged).
MAIN_RECORDING_BYTES = 16 * 1024


def seed(s3: Any, emulator: Any, app: AppOutputs, count: int) -> None:
    """``count`` completed recordings, each copied and marked copied by an earlier release."""
    ledger = Ledger(s3, app.bucket_name, app.app_id)
    ids = [f"window-{n:05d}" for n in range(count)]
    for rid in ids:
        emulator.add_recording(app.app_id, rid, status="completed", byte_size=SIZE)

    def put(rid: str) -> None:
        s3.put_object(Bucket=app.bucket_name, Key=f"{rid}.mp4", Body=b"\0" * SIZE)
        found = {"key": f"{rid}.mp4", "size": SIZE, "kms_key_id": None}
        ledger.write(LedgerEntry(rid, app.app_id, COPIED, f"live event live-{rid}", "seed", "", object=found))

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, ids))


def sync_once(emulator: Any, app: AppOutputs, token: str, s3: CountedS3) -> tuple[int, float, dict[str, int]]:
    s3.calls.clear()
    services = SyncServices(
        make_client=lambda a: SendbirdClient(a.app_id, token, base_url=emulator.base_url),
        deployer_s3=lambda _a: s3.client,
    )
    started = time.perf_counter()
    (report,) = run_sync([app], services, SyncOptions(verify_timeout=60, poll_interval=1.0))
    wall = time.perf_counter() - started
    assert report.passed, report.to_dict()["notes"]
    return sum(s3.calls.values()), wall, dict(s3.calls)


def deployed(moto: MotoServer, count: int, name: str) -> tuple[Any, AppOutputs, str, Any]:
    config = load_stack_config("local")
    (first, *_) = local_apps(config, name)
    context = running_emulator_for(moto, [first], MAIN_RECORDING_BYTES, "bench-org")
    emulator = context.__enter__()
    deploy_config, secret_keys = deploy_inputs(config, [first], emulator.base_url)
    outputs = deploy_to_emulator(moto, deploy_config, secret_keys=secret_keys).outputs
    app = parse_stack_outputs(outputs)[first.app_id]
    return emulator, app, first.api_token, context


def no_op_cost(moto: MotoServer, count: int) -> dict[str, Any]:
    emulator, app, token, context = deployed(moto, count, f"w{count}")
    try:
        s3 = CountedS3(moto.client("s3", app.region))
        seed(s3.client, emulator, app, count)
        first, first_wall, _ = sync_once(emulator, app, token, s3)
        runs = [sync_once(emulator, app, token, s3) for _ in range(3)]
        total, wall, kinds = sorted(runs, key=lambda r: r[0])[1]
        print(
            f"  W = {count:5,d}: first run (checks every claim once) S3 {first:6d} ({first_wall:5.1f} s); "
            f"no-op run S3 {total:3d} ({' '.join(f'{k}={v}' for k, v in sorted(kinds.items()))}) "
            f"{wall:5.1f} s"
        )
        return {"s3": total, "wall": wall}
    finally:
        context.__exit__(None, None, None)


def status_time(moto: MotoServer, count: int) -> None:
    emulator, app, token, context = deployed(moto, count, f"s{count}")
    try:
        s3 = CountedS3(moto.client("s3", app.region))
        seed(s3.client, emulator, app, count)
        sync_once(emulator, app, token, s3)  # checks every claim once: the record of checked copies
        for offline in (True, False):
            s3.calls.clear()
            services = StatusServices(
                deployer_s3=lambda _a: s3.client,
                make_client=lambda a: SendbirdClient(a.app_id, token, base_url=emulator.base_url),
            )
            started = time.perf_counter()
            report = app_status(app, services, StatusOptions(offline=offline))
            wall = time.perf_counter() - started
            safe = report.counts()["safe"]
            print(
                f"  status {'--offline' if offline else '(online)':<9} at {count:,}: {wall:5.2f} s, "
                f"S3 {sum(s3.calls.values())} requests, {safe:,} safe (target: under 5 s)"
            )
    finally:
        context.__exit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=1000)
    parser.add_argument("--status", type=int, default=5000)
    args = parser.parse_args()
    with running_moto_server() as moto:
        small = no_op_cost(moto.reset(), args.small)
        large = no_op_cost(moto.reset(), args.large)
        ratio = large["s3"] / max(1, small["s3"])
        print(
            f"no-op run S3 requests: W = {args.small:,}: {small['s3']}  W = {args.large:,}: {large['s3']}  "
            f"ratio {ratio:.2f}x (target <= 1.2x): {'PASS' if ratio <= 1.2 else 'FAIL'}"
        )
        status_time(moto.reset(), args.status)


if __name__ == "__main__":
    main()
