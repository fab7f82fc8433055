#!/usr/bin/env bash
# Create (or reuse) .venv and install the package with its dev tools, pinned by requirements.lock.
# Used by .ci/run, by the README's commands, scripts/run-local and scripts/sandbox.
#
# A .venv that cannot work is recreated, with a line saying why: made by a Python older than 3.11;
# its python no longer starts (the Python it was made from is gone); an install that never finished
# (no .venv/.installed-* marker: one is written only after a successful install); the project does
# not import. Bootstraps started at once in one checkout (two scripts/run-local) take turns.
# PYTHON=/path/to/python3.x chooses the Python that creates .venv (default: the first of python3,
# python3.13, python3.12, python3.11 that is 3.11 or newer).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { echo "bootstrap: $*" >&2; }
version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
new_enough() {  # "3.11" -> true
  local major=${1%%.*} minor=${1#*.}
  [[ $major =~ ^[0-9]+$ && $minor =~ ^[0-9]+$ ]] && ((major > 3 || (major == 3 && minor >= 11)))
}
has_marker() { compgen -G ".venv/.installed-*" >/dev/null; }
hash16() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -c1-16; }

# The project and the tools the scripts run, importable from outside the checkout (so from the
# install itself, not from the current directory).
IMPORT_CHECK='
import importlib.util, sys
import sendbird_copy.cli.commands
needed = ("sendbird_recordings", "pulumi", "pulumi_aws", "boto3", "moto", "pytest", "ruff", "mypy")
sys.exit(1 if [m for m in needed if importlib.util.find_spec(m) is None] else 0)
'

take_turn() {  # one bootstrap at a time per checkout; released when this script exits
  mkdir -p .local-run
  if command -v flock >/dev/null; then
    exec 9>.local-run/bootstrap.lock
    flock 9
    return
  fi
  local lock=.local-run/bootstrap.lock.d waited=0
  until mkdir "$lock" 2>/dev/null; do
    if ((waited >= 900)); then
      say "waited 15 minutes for $lock; if no other bootstrap is running, remove it and retry"
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  trap 'rmdir "$root/.local-run/bootstrap.lock.d" 2>/dev/null || true' EXIT
}

why_broken() {  # prints why .venv must be recreated; nothing when it is fine or absent
  [ -e .venv ] || [ -L .venv ] || return 0
  local version
  if [ ! -x .venv/bin/python ]; then
    echo ".venv has no runnable bin/python"
  elif ! version=$(version_of .venv/bin/python); then
    echo ".venv/bin/python does not start (was the Python it was made from removed or upgraded?)"
  elif ! new_enough "$version"; then
    echo ".venv was made by Python $version; this project needs Python 3.11 or newer"
  elif ! has_marker; then
    echo "an earlier install into .venv did not finish (no .venv/.installed-* marker)"
  elif [ -f "$stamp" ] && ! (cd / && "$root/.venv/bin/python" -c "$IMPORT_CHECK") >/dev/null 2>&1; then
    echo "the project does not import in .venv (a damaged or half-finished install)"
  fi
}

pick_python() {  # the Python to create .venv with, or a message naming what was found
  local candidates found="" candidate version
  if [ -n "${PYTHON:-}" ]; then candidates=("$PYTHON"); else candidates=(python3 python3.13 python3.12 python3.11); fi
  for candidate in "${candidates[@]}"; do
    command -v "$candidate" >/dev/null || continue
    version=$(version_of "$candidate") || { found+=" $candidate (does not start)"; continue; }
    if new_enough "$version"; then
      echo "$candidate"
      return 0
    fi
    found+=" $candidate ($version)"
  done
  say "needs Python 3.11 or newer to create .venv; found:${found:- none}. Set PYTHON=/path/to/python3.11 or newer"
  return 1
}

take_turn
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | hash16)
reason=$(why_broken)
if [ -n "$reason" ]; then
  say "$reason: recreating .venv"
  rm -rf .venv
fi
if [ ! -e .venv ]; then
  python=$(pick_python)
  say "creating .venv with $python (Python $(version_of "$python")) and installing; about a minute"
  "$python" -m venv .venv
fi
if [ ! -f "$stamp" ]; then
  has_marker && say "pyproject.toml or requirements.lock changed: updating .venv"
  rm -f .venv/.installed-*  # no marker until this install succeeds: an interrupted one is repaired next time
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
  touch "$stamp"
fi
