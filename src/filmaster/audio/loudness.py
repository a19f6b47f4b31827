"""Loudness per ITU-R BS.1770-4 / EBU R128, true peak, and normalisation with a true-peak limiter."""

from __future__ import annotations

import math
from functools import cache

import numpy as np
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import firwin, resample_poly, sosfilt

from ..errors import AudioError

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
_BLOCK_S = 0.4
_HOP_S = 0.1  # 75 % overlap
# Channel weights of BS.1770 for L, R, C, Ls, Rs (the LFE channel is not measured).
_CHANNEL_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)


def k_weighting(sample_rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two K-weighting biquads (head shelf, then RLB high-pass) as (b, a) pairs for any sample rate.

    BS.1770 tabulates coefficients for 48 kHz only. They are the bilinear transform of two analogue
    prototypes, whose parameters (corner, Q, gain) reproduce the table to ~1e-10 at 48 kHz; transforming the
    prototypes again gives the same filter at any other rate.
    """
    # Stage 1: high shelf, +4 dB above ~1.7 kHz (the acoustic effect of the head).
    k = math.tan(math.pi * 1681.974450955533 / sample_rate)
    q = 0.7071752369554196
    v_high = 10.0 ** (3.999843853973347 / 20.0)
    v_band = v_high**0.4996667741545416  # gain at the corner: about the geometric mean of 1 and v_high
    a0 = 1.0 + k / q + k * k
    shelf_b = np.array([v_high + v_band * k / q + k * k, 2.0 * (k * k - v_high), v_high - v_band * k / q + k * k])
    shelf_a = np.array([a0, 2.0 * (k * k - 1.0), 1.0 - k / q + k * k])
    shelf = (shelf_b / a0, shelf_a / a0)
    # Stage 2: second-order high-pass at ~38 Hz (the "revised low-frequency B" curve). The standard keeps its
    # numerator at [1, -2, 1], i.e. unnormalised, so do we.
    k = math.tan(math.pi * 38.13547087602444 / sample_rate)
    q = 0.5003270373238773
    a0 = 1.0 + k / q + k * k
    hp_b = np.array([1.0, -2.0, 1.0])
    hp_a = np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0])
    return [shelf, (hp_b, hp_a)]


def _as_2d(audio: np.ndarray) -> np.ndarray:
    a = np.asarray(audio, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[1] > len(_CHANNEL_WEIGHTS):
        raise AudioError(f"loudness expects (samples,) or (samples, ≤5 channels) audio, got shape {a.shape}")
    return a


def block_loudness(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Weighted mean square of each 400 ms gating block (75 % overlap), before the log."""
    sos = np.array([np.concatenate([b, den]) for b, den in k_weighting(sample_rate)])
    a = sosfilt(sos, _as_2d(audio), axis=0)
    block, hop = round(_BLOCK_S * sample_rate), round(_HOP_S * sample_rate)
    if a.shape[0] < block:
        return np.zeros(0)
    count = (a.shape[0] - block) // hop + 1
    # Running sums make every block's mean square O(1).
    csum = np.vstack([np.zeros((1, a.shape[1])), np.cumsum(a * a, axis=0)])
    starts = np.arange(count) * hop
    z = (csum[starts + block] - csum[starts]) / block
    weights = np.asarray(_CHANNEL_WEIGHTS[: a.shape[1]])
    return z @ weights


def _lufs(power: float | np.ndarray) -> float | np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Gated integrated loudness in LUFS; -inf for silence or audio shorter than one 400 ms block."""
    power = block_loudness(audio, sample_rate)
    power = power[_lufs(power) > ABSOLUTE_GATE_LUFS]
    if power.size == 0:
        return float("-inf")
    relative_gate = _lufs(power.mean()) + RELATIVE_GATE_LU
    gated = power[_lufs(power) > relative_gate]
    return float(_lufs(gated.mean()))


def _oversampling(sample_rate: int) -> int:
    # BS.1770 asks for ≥192 kHz when looking for inter-sample peaks: 4× at 48 kHz.
    return max(1, math.ceil(192000 / sample_rate))


@cache
def _interpolator(factor: int) -> np.ndarray:
    # 16 taps per phase, like the 12-tap-per-phase example filter of BS.1770-4 Annex 2 but with a little
    # more stop-band; scipy's default would be 5x longer (and 5x slower) for no gain in accuracy here.
    return firwin(16 * factor + 1, 1.0 / factor, window=("kaiser", 6.0))


def peak_envelope(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per input sample, the largest absolute value of the oversampled signal around it (all channels)."""
    a = _as_2d(audio)
    factor = _oversampling(sample_rate)
    n = a.shape[0]
    peak = np.zeros(n, dtype=np.float32)
    for c in range(a.shape[1]):
        channel = np.ascontiguousarray(a[:, c], dtype=np.float32)  # upfirdn is far slower on strided data
        if factor > 1:
            channel = resample_poly(channel, factor, 1, window=_interpolator(factor))[: n * factor]
        # Fold the `factor` oversampled phases of each input sample onto it, keeping the largest.
        np.abs(channel, out=channel)
        for phase in range(factor):
            np.maximum(peak, channel[phase::factor], out=peak)
    return peak.astype(np.float64)


def true_peak_dbtp(audio: np.ndarray, sample_rate: int) -> float:
    """True peak in dBTP, from 4× polyphase oversampling at 48 kHz (BS.1770-4 Annex 2)."""
    if np.asarray(audio).size == 0:
        return float("-inf")
    peak = float(peak_envelope(audio, sample_rate).max())
    return 20.0 * math.log10(peak) if peak > 0 else float("-inf")


def limit(
    audio: np.ndarray,
    sample_rate: int,
    ceiling_dbtp: float,
    lookahead_s: float = 0.005,
    release_s: float = 0.08,
) -> np.ndarray:
    """Look-ahead true-peak limiter: a smooth gain that reaches its floor before each peak, no clipping.

    The required gain per sample is min-filtered over [t - release, t + lookahead] (look ahead, then hold)
    and box-smoothed over the look-ahead window; a box average of a window-minimum can never exceed the
    minimum at the peak itself, so the gain is always low enough while staying free of steps.
    """
    a = np.asarray(audio, dtype=np.float64)
    gain = limiter_gain(peak_envelope(a, sample_rate), sample_rate, ceiling_dbtp, lookahead_s, release_s)
    out = a * (gain[:, None] if a.ndim == 2 else gain)
    return out.astype(np.float32)


def limiter_gain(
    envelope: np.ndarray,
    sample_rate: int,
    ceiling_dbtp: float,
    lookahead_s: float = 0.005,
    release_s: float = 0.08,
) -> np.ndarray:
    """The limiter's gain curve for a signal whose true-peak envelope is `envelope` (see `limit`)."""
    ceiling = 10.0 ** (ceiling_dbtp / 20.0)
    need = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    if need.min() >= 1.0:
        return np.ones_like(need)
    look = max(1, round(lookahead_s * sample_rate))
    hold = max(1, round(release_s * sample_rate))
    # scipy's window of `size` at t spans [t - size//2 - origin, ...]; pick origins for the windows we want.
    size = hold + look
    held = minimum_filter1d(need, size=size, origin=hold - size // 2, mode="nearest")  # [t - hold, t + look - 1]
    gain = uniform_filter1d(held, size=look, origin=(look - 1) // 2, mode="nearest")  # [t - look + 1, t]
    return np.minimum(gain, 1.0)


def normalize(
    audio: np.ndarray,
    target_lufs: float,
    max_true_peak_db: float,
    sample_rate: int = 48000,
) -> np.ndarray:
    """Gain to `target_lufs` integrated loudness, then a true-peak limiter at `max_true_peak_db`."""
    return normalize_measured(audio, target_lufs, max_true_peak_db, sample_rate)[0]


def normalize_measured(
    audio: np.ndarray, target_lufs: float, max_true_peak_db: float, sample_rate: int = 48000
) -> tuple[np.ndarray, float, float]:
    """`normalize`, also returning the output's integrated loudness (LUFS) and true peak (dBTP).

    Limiting lowers the loudness a little, so gain and limiting alternate a few times until both hold.
    """
    out = np.asarray(audio, dtype=np.float32)
    measured = integrated_loudness(out, sample_rate)
    if measured == float("-inf"):  # silence (or under 400 ms) has no loudness to normalise
        return out.copy(), measured, true_peak_dbtp(out, sample_rate)
    # The envelope of a scaled signal is the scaled envelope: measure it once, then only the gain changes.
    source, envelope = out, peak_envelope(out, sample_rate)
    gain_db = target_lufs - measured
    previous: tuple[float, float] | None = None  # (gain, loudness) of the last try, for a secant step
    for _ in range(8):
        gain = 10.0 ** (gain_db / 20.0)
        # Aim a hair under the ceiling: the oversampling filter sees the gain curve's own slight ripple.
        curve = gain * limiter_gain(envelope * gain, sample_rate, max_true_peak_db - 0.05)
        out = (source * (curve[:, None] if source.ndim == 2 else curve)).astype(np.float32)
        measured = integrated_loudness(out, sample_rate)
        if abs(measured - target_lufs) < 0.1:
            break
        # Limiting eats part of every gain step, so loudness grows slower than gain: step along the secant.
        slope = 1.0
        if previous is not None and abs(gain_db - previous[0]) > 1e-6:
            slope = min(1.0, max(0.1, (measured - previous[1]) / (gain_db - previous[0])))
        previous = (gain_db, measured)
        gain_db += (target_lufs - measured) / slope
    peak = true_peak_dbtp(out, sample_rate)
    if peak > max_true_peak_db:  # any residue above the ceiling is removed by a final static trim
        trim = peak - max_true_peak_db + 0.01
        out = (out * 10.0 ** (-trim / 20.0)).astype(np.float32)
        measured, peak = measured - trim, peak - trim
    return out, measured, peak
