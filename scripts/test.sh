#!/usr/bin/env bash
# The README's test command: set up .venv from scratch if needed, lint, type-check, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
bash scripts/scan-bootstrap.sh  # checkov in its own venv, for tests/components/test_scanner.py
bash scripts/lambda-compat-bootstrap.sh  # urllib3 1.26, for tests/localdev/test_lambda_runner.py
# One command per line: under `set -e` a failure on the left of `&&` would not stop the script.
echo "== ruff";  .venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy";  .venv/bin/mypy .
echo "== import contracts";  .venv/bin/lint-imports
echo "== pytest"
set +e
# One worker more than cores: most tests wait on a server or a subprocess (on 2 cores, 3 workers ran
# the suite in 305 s where 2 took 427 s). A file's tests share a worker (their module fixtures start
# one server each). PYTEST_WORKERS=0 runs them in this process.
workers="${PYTEST_WORKERS:-$(( $(nproc) + 1 ))}"
.venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing, a test run that proves nothing must not pass" >&2
  exit 1
fi
exit "$rc"
