"""Every input of the main job (and the sandbox, which shares them) that is wrong is refused before
anything starts: exit 2, one ``error:`` line naming the input (flag or file) and what is allowed,
values shortened, never a traceback.

Classes, several members each: stack files (not YAML, the wrong shape, wrong applications), stack
names (path characters, unknown), output directories (cannot be created, cannot be written), and
the click-checked ``--recording-mb``. Most run in-process (``main_job.run``); a few as real processes,
where asyncio noise at interpreter exit would show.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from localdev import main_job, sandbox
from localdev.local_run import (
    STALE_AFTER_SECONDS,
    LocalOptions,
    LocalRunError,
    local_apps,
    remove_stale_outputs,
)
from sendbird_copy.cli.reporter import Reporter
from tests.localdev.jobs import APP_ID, NOISE, NS, run_module, stack_text, write_stack

MAX_MESSAGE = 1_000  # a refusal shows a value shortened, never whole
HUGE = "x" * 20_000
APP = f"    - app_id: {APP_ID}\n      region: ap-2\n"


def refuse(capsys: pytest.CaptureFixture[str], options: LocalOptions) -> str:
    """Run the main job in-process; assert it refused before starting anything; its one error line."""
    code = main_job.run(options, Reporter())
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert "starting moto" not in out, "refused only after servers started"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert len(lines[0]) < MAX_MESSAGE and HUGE[:200] not in lines[0]
    assert not any(noise in err for noise in NOISE)
    return lines[0]


STACK_FILES: dict[str, tuple[str | bytes, list[str]]] = {
    # name: (file content, fragments of the message)
    "unclosed flow list": ("config: [unclosed\n", ["not valid YAML", "line", "Allowed"]),
    "mapping in a scalar": ("config:\n  a: b: c\n", ["not valid YAML", "line 2"]),
    "tab indentation": ("config:\n\tkey: 1\n", ["not valid YAML"]),
    "unbalanced braces": ("{{{{", ["not valid YAML"]),
    "top level a list": ("- config\n- more\n", ["top level is a list", "Allowed: a YAML mapping"]),
    "top level text": ("just some text\n", ["top level is a string"]),
    "top level a number": ("42\n", ["top level is a number"]),
    "config a list": ("config: [1, 2]\n", ["'config' is a list", "Allowed"]),
    "config text": ("config: hello\n", ["'config' is a string"]),
    "config key a number": ("config:\n  1: 2\n", ["config key 1 is a number", "Allowed: text keys"]),
    "not UTF-8": (b"config:\n  \xff\xfe: 1\n", ["not UTF-8"]),
    "empty file": ("", [f"{NS}:applications is missing", "Allowed: a list of applications"]),
    "no applications": ("config:\n  aws:region: ap-northeast-2\n", [f"{NS}:applications is missing"]),
    "applications a mapping": (
        f"config:\n  {NS}:applications:\n    app_id: X\n",
        [f"{NS}:applications", "is an object", "Allowed: a list of applications"],
    ),
    "applications text": (f"config:\n  {NS}:applications: hello\n", ["is a string", "Allowed: a list"]),
    "applications a number": (f"config:\n  {NS}:applications: 5\n", ["is a number"]),
    "applications empty": (f"config:\n  {NS}:applications: []\n", ["missing or empty"]),
    "application text": (stack_text("    - hello\n"), ["applications[0]", "is a string"]),
    "application a list": (stack_text("    - [1, 2]\n"), ["applications[0]", "is a list"]),
    "app_id missing": (stack_text("    - region: ap-2\n"), ["applications[0].app_id is missing"]),
    "app_id a number": (
        stack_text("    - app_id: 12\n      region: ap-2\n"),
        ["app_id is a number", "Allowed: letters"],
    ),
    "app_id invalid": (
        stack_text("    - app_id: bad id!\n      region: ap-2\n"),
        ["app_id 'bad id!' is invalid"],
    ),
    "app_id huge": (stack_text(f"    - app_id: {HUGE}\n      region: ap-2\n"), ["(20000 characters)"]),
    "app_id repeated": (stack_text(APP + APP), ["applications[1].app_id", "repeats", "Allowed: unique"]),
    "region missing": (stack_text(f"    - app_id: {APP_ID}\n"), ["applications[0].region is missing"]),
    "region unknown": (
        stack_text(f"    - app_id: {APP_ID}\n      region: mars-1\n"),
        ["'mars-1'", "Allowed"],
    ),
    "region a list": (stack_text(f"    - app_id: {APP_ID}\n      region: [a]\n"), ["region", "is a list"]),
    "region huge": (stack_text(f"    - app_id: {APP_ID}\n      region: {HUGE}\n"), ["(20000 characters)"]),
    # issue 19 item 10: PyYAML kept the last of a repeated key without a word.
    "applications repeated": (
        stack_text(APP) + f"  {NS}:applications:\n" + APP.replace("ap-2", "us-2"),
        [f"key '{NS}:applications' appears twice in one mapping (line 4 and line 7)", "Allowed: each key"],
    ),
    "region repeated": (
        stack_text(APP + "      region: us-2\n"),
        ["key 'region' appears twice in one mapping (line 6 and line 7)"],
    ),
    "repeated in a flow mapping": ("config: {a: 1, a: 2}\n", ["key 'a' appears twice", "line 1 and line 1"]),
}


@pytest.mark.parametrize("case", sorted(STACK_FILES))
def test_a_wrong_stack_file_is_refused_naming_the_file(case, tmp_path, capsys):
    content, fragments = STACK_FILES[case]
    path = write_stack(tmp_path, content)
    line = refuse(capsys, LocalOptions(stack_file=path, workdir=tmp_path / "out"))
    assert "Pulumi.try.yaml" in line, line
    for fragment in fragments:
        assert fragment in line, f"{case}: {fragment!r} not in {line}"
    assert not (tmp_path / "out").exists(), "the output directory was made for a refused stack file"


def test_a_stack_file_that_is_not_a_file_is_refused(tmp_path, capsys):
    assert "does not exist" in refuse(capsys, LocalOptions(stack_file=tmp_path / "nosuch.yaml"))
    assert "is a directory" in refuse(capsys, LocalOptions(stack_file=tmp_path))
    fifo = tmp_path / "Pulumi.fifo.yaml"
    os.mkfifo(fifo)
    assert "is not a regular file" in refuse(capsys, LocalOptions(stack_file=fifo))
    assert "is not a regular file" in refuse(capsys, LocalOptions(stack_file=Path("/dev/null")))
    big = write_stack(tmp_path, "config: {}\n" + "#" * (1024 * 1024 + 1))
    assert "larger than 1024 KiB" in refuse(capsys, LocalOptions(stack_file=big))


@pytest.mark.parametrize(
    ("stack", "shown"),
    [
        ("../x", "'../x'"),
        ("a/b", "'a/b'"),
        ("/etc/passwd", "'/etc/passwd'"),
        (".hidden", "'.hidden'"),
        ("", "''"),
        ("a\nb", "'a\\nb'"),  # control characters shown escaped
        ("local ", "'local '"),
        (HUGE, "(20000 characters)"),
    ],
)
def test_a_stack_name_with_path_characters_is_refused(stack, shown, tmp_path, capsys):
    line = refuse(capsys, LocalOptions(stack=stack, workdir=tmp_path))
    assert line.startswith("error: --stack ") and shown in line, line
    assert "Allowed: letters, digits" in line


def test_a_stack_name_is_checked_with_a_stack_file_too(tmp_path, capsys):
    path = write_stack(tmp_path, stack_text(APP))
    line = refuse(capsys, LocalOptions(stack="../up", stack_file=path, workdir=tmp_path))
    assert "--stack '../up'" in line


def test_an_unknown_stack_lists_the_stacks_there(tmp_path, capsys):
    line = refuse(capsys, LocalOptions(stack="nosuch", workdir=tmp_path))
    assert "--stack 'nosuch'" in line and "stacks/Pulumi.nosuch.yaml does not exist" in line
    assert "Allowed: " in line and "local" in line and "prod" in line


def _file_in_the_way(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x")
    return tmp_path / "file"


def _file_in_the_path(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("x")
    return tmp_path / "file" / "sub" / "dir"


def _read_only_directory(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only directory; /proc cases cover root")
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    return directory


def _under_read_only_parent(tmp_path: Path) -> Path:
    return _read_only_directory(tmp_path) / "new"


WORKDIRS = {
    "a file in the way": (_file_in_the_way, "cannot be created: a file is in the way"),
    "a file in its path": (_file_in_the_path, "a file is in the way of its path"),
    "read-only directory": (_read_only_directory, "cannot be written"),
    "under a read-only directory": (_under_read_only_parent, "cannot be created"),
    "a directory nobody can write (even root)": (lambda tmp: Path("/proc/self"), "cannot be written"),
    "a directory nobody can create (even root)": (
        lambda tmp: Path("/proc/sendbird-nope"),
        "cannot be created",
    ),
    "a name too long": (lambda tmp: tmp / ("d" * 300), "cannot be created"),
}


@pytest.mark.parametrize("case", sorted(WORKDIRS))
def test_an_unusable_workdir_is_refused_before_anything_starts(case, tmp_path, capsys):
    make, fragment = WORKDIRS[case]
    workdir = make(tmp_path)
    try:
        line = refuse(capsys, LocalOptions(workdir=workdir))
    finally:
        for path in tmp_path.rglob("*"):
            if path.is_dir():
                path.chmod(0o755)
    assert line.startswith("error: --workdir '"), line
    assert fragment in line and "Allowed: a directory this user can create and write in" in line


@pytest.mark.parametrize("command", [main_job.main, sandbox.main], ids=["main job", "sandbox"])
@pytest.mark.parametrize("value", ["0", "2049", "-1", "abc", "1.5", ""])
def test_recording_mb_out_of_range_is_a_usage_error(command, value):
    result = CliRunner().invoke(command, ["--recording-mb", value])
    assert result.exit_code == 2
    assert "--recording-mb" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_only_outputs_files_of_runs_older_than_a_day_are_removed(tmp_path):
    now = 1_800_000_000.0
    old, young = now - STALE_AFTER_SECONDS - 60, now - STALE_AFTER_SECONDS + 60
    files = {
        "local-outputs-0badc0de.json": (old, True),
        "prod.eu-outputs-12345678.json": (old, True),
        ".local-outputs-0badc0de.json.x1y2.tmp": (old, True),  # a write that never finished
        "local-outputs-0000beef.json": (young, False),  # maybe a run still going
        "local-outputs.json": (old, False),  # not a run's file (the automation script's default)
        "local-outputs-nothex00.json": (old, False),
        "notes.json": (old, False),
    }
    for name, (mtime, _) in files.items():
        (tmp_path / name).write_text("{}")
        os.utime(tmp_path / name, (mtime, mtime))
    (tmp_path / "dir-outputs-0badc0de.json").mkdir()
    (tmp_path / "link-outputs-0badc0de.json").symlink_to(tmp_path / "notes.json")
    os.utime(tmp_path / "dir-outputs-0badc0de.json", (old, old))

    removed = {path.name for path in remove_stale_outputs(tmp_path, now=now)}
    assert removed == {name for name, (_, stale) in files.items() if stale}
    left = {path.name for path in tmp_path.iterdir()}
    assert left == {name for name, (_, stale) in files.items() if not stale} | {
        "dir-outputs-0badc0de.json",
        "link-outputs-0badc0de.json",
    }


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
    with pytest.raises(LocalRunError, match=r"applications\[0\]\.region 'mars-1'"):
        local_apps({f"{NS}:applications": [{"app_id": "A", "region": "mars-1"}]}, "r1")


# ----- as real processes: one error line on stderr, nothing else ----------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--stack", "../x"], "error: --stack '../x' is not a stack name"),
        (["--stack", "nosuch"], "error: --stack 'nosuch'"),
        (["--stack-file", "{tmp}/Pulumi.try.yaml"], "is not valid YAML"),
        (["--workdir", "{tmp}/Pulumi.try.yaml"], "error: --workdir"),
    ],
    ids=["path in stack name", "unknown stack", "invalid YAML", "file as workdir"],
)
@pytest.mark.parametrize("module", ["localdev.main_job", "localdev.sandbox"])
def test_a_refusal_prints_exactly_one_error_line(module, args, fragment, tmp_path):
    write_stack(tmp_path, "config: [unclosed\n")
    done = run_module(module, *(a.format(tmp=tmp_path) for a in args), timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines() == [done.stderr.strip()] and fragment in done.stderr, done.stderr
    assert done.stdout == ""


@pytest.mark.slow
def test_a_config_the_program_refuses_leaves_no_noise_and_no_outputs(tmp_path):
    """The program refuses it during the deploy (servers are up): one error line, no asyncio noise."""
    bad = f"    - app_id: {APP_ID}\n      region: ap-2\n      bucket_name: Bad_Bucket.Name\n"
    path = write_stack(tmp_path, stack_text(bad))
    workdir = tmp_path / "out"
    done = run_module(
        "localdev.main_job", "--stack-file", str(path), "--workdir", str(workdir), "--recording-mb", "1"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("error: the program refused stack file "), line
    assert "Pulumi.try.yaml" in line and "bucket_name 'Bad_Bucket.Name'" in line and "Allowed" in line
    assert "emulator deploy of the real program (Pulumi mocks -> moto) ... failed" in done.stdout
    assert list(workdir.iterdir()) == []  # no outputs file, half-written or whole
