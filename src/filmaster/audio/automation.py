"""Gain envelopes reduced to the few breakpoints an editor's volume keyframes can hold."""

from __future__ import annotations

import numpy as np

STEP_S = 0.01  # the envelope is read every 10 ms: finer than its 50 ms attack
TOLERANCE_DB = 0.25  # a breakpoint is dropped while straight lines stay this close to the envelope
FLOOR_DB = -120.0


def sample_points(samples: int, sample_rate: int, step_s: float = STEP_S) -> np.ndarray:
    """The samples an envelope of `samples` is read at: every `step_s`, and the last."""
    hop = max(1, round(step_s * sample_rate))
    return np.unique(np.append(np.arange(0, samples, hop), samples - 1))


def gain_breakpoints(
    gain: np.ndarray, sample_rate: int, step_s: float = STEP_S, tolerance_db: float = TOLERANCE_DB
) -> list[tuple[float, float]]:
    """(seconds, dB) points whose linear interpolation (in dB) stays within `tolerance_db` of the linear `gain`
    (n,) sampled every `step_s`; the first and last samples are always kept."""
    gain = np.asarray(gain, dtype=np.float64)
    if gain.size == 0:
        return []
    index = sample_points(gain.size, sample_rate, step_s)
    return breakpoints_at(index, gain[index], sample_rate, tolerance_db)


def breakpoints_at(
    index: np.ndarray, gain: np.ndarray, sample_rate: int, tolerance_db: float = TOLERANCE_DB
) -> list[tuple[float, float]]:
    """`gain_breakpoints` of an envelope known only at the samples `index` (`sample_points`): a long scene's
    ducking is read there without being made for every sample."""
    if index.size == 0:
        return []
    level = np.maximum(20.0 * np.log10(np.maximum(np.asarray(gain, dtype=np.float64), 1e-12)), FLOOR_DB)
    times = index / sample_rate
    kept = [0]
    anchor = 0
    # Greedy: extend a straight segment from the last kept point while every point it spans stays close to it.
    end = 2
    while end < len(index):
        span = slice(anchor + 1, end)
        line = np.interp(times[span], [times[anchor], times[end]], [level[anchor], level[end]])
        if np.abs(line - level[span]).max(initial=0.0) > tolerance_db:
            anchor = end - 1
            kept.append(anchor)
        end += 1
    if kept[-1] != len(index) - 1:
        kept.append(len(index) - 1)
    return [(round(float(times[i]), 6), round(float(level[i]), 3)) for i in kept]
