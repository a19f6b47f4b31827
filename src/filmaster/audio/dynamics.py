"""Dialogue levelling: a feed-forward compressor, so speech can sit at broadcast loudness without the
true-peak limiter flattening every consonant.

TTS lines arrive peak-normalised with a crest factor near 19 dB; mixed to -16 LUFS their peaks would need ~9 dB of
limiting. A 3:1 compressor with a fast attack takes most of that out gently, as a dialogue editor's compressor does.
"""

from __future__ import annotations

import numpy as np

from .filters import one_pole, sliding_max


class Compressor:
    """Peak-sensing, channels linked, run over a signal piece by piece: a piece's gain reads the key `look - 1`
    samples past it (the look-ahead) and the release carries over from the piece before, so the pieces come out
    as the whole signal compressed at once would (see `compress`)."""

    def __init__(
        self,
        sample_rate: int,
        *,
        threshold_db: float = -26.0,
        ratio: float = 3.0,
        attack_s: float = 0.005,
        release_s: float = 0.12,
        makeup_db: float = 0.0,
    ) -> None:
        self.threshold_db, self.ratio, self.makeup_db = threshold_db, ratio, makeup_db
        # Each peak is held for the attack time so the gain is already down when the peak arrives (look-ahead).
        self.look = max(1, round(attack_s * sample_rate))
        self.alpha = float(np.exp(-1.0 / (release_s * sample_rate)))
        self._release = 0.0  # the release filter's last output

    def gain(self, key: np.ndarray, n: int) -> np.ndarray:
        """Linear gain (n,) float32 for the next `n` samples, from the key of those samples and of the `look - 1`
        after them (fewer where the signal ends: the key's end is then the signal's)."""
        k = np.asarray(key, dtype=np.float32)
        level = np.abs(k) if k.ndim == 1 else np.abs(k).max(axis=1)
        level = sliding_max(level, self.look, origin=-(self.look // 2))[:n]  # window [t, t + look)
        level_db = 20.0 * np.log10(np.maximum(level, 1e-9))
        over = np.maximum(0.0, level_db - self.threshold_db)
        reduction_db = over * (1.0 - 1.0 / self.ratio)
        # Release smoothing: a one-pole filter on the reduction, after the instantaneous (held) attack.
        smoothed = one_pole(reduction_db, self.alpha, self._release)
        if smoothed.size:
            self._release = float(smoothed[-1])
        reduction_db = np.maximum(reduction_db, smoothed)
        return (10.0 ** ((self.makeup_db - reduction_db) / 20.0)).astype(np.float32)

    def process(self, audio: np.ndarray, key: np.ndarray) -> np.ndarray:
        """The next piece of audio ((n,) or (n, channels)) compressed; `key` as in `gain`, from n samples on."""
        a = np.asarray(audio, dtype=np.float32)
        gain = self.gain(key, a.shape[0])
        return a * (gain if a.ndim == 1 else gain[:, None])


def compress(
    audio: np.ndarray,
    sample_rate: int,
    *,
    threshold_db: float = -26.0,
    ratio: float = 3.0,
    attack_s: float = 0.005,
    release_s: float = 0.12,
    makeup_db: float = 0.0,
    key: np.ndarray | None = None,
) -> np.ndarray:
    """Compress (n,) or (n, channels) float audio above `threshold_db` (peak-sensing, channels linked); the level
    is read from `key` (same shape) when given, as a side-chain: the audio follows the gain the key asks for."""
    a = np.asarray(audio, dtype=np.float32)
    compressor = Compressor(
        sample_rate,
        threshold_db=threshold_db,
        ratio=ratio,
        attack_s=attack_s,
        release_s=release_s,
        makeup_db=makeup_db,
    )
    return compressor.process(a, a if key is None else key)
