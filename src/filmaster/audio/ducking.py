"""Ducking: the beds dip under dialogue. What the dip follows (how present speech is, per 1 ms control step) and
the dip itself (a smoothed curve at the control rate, read at any stretch of samples), so a scene of any length
can be ducked a block at a time."""

from __future__ import annotations

import numpy as np

from .filters import sliding_max

# The stems that dip under a line: the beds and the effects (foley moves with the actors on screen and stays).
DUCKED_UNDER_DIALOGUE = ("music", "ambience", "sfx")
# The ducking envelope is computed in steps of sample_rate // 1000 samples (1 ms at 48 kHz, 0.998 ms at
# 44.1 kHz: close enough for 50-400 ms time constants), then interpolated to every sample.
_CONTROL_RATE = 1000
_LOOP_STEPS = 1 << 16  # control steps smoothed per Python list: a feature's curve is never one list of floats


def control_hop(sample_rate: int) -> int:
    """Samples per control step."""
    return max(1, sample_rate // _CONTROL_RATE)


def hop_power(dialogue: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean square (float64) of the dialogue, mixed to mono, over each control step (the last zero-padded). A
    signal cut at whole steps gives, piece by piece, the steps it gives whole."""
    mono = np.asarray(dialogue, dtype=np.float64)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)
    hop = control_hop(sample_rate)
    steps = int(np.ceil(mono.shape[0] / hop))
    padded = np.pad(mono, (0, steps * hop - mono.shape[0]))
    return (padded.reshape(steps, hop) ** 2).mean(axis=1)


def presence_from_power(power: np.ndarray, range_db: float = 35.0, hold_s: float = 0.25) -> np.ndarray:
    """0..1 per control step, from the whole dialogue's `hop_power`: see `speech_presence`."""
    # 10 ms RMS window over 1 ms steps.
    window = np.ones(10) / 10.0
    level_db = 10.0 * np.log10(np.convolve(power, window, mode="same") + 1e-12)
    threshold_db = max(float(level_db.max()) - range_db, -60.0)
    key = np.clip((level_db - threshold_db) / 6.0, 0.0, 1.0)
    hold = max(1, round(hold_s * _CONTROL_RATE))
    # Window [t - hold + 1, t]: a key stays on for `hold` after the voice stops.
    return sliding_max(key, hold, origin=(hold - 1) // 2, mode="nearest")


def speech_presence(
    dialogue: np.ndarray,
    sample_rate: int,
    range_db: float = 35.0,
    hold_s: float = 0.25,
) -> np.ndarray:
    """0..1 per control step: how strongly dialogue is present.

    Dialogue counts as present where its 10 ms RMS is within `range_db` of its loudest moment (and above
    -60 dBFS), so the key works whatever level the dialogue stem was rendered at. The 6 dB knee keeps
    the key soft; the hold bridges the short gaps between words so the bed does not pump back up inside
    a line.
    """
    return presence_from_power(hop_power(dialogue, sample_rate), range_db, hold_s)


def duck_curve(
    key: np.ndarray,
    duck_db: float,
    attack_s: float = 0.05,
    release_s: float = 0.4,
    lookahead_s: float = 0.06,
) -> np.ndarray:
    """The dip in dB (≤ 0) per control step: `duck_db` where the key is on, with attack/release smoothing.

    The key is advanced by the look-ahead so the dip is already under way when the first word starts.
    """
    shift = round(lookahead_s * _CONTROL_RATE)
    ahead = np.concatenate([key[shift:], np.repeat(key[-1:], shift)]) if key.size > shift else key
    target = duck_db * ahead  # dB, ≤ 0
    attack = np.exp(-1.0 / (attack_s * _CONTROL_RATE))
    release = np.exp(-1.0 / (release_s * _CONTROL_RATE))
    smoothed = np.empty_like(target)
    level = 0.0
    for start in range(0, target.size, _LOOP_STEPS):
        for i, t in enumerate(target[start : start + _LOOP_STEPS].tolist(), start):  # asymmetric one-pole, at 1 kHz
            coef = attack if t < level else release
            level = t + coef * (level - t)
            smoothed[i] = level
    return smoothed


def curve_gain(curve: np.ndarray, samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Linear gain (float32) at `samples` (sorted sample indices): the control-rate `curve` interpolated between
    the centres of its steps. Only the steps around them are read, so a block of samples costs its own length."""
    if samples.size == 0:
        return np.zeros(0, dtype=np.float32)
    hop = control_hop(sample_rate)
    first, last = max(0, int(samples[0]) // hop - 1), min(curve.size, int(samples[-1]) // hop + 2)
    centres = (np.arange(first, last) + 0.5) * hop
    gain_db = np.interp(samples, centres, curve[first:last])
    return (10.0 ** (gain_db / 20.0)).astype(np.float32)


def duck_envelope(
    key: np.ndarray,
    n_samples: int,
    sample_rate: int,
    duck_db: float,
    attack_s: float = 0.05,
    release_s: float = 0.4,
    lookahead_s: float = 0.06,
) -> np.ndarray:
    """Linear gain (n_samples,) that dips by `duck_db` where the key is on (see `duck_curve`)."""
    curve = duck_curve(key, duck_db, attack_s, release_s, lookahead_s)
    return curve_gain(curve, np.arange(n_samples), sample_rate)
