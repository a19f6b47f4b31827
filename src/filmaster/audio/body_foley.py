"""Procedural foley for a body meeting things: landing on a seat, rising from it, handling a prop.

Like every recipe in sfx.py, each sound starts at its onset (every layer attacks on sample 0, none comes in later,
so an onset detector hears one event) and the seed moves its pitches, lengths and colours, so two sits on the same
bench or two cups picked up never share their samples.

- seat-<material>: the body's thump, coloured by the seat (a wooden bench knocks and creaks, a metal one rings, a
  stone one is short and gritty, an upholstered one is a muffled thud with the cushion's breath).
- rise-<material>: the clothes rustling as the body lifts, with the seat's release (a creak, a ping, a scrape, the
  cushion filling again).
- handle-<material>: a hand taking a prop: paper crinkles, metal clinks, glass rings, wood knocks, fabric
  brushes; `handle-generic` (a plain tap) for a prop of unknown material.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .sfx import _decay, _t, band, cloth

SEAT_MATERIALS = ("wood", "metal", "stone", "upholstered")
PROP_MATERIALS = ("paper", "metal", "glass", "wood", "fabric", "generic")

Recipe = Callable[[np.random.Generator, int], np.ndarray]


def _partials(rng: np.random.Generator, rate: int, n: int, freqs: tuple[float, ...], decay_s: float) -> np.ndarray:
    """Ringing modes, each detuned by the seed and decaying a little faster the higher it is."""
    t = _t(n, rate)
    out = np.zeros(n)
    for k, f in enumerate(freqs):
        f_k = f * rng.uniform(0.94, 1.06)
        out += np.sin(2 * np.pi * f_k * t + rng.uniform(0, 6.28)) * _decay(n, rate, decay_s / (1 + 0.3 * k), 0.001)
    return out / max(len(freqs), 1)


def _creak(rng: np.random.Generator, rate: int, n: int, lo: float, hi: float) -> np.ndarray:
    """Stick-slip friction (a joint or a plank under load): a buzzy tone gliding in pitch, chopped 20-40 times a
    second, from the first sample to a fade."""
    t = _t(n, rate)
    f0 = rng.uniform(lo, hi) * (1.0 + rng.uniform(-0.25, 0.25) * t / max(t[-1], 1e-9))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    buzz = sum(np.sin(k * phase) / k for k in range(1, 9))
    chop = 0.55 + 0.45 * np.sin(2 * np.pi * rng.uniform(20.0, 40.0) * t) ** 2
    return band(buzz * chop, rate, 250.0, 4000.0) * _decay(n, rate, rng.uniform(0.12, 0.2), 0.003)


def _thump(rng: np.random.Generator, rate: int, n: int, hi: float, decay_s: float) -> np.ndarray:
    """The weight of a body arriving: low-passed noise with a short sharp attack."""
    return band(rng.standard_normal(n), rate, 40.0, hi * rng.uniform(0.85, 1.15)) * _decay(n, rate, decay_s, 0.002)


def seat(material: str) -> Recipe:
    def make(rng: np.random.Generator, rate: int) -> np.ndarray:
        n = int(rate * rng.uniform(0.45, 0.6))
        if material == "upholstered":
            breath = band(rng.standard_normal(n), rate, 150.0, 900.0) * _decay(n, rate, 0.14, 0.004) * 0.2
            return _thump(rng, rate, n, 250.0, 0.11) + breath
        if material == "stone":
            grit = band(rng.standard_normal(n), rate, 1500.0, 7000.0) * _decay(n, rate, 0.03, 0.001) * 0.3
            return _thump(rng, rate, n, 900.0, 0.03) + grit
        if material == "metal":
            ring = _partials(rng, rate, n, (310.0, 740.0, 1290.0, 2050.0), 0.3) * 0.6
            return _thump(rng, rate, n, 600.0, 0.05) + ring
        knock = _partials(rng, rate, n, (150.0, 240.0, 410.0), 0.06) * 0.7
        return _thump(rng, rate, n, 700.0, 0.05) + knock + 0.25 * _creak(rng, rate, n, 180.0, 320.0)

    return make


def rise(material: str) -> Recipe:
    def make(rng: np.random.Generator, rate: int) -> np.ndarray:
        rustle = cloth(rng, rate)
        n = max(rustle.size, int(rate * 0.4))
        out = np.zeros(n)
        out[: rustle.size] += rustle
        if material == "upholstered":  # the cushion fills again
            out += band(rng.standard_normal(n), rate, 200.0, 1800.0) * _decay(n, rate, 0.15, 0.005) * 0.4
        elif material == "stone":
            out += band(rng.standard_normal(n), rate, 2000.0, 8000.0) * _decay(n, rate, 0.05, 0.002) * 0.3
        elif material == "metal":
            out += _partials(rng, rate, n, (420.0, 980.0, 1730.0), 0.2) * 0.3
        else:
            out += 0.5 * _creak(rng, rate, n, 200.0, 420.0)
        return out

    return make


def handle(material: str) -> Recipe:
    def make(rng: np.random.Generator, rate: int) -> np.ndarray:
        n = int(rate * rng.uniform(0.3, 0.45))
        t = _t(n, rate)
        if material == "paper":  # crinkle: a dense crackle of tiny folds, under a brushed swish
            clicks = (rng.random(n) < rng.uniform(0.004, 0.008)) * rng.uniform(0.3, 1.0, n)
            clicks[0] = 1.0
            crackle = band(clicks, rate, 1500.0, 9000.0) * 4.0
            swish = band(rng.standard_normal(n), rate, 800.0, 6000.0) * 0.2
            return (crackle + swish) * _decay(n, rate, rng.uniform(0.1, 0.16), 0.001)
        if material == "metal":  # a clink: bright inharmonic modes after a tap
            tap = band(rng.standard_normal(n), rate, 2000.0, 9000.0) * _decay(n, rate, 0.004, 0.0005)
            return tap + _partials(rng, rate, n, (2350.0, 3870.0, 5230.0), 0.18)
        if material == "glass":  # a ring: higher, longer modes
            tap = band(rng.standard_normal(n), rate, 3000.0, 10000.0) * _decay(n, rate, 0.003, 0.0005)
            return tap + _partials(rng, rate, n, (1850.0, 4100.0, 6600.0), 0.35)
        if material == "wood":  # a knock: low modes that die fast
            tap = band(rng.standard_normal(n), rate, 400.0, 4000.0) * _decay(n, rate, 0.01, 0.0008)
            return tap + _partials(rng, rate, n, (520.0, 870.0, 1460.0), 0.045) * 1.5
        if material == "fabric":  # a grab: a soft brush
            grain = 1.0 + 0.4 * np.sin(2 * np.pi * rng.uniform(12.0, 22.0) * t)
            return band(rng.standard_normal(n), rate, 300.0, 3500.0) * grain * _decay(n, rate, 0.08, 0.003)
        tap = band(rng.standard_normal(n), rate, 500.0, 5000.0) * _decay(n, rate, 0.015, 0.0008)
        return tap + _partials(rng, rate, n, (700.0, 1650.0), 0.05)

    return make


RECIPES: dict[str, Recipe] = {
    **{f"seat-{m}": seat(m) for m in SEAT_MATERIALS},
    **{f"rise-{m}": rise(m) for m in SEAT_MATERIALS},
    **{f"handle-{m}": handle(m) for m in PROP_MATERIALS},
}
