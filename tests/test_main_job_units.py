"""The main job's input handling: a bad stack name or config is exit 2 with a message, never a traceback."""

import pytest
from click.testing import CliRunner

from localdev.main_job import MainJobError, local_apps, main

NS = "sendbird-recordings"


def test_unknown_stack_exits_2_listing_the_stacks(tmp_path):
    result = CliRunner().invoke(main, ["--stack", "nosuch", "--workdir", str(tmp_path)])
    assert result.exit_code == 2
    assert "stack 'nosuch'" in result.output and "local" in result.output and "prod" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


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
