"""The scheduled sync's code archive: byte-for-byte the same from the same files, holding exactly the
handler's package (but its cli/ and checks/ sub-packages) and requests' pure-Python distributions, and
importable with nothing but Lambda's runtime (boto3 and its dependencies) beside it."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import components.sync.function_archive as function_archive
from components.sync.function_archive import (
    FILE_MODE,
    FIXED_DATE_TIME,
    LEFT_OUT,
    BuiltArchive,
    archive_bytes,
    archive_entries,
    build_archive,
    package_entries,
)
from localdev.lambda_runner import build_runtime_dir, extract_archive
from sendbird_copy import facts
from tests.source_imports import imported_top_levels

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltArchive:
    return build_archive(tmp_path_factory.mktemp("archive-cache"))


def test_two_builds_give_the_same_bytes_and_the_hash_lambda_compares(
    built: BuiltArchive, tmp_path: Path
) -> None:
    again = build_archive(tmp_path / "elsewhere")
    data = built.path.read_bytes()
    assert again.path.read_bytes() == data and again.sha256_base64 == built.sha256_base64
    assert built.sha256_base64 == base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert built.path.name == f"sendbird-sync-{hashlib.sha256(data).hexdigest()}.zip"
    assert archive_bytes(reversed(archive_entries())) == data  # the order of the inputs does not matter
    assert build_archive(built.path.parent).path == built.path  # found in the cache, same name
    assert build_archive(tmp_path / "none", distributions=()).sha256_base64 != built.sha256_base64


def test_every_entry_is_a_sorted_file_with_a_fixed_time_and_mode(built: BuiltArchive) -> None:
    with zipfile.ZipFile(built.path) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names == sorted(names) and len(set(names)) == len(names) and names == list(built.names)
    assert not any(info.is_dir() for info in infos)
    assert {info.date_time for info in infos} == {FIXED_DATE_TIME}
    assert {info.external_attr >> 16 for info in infos} == {FILE_MODE}


def test_the_archive_holds_the_handler_and_requests_and_nothing_of_the_rest(built: BuiltArchive) -> None:
    names = set(built.names)
    for needed in (
        "sendbird_copy/sync/function/handler.py",
        "sendbird_copy/facts.py",
        "sendbird_copy/sync/run.py",
        "sendbird_copy/api/client.py",
        "sendbird_copy/api/answers.py",
        "requests/__init__.py",
        "certifi/cacert.pem",
        "idna/__init__.py",
        "charset_normalizer/md.py",  # the pure-Python twin of its compiled md module
    ):
        assert needed in names
    licenses = {n.split("/")[0].split("-")[0] for n in names if ".dist-info/" in n and "LICENSE" in n.upper()}
    assert licenses == {"requests", "certifi", "idna", "charset_normalizer"}
    tops = {n.split("/")[0] for n in names if ".dist-info/" not in n}
    assert tops == {"sendbird_copy", "requests", "certifi", "idna", "charset_normalizer"}
    assert not [n for n in names if "emulator" in n]
    # The CLI, the smoke test's checks and find/link are not what runs in Lambda: they stay out.
    assert {"cli", "checks", "lookup"} == LEFT_OUT
    assert not [n for n in names if n.split("/")[:2] in (["sendbird_copy", p] for p in LEFT_OUT)]
    assert not [n for n in names if n.endswith((".so", ".pyd", ".pyc")) or "__pycache__" in n]
    # Lambda's runtime has these; the archive must not shadow them with this machine's copies.
    assert not tops & {
        "urllib3",
        "boto3",
        "botocore",
        "click",
        "tqdm",
        "pulumi",
        "tests",
        "localdev",
        "components",
    }


def test_the_archive_holds_every_module_of_the_package_but_the_left_out_ones(built: BuiltArchive) -> None:
    package = ROOT / "sendbird_copy"
    expected = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*.py")
        if "__pycache__" not in path.parts and path.relative_to(package).parts[0] not in LEFT_OUT
    }
    carried = {n for n in built.names if n.startswith("sendbird_copy/")}
    assert carried == expected
    assert {
        "sendbird_copy/__init__.py",
        "sendbird_copy/sync/function/handler.py",
        "sendbird_copy/sync/run.py",
    } <= carried


def _top_level_names(distributions: tuple[str, ...]) -> set[str]:
    """The importable top-level names the installed ``distributions`` provide."""
    wanted = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions}
    return {
        top
        for top, dists in importlib.metadata.packages_distributions().items()
        if wanted & {re.sub(r"[-_.]+", "-", d).lower() for d in dists}
    }


def test_no_carried_module_imports_something_neither_the_archive_nor_lambda_has(built: BuiltArchive) -> None:
    available = set(sys.stdlib_module_names) | {n.split("/")[0] for n in built.names}
    available |= _top_level_names(facts.RUNTIME_DISTRIBUTIONS)
    assert {"boto3", "botocore", "urllib3", "requests"} <= available
    assert not {"click", "tqdm", "pulumi", "moto"} & available  # so the check below can catch them
    missing = {}
    with zipfile.ZipFile(built.path) as archive:
        for name in (n for n in built.names if n.startswith("sendbird_copy/") and n.endswith(".py")):
            if unknown := imported_top_levels(archive.read(name)) - available - {"__future__"}:
                missing[name] = sorted(unknown)
    assert missing == {}


def _write_package(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def test_the_left_out_sub_packages_are_the_only_ones_not_carried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_package(
        tmp_path,
        [
            "fakepkg/__init__.py",
            "fakepkg/handler.py",
            "fakepkg/cli.py",  # a module named like a left-out folder is carried
            "fakepkg/sync/__init__.py",
            "fakepkg/sync/run.py",
            "fakepkg/sync/cli/deep.py",  # only the package's own cli/ and checks/ are left out
            "fakepkg/cli/__init__.py",
            "fakepkg/cli/commands.py",
            "fakepkg/checks/__init__.py",
            "fakepkg/checks/smoke.py",
            "fakepkg/__pycache__/handler.py",
        ],
    )
    (tmp_path / "fakepkg" / "data.json").write_text("{}")
    monkeypatch.syspath_prepend(str(tmp_path))
    entries = package_entries("fakepkg.handler")
    assert [e.name for e in entries] == [
        "fakepkg/__init__.py",
        "fakepkg/cli.py",
        "fakepkg/handler.py",
        "fakepkg/sync/__init__.py",
        "fakepkg/sync/cli/deep.py",
        "fakepkg/sync/run.py",
    ]
    assert {e.name for e in package_entries("fakepkg.sync", left_out=())} >= {"fakepkg/cli/commands.py"}
    with pytest.raises(RuntimeError, match=re.escape("fakepkg.nope is not in")):
        package_entries("fakepkg.nope")
    with pytest.raises(RuntimeError, match=re.escape("sendbird_copy.nope is not in")):
        package_entries("sendbird_copy.nope")


def test_the_builder_imports_no_pulumi() -> None:
    assert "pulumi" not in imported_top_levels(Path(function_archive.__file__).read_text())


PROBE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import sendbird_copy.sync.function.handler, sendbird_copy.sync.run, sendbird_copy.api, requests, urllib3
import charset_normalizer.md
from sendbird_copy.rules.regions import known_aws_regions
print(json.dumps({
    "handler": callable(sendbird_copy.sync.function.handler.handler),
    "requests": requests.__file__, "urllib3": urllib3.__file__, "md": charset_normalizer.md.__file__,
    "regions": "ap-northeast-1" in known_aws_regions(),
    "unwanted": sorted(m for m in ("click", "tqdm", "pulumi", "moto") if m in sys.modules),
    "site": [p for p in sys.path if "site-packages" in p],
}))
"""


@pytest.mark.slow  # a subprocess
def test_the_handler_imports_with_only_the_archive_and_lambdas_runtime(
    built: BuiltArchive, tmp_path: Path
) -> None:
    task = extract_archive(built.path, tmp_path / "task")
    runtime = build_runtime_dir(tmp_path / "runtime")
    assert {p.name for p in runtime.iterdir()} >= {"boto3", "botocore", "urllib3", "dateutil", "six.py"}
    python = getattr(sys, "_base_executable", sys.executable)
    probe = subprocess.run(
        [python, "-I", "-S", "-c", PROBE, str(task), str(runtime)],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60, check=False,
    )  # fmt: skip
    assert probe.returncode == 0, probe.stderr
    found = json.loads(probe.stdout)
    assert found["handler"] and found["regions"] and found["unwanted"] == [] and found["site"] == []
    assert found["requests"].startswith(str(task)) and found["md"].endswith("md.py")
    assert found["urllib3"].startswith(str(runtime))  # requests runs on the runtime's urllib3
