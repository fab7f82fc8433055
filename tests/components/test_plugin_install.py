"""The component package as ``pulumi package add`` runs it: the package installed from its own
metadata (a wheel built from pyproject.toml) into a fresh venv, then ``python provider/ <engine>`` (what
Pulumi's Python language host runs for a plugin directory with a ``__main__.py``). The plugin starts,
prints its port, and serves over gRPC exactly the committed ``provider/schema.json``.

The wheel and the venv come from ``tests/wheel_venv.py``, as in tests/test_packaging.py. That venv
borrows this venv's site-packages (moto, pytest...), so importing the entry point there would not notice
a runtime dependency missing from pyproject.toml: a test checks each distribution the entry point loads
against what the package declares (its requirements, and theirs).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import grpc
import pytest
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from provider.schema import SCHEMA_FILE
from tests.wheel_venv import build_wheel, fresh_venv_with

PROJECT_DIR = Path(__file__).resolve().parents[2]
PLUGIN_DIR = PROJECT_DIR / "provider"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel of this repository installed (and only that)."""
    wheel = build_wheel(tmp_path_factory.mktemp("wheel"))
    return fresh_venv_with(wheel, tmp_path_factory.mktemp("venv") / "venv")


def test_the_installed_provider_generates_the_committed_schema(venv_python: Path, tmp_path: Path) -> None:
    probe = textwrap.dedent(
        """
        import sys
        from sendbird_recordings.provider import host, schema
        from sendbird_recordings.storage.recording_storage import RecordingStorage
        assert host.HOSTED[0].component is RecordingStorage
        print(host.__file__)
        sys.stdout.write(schema.render(schema.schema()))
        """
    )
    command = [str(venv_python), "-c", probe]
    done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    location, _, generated = done.stdout.partition("\n")
    assert location.startswith(str(venv_python.parent.parent))  # the installed copy, not this checkout
    assert generated == SCHEMA_FILE.read_text()


# Run in the fresh venv: import the entry point (and build the provider, as ``serve`` does first), then
# name every distribution a loaded module comes from that is neither the package itself nor in the
# closure of its declared requirements (their extras' requirements only where an extra is asked for).
# Printed as JSON: {distribution: [top-level modules]}; a module file of no distribution and not of the
# standard library is listed under "?".
UNDECLARED_PROBE = textwrap.dedent(
    """
    import json
    import sys

    from sendbird_recordings.provider import host

    host.build_provider()
    loaded = dict(sys.modules)  # before this probe's own imports (packaging, below)

    from importlib import metadata
    from pathlib import Path

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    PACKAGE = "sendbird-recordings"

    def requirements(dist, extras):
        for line in metadata.requires(dist) or ():
            req = Requirement(line)
            marker = req.marker
            if marker is None or any(marker.evaluate({"extra": e}) for e in ("", *extras)):
                yield req

    closure, todo = {canonicalize_name(PACKAGE)}, [(PACKAGE, ())]
    while todo:
        dist, extras = todo.pop()
        for req in requirements(dist, extras):
            name = canonicalize_name(req.name)
            if name not in closure:
                closure.add(name)
                todo.append((req.name, tuple(req.extras)))

    distributions = metadata.packages_distributions()

    def files_under(top):
        return {
            str(Path(module.__file__).resolve())
            for name, module in loaded.items()
            if (name == top or name.startswith(top + ".")) and getattr(module, "__file__", None)
        }

    def owners(top, files):
        # A namespace package (google, opentelemetry) spans several distributions: the ones owning
        # the loaded modules' files.
        names = distributions.get(top, [])
        if len(names) <= 1:
            return set(names)
        return {
            name
            for name in names
            if any(str(Path(metadata.distribution(name).locate_file(f)).resolve()) in files
                   for f in metadata.distribution(name).files or ())
        }

    stdlib = set(sys.stdlib_module_names) | set(sys.builtin_module_names)
    undeclared = {}
    for top in sorted({name.partition(".")[0] for name in loaded}):
        files = files_under(top)
        # No file: nothing an install provides (__main__ and its alias __mp_main__, Cython's
        # cython_runtime and _cython_3_x modules, made in memory by compiled extensions).
        if top in stdlib or not files:
            continue
        for dist in owners(top, files) or {"?"}:
            if canonicalize_name(dist) not in closure:
                undeclared.setdefault(dist, []).append(top)
    print(json.dumps(undeclared, sort_keys=True))
    """
)


def test_the_entry_point_imports_only_declared_dependencies(venv_python: Path, tmp_path: Path) -> None:
    """Every distribution the provider entry point loads is the package or in the closure of its
    [project] dependencies, so ``pulumi package add`` (which installs only those) can run it."""
    done = subprocess.run(
        [str(venv_python), "-c", UNDECLARED_PROBE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    undeclared = json.loads(done.stdout)
    assert undeclared == {}, (
        "the provider entry point imports distributions pyproject.toml does not declare (nor its "
        f"dependencies): {undeclared}"
    )


def test_the_plugin_entry_point_serves_the_schema(venv_python: Path, tmp_path: Path) -> None:
    """``python provider/ <engine address>``: the engine is not contacted before a request comes, so
    any address does; the plugin answers GetSchema on the port it prints."""
    plugin = subprocess.Popen(
        [str(venv_python), str(PLUGIN_DIR), "127.0.0.1:1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert plugin.stdout is not None
        port = plugin.stdout.readline().strip()
        assert port.isdigit(), plugin.stderr.read() if plugin.stderr else port
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=60)
        assert json.loads(served.schema) == json.loads(SCHEMA_FILE.read_text())
    finally:
        plugin.terminate()
        plugin.wait(timeout=30)


def test_the_plugin_directory_is_what_pulumi_package_add_expects() -> None:
    """PulumiPlugin.yaml names the Python runtime with its own venv, requirements.txt installs this
    package (the directory above), and __main__.py imports the installed package, not its neighbours."""
    plugin_yaml = (PLUGIN_DIR / "PulumiPlugin.yaml").read_text()
    assert "name: python" in plugin_yaml and "virtualenv: venv" in plugin_yaml
    requirements = [
        line.strip()
        for line in (PLUGIN_DIR / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert requirements == ["-c ../requirements.lock", ".."]
    assert "from sendbird_recordings.provider.host import serve" in (PLUGIN_DIR / "__main__.py").read_text()


def test_pip_in_the_plugin_directory_installs_this_package_at_the_locked_versions(tmp_path: Path) -> None:
    """What the language host runs (pip, in the plugin directory, on requirements.txt), as a dry run
    with no index: it resolves `..` to this package, and the lock constrains what it would fetch."""
    report = tmp_path / "report.json"
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--no-deps", "--no-build-isolation"]
    done = subprocess.run(
        [*command, "--no-index", "-q", "-r", "requirements.txt", "--report", str(report)],
        cwd=PLUGIN_DIR,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    installs = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert installs == ["sendbird-recordings"]
    pins = (PROJECT_DIR / "requirements.lock").read_text().splitlines()
    assert any(line.startswith("pulumi==") for line in pins)  # the SDK host.py was tested with
