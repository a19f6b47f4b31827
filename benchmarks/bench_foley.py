"""Foley timing on the output: how far each footstep, cloth movement, sit, stand and prop handling heard in the
Foley stem is from the renderer's ground-truth event it follows, how many onsets have no event (precision), and how
far the mix dips the effects and the background under a line.

    PYTHONPATH=src:. python benchmarks/bench_foley.py [SCREENPLAY ...]

Makes each film (320x180; default `tests/data/quay_effects.fountain` and `tests/data/bench_cup.fountain`) in a
temporary folder with every real stage, detects onsets on `media/stems/foley.wav` with the end-to-end tests'
detector and prints the timing error per kind (mean / max, ms and frames), the onsets with no event within 2
frames, then each stem's share of mix.wav under a line against clear of one.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from tests.test_make_effects import _contributions, _cut, _sound, _truth_times, onsets

from filmaster.audio.wavio import read_wav
from filmaster.config import load_config
from filmaster.pipeline import make_film

ROOT = Path(__file__).resolve().parents[1]


KINDS = (
    ("footsteps", "foot_contacts", ()),
    ("cloth", "body_events", ("sets-off", "stops")),
    ("sits", "body_events", ("sits",)),
    ("stands", "body_events", ("stands",)),
    ("handles", "body_events", ("handles",)),
)


def main() -> None:
    sources = [Path(a) for a in sys.argv[1:]] or [
        ROOT / "tests" / "data" / n for n in ("quay_effects.fountain", "bench_cup.fountain")
    ]
    for source in sources:
        print(f"== {source.name}")
        measure(source)


def measure(source: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / source.name
        shutil.copy(source, copy)
        start = time.perf_counter()
        film = make_film(copy, Path(work) / "out", load_config(overrides={"render": {"resolution": "320x180"}}))
        print(f"make: {time.perf_counter() - start:.1f} s")
        fps = _cut(film).fps
        audio, rate = read_wav(film.out / "media" / "stems" / "foley.wav")
        heard = onsets(audio, rate)
        for label, key, kinds in KINDS:
            truth = _truth_times(film, key, kinds)
            if not truth:
                print(f"{label}: no ground-truth event in the cut")
                continue
            errors = (
                np.array([float(np.min(np.abs(heard - t))) for t in truth])
                if heard.size
                else np.full(len(truth), np.inf)
            )
            print(
                f"{label}: {len(truth)} events, error mean {errors.mean() * 1000:.1f} ms, "
                f"max {errors.max() * 1000:.1f} ms ({errors.max() * fps:.2f} frames at {fps} fps)"
            )
        every = np.array(_truth_times(film, "foot_contacts") + _truth_times(film, "body_events"))
        stray = [t for t in heard if every.size == 0 or float(np.min(np.abs(every - t))) > 2 / fps]
        print(f"onsets heard in the Foley stem: {len(heard)}, with no event within 2 frames: {len(stray)}")
        lines = [(c.start_s, c.end_s) for c in _sound(film).cues if c.kind.value == "dialogue"]
        coefs, times, _ = _contributions(film)
        inside = np.array([any(a + 0.25 < t < b - 0.1 for a, b in lines) for t in times])
        clear = np.array([all(t < a - 0.6 or t > b + 1.0 for a, b in lines) for t in times])
        for name in ("sfx", "background", "foley"):
            under, free = np.abs(coefs[name][inside]), np.abs(coefs[name][clear])
            if np.isnan(under).all() or np.isnan(free).all():
                print(f"{name}: not heard both under a line and clear of one")
                continue
            print(f"{name} in the mix under a line: {20 * np.log10(np.nanmedian(under) / np.nanmedian(free)):+.1f} dB")


if __name__ == "__main__":
    main()
