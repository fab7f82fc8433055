"""Smoke test's time to verdict against the bare copy call plus waiting for the object.

Both run on the emulators (moto + the Sendbird emulator) with the same recording size (50 MB by
default, copied in 5 MB parts), alternating, each on a fresh recording id, after one emulator deploy
of the `local` stack. The ratio says what the smoke test's extra checks (region check, preflight
probes, object verification, a fresh process) cost on top of the copy itself.

    .venv/bin/python -m benchmarks.smoke_vs_copy [--runs 3] [--recording-mb 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from localdev.emulator_deploy import deploy_to_emulator, write_outputs
from localdev.local_run import deploy_inputs
from localdev.main_job import MB, local_apps, running_emulator_for
from localdev.moto_server import running_moto_server
from localdev.program_runner import load_stack_config
from localdev.smoke_runner import SmokeRun, SmokeTarget, run_smoke_test
from sendbird_copy.api import SendbirdClient
from sendbird_copy.stack_outputs import parse_stack_outputs


def bare_copy_and_wait(client: SendbirdClient, s3: Any, app: dict[str, str], recording_id: str) -> float:
    """Seconds from the copy call to the new object being listed (what a script without checks does)."""
    bucket = app["bucket_name"]
    before = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
    started = time.perf_counter()
    client.copy_recording(
        recording_id,
        access_key=app["copy_access_key_id"],
        secret_key=app["copy_secret_access_key"],
        bucket=bucket,
        region=app["region"],
    )
    while True:
        keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}
        if keys - before:
            return time.perf_counter() - started
        if time.perf_counter() - started > 300:
            raise TimeoutError(f"recording {recording_id} never appeared in {bucket}")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--recording-mb", type=int, default=50)
    args = parser.parse_args()

    config = load_stack_config("local")
    app = local_apps(config, "bench")[0]
    recording_bytes = args.recording_mb * MB
    with (
        running_moto_server() as moto,
        running_emulator_for(moto, [app], recording_bytes, "bench-org") as emu,
    ):
        for i in range(args.runs * 2):
            emu.add_recording(app.app_id, f"bench-{i}", status="completed", byte_size=recording_bytes)
        deploy_config, secret_keys = deploy_inputs(config, [app], emu.base_url)
        result = deploy_to_emulator(moto, deploy_config, secret_keys=secret_keys)
        with tempfile.TemporaryDirectory() as tmp:
            outputs_path = Path(tmp) / "outputs.json"
            write_outputs(outputs_path, result.outputs)
            outputs = parse_stack_outputs(json.loads(outputs_path.read_text()))[app.app_id]
            plain = {**outputs.public_dict(), "copy_secret_access_key": outputs.copy_secret_access_key}
            target = SmokeTarget(moto, outputs_path, emu.base_url, emu.org_base_url, "bench-org")
            client = SendbirdClient(app.app_id, app.api_token, base_url=emu.base_url)
            s3 = moto.client("s3", app.aws_region)
            smoke_times, bare_times = [], []
            for run in range(args.runs):
                started = time.perf_counter()
                done = run_smoke_test(target, SmokeRun(app.app_id, app.api_token, f"bench-{2 * run}"))
                smoke_times.append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise SystemExit(f"smoke test failed:\n{done.stdout}\n{done.stderr}")
                bare_times.append(bare_copy_and_wait(client, s3, plain, f"bench-{2 * run + 1}"))
    smoke, bare = statistics.median(smoke_times), statistics.median(bare_times)
    print(f"recording: {args.recording_mb} MB, runs: {args.runs} (alternating)")
    print(f"smoke test, time to verdict   median {smoke:.2f} s  all {[round(t, 2) for t in smoke_times]}")
    print(f"bare copy + wait for object   median {bare:.2f} s  all {[round(t, 2) for t in bare_times]}")
    print(f"ratio smoke/bare: {smoke / bare:.2f}x")


if __name__ == "__main__":
    main()
