#!/usr/bin/env bash
# What CI checks once `scripts/install.sh --test` has run: the types (mypy, configured in pyproject.toml), the
# wheel (built, installed into a fresh virtual environment, one film made with it) and the test suite. Arguments
# go to pytest. FILMASTER_CI_NEWEST=1 also runs the suite against the newest dependencies (scripts/newest_deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m mypy
bash scripts/wheel_smoke.sh
if [ "${FILMASTER_CI_NEWEST:-0}" = 1 ]; then
  bash scripts/newest_deps.sh
fi
exec .venv/bin/python -m pytest "$@"
