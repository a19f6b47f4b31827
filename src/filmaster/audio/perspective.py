"""Distance in a sound: close is full and dry; far loses its highs and carries more of a short diffuse tail."""

from __future__ import annotations

import numpy as np


def place_at_distance(dry: np.ndarray, rate: int, distance: float, seed: int) -> np.ndarray:
    """`dry` (mono) heard from `distance` (0 in the lens … 1 far): low-passed and with a decaying-noise tail
    (seeded, so a re-render is identical). The result is longer than `dry` by the tail."""
    from .sfx import band  # the FFT band filter, shared with the recipes

    distance = float(np.clip(distance, 0.0, 1.0))
    if distance <= 0.0:
        return np.array(dry, dtype=np.float64)
    direct = band(dry, rate, 0.0, 16000.0 - 12000.0 * distance)
    tail_n = int(rate * (0.15 + 0.5 * distance))
    t = np.arange(tail_n) / rate
    response = np.random.default_rng(seed).standard_normal(tail_n) * np.exp(-t / (0.05 + 0.2 * distance))
    response /= np.sqrt(np.sum(response**2))
    n = dry.size + tail_n
    size = 1 << int(n - 1).bit_length()
    wet = np.fft.irfft(np.fft.rfft(direct, size) * np.fft.rfft(response, size), size)[:n]
    out = np.zeros(n)
    out[: dry.size] += direct
    return out + wet * (0.8 * distance)
