"""Start time of ``sendbird-copy --help`` against a bare ``python -c pass``, measured side by side.

A post-deploy CI job pays the helper's start time on every run, so ``sendbird_copy`` must not import
Pulumi, boto3 or requests before a command needs them. The three commands run alternately (so drift
in machine load hits all of them alike) and the script prints each median and the ratio to bare
Python. Usage: ``python -m benchmarks.startup [--runs N]`` (from the repository, in the venv).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def console_script() -> str:
    beside = Path(sys.executable).parent / "sendbird-copy"
    found = str(beside) if beside.exists() else shutil.which("sendbird-copy")
    if found is None:
        sys.exit("sendbird-copy is not installed in this environment (pip install -e .)")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", "-n", type=int, default=10, help="runs of each command (default 10)")
    runs = parser.parse_args().runs
    if runs < 1:
        parser.error("--runs must be at least 1")

    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -m sendbird_copy.cli --help": [sys.executable, "-m", "sendbird_copy.cli", "--help"],
        "sendbird-copy --help": [console_script(), "--help"],
    }
    for command in commands.values():  # warm the OS file cache and the .pyc files once
        timed(command)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(timed(command))

    baseline = statistics.median(samples["python -c pass"])
    print(f"{runs} runs each, alternating; median wall time")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"  {name:32} {median * 1000:8.1f} ms   {median / baseline:5.2f}x python -c pass")


if __name__ == "__main__":
    main()
