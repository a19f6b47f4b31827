"""The final mix: music, ambience and effects ducked under dialogue, summed, loudness-normalised and limited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from ..errors import AudioError
from .dsp import fit_length, to_stereo
from .dynamics import compress
from .filters import sliding_max
from .master import analyse, master

# The stems that dip under a line: the beds and the effects (foley moves with the actors on screen and stays).
DUCKED_UNDER_DIALOGUE = ("music", "ambience", "sfx")
# The ducking envelope is computed in steps of sample_rate // 1000 samples (1 ms at 48 kHz, 0.998 ms at
# 44.1 kHz: close enough for 50-400 ms time constants), then interpolated to every sample.
_CONTROL_RATE = 1000


@dataclass(frozen=True)
class MixResult:
    audio: np.ndarray  # float32 (n, 2), within [-1, 1]
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float  # the master's static gain (loudness normalisation), before limiting
    duck_gain: np.ndarray = field(repr=False)  # linear gain (n,) applied to the ducked stems


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
    mono = np.asarray(dialogue, dtype=np.float64)
    if mono.ndim == 2:
        mono = mono.mean(axis=1)
    hop = max(1, sample_rate // _CONTROL_RATE)
    steps = int(np.ceil(mono.shape[0] / hop))
    padded = np.pad(mono, (0, steps * hop - mono.shape[0]))
    power = (padded.reshape(steps, hop) ** 2).mean(axis=1)
    # 10 ms RMS window over 1 ms steps.
    window = np.ones(10) / 10.0
    level_db = 10.0 * np.log10(np.convolve(power, window, mode="same") + 1e-12)
    threshold_db = max(float(level_db.max()) - range_db, -60.0)
    key = np.clip((level_db - threshold_db) / 6.0, 0.0, 1.0)
    hold = max(1, round(hold_s * _CONTROL_RATE))
    # Window [t - hold + 1, t]: a key stays on for `hold` after the voice stops.
    return sliding_max(key, hold, origin=(hold - 1) // 2, mode="nearest")


def duck_envelope(
    key: np.ndarray,
    n_samples: int,
    sample_rate: int,
    duck_db: float,
    attack_s: float = 0.05,
    release_s: float = 0.4,
    lookahead_s: float = 0.06,
) -> np.ndarray:
    """Linear gain (n_samples,) that dips by `duck_db` where the key is on, with attack/release smoothing.

    The key is advanced by the look-ahead so the dip is already under way when the first word starts.
    """
    shift = round(lookahead_s * _CONTROL_RATE)
    ahead = np.concatenate([key[shift:], np.repeat(key[-1:], shift)]) if key.size > shift else key
    target = duck_db * ahead  # dB, ≤ 0
    attack = np.exp(-1.0 / (attack_s * _CONTROL_RATE))
    release = np.exp(-1.0 / (release_s * _CONTROL_RATE))
    smoothed = np.empty_like(target)
    level = 0.0
    for i, t in enumerate(target.tolist()):  # asymmetric one-pole: a loop, but only at 1 kHz
        coef = attack if t < level else release
        level = t + coef * (level - t)
        smoothed[i] = level
    hop = max(1, sample_rate // _CONTROL_RATE)
    centres = (np.arange(smoothed.size) + 0.5) * hop
    gain_db = np.interp(np.arange(n_samples), centres, smoothed)
    return (10.0 ** (gain_db / 20.0)).astype(np.float32)


@dataclass(frozen=True)
class Premix:
    audio: np.ndarray  # float32 (n, 2): the stems summed, dialogue compressed, beds ducked; not yet mastered
    duck_gain: np.ndarray  # linear gain (n,) applied to the ducked stems


def premix(
    stems: dict[str, np.ndarray],
    *,
    dialogue_key: str = "dialogue",
    duck_db: float = -10.0,
    sample_rate: int = 48000,
    duck_keys: Iterable[str] = DUCKED_UNDER_DIALOGUE,
    dialogue_detector: np.ndarray | None = None,
) -> Premix:
    """Sum stems ((n,) mono or (n, 2) stereo float32; shorter ones are padded) with the dialogue on top; the
    dialogue's compressor reads its level from `dialogue_detector` when given (see `SoundCue.delivery_db`)."""
    if not stems:
        raise AudioError("nothing to mix: no stems were given; render the sound plan first")
    n = max(np.asarray(s).shape[0] for s in stems.values())
    tracks = {name: fit_length(to_stereo(s), n).astype(np.float32, copy=False) for name, s in stems.items()}
    if dialogue_key in tracks:
        detector = None if dialogue_detector is None else fit_length(to_stereo(dialogue_detector), n)
        tracks[dialogue_key] = compress(tracks[dialogue_key], sample_rate, key=detector)
    duck = np.ones(n, dtype=np.float32)
    ducked = set(duck_keys) & set(tracks)
    if dialogue_key in tracks and ducked and duck_db < 0:
        key = speech_presence(tracks[dialogue_key], sample_rate)
        duck = duck_envelope(key, n, sample_rate, duck_db)
    total = np.zeros((n, 2), dtype=np.float32)
    for name, track in tracks.items():
        total += track * duck[:, None] if name in ducked else track
    return Premix(audio=total, duck_gain=duck)


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
