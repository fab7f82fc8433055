"""Copies per second that ``sync`` achieves against Sendbird's ceiling of 5 copy POSTs/s per application.

The real program is deployed into moto (emulator deploy of the `local` stack, plus a second
application for the two-application run); the Sendbird emulator enforces its real limits (10 GET/s,
5 POST/s per application, 429 beyond). For 300 recordings on one application, then 300 on each of
two, the script prints the copy POST rate per application measured from the emulator's request log
(first to last accepted copy POST), its ratio to the ceiling (target: at least 0.95, also with
``--latency 0.3``: every emulator answer 300 ms late, as over the internet), the wall time,
any failure, and whether every recording was copied exactly once.

Recordings are 1 MiB by default (``--recording-mb``): moto keeps objects in memory, 600 full-size
recordings would not fit, and the copy is asynchronous, so its size does not change the POST rate.

    .venv/bin/python -m benchmarks.sync_throughput [--recordings 300] [--recording-mb 1] [--latency 0.3]
"""

from __future__ import annotations

import argparse
import copy
import time
from collections import Counter
from typing import Any

from localdev.emulator_deploy import deploy_to_emulator
from localdev.local_run import deploy_inputs
from localdev.main_job import MB, local_apps, running_emulator_for
from localdev.moto_server import MotoServer, running_moto_server
from localdev.program_runner import load_stack_config
from sendbird_copy.api import SendbirdClient
from sendbird_copy.facts import CONFIG_NAMESPACE, WRITE_REQUESTS_PER_SECOND
from sendbird_copy.outputs import parse_stack_outputs
from sendbird_copy.sync.run import COPIED_NOW, SyncOptions, SyncServices, run_sync

TARGET = 0.95  # of the ceiling, with or without latency
SECOND_APP = {"app_id": "7D3A1B9C-2E4F-4A6B-8C0D-1E2F3A4B5C6D", "region": "ap-northeast-1"}


def two_app_config() -> dict[str, Any]:
    config = copy.deepcopy(load_stack_config("local"))
    key = f"{CONFIG_NAMESPACE}:applications"
    config[key] = [config[key][0], SECOND_APP]
    return config


def measure(
    moto: MotoServer, config: dict[str, Any], recordings: int, size: int, label: str, latency: float = 0.0
) -> bool:
    apps = local_apps(config, label)
    with running_emulator_for(moto, apps, size, "bench-org") as emulator:
        for app in apps:
            for n in range(recordings):
                emulator.add_recording(app.app_id, f"{label}-{n:04d}", status="completed", byte_size=size)
        deploy_config, secret_keys = deploy_inputs(config, apps, emulator.base_url)
        outputs = deploy_to_emulator(moto, deploy_config, secret_keys=secret_keys).outputs
        stack_apps = list(parse_stack_outputs(outputs).values())
        tokens = {app.app_id: app.api_token for app in apps}
        services = SyncServices(
            make_client=lambda app: SendbirdClient(
                app.app_id, tokens[app.app_id], base_url=emulator.base_url
            ),
            deployer_s3=lambda app: moto.client("s3", app.region),
        )
        emulator.latency = latency  # every answer this much later: Sendbird over the internet
        started = time.perf_counter()
        reports = run_sync(stack_apps, services, SyncOptions(verify_timeout=300))
        wall = time.perf_counter() - started
        ok = True
        for report in reports:
            posts = emulator.copy_posts(report.app_id)
            once = Counter(posts.values()) == Counter({1: recordings + 1})  # + the main job's seed recording
            times = [e.time for e in emulator.request_events if e.app_id == report.app_id and _copy_post(e)]
            rate = (len(times) - 1) / (max(times) - min(times)) if len(times) > 1 else float("nan")
            failures = len(report.results) - report.counts()[COPIED_NOW]
            ok &= once and failures == 0 and rate / WRITE_REQUESTS_PER_SECOND >= TARGET
            print(
                f"  {report.app_id[:8]}…  copies {report.counts()[COPIED_NOW]:4d}  "
                f"rate {rate:5.2f}/s = {rate / WRITE_REQUESTS_PER_SECOND:.2f} of the 5/s ceiling  "
                f"not copied {failures}  each exactly once: {once}  "
                f"max POSTs in any 1 s: {emulator.max_posts_in_any_window(report.app_id, 1.0)}"
            )
        print(f"  wall time {wall:.1f} s for {len(reports)} application(s) (discovery, copies, verification)")
        return ok


def _copy_post(event: Any) -> bool:
    return event.method == "POST" and event.path.endswith("/copy") and event.status == 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recordings", type=int, default=300, help="recordings per application")
    parser.add_argument("--recording-mb", type=int, default=1)
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="SECONDS", help="the emulator answers this much later"
    )
    args = parser.parse_args()
    size = args.recording_mb * MB
    results = []
    with running_moto_server() as moto:
        where = f"{args.recording_mb} MiB, {args.latency:g} s of latency"
        print(f"one application, {args.recordings} recordings ({where}):")
        results.append(measure(moto, load_stack_config("local"), args.recordings, size, "one", args.latency))
        print(f"two applications in parallel, {args.recordings} recordings each ({where}):")
        results.append(measure(moto.reset(), two_app_config(), args.recordings, size, "two", args.latency))
    passed = f"PASS: >= {TARGET:.2f} of the ceiling, no failure, every recording once"
    print(passed if all(results) else "FAIL")


if __name__ == "__main__":
    main()
