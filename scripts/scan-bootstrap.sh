#!/usr/bin/env bash
# Create (or reuse) .venv-scan: checkov, pinned by requirements-scan.lock, for the scanner test
# (tests/components/test_scanner.py). Its own venv: checkov pins versions (boto3, ...) that conflict
# with requirements.lock. Run after scripts/bootstrap.sh (it uses .venv's Python). Called by
# scripts/test.sh; a fresh clone gets it on the first test run (about 40 seconds).
#
# As with .venv: a marker (.venv-scan/.installed-<hash of the lock>) is written only after a
# successful install, so an interrupted or outdated one is redone; one bootstrap at a time.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "scan-bootstrap: $*" >&2; }
hash16() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -c1-16; }

mkdir -p .local-run
if command -v flock >/dev/null; then
  exec 9>.local-run/scan-bootstrap.lock
  flock 9
fi

stamp=.venv-scan/.installed-$(hash16 <requirements-scan.lock)
# Reused when its install finished for this lock and its Python still starts (the one .venv was
# made from may have been removed or upgraded).
if [ -f "$stamp" ] && [ -x .venv-scan/bin/checkov ] && .venv-scan/bin/python -c pass 2>/dev/null; then
  exit 0
fi
if [ -e .venv-scan ]; then
  say "requirements-scan.lock changed or an earlier install did not finish: recreating .venv-scan"
  rm -rf .venv-scan
fi
say "creating .venv-scan and installing checkov (requirements-scan.lock); about 40 seconds"
.venv/bin/python -m venv .venv-scan
.venv-scan/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv-scan/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-scan.lock
.venv-scan/bin/checkov --version >/dev/null
touch "$stamp"
