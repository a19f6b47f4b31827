#!/usr/bin/env bash
# Build filmaster's wheel, install it into a fresh virtual environment outside the repository and make a film with
# it: proves the wheel alone (its declared dependencies and package data) gives a working `filmaster make`.
#   bash scripts/wheel_smoke.sh [screenplay]     # default examples/tiny.fountain, rendered with --draft
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
screenplay=$(realpath "${1:-examples/tiny.fountain}")
python=${PYTHON:-python3}  # makes the fresh venv
builder=.venv/bin/python  # has pip (a system python3 may not)
[ -x "$builder" ] || builder=$python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset PYTHONPATH  # the installed wheel, not this checkout's src/, must be imported

"$builder" -m pip wheel -q --disable-pip-version-check --no-deps --wheel-dir "$work/dist" "$repo"
"$python" -m venv "$work/venv"
"$work/venv/bin/python" -m pip install -q --disable-pip-version-check "$work/dist"/filmaster-*.whl
cd "$work"  # away from the checkout: nothing can be imported from it
"$work/venv/bin/filmaster" make "$screenplay" -o "$work/film" --draft
test -s "$work/film/film.mp4" || { echo "wheel smoke test: no film.mp4 was made" >&2; exit 1; }
echo "wheel smoke test: $(basename "$work"/dist/filmaster-*.whl) made $(du -h "$work/film/film.mp4" | cut -f1) of film"
