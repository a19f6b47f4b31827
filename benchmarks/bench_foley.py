"""Foley timing on the output: how far each footstep and cloth movement heard in the Foley stem is from the
renderer's ground-truth event it follows, and how far the mix dips the effects and the background under a line.

    PYTHONPATH=src:. python benchmarks/bench_foley.py [SCREENPLAY]

Makes the film (320x180, default `tests/data/quay_effects.fountain`) in a temporary folder with every real stage,
detects onsets on `media/stems/foley.wav` with the end-to-end tests' detector and prints the timing error per kind
(mean / max, ms and frames), then each stem's share of mix.wav under a line against clear of one.
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


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "quay_effects.fountain"
    with tempfile.TemporaryDirectory() as work:
        copy = Path(work) / source.name
        shutil.copy(source, copy)
        start = time.perf_counter()
        film = make_film(copy, Path(work) / "out", load_config(overrides={"render": {"resolution": "320x180"}}))
        print(f"make: {time.perf_counter() - start:.1f} s")
        fps = _cut(film).fps
        audio, rate = read_wav(film.out / "media" / "stems" / "foley.wav")
        heard = onsets(audio, rate)
        for label, key in (("footsteps", "foot_contacts"), ("cloth", "body_events")):
            truth = _truth_times(film, key)
            if not truth:
                print(f"{label}: no ground-truth event in the cut")
                continue
            errors = np.array([float(np.min(np.abs(heard - t))) for t in truth])
            print(
                f"{label}: {len(truth)} events, error mean {errors.mean() * 1000:.1f} ms, "
                f"max {errors.max() * 1000:.1f} ms ({errors.max() * fps:.2f} frames at {fps} fps)"
            )
        print(f"onsets heard in the Foley stem: {len(heard)}")
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
