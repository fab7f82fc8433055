"""Three ``./scripts/run-local`` started at once in this checkout all pass: each has its own run id,
outputs file and recording ids (moto and the emulator are on free ports), the bootstraps take turns,
and no run leaves its outputs file behind."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from localdev.program_runner import PROJECT_DIR

pytestmark = pytest.mark.slow

RUNS = 3


def _found(pattern: str, text: str) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    assert match is not None, f"{pattern!r} not in:\n{text}"
    return match.group(1)


def test_three_runs_at_once_in_one_checkout_all_pass():
    runs = [
        subprocess.Popen(
            # The sync part is left out (--sync-*: 0): concurrent syncs are tested on their own.
            [
                str(PROJECT_DIR / "scripts" / "run-local"),
                "--recording-mb",
                "1",
                "--sync-events",
                "0",
                "--sync-rooms",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RUNS)
    ]
    results = [run.communicate(timeout=600) for run in runs]
    for run, (out, err) in zip(runs, results, strict=True):
        assert run.returncode == 0, out + err
        assert out.rstrip().endswith("Local run verdict: PASS"), out

    outs = [out for out, _ in results]
    run_ids = {_found(r"^Local run ([0-9a-f]{8}) ", out) for out in outs}
    recordings = {_found(r"recording (rec-[0-9a-f]{8}-01):", out) for out in outs}
    files = {_found(r"mode 0600\): (\S+)$", out) for out in outs}
    endpoints = {_found(r"moto: (\S+)", out) for out in outs}
    assert len(run_ids) == len(recordings) == len(files) == len(endpoints) == RUNS
    for name in files:
        path = Path(name) if Path(name).is_absolute() else PROJECT_DIR / name
        assert not path.exists(), f"{path} (a secret key) was left behind"
