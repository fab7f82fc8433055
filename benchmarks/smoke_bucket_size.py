"""The smoke test's S3 listing requests against the size of the bucket it watches.

The smoke test tells the copy apart by listing where it will land. Without a learned key layout that
is the whole bucket, a page per 1,000 objects at every look; once a sync has learned the layout
(its state object), it is the recording's one key. The script fills the `local` stack's bucket to two
sizes and runs the real `sendbird-copy smoke-test` (in this process, so its S3 clients can be
counted) once without the sync's state and once with it, and prints the listing pages per look and
the ratio between the sizes. Target with the layout: 1.00x.

    .venv/bin/python -m benchmarks.smoke_bucket_size [--small 100] [--large 5000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from benchmarks._arguments import count
from localdev.emulator_deploy import deploy_to_emulator, write_outputs
from localdev.local_run import deploy_inputs
from localdev.main_job import MB, local_apps, running_emulator_for
from localdev.moto_server import running_moto_server
from localdev.program_runner import load_stack_config
from localdev.smoke_runner import SmokeTarget, cli_command
from sendbird_copy import aws
from sendbird_copy.cli.commands import cli
from sendbird_copy.outputs import parse_stack_outputs
from sendbird_copy.sync.bucket.ledger import Ledger
from sendbird_copy.sync.bucket.state import KeyLayout, SyncState, SyncStateStore

RECORDING_BYTES = 1 * MB  # requests are measured here, not time


class ListingCounter:
    """Every ListObjectsV2 the smoke test's S3 clients send: pages, and looks (first pages)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        make = aws.AwsClients._new_client

        def counted(clients: aws.AwsClients, service: str, region: str, keys: Any) -> Any:
            client = make(clients, service, region, keys)
            if service == "s3":
                client.meta.events.register("provide-client-params.s3.ListObjectsV2", self._count)
            return client

        aws.AwsClients._new_client = counted  # type: ignore[method-assign,assignment]

    def _count(self, params: dict[str, Any], **_: Any) -> None:
        if params.get("Prefix", "").startswith("_preflight/"):
            return  # the preflight's one-key probe, the same at every size
        self.calls["pages"] += 1
        self.calls["looks"] += "ContinuationToken" not in params


def fill(s3: Any, bucket: str, start: int, count: int) -> None:
    def put(n: int) -> None:
        s3.put_object(Bucket=bucket, Key=f"history/rec-{n:07d}.mp4", Body=b"")

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(put, range(start, start + count)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=count, default=100)
    parser.add_argument("--large", type=count, default=5000)
    args = parser.parse_args()
    if args.large <= args.small:
        parser.error(f"--large ({args.large}) must be more than --small ({args.small})")

    config = load_stack_config("local")
    app = local_apps(config, "bench")[0]
    counter = ListingCounter()
    pages: dict[tuple[str, int], float] = {}
    with (
        running_moto_server() as moto,
        running_emulator_for(moto, [app], RECORDING_BYTES, "bench-org") as emu,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for i in range(4):
            emu.add_recording(app.app_id, f"bench-{i}", status="completed", byte_size=RECORDING_BYTES)
        deploy_config, secret_keys = deploy_inputs(config, [app], emu.base_url)
        result = deploy_to_emulator(moto, deploy_config, secret_keys=secret_keys)
        outputs_path = Path(tmp) / "outputs.json"
        write_outputs(outputs_path, result.outputs)
        bucket = parse_stack_outputs(json.loads(outputs_path.read_text()))[app.app_id].bucket_name
        target = SmokeTarget(moto, outputs_path, emu.base_url, emu.org_base_url, "bench-org")
        s3 = moto.client("s3", app.aws_region)
        state = SyncStateStore(s3, bucket, Ledger(s3, bucket, app.app_id).prefix)
        command, env = cli_command(target, "smoke-test", app.app_id, app.api_token)
        recordings = (f"bench-{i}" for i in range(4))
        filled = 0
        for size in (args.small, args.large):
            fill(s3, bucket, filled, size - filled)
            filled = size
            for layout in ("unknown", "learned"):
                if layout == "learned":
                    state.save(SyncState(layout=KeyLayout("", ".mp4")), state.load())
                else:
                    s3.delete_object(Bucket=bucket, Key=state.key)
                counter.calls.clear()
                run = CliRunner().invoke(cli, [*command[3:], "--recording-id", next(recordings)], env=env)
                if run.exit_code != 0:
                    raise SystemExit(f"smoke test failed:\n{run.output}")
                pages[(layout, size)] = counter.calls["pages"] / counter.calls["looks"]
    print(f"bucket sizes: {args.small} and {args.large} objects; listing pages per look of the smoke test")
    for layout in ("unknown", "learned"):
        small, large = pages[(layout, args.small)], pages[(layout, args.large)]
        print(
            f"  layout {layout:8} {small:6.2f} at {args.small}, {large:6.2f} at {args.large}: "
            f"{large / small:.2f}x"
        )
    bounded = pages[("learned", args.large)] == pages[("learned", args.small)]
    print(f"with the learned layout: {'1 page per look at both sizes (ok)' if bounded else 'FAIL: it grows'}")
    if not bounded:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
