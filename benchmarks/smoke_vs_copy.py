"""Smoke test's time to verdict against a bare copy call plus waiting for the object.

All run on the emulators (moto + the Sendbird emulator) with the same recording size (50 MB by
default, copied in 5 MB parts), alternating, each on a fresh recording id, after one emulator deploy
of the `local` stack. Three measures, each a median:

- the smoke test, as the CLI process a CI step runs (`sendbird-copy smoke-test`);
- the bare copy in its own process (`benchmarks/_bare_copy.py`: the copy call, then listing until a
  new object shows): the like-for-like measure, since a CI step pays a fresh interpreter and its
  imports either way. **smoke / bare process** is what the smoke test's checks cost; target <= 1.5x;
- the same bare copy in this process, warm (clients built, connections open): the measure the issue
  first used. **bare process / bare in-process** is what a fresh Python process alone costs, the
  floor of any CLI on that measure.

``--latency 0.3`` makes every Sendbird answer 300 ms late, as over the internet, and
``--aws-latency 0.05`` every AWS answer 50 ms late (moto held back, after the deploy): the smoke
test's reads and probes then cost round trips, as they do against the real services, and those
that can overlap do.

    .venv/bin/python -m benchmarks.smoke_vs_copy [--runs 5] [--recording-mb 50] [--latency 0.3]
        [--aws-latency 0.05]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._arguments import count, latency_seconds
from benchmarks._bare_copy import copy_and_wait
from localdev.emulator_deploy import deploy_to_emulator, write_outputs
from localdev.local_run import deploy_inputs
from localdev.main_job import MB, local_apps, running_emulator_for
from localdev.moto_server import running_moto_server
from localdev.program_runner import load_stack_config
from localdev.smoke_runner import SmokeRun, SmokeTarget, cli_command, run_smoke_test
from sendbird_copy.api import SendbirdClient
from sendbird_copy.outputs import parse_stack_outputs

TARGET = 1.5


def bare_copy_process(target: SmokeTarget, app: dict[str, str], recording_id: str) -> float:
    """Wall seconds of ``python -m benchmarks._bare_copy`` for one recording, with the smoke test's
    environment (the deployer's keys) and the rest on stdin."""
    _, env = cli_command(target, "smoke-test", app["app_id"], app["api_token"])
    spec = {"app": {**app, "aws_endpoint_url": target.moto.endpoint}, "recording_id": recording_id}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks._bare_copy"],
        input=json.dumps(spec), env=env, text=True, check=True, timeout=360,
    )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=count, default=5)
    parser.add_argument("--recording-mb", type=count, default=50)
    parser.add_argument(
        "--latency",
        type=latency_seconds,
        default=0.0,
        metavar="SECONDS",
        help="the emulator answers this much later",
    )
    parser.add_argument(
        "--aws-latency",
        type=latency_seconds,
        default=0.0,
        metavar="SECONDS",
        help="moto answers this much later",
    )
    args = parser.parse_args()

    config = load_stack_config("local")
    app = local_apps(config, "bench")[0]
    recording_bytes = args.recording_mb * MB
    times: dict[str, list[float]] = {"smoke": [], "bare process": [], "bare in-process": []}
    with (
        running_moto_server() as moto,
        running_emulator_for(moto, [app], recording_bytes, "bench-org") as emu,
    ):
        for i in range(args.runs * len(times)):
            emu.add_recording(app.app_id, f"bench-{i}", status="completed", byte_size=recording_bytes)
        deploy_config, secret_keys = deploy_inputs(config, [app], emu.base_url)
        result = deploy_to_emulator(moto, deploy_config, secret_keys=secret_keys)
        emu.latency = args.latency  # every answer this much later: Sendbird over the internet
        moto.latency.seconds = args.aws_latency  # and AWS's
        with tempfile.TemporaryDirectory() as tmp:
            outputs_path = Path(tmp) / "outputs.json"
            write_outputs(outputs_path, result.outputs)
            outputs = parse_stack_outputs(json.loads(outputs_path.read_text()))[app.app_id]
            plain = {
                **outputs.public_dict(),
                "app_id": app.app_id,
                "copy_secret_access_key": outputs.copy_secret_access_key,
                "api_token": app.api_token,
                "api_base_url": emu.base_url,
            }
            target = SmokeTarget(moto, outputs_path, emu.base_url, emu.org_base_url, "bench-org")
            client = SendbirdClient(app.app_id, app.api_token, base_url=emu.base_url)
            s3 = moto.client("s3", app.aws_region)
            ids = (f"bench-{i}" for i in range(args.runs * len(times)))
            for _ in range(args.runs):
                started = time.perf_counter()
                done = run_smoke_test(target, SmokeRun(app.app_id, app.api_token, next(ids)))
                times["smoke"].append(time.perf_counter() - started)
                if done.returncode != 0:
                    raise SystemExit(f"smoke test failed:\n{done.stdout}\n{done.stderr}")
                times["bare process"].append(bare_copy_process(target, plain, next(ids)))
                times["bare in-process"].append(copy_and_wait(client, s3, plain, next(ids)))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"recording: {args.recording_mb} MB, latency {args.latency:g} s (Sendbird) and "
        f"{args.aws_latency:g} s (AWS), "
        f"runs: {args.runs} of each (alternating)"
    )
    for name, values in times.items():
        print(f"  {name:17} median {median[name]:.2f} s  all {[round(t, 2) for t in values]}")
    like_for_like = median["smoke"] / median["bare process"]
    verdict = "ok" if like_for_like <= TARGET else f"FAIL: above {TARGET}x"
    print(f"ratio smoke/bare process: {like_for_like:.2f}x ({verdict})")
    print(f"ratio smoke/bare in-process: {median['smoke'] / median['bare in-process']:.2f}x")
    print(
        f"ratio bare process/bare in-process: {median['bare process'] / median['bare in-process']:.2f}x "
        "(a fresh Python process alone)"
    )


if __name__ == "__main__":
    main()
