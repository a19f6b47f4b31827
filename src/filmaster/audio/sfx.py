"""Procedural effects and foley: one short sound per event, varied by its seed, starting on its first sample.

Each category is a small recipe of tones, filtered noise and envelopes (a horn's harmonic blast, a gull's falling
cry, a heel on wood). The seed moves pitches, timings and colours, so two horns or two footsteps never repeat the
same samples. `perspective` then places the sound: close is dry and full, far is quieter in the highs and carries
more of a short room tail. Every sound starts at its onset (a sharp attack at sample 0) and ends in silence.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import AudioError
from .perspective import place_at_distance

PEAK = 0.5  # every sound's peak before its cue gain (-6 dBFS): headroom for overlaps in the stem
END_FADE_S = 0.02


def _t(n: int, rate: int) -> np.ndarray:
    return np.arange(n, dtype=np.float64) / rate


def band(x: np.ndarray, rate: int, lo: float, hi: float) -> np.ndarray:
    """`x` with only the band [lo, hi] Hz kept (soft 1/3-octave edges), by FFT."""
    size = 1 << max(int(x.size - 1).bit_length(), 1)  # a power of two: FFTs of odd lengths are slow
    spectrum = np.fft.rfft(x, size)
    f = np.fft.rfftfreq(size, 1.0 / rate)
    edge_lo = np.clip((f - lo * 0.8) / (lo * 0.2 + 1e-9), 0.0, 1.0) if lo > 0 else 1.0
    edge_hi = np.clip((hi * 1.25 - f) / (hi * 0.25), 0.0, 1.0)
    return np.fft.irfft(spectrum * edge_lo * edge_hi, n=size)[: x.size]


def _decay(n: int, rate: int, seconds: float, attack_s: float = 0.002) -> np.ndarray:
    t = _t(n, rate)
    return np.minimum(t / attack_s, 1.0) * np.exp(-t / seconds)


def _env(n: int, rate: int, attack_s: float, release_s: float) -> np.ndarray:
    t = _t(n, rate)
    end = n / rate
    return np.minimum(t / attack_s, 1.0) * np.clip((end - t) / release_s, 0.0, 1.0)


def _place(out: np.ndarray, sound: np.ndarray, at: int) -> None:
    end = min(out.size, at + sound.size)
    if at < end:
        out[at:end] += sound[: end - at]


def horn(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(1.2, 1.5))
    t = _t(n, rate)
    f0 = rng.uniform(95.0, 150.0) * (1.0 + 0.004 * np.sin(2 * np.pi * rng.uniform(4, 6) * t))
    phase = 2 * np.pi * np.cumsum(f0) / rate
    tone = sum((1.0 / k**0.7) * np.sin(k * phase + rng.uniform(0, 6.28)) for k in range(1, 14))
    return tone * _env(n, rate, 0.008, 0.25)


def engine(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(2.6, 3.4))
    t = _t(n, rate)
    firing = rng.uniform(22.0, 38.0) * (1.0 + 0.03 * np.sin(2 * np.pi * 0.7 * t))
    phase = 2 * np.pi * np.cumsum(firing) / rate
    pulses = sum(np.sin(k * phase) / k for k in range(1, 10))
    rumble = band(rng.standard_normal(n), rate, 40.0, 400.0) * 3.0
    return (pulses + rumble * (1.0 + 0.5 * np.sin(phase))) * _env(n, rate, 0.01, 0.4)


def vehicle(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(2.2, 2.8))
    t = _t(n, rate)
    body = band(rng.standard_normal(n), rate, 60.0, rng.uniform(1500.0, 2500.0))
    swell = np.exp(-(((t - 0.4) / 0.6) ** 2)) + 0.4  # passes close early: loud from its first moment
    return body * swell * _env(n, rate, 0.01, 0.5)


def door(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * 0.8)
    t = _t(n, rate)
    thump = np.sin(2 * np.pi * rng.uniform(70.0, 110.0) * t) * _decay(n, rate, 0.08)
    knock = band(rng.standard_normal(n), rate, 150.0, 3000.0) * _decay(n, rate, 0.03) * 0.8
    latch = np.zeros(n)
    _place(latch, band(rng.standard_normal(int(rate * 0.02)), rate, 2000, 8000), int(rate * rng.uniform(0.1, 0.2)))
    return thump + knock + 0.4 * latch


def impact(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * 0.7)
    t = _t(n, rate)
    f = rng.uniform(45.0, 75.0) * np.exp(-t * 3.0)
    body = np.sin(2 * np.pi * np.cumsum(f) / rate) * _decay(n, rate, 0.12)
    crack = band(rng.standard_normal(n), rate, 100.0, 4000.0) * _decay(n, rate, 0.04)
    return body + 0.7 * crack


def glass(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * 1.0)
    out = band(rng.standard_normal(n), rate, 1500.0, 12000.0) * _decay(n, rate, 0.05) * 0.6
    for _ in range(int(rng.integers(14, 26))):
        m = int(rate * rng.uniform(0.05, 0.3))
        shard = np.sin(2 * np.pi * rng.uniform(2500.0, 9000.0) * _t(m, rate)) * _decay(m, rate, rng.uniform(0.02, 0.08))
        _place(out, shard * rng.uniform(0.2, 0.6), int(rate * rng.exponential(0.12)))
    return out


def water(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(1.6, 2.2))
    out = band(rng.standard_normal(n), rate, 200.0, 6000.0) * _decay(n, rate, 0.35, 0.004)
    for _ in range(int(rng.integers(20, 40))):
        m = int(rate * rng.uniform(0.01, 0.04))
        f = rng.uniform(400.0, 1800.0) * (1.0 + 2.0 * _t(m, rate) / (m / rate))  # a bubble's rising chirp
        bubble = np.sin(2 * np.pi * np.cumsum(f) / rate) * _decay(m, rate, 0.01, 0.001)
        _place(out, bubble * rng.uniform(0.1, 0.4), int(rate * rng.uniform(0.0, n / rate * 0.8)))
    return out


def rain(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(3.6, 4.4))
    hiss = band(rng.standard_normal(n), rate, 800.0, 10000.0) * 0.4
    drops = np.zeros(n)
    where = rng.integers(0, n, int(n / rate * 120))
    drops[where] = rng.uniform(-1.0, 1.0, where.size)
    drops = band(drops, rate, 2000.0, 12000.0) * 3.0
    return (hiss + drops) * _env(n, rate, 0.01, 0.6)


def wind(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(2.6, 3.4))
    t = _t(n, rate)
    gust = 0.6 + 0.4 * np.sin(2 * np.pi * rng.uniform(0.3, 0.6) * t + rng.uniform(0, 6.28))
    return band(rng.standard_normal(n), rate, 80.0, rng.uniform(600.0, 1200.0)) * gust * _env(n, rate, 0.01, 0.8)


def thunder(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(2.2, 2.8))
    crack = band(rng.standard_normal(n), rate, 300.0, 6000.0) * _decay(n, rate, 0.06)
    roll = band(rng.standard_normal(n), rate, 25.0, 200.0) * _decay(n, rate, 0.9, 0.01) * 3.0
    return crack + roll


def birds(rng: np.random.Generator, rate: int) -> np.ndarray:
    """Gull-like cries: a few falling, harmonic calls."""
    n = int(rate * 2.0)
    out = np.zeros(n)
    at = 0
    for _ in range(int(rng.integers(2, 4))):
        m = int(rate * rng.uniform(0.25, 0.45))
        t = _t(m, rate)
        f = rng.uniform(1100.0, 1600.0) * (1.0 - 0.35 * t / t[-1]) * (1 + 0.02 * np.sin(2 * np.pi * 30 * t))
        phase = 2 * np.pi * np.cumsum(f) / rate
        call = sum(np.sin(k * phase) / k for k in range(1, 5)) * _env(m, rate, 0.004, 0.08)
        _place(out, call, at)
        at += m + int(rate * rng.uniform(0.08, 0.25))
    return out


def dog(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * 1.2)
    out = np.zeros(n)
    at = 0
    for _ in range(2):
        m = int(rate * rng.uniform(0.12, 0.2))
        t = _t(m, rate)
        f = rng.uniform(280.0, 480.0) * (1.0 + 0.3 * np.sin(np.pi * t / t[-1]))
        phase = 2 * np.pi * np.cumsum(f) / rate
        voice = sum(np.sin(k * phase) / k**0.8 for k in range(1, 10))
        growl = band(rng.standard_normal(m), rate, 300.0, 3000.0) * 0.5
        _place(out, (voice + growl) * _decay(m, rate, 0.07, 0.004), at)
        at += m + int(rate * rng.uniform(0.12, 0.25))
    return out


def phone(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * 2.0)
    t = _t(n, rate)
    base = rng.choice([(440.0, 480.0), (400.0, 450.0), (850.0, 1100.0)])
    tone = np.sin(2 * np.pi * base[0] * t) + np.sin(2 * np.pi * base[1] * t)
    trill = (np.sin(2 * np.pi * rng.uniform(16.0, 22.0) * t) > 0).astype(np.float64)
    gate = (t % 1.0 < 0.8).astype(np.float64)  # two bursts of 0.8 s
    return tone * (0.6 + 0.4 * trill) * gate * _env(n, rate, 0.003, 0.05)


def crowd(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(2.6, 3.4))
    t = _t(n, rate)
    out = np.zeros(n)
    for _ in range(12):  # voices: noise through a moving vowel band, each with its own syllable rate
        centre = rng.uniform(400.0, 1400.0)
        voice = band(rng.standard_normal(n), rate, centre * 0.7, centre * 1.4)
        syllables = np.clip(np.sin(2 * np.pi * rng.uniform(3.0, 6.0) * t + rng.uniform(0, 6.28)), 0.0, 1.0)
        out += voice * syllables
    return out * _env(n, rate, 0.01, 0.6)


def machine(rng: np.random.Generator, rate: int) -> np.ndarray:
    n = int(rate * rng.uniform(2.6, 3.4))
    t = _t(n, rate)
    mains = rng.choice([50.0, 60.0])
    hum = sum(np.sin(2 * np.pi * mains * k * t) / k for k in range(1, 8))
    whine = 0.2 * np.sin(2 * np.pi * rng.uniform(800.0, 2000.0) * t)
    return (hum + whine + 0.3 * band(rng.standard_normal(n), rate, 100.0, 2000.0)) * _env(n, rate, 0.01, 0.4)


def footstep(surface: str) -> Callable[[np.random.Generator, int], np.ndarray]:
    """A heel strike and its roll onto the toe, coloured by the floor."""
    colours = {  # (low Hz, high Hz, decay s, ringing partials Hz)
        "wood": (120.0, 2500.0, 0.03, (180.0, 420.0)),
        "stone": (300.0, 7000.0, 0.012, ()),
        "sand": (200.0, 3000.0, 0.05, ()),
        "grass": (800.0, 8000.0, 0.06, ()),
        "metal": (200.0, 6000.0, 0.02, (620.0, 1410.0, 2230.0)),
    }
    if surface not in colours:
        raise AudioError(f"no footstep for the surface {surface!r}; use one of {', '.join(colours)}")
    lo, hi, decay, partials = colours[surface]

    def make(rng: np.random.Generator, rate: int) -> np.ndarray:
        n = int(rate * 0.35)
        t = _t(n, rate)
        heel = band(rng.standard_normal(n), rate, lo * rng.uniform(0.8, 1.2), hi) * _decay(n, rate, decay, 0.001)
        ring = sum(
            np.sin(2 * np.pi * p * rng.uniform(0.95, 1.05) * t) * _decay(n, rate, 0.08, 0.001) * 0.5 for p in partials
        )
        toe = np.zeros(n)
        m = int(rate * 0.08)
        toe_hit = band(rng.standard_normal(m), rate, lo, hi) * _decay(m, rate, decay, 0.004) * rng.uniform(0.3, 0.5)
        _place(toe, toe_hit, int(rate * rng.uniform(0.07, 0.12)))
        return heel + ring + toe

    return make


def cloth(rng: np.random.Generator, rate: int) -> np.ndarray:
    """Clothing moving with a limb: a brushed swish (a quick attack, then a grainy, falling rustle)."""
    n = int(rate * rng.uniform(0.25, 0.35))
    t = _t(n, rate)
    grain = 1.0 + 0.5 * np.sin(2 * np.pi * rng.uniform(18.0, 30.0) * t + rng.uniform(0, 6.28))
    swish = band(rng.standard_normal(n), rate, rng.uniform(500.0, 900.0), rng.uniform(5000.0, 7000.0))
    return swish * grain * _decay(n, rate, rng.uniform(0.06, 0.1), 0.004)


def footsteps(rng: np.random.Generator, rate: int) -> np.ndarray:
    """Footsteps the screenplay names (no walk on screen to follow): four steps at a walking pace."""
    step = footstep(str(rng.choice(["wood", "stone"])))
    gap = rng.uniform(0.45, 0.6)
    out = np.zeros(int(rate * (3 * gap + 0.4)))
    for k in range(4):
        _place(out, step(rng, rate) * (1.0 if k % 2 == 0 else 0.8), int(rate * k * gap))
    return out


RECIPES: dict[str, Callable[[np.random.Generator, int], np.ndarray]] = {
    "horn": horn,
    "engine": engine,
    "vehicle": vehicle,
    "door": door,
    "impact": impact,
    "glass": glass,
    "water": water,
    "rain": rain,
    "wind": wind,
    "thunder": thunder,
    "birds": birds,
    "dog": dog,
    "phone": phone,
    "footsteps": footsteps,
    "crowd": crowd,
    "machine": machine,
    "cloth": cloth,
    **{f"footstep-{s}": footstep(s) for s in ("wood", "stone", "sand", "grass", "metal")},
}


def all_recipes() -> dict[str, Callable[[np.random.Generator, int], np.ndarray]]:
    """Every sound the synthesiser makes: these, and the body's foley (audio/body_foley.py, built on these)."""
    from .body_foley import RECIPES as BODY_RECIPES

    return {**RECIPES, **BODY_RECIPES}


def synthesize(category: str, seed: int, rate: int, perspective: float = 0.0) -> np.ndarray:
    """One occurrence of `category` (mono float32, peak PEAK), placed at `perspective` (0 close … 1 far)."""
    recipes = all_recipes()
    recipe = recipes.get(category)
    if recipe is None:
        raise AudioError(f"no synthesiser for the sound {category!r}; known: {', '.join(sorted(recipes))}")
    dry = np.asarray(recipe(np.random.default_rng(seed), rate), dtype=np.float64)
    sound = place_at_distance(dry, rate, perspective, seed)
    fade_n = min(int(END_FADE_S * rate), sound.size)
    sound[sound.size - fade_n :] *= np.linspace(1.0, 0.0, fade_n)
    peak = float(np.abs(sound).max())
    return (sound * (PEAK / peak if peak > 0 else 0.0)).astype(np.float32)
