"""The benchmarks still run (they are scripts, outside the test suite's imports): each with the
smallest workload, checking only that it finishes and prints its measurements. Their numbers are
read by people, never asserted here (tests never assert on wall-clock time)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("module", "args", "prints"),
    [
        ("benchmarks.startup", ["--runs", "1"], "x python -c pass"),
        ("benchmarks.function_cold_start", ["--runs", "1"], "same bytes: True"),
        ("benchmarks.smoke_vs_copy", ["--runs", "1", "--recording-mb", "6"], "ratio smoke/bare process"),
        (
            "benchmarks.smoke_bucket_size",
            ["--small", "1", "--large", "1001"],
            "1.00 at 1,   1.00 at 1001: 1.00x",
        ),
        (
            "benchmarks.sync_throughput",
            ["--recordings", "5", "--latency", "0.3"],
            "two applications in parallel, 5 recordings each (1 MiB, 0.3 s of latency)",
        ),
        ("benchmarks.sync_history", ["--window", "2", "--history", "0", "150"], "no-op run, H = 150"),
        ("benchmarks.find_scaling", ["--small", "10", "--large", "40"], "find over 10 and 40 manifests"),
        ("benchmarks.copy_verification", ["--recordings", "5"], "ratio large/50 MB: GETs 1.00x, bytes 1.00x"),
        (
            "benchmarks.bucket_state_cost",
            ["--small", "2", "--large", "6", "--status", "4"],
            "no-op run S3 requests: W = 2: 7  W = 6: 7  ratio 1.00x",
        ),
    ],
)
def test_the_benchmark_runs(module: str, args: list[str], prints: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert prints in done.stdout
    assert "Traceback" not in done.stderr
