"""The scheduled sync function's code archive, built deterministically from this environment.

Pure Python (no Pulumi): ``RecordingSync`` wraps ``build_archive`` in a ``pulumi.FileArchive`` and
hands Lambda its ``sha256_base64`` as ``source_code_hash``. The zip holds

- every module of the installed ``sendbird_copy`` package but those of its ``cli/``, ``checks/`` and
  ``lookup/`` sub-packages (``LEFT_OUT``): the CLI (click, tqdm), the smoke test's checks and
  find/link never run in Lambda,
  and the package's import contracts keep everything else from importing them; nothing of
  ``components/``, ``localdev/`` or ``tests/``;
- the distributions of ``facts.ARCHIVE_DISTRIBUTIONS`` (requests and its pure-Python
  dependencies) as installed here, found through ``importlib.metadata``: every file of their top-level
  packages except compiled ones (``*.so``, ``*.pyd``: the function runs on arm64, and
  charset_normalizer's mypyc build falls back to its pure-Python modules), plus each one's
  ``METADATA`` and license files.

urllib3, boto3 and botocore are not carried: Lambda's Python runtime provides them (requests then
imports the runtime's urllib3, the one botocore uses).

Deterministic: entries sorted by name, every timestamp 1980-01-01 00:00:00, permissions 0644, no
directory entries, one compression level. The same files give the same bytes, so an unchanged package
shows no diff in ``pulumi preview``.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import tempfile
import zipfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sendbird_copy import facts

HANDLER_MODULE = facts.HANDLER.rpartition(".")[0]  # sendbird_copy.sync.function.handler
# The sub-packages of the handler's package that the function never runs: the CLI and the smoke test.
LEFT_OUT = frozenset({"cli", "checks", "lookup"})
BYTECODE_SUFFIXES = (".pyc", ".pyo")
COMPILED_SUFFIXES = (".so", ".pyd", ".dylib", *BYTECODE_SUFFIXES)
LICENSE_PREFIXES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
FILE_MODE = 0o100644  # a regular file, rw-r--r--
COMPRESS_LEVEL = 9
ARCHIVE_PREFIX = "sendbird-sync-"


@dataclass(frozen=True)
class ArchiveEntry:
    """One file of the archive: its name in the zip and where its bytes come from."""

    name: str
    source: Path


@dataclass(frozen=True)
class BuiltArchive:
    """The archive on disk (named by its content hash) and the hashes Lambda and Pulumi compare."""

    path: Path
    sha256_base64: str  # Lambda's CodeSha256 and pulumi-aws's source_code_hash
    sha256_hex: str
    names: tuple[str, ...]


def package_entries(
    handler_module: str = HANDLER_MODULE, left_out: Collection[str] = LEFT_OUT
) -> list[ArchiveEntry]:
    """Every ``.py`` file of the installed package that holds ``handler_module`` (wherever it is
    installed, editable or not), but those under its sub-folders named in ``left_out`` and any
    ``__pycache__``: the handler's package whole, so no import of it can be missing in Lambda."""
    package, *inside = handler_module.split(".")
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"package {package} is not installed in this environment")
    root = Path(next(iter(spec.submodule_search_locations)))
    entries = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if "__pycache__" in parts or (len(parts) > 1 and parts[0] in left_out):
            continue
        entries.append(ArchiveEntry(PurePosixPath(package, *parts).as_posix(), path))
    handler = PurePosixPath(package, *inside)
    if not {f"{handler}.py", f"{handler}/__init__.py"} & {entry.name for entry in entries}:
        raise RuntimeError(f"handler module {handler_module} is not in {root}")
    return entries


def distribution_entries(name: str, *, compiled: bool = False) -> list[ArchiveEntry]:
    """The files of installed distribution ``name`` an import needs: its top-level packages and
    modules (without ``__pycache__``; without compiled extensions unless ``compiled``), its
    ``METADATA`` and its license files. Scripts, and files outside site-packages, are left out."""
    dist = importlib.metadata.distribution(name)
    skipped = BYTECODE_SUFFIXES if compiled else COMPILED_SUFFIXES
    entries = []
    for file in dist.files or ():
        parts = file.parts
        if not parts or parts[0] == ".." or parts[0].endswith(".data") or "__pycache__" in parts:
            continue
        if parts[0].endswith(".dist-info"):
            if not _is_metadata_to_keep(parts[1:]):
                continue
        elif file.name.endswith(skipped):
            continue
        entries.append(ArchiveEntry(PurePosixPath(*parts).as_posix(), Path(str(dist.locate_file(file)))))
    if not any(not e.name.split("/")[0].endswith(".dist-info") for e in entries):
        raise RuntimeError(f"distribution {name} has no importable files in this environment")
    return entries


def _is_metadata_to_keep(inside: tuple[str, ...]) -> bool:
    """METADATA (so importlib.metadata still knows the version) and the license files."""
    if inside == ("METADATA",):
        return True
    return bool(inside) and (inside[0] == "licenses" or inside[-1].upper().startswith(LICENSE_PREFIXES))


def archive_entries(distributions: Iterable[str] = facts.ARCHIVE_DISTRIBUTIONS) -> list[ArchiveEntry]:
    """Every entry of the archive, sorted by name; a name given twice is an error, not a silent pick."""
    entries = package_entries()
    for name in distributions:
        entries.extend(distribution_entries(name))
    by_name: dict[str, ArchiveEntry] = {}
    for entry in entries:
        if entry.name in by_name:
            raise RuntimeError(f"two files for {entry.name} in the function archive")
        by_name[entry.name] = entry
    return [by_name[name] for name in sorted(by_name)]


def archive_bytes(entries: Iterable[ArchiveEntry]) -> bytes:
    """The zip of ``entries``, deterministic: same files, same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for entry in sorted(entries, key=lambda e: e.name):
            info = zipfile.ZipInfo(entry.name, date_time=FIXED_DATE_TIME)
            info.create_system = 3  # Unix, so external_attr carries the mode
            info.external_attr = FILE_MODE << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.source.read_bytes(), compresslevel=COMPRESS_LEVEL)
    return buffer.getvalue()


def sha256_base64(data: bytes) -> str:
    """Base64 of the SHA-256 digest: how Lambda reports CodeSha256 and pulumi-aws compares code."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def build_archive(
    cache_dir: Path, distributions: Iterable[str] = facts.ARCHIVE_DISTRIBUTIONS
) -> BuiltArchive:
    """Build the archive and keep it at ``cache_dir/sendbird-sync-<sha256 hex>.zip``; an archive of
    that name already there is the same bytes and is left alone. Written atomically (a temporary
    file renamed), so two builds at once never leave half a zip."""
    entries = archive_entries(distributions)
    data = archive_bytes(entries)
    hex_digest = hashlib.sha256(data).hexdigest()
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{ARCHIVE_PREFIX}{hex_digest}.zip"
    if not path.is_file() or path.stat().st_size != len(data):
        with tempfile.NamedTemporaryFile(dir=cache_dir, prefix=".tmp-", suffix=".zip", delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    return BuiltArchive(path, sha256_base64(data), hex_digest, tuple(e.name for e in entries))
