"""The body's foley (a seat taking a body, a rise, a hand on a prop): one event is one onset to the ear's detector,
and the material is heard in the spectrum (metal and glass ring high, a cushion thuds low)."""

from __future__ import annotations

import numpy as np
import pytest

from filmaster.audio.body_foley import PROP_MATERIALS, RECIPES, SEAT_MATERIALS
from filmaster.audio.sfx import synthesize

from ..test_make_effects import onsets

RATE = 48000


@pytest.mark.parametrize("category", sorted(RECIPES))
def test_one_event_is_one_onset_at_its_start(category: str) -> None:
    for seed in range(4):
        stem = np.zeros(RATE * 2, dtype=np.float32)
        sound = synthesize(category, seed, RATE, 0.3) * 0.1  # about a foley cue's level in the stem
        stem[RATE // 2 : RATE // 2 + sound.size] += sound
        heard = onsets(stem, RATE)
        assert heard.size == 1 and abs(float(heard[0]) - 0.5) <= 0.01, (category, seed, heard)


def _centroid(category: str) -> float:
    """Mean spectral centroid (Hz) over a few variations."""
    out = []
    for seed in range(3):
        x = synthesize(category, seed, RATE, 0.0).astype(np.float64)
        power = np.abs(np.fft.rfft(x)) ** 2
        out.append(float((np.fft.rfftfreq(x.size, 1 / RATE) * power).sum() / power.sum()))
    return float(np.mean(out))


def test_the_material_is_heard() -> None:
    handle = {m: _centroid(f"handle-{m}") for m in PROP_MATERIALS}
    assert min(handle["metal"], handle["glass"], handle["paper"]) > 1.5 * max(handle["wood"], handle["fabric"]), handle
    seat = {m: _centroid(f"seat-{m}") for m in SEAT_MATERIALS}
    assert seat["upholstered"] < min(seat["wood"], seat["metal"], seat["stone"]), seat
    assert seat["metal"] > seat["wood"], seat
