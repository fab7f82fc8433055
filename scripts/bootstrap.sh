#!/usr/bin/env bash
# Create (or reuse) .venv and install the package with its dev tools, pinned by requirements.lock.
# Used by .ci/run, by the README's commands and by scripts/run-local.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml requirements.lock | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
