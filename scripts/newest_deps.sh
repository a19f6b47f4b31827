#!/usr/bin/env bash
# Run the test suite against the newest versions of filmaster's dependencies that resolve, upper bounds lifted,
# in a throwaway virtual environment: an API that moved shows up here before a user meets it.
#   bash scripts/newest_deps.sh [pytest arguments]    # default: -m "not slow"
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"
pip=("$work/venv/bin/python" -m pip -q --disable-pip-version-check)
# The declared requirements (the tool's and the test extra's), each with its upper bound dropped.
"$python" - "$work/newest.txt" <<'PY'
import re, sys, tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
requirements = project["dependencies"] + project["optional-dependencies"]["test"]
unbounded = [re.sub(r",?\s*<[^,;]*", "", r) for r in requirements]
open(sys.argv[1], "w").write("\n".join(unbounded) + "\n")
PY
"${pip[@]}" install --upgrade --upgrade-strategy eager -r "$work/newest.txt"
"${pip[@]}" install --no-deps .  # its metadata registers the backends; the code run is this checkout (PYTHONPATH)
"${pip[@]}" install --no-deps "scikit-video>=1.1.11"
"$work/venv/bin/python" -m pip list --format=freeze > "$work/versions.txt"
echo "newest dependencies: $(wc -l < "$work/versions.txt") packages; suite:"
if [ $# -eq 0 ]; then set -- -m "not slow"; fi
PYTHONPATH="$PWD/src" "$work/venv/bin/python" -m pytest "$@"
