"""Put a voice's formants back where they were after its pitch was shifted by resampling.

Playing a voice back `pitch` times faster raises its pitch by `pitch`, but also moves every resonance of the
vocal tract (the formants that tell "ban" from "bun" and carry the consonants' colour) up by the same factor: a
chipmunk at 1.3, a muffled giant at 0.85. The harmonics must move while the spectral envelope stays, so each
short frame of the resampled voice is filtered by

    G(f) = E(f × pitch) / E(f)

where E is the frame's own spectral envelope: what the envelope was at f before the resampling moved it to
f × pitch. E is the cepstrally smoothed log spectrum, liftered below the shortest pitch period a voice has, so it
follows the resonances and not the harmonics. The frames overlap-add with a Hann window at a quarter-frame hop
(whose squared sum is constant), so the result is a time-varying filter of the resampled samples: timing, phase
and the pitch itself are left as they are.
"""

from __future__ import annotations

import numpy as np

_FRAME_S = 0.04  # long enough to resolve a low voice's harmonics, short enough to follow a vowel's change
_ENVELOPE_HZ = 500.0  # cepstral lifter: the coefficients below 2 ms (1 / 500 Hz) of quefrency are the envelope
_MAX_GAIN_DB = 24.0  # the correction never lifts or cuts a band by more (no noise floor raised into hiss)


def keep_formants(audio: np.ndarray, sample_rate: int, pitch: float) -> np.ndarray:
    """Mono `audio` whose pitch was shifted by resampling by `pitch`, with its spectral envelope moved back."""
    if pitch == 1.0 or audio.shape[0] == 0:
        return np.asarray(audio, dtype=np.float32)
    size = 1 << max(8, round(np.log2(_FRAME_S * sample_rate)))
    hop = size // 4
    window = np.hanning(size + 1)[:size]  # periodic Hann: its squares sum to 1.5 at a quarter hop
    n = audio.shape[0]
    frames = -(-(size + n) // hop) + 1
    padded = np.zeros((frames - 1) * hop + size, np.float64)
    padded[size : size + n] = audio  # a frame of silence each side: every sample lies under four frames
    starts = np.arange(frames) * hop
    spectra = np.fft.rfft(padded[starts[:, None] + np.arange(size)] * window, axis=1)
    gains = _correction(np.abs(spectra), sample_rate, size, pitch)
    shaped = np.fft.irfft(spectra * gains, n=size, axis=1) * window
    out = np.zeros_like(padded)
    np.add.at(out, starts[:, None] + np.arange(size), shaped)
    out /= float(np.sum(window**2)) / hop
    return out[size : size + n].astype(np.float32)


def spectral_envelope(magnitude: np.ndarray, sample_rate: int, size: int) -> np.ndarray:
    """Log spectral envelope of each row of rfft magnitudes (natural log), cepstrally smoothed."""
    cepstrum = np.fft.irfft(np.log(magnitude + 1e-9), n=size, axis=-1)
    keep = max(2, round(sample_rate / _ENVELOPE_HZ))
    cepstrum[..., keep : size - keep + 1] = 0.0
    return np.fft.rfft(cepstrum, n=size, axis=-1).real


def _correction(magnitude: np.ndarray, sample_rate: int, size: int, pitch: float) -> np.ndarray:
    """G(f) = E(f × pitch) / E(f) per frame, limited to ±_MAX_GAIN_DB."""
    envelope = spectral_envelope(magnitude, sample_rate, size)
    bins = np.arange(envelope.shape[-1], dtype=np.float64)
    source = np.minimum(bins * pitch, bins[-1])  # where each bin's original envelope now lies
    below = np.floor(source).astype(int)
    above = np.minimum(below + 1, bins.size - 1)
    frac = source - below
    moved = envelope[:, below] * (1.0 - frac) + envelope[:, above] * frac
    limit = _MAX_GAIN_DB / 20.0 * np.log(10.0)
    return np.exp(np.clip(moved - envelope, -limit, limit))
