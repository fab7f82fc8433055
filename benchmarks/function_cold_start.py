"""The scheduled function's code: archive size, build time, and the handler's cold import measured
side by side with a bare interpreter, in the same isolated interpreter the local run uses.

Lambda bills and waits for every cold start, and each ``pulumi preview`` builds the archive, so the
handler must import little (no click, tqdm or pulumi) and the build must be quick and repeatable.
Three commands run alternately (so drift in machine load hits them alike): ``python -I -S -c pass``,
the same importing boto3 from the runtime directory, and the same importing the handler from the
extracted archive (what Lambda's cold start pays before the first line of the sync). The script
prints medians and ratios. Usage: ``python -m benchmarks.function_cold_start [--runs N]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.startup import timed
from components.sync.function_archive import build_archive
from localdev.lambda_runner import build_runtime_dir, extract_archive


def isolated(paths: list[Path], statement: str) -> list[str]:
    """``python -I -S`` (no site-packages at all) with only ``paths`` importable, running ``statement``."""
    setup = f"import sys; sys.path[:0] = {[str(p) for p in paths]!r}; {statement}"
    return [getattr(sys, "_base_executable", sys.executable), "-I", "-S", "-c", setup]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", "-n", type=int, default=10, help="runs of each command (default 10)")
    runs = parser.parse_args().runs
    if runs < 1:
        parser.error("--runs must be at least 1")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        builds = []
        for n in range(2):  # the second build must be the same bytes
            start = time.perf_counter()
            built = build_archive(work / f"cache-{n}")
            builds.append((time.perf_counter() - start, built))
        (first_s, first), (second_s, second) = builds
        size_kib = first.path.stat().st_size / 1024
        task = extract_archive(first.path, work / "task")
        runtime = build_runtime_dir(work / "runtime")
        commands = {
            "python -I -S -c pass": isolated([], "pass"),
            "+ import boto3 (runtime)": isolated([runtime], "import boto3"),
            "+ import the handler (archive)": isolated(
                [task, runtime], "import boto3, sendbird_copy.sync.function.handler"
            ),
        }
        for command in commands.values():  # warm the OS file cache once
            timed(command)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, command in commands.items():
                samples[name].append(timed(command))

    print(f"archive: {size_kib:.0f} KiB, {len(first.names)} files")
    same = first.sha256_hex == second.sha256_hex
    print(f"  build: {first_s * 1000:.0f} ms, again {second_s * 1000:.0f} ms; same bytes: {same}")
    baseline = statistics.median(samples["python -I -S -c pass"])
    boto3 = statistics.median(samples["+ import boto3 (runtime)"])
    print(f"{runs} runs each, alternating; median wall time")
    for name, values in samples.items():
        median = statistics.median(values)
        ratios = f"{median / baseline:5.2f}x bare   {median / boto3:5.2f}x boto3"
        print(f"  {name:34} {median * 1000:8.1f} ms   {ratios}")


if __name__ == "__main__":
    main()
