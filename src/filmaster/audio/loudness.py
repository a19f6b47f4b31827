"""Loudness per ITU-R BS.1770-4 / EBU R128 and true peak: measurement only (the master bus acts on it)."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ..errors import AudioError
from .filters import kaiser_lowpass, sos_filter

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
_HOP_S = 0.1
_BLOCK_HOPS = 4  # a gating block is 400 ms: four hops, so consecutive blocks overlap by 75 %
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


def weighted_energy(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per sample, the channel-weighted square of the K-weighted signal (float64, (n,)).

    Block loudness is this energy averaged over a block, so it can be stored per stretch of audio, summed and
    re-gated without filtering again (the master bus does this, scene by scene).
    """
    sos = np.array([np.concatenate([b, den]) for b, den in k_weighting(sample_rate)])
    a = sos_filter(sos, _as_2d(audio))
    weights = np.asarray(_CHANNEL_WEIGHTS[: a.shape[1]])
    return (a * a) @ weights


def hop_samples(sample_rate: int) -> int:
    return round(_HOP_S * sample_rate)


def hop_energies(energy: np.ndarray, sample_rate: int) -> np.ndarray:
    """Sum of `energy` over each 100 ms hop (a last, partial hop belongs to no whole block and is dropped).

    Hop sums are all gating needs; the master bus corrects a few of them in place instead of summing again.
    """
    hop = hop_samples(sample_rate)
    count = energy.shape[0] // hop
    return energy[: count * hop].reshape(count, hop).sum(axis=1, dtype=np.float64)


def blocks_from_hops(hops: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean energy of each 400 ms gating block from the hop sums."""
    if hops.shape[0] < _BLOCK_HOPS:
        return np.zeros(0)
    window = np.lib.stride_tricks.sliding_window_view(hops, _BLOCK_HOPS)
    return window.sum(axis=1) / (_BLOCK_HOPS * hop_samples(sample_rate))


def block_energies(energy: np.ndarray, sample_rate: int) -> np.ndarray:
    """Mean of `energy` over each 400 ms gating block (75 % overlap): the blocks' power before the log."""
    return blocks_from_hops(hop_energies(energy, sample_rate), sample_rate)


def block_loudness(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Weighted mean square of each 400 ms gating block (75 % overlap), before the log."""
    return block_energies(weighted_energy(audio, sample_rate), sample_rate)


def _lufs(power: float | np.ndarray) -> float | np.ndarray:
    with np.errstate(divide="ignore"):
        return -0.691 + 10.0 * np.log10(power)


def gated_loudness(power: np.ndarray) -> float:
    """Integrated loudness (LUFS) from block powers: absolute gate at -70 LUFS, relative gate 10 LU below."""
    power = power[_lufs(power) > ABSOLUTE_GATE_LUFS]
    if power.size == 0:
        return float("-inf")
    relative_gate = _lufs(power.mean()) + RELATIVE_GATE_LU
    gated = power[_lufs(power) > relative_gate]
    return float(_lufs(gated.mean()))


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """Gated integrated loudness in LUFS; -inf for silence or audio shorter than one 400 ms block."""
    return gated_loudness(block_loudness(audio, sample_rate))


def _oversampling(sample_rate: int) -> int:
    # BS.1770 asks for ≥192 kHz when looking for inter-sample peaks: 4× at 48 kHz.
    return max(1, math.ceil(192000 / sample_rate))


_TAPS_PER_PHASE = 16
# How many input samples either side of a sample its envelope depends on: half the interpolator, and a margin.
PEAK_REACH = _TAPS_PER_PHASE


@cache
def _interpolator(factor: int) -> np.ndarray:
    # 16 taps per phase, like the 12-tap-per-phase example filter of BS.1770-4 Annex 2 but with a little
    # more stop-band; scipy's default would be 5x longer (and 5x slower) for no gain in accuracy here.
    return kaiser_lowpass(_TAPS_PER_PHASE * factor + 1, 1.0 / factor, 6.0)


def peak_envelope(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Per input sample, the largest absolute value of the oversampled signal around it (all channels).

    Each oversampled phase is its own short FIR over the input (polyphase): output sample `factor * i + p` is
    the input convolved with every `factor`-th tap from `p`, centred. That is what upsampling with the
    interpolator computes (scipy's `resample_poly`, to float32 precision), without the zeros it would multiply.
    """
    a = _as_2d(audio)
    factor = _oversampling(sample_rate)
    n = a.shape[0]
    peak = np.zeros(n, dtype=np.float32)
    taps = (factor * _interpolator(factor)).astype(np.float32)  # gain `factor` makes up for the inserted zeros
    centre = _TAPS_PER_PHASE // 2
    for c in range(a.shape[1]):
        channel = np.ascontiguousarray(a[:, c], dtype=np.float32)
        if factor == 1:
            np.maximum(peak, np.abs(channel), out=peak)
            continue
        for phase in range(factor):
            oversampled = np.convolve(channel, taps[phase::factor])[centre : centre + n]
            np.maximum(peak, np.abs(oversampled, out=oversampled), out=peak)
    return peak.astype(np.float64)


def true_peak_dbtp(audio: np.ndarray, sample_rate: int) -> float:
    """True peak in dBTP, from 4× polyphase oversampling at 48 kHz (BS.1770-4 Annex 2)."""
    if np.asarray(audio).size == 0:
        return float("-inf")
    peak = float(peak_envelope(audio, sample_rate).max())
    return 20.0 * math.log10(peak) if peak > 0 else float("-inf")
