"""Dialogue levelling: a feed-forward compressor, so speech can sit at broadcast loudness without the
true-peak limiter flattening every consonant.

TTS lines arrive peak-normalised with a crest factor near 19 dB; mixed to -16 LUFS their peaks would need ~9 dB of
limiting. A 3:1 compressor with a fast attack takes most of that out gently, as a dialogue editor's compressor does.
"""

from __future__ import annotations

import numpy as np

from .filters import one_pole, sliding_max


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
    k = a if key is None else np.asarray(key, dtype=np.float32)
    level = np.abs(k) if k.ndim == 1 else np.abs(k).max(axis=1)
    # Hold each peak for the attack time so the gain is already down when the peak arrives (look-ahead).
    look = max(1, round(attack_s * sample_rate))
    level = sliding_max(level, look, origin=-(look // 2))
    level_db = 20.0 * np.log10(np.maximum(level, 1e-9))
    over = np.maximum(0.0, level_db - threshold_db)
    reduction_db = over * (1.0 - 1.0 / ratio)
    # Release smoothing: a one-pole filter on the reduction, after the instantaneous (held) attack.
    alpha = float(np.exp(-1.0 / (release_s * sample_rate)))
    smoothed = one_pole(reduction_db, alpha)
    reduction_db = np.maximum(reduction_db, smoothed)
    gain = (10.0 ** ((makeup_db - reduction_db) / 20.0)).astype(np.float32)
    return a * (gain if a.ndim == 1 else gain[:, None])
