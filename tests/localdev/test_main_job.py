"""The main job's input handling: a bad stack name or config is exit 2 with a message, never a traceback."""

import subprocess
import sys

import pytest

from localdev.main_job import MainJobError, local_apps
from sendbird_copy.project import CONFIG_NAMESPACE

NS = CONFIG_NAMESPACE


def test_unknown_stack_exits_2_listing_the_stacks(tmp_path):
    # A real process: main() closes the Pulumi runtime's event loop on the way out.
    done = subprocess.run(
        [sys.executable, "-m", "localdev.main_job", "--stack", "nosuch", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert "stack 'nosuch'" in done.stderr and "local" in done.stderr and "prod" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_local_apps_reads_ids_and_resolves_regions_with_fresh_tokens():
    config = {
        f"{NS}:applications": [{"app_id": "A1", "region": "ap-2"}, {"app_id": "B2", "region": "us-west-2"}]
    }
    first, second = local_apps(config, "r1"), local_apps(config, "r1")
    assert [(a.app_id, a.aws_region, a.recording_id) for a in first] == [
        ("A1", "ap-northeast-2", "rec-r1-01"),
        ("B2", "us-west-2", "rec-r1-02"),
    ]
    assert first[0].api_token != second[0].api_token  # never a fixed, guessable token


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({}, f"{NS}:applications is missing"),
        ({f"{NS}:applications": [{"region": "ap-2"}]}, "applications[0].app_id is missing"),
        ({f"{NS}:applications": [{"app_id": "A", "region": "mars-1"}]}, "applications[0].region 'mars-1'"),
    ],
)
def test_local_apps_names_the_bad_input(config, message):
    with pytest.raises(MainJobError, match=message.replace("[", r"\[").replace("]", r"\]")):
        local_apps(config, "r1")


def test_a_config_the_program_refuses_is_exit_2_naming_the_input(monkeypatch, tmp_path, capsys):
    import localdev.main_job as main_job

    app = {
        "app_id": "A1B2C3D4-0000-4000-8000-000000000001",
        "region": "ap-2",
        "bucket_name": "Bad_Bucket.Name",
    }
    config = {f"{NS}:applications": [app], f"{NS}:force_destroy": True}
    monkeypatch.setattr(main_job, "load_stack_config", lambda stack: config)
    assert main_job.run("local", 1, tmp_path) == 2
    err = capsys.readouterr().err
    assert "the program refused the stack config" in err and "bucket_name" in err and "Bad_Bucket.Name" in err
    assert not (tmp_path / "local-outputs.json").exists()  # nothing half-written
