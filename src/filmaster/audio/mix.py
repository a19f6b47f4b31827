"""The final mix: music, ambience and effects ducked under dialogue, summed, loudness-normalised and limited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .ducking import DUCKED_UNDER_DIALOGUE
from .master import analyse, master
from .scene_premix import premix


@dataclass(frozen=True)
class MixResult:
    audio: np.ndarray  # float32 (n, 2), within [-1, 1]
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float  # the master's static gain (loudness normalisation), before limiting
    duck_gain: np.ndarray = field(repr=False)  # linear gain (n,) applied to the ducked stems


def mix(
    stems: dict[str, np.ndarray],
    *,
    dialogue_key: str = "dialogue",
    duck_db: float = -10.0,
    target_lufs: float = -16.0,
    max_true_peak_db: float = -1.0,
    sample_rate: int = 48000,
    duck_keys: Iterable[str] = DUCKED_UNDER_DIALOGUE,
) -> MixResult:
    """`premix` the stems, then master the sum to `target_lufs` with its true peak under `max_true_peak_db`."""
    pre = premix(stems, dialogue_key=dialogue_key, duck_db=duck_db, sample_rate=sample_rate, duck_keys=duck_keys)
    done = master(pre.audio, analyse(pre.audio, sample_rate), target_lufs, max_true_peak_db, sample_rate)
    return MixResult(
        audio=done.audio,
        integrated_lufs=done.integrated_lufs,
        true_peak_dbtp=done.true_peak_dbtp,
        gain_db=done.gain_db,
        duck_gain=pre.duck_gain,
    )
