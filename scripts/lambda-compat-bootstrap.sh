#!/usr/bin/env bash
# Install urllib3 1.26 (pinned with its hash by requirements-lambda-compat.lock) into .lambda-compat/,
# beside the venvs, not in one: tests/localdev/test_lambda_runner.py puts it in the place of the
# runtime's urllib3, since the function's archive uses whichever one Lambda's runtime ships.
# Run after scripts/bootstrap.sh (it uses .venv's pip). Called by scripts/test.sh; a few seconds.
# A marker (.lambda-compat/.installed-<hash of the lock>) is written only after a successful install.
set -euo pipefail
cd "$(dirname "$0")/.."

hash16() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -c1-16; }

mkdir -p .local-run
if command -v flock >/dev/null; then
  exec 9>.local-run/lambda-compat-bootstrap.lock
  flock 9
fi

stamp=.lambda-compat/.installed-$(hash16 <requirements-lambda-compat.lock)
[ -f "$stamp" ] && exit 0
echo "lambda-compat-bootstrap: installing requirements-lambda-compat.lock into .lambda-compat" >&2
rm -rf .lambda-compat
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
  --target .lambda-compat -r requirements-lambda-compat.lock
touch "$stamp"
