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
_CHUNK_STEPS = 1 << 16  # control steps made at a time (65 s): a feature's ducking is never a dozen film-long arrays
_RMS_STEPS = 10  # the level is a 10 ms RMS


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


def _level_db(power: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """The 10 ms RMS level (dB) of control steps [lo, hi): a 10-step window over the power, read from the steps
    around them only."""
    a, b = max(0, lo - _RMS_STEPS), min(power.size, hi + _RMS_STEPS)
    smoothed = np.convolve(power[a:b], np.ones(_RMS_STEPS) / _RMS_STEPS, mode="same")[lo - a : hi - a]
    return 10.0 * np.log10(smoothed + 1e-12)


def _threshold_db(power: np.ndarray, range_db: float, chunk: int) -> float:
    """Where speech counts as present: `range_db` under the loudest 10 ms of the scene, -60 dBFS at the lowest."""
    loudest = max(float(_level_db(power, lo, hi).max()) for lo, hi in _chunks(power.size, chunk))
    return max(loudest - range_db, -60.0)


def _presence(power: np.ndarray, lo: int, hi: int, threshold_db: float, hold: int) -> np.ndarray:
    """`presence_from_power` at control steps [lo, hi), from the steps around them only."""
    a = max(0, lo - hold + 1)  # the hold reads `hold - 1` steps back
    key = np.clip((_level_db(power, a, hi) - threshold_db) / 6.0, 0.0, 1.0)
    # Window [t - hold + 1, t]: a key stays on for `hold` after the voice stops.
    return sliding_max(key, hold, origin=(hold - 1) // 2, mode="nearest")[lo - a :]


def _chunks(steps: int, chunk: int) -> list[tuple[int, int]]:
    return [(lo, min(steps, lo + chunk)) for lo in range(0, steps, chunk)] or [(0, 0)]


def presence_from_power(power: np.ndarray, range_db: float = 35.0, hold_s: float = 0.25) -> np.ndarray:
    """0..1 per control step, from the whole dialogue's `hop_power`: see `speech_presence`."""
    hold = max(1, round(hold_s * _CONTROL_RATE))
    return _presence(power, 0, power.size, _threshold_db(power, range_db, max(1, power.size)), hold)


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


class _Smoother:
    """The dip's asymmetric one-pole (attack going down, release coming back), run on from chunk to chunk."""

    def __init__(self, attack_s: float, release_s: float) -> None:
        self.attack = np.exp(-1.0 / (attack_s * _CONTROL_RATE))
        self.release = np.exp(-1.0 / (release_s * _CONTROL_RATE))
        self.level = 0.0

    def __call__(self, target: np.ndarray) -> np.ndarray:
        smoothed = np.empty_like(target)
        level = self.level
        for i, t in enumerate(target.tolist()):  # a loop, but only at 1 kHz
            coef = self.attack if t < level else self.release
            level = t + coef * (level - t)
            smoothed[i] = level
        self.level = level
        return smoothed


def _ahead(held: np.ndarray, lo: int, hi: int, steps: int, shift: int) -> np.ndarray:
    """The key of steps [lo, hi) advanced by `shift` steps (the last step's key past the end); `held` holds the
    key from step `lo` on, to `hi + shift` or the end. A key shorter than the shift is not advanced."""
    index = np.arange(lo, hi)
    if steps > shift:
        index = np.minimum(index + shift, steps - 1)
    return held[index - lo]


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
    return _Smoother(attack_s, release_s)(duck_db * _ahead(key, 0, key.size, key.size, shift))


def ducking_from_power(
    power: np.ndarray,
    duck_db: float,
    *,
    range_db: float = 35.0,
    hold_s: float = 0.25,
    attack_s: float = 0.05,
    release_s: float = 0.4,
    lookahead_s: float = 0.06,
    chunk: int = _CHUNK_STEPS,
) -> np.ndarray:
    """`duck_curve(presence_from_power(power))`, made `chunk` control steps at a time: the level, the hold, the
    look-ahead and the smoothing read only the steps around each chunk, so a feature-length scene's curve costs
    the curve itself and a chunk's temporaries, not a dozen film-long arrays."""
    steps, hold, shift = power.size, max(1, round(hold_s * _CONTROL_RATE)), round(lookahead_s * _CONTROL_RATE)
    threshold = _threshold_db(power, range_db, chunk)
    smooth = _Smoother(attack_s, release_s)
    curve = np.empty(steps)
    for lo, hi in _chunks(steps, chunk):
        held = _presence(power, lo, min(steps, hi + shift), threshold, hold)
        curve[lo:hi] = smooth(duck_db * _ahead(held, lo, hi, steps, shift))
    return curve


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
