"""The SoundFont volume envelope (delay, attack, hold, decay, sustain, release) as a gain per output sample.

Times are in timecents (seconds = 2^(tc/1200)), the sustain level in centibels of attenuation. The attack rises
linearly in amplitude; decay and release fall linearly in decibels, at 100 dB per decay (release) time, as the
specification defines them; a voice ends when its release reaches -100 dB, or earlier at `floor_db`, where the
caller knows that the voice, attenuated, is below hearing (an offline render need not compute inaudible tails).
"""

from __future__ import annotations

import math

import numpy as np

from . import sf2
from .regions import Region

SILENT_DB = -100.0


def _seconds(timecents: float) -> float:
    return float(2.0 ** (max(-12000.0, min(timecents, 8000.0)) / 1200.0))


def _gain(db: np.ndarray) -> np.ndarray:
    """Decibels to amplitude, in place, in single precision (exp is vectorised where a power is not)."""
    db *= np.float32(math.log(10.0) / 20.0)
    return np.exp(db, out=db)


def volume_envelope(
    region: Region, key: int, note_off: int, sample_rate: int, floor_db: float = SILENT_DB
) -> np.ndarray:
    """Gain from the voice's start until it falls silent, for a note released `note_off` samples after its start."""
    hold_tc = region.get(sf2.HOLD_VOL) + (60 - key) * region.get(sf2.KEY_TO_HOLD)
    decay_tc = region.get(sf2.DECAY_VOL) + (60 - key) * region.get(sf2.KEY_TO_DECAY)
    sustain_db = -max(0, min(region.get(sf2.SUSTAIN_VOL), 1440)) / 10.0
    delay = round(_seconds(region.get(sf2.DELAY_VOL)) * sample_rate)
    attack = max(1, round(_seconds(region.get(sf2.ATTACK_VOL)) * sample_rate))
    hold = round(_seconds(hold_tc) * sample_rate)
    per_db_decay = _seconds(decay_tc) * sample_rate / -SILENT_DB  # samples per dB of decay
    decay = max(1, round(per_db_decay * -max(sustain_db, SILENT_DB)))
    held = max(1, note_off)
    parts: list[np.ndarray] = [
        np.zeros(delay, np.float32),
        np.arange(1, attack + 1, dtype=np.float32) / attack,
        np.ones(hold, np.float32),
        _gain(np.linspace(0.0, max(sustain_db, SILENT_DB), decay, dtype=np.float32)),
    ]
    shape = np.concatenate(parts)
    if sustain_db > SILENT_DB and shape.size < held:
        shape = np.concatenate([shape, np.full(held - shape.size, 10.0 ** (sustain_db / 20.0), np.float32)])
    before = shape[:held]
    level = float(before[-1]) if before.size else 0.0
    floor_db = max(floor_db, SILENT_DB)
    if level <= 10.0 ** (floor_db / 20.0) or before.size < held:  # silent (or decayed to silence) before its release
        return before
    level_db = 20.0 * np.log10(level)
    per_db = _seconds(region.get(sf2.RELEASE_VOL)) * sample_rate / -SILENT_DB  # samples per dB of release
    release = max(1, round(per_db * (level_db - floor_db)))
    tail = _gain(np.linspace(level_db, floor_db, release + 1, dtype=np.float32)[1:])
    return np.concatenate([before, tail])


def modulation_envelope(region: Region, key: int, note_off: int, length: int, sample_rate: int) -> np.ndarray:
    """The modulation envelope (0-1, linear segments; its sustain a fall from the peak in 0.1 %) over `length`
    samples: it moves the low-pass cutoff (modEnvToFilterFc)."""
    hold_tc = region.get(sf2.HOLD_MOD) + (60 - key) * region.get(sf2.KEY_TO_MOD_HOLD)
    decay_tc = region.get(sf2.DECAY_MOD) + (60 - key) * region.get(sf2.KEY_TO_MOD_DECAY)
    sustain = 1.0 - max(0, min(region.get(sf2.SUSTAIN_MOD), 1000)) / 1000.0
    delay = round(_seconds(region.get(sf2.DELAY_MOD)) * sample_rate)
    attack = max(1, round(_seconds(region.get(sf2.ATTACK_MOD)) * sample_rate))
    hold = round(_seconds(hold_tc) * sample_rate)
    decay = max(1, round(_seconds(decay_tc) * sample_rate * (1.0 - sustain)))
    held = max(1, min(note_off, length))
    shape = np.concatenate(
        [
            np.zeros(delay, np.float32),
            np.arange(1, attack + 1, dtype=np.float32) / attack,
            np.ones(hold, np.float32),
            np.linspace(1.0, sustain, decay, dtype=np.float32),
        ]
    )
    if shape.size < held:
        shape = np.concatenate([shape, np.full(held - shape.size, sustain, np.float32)])
    before = shape[:held]
    level = float(before[-1])
    release = max(1, round(_seconds(region.get(sf2.RELEASE_MOD)) * sample_rate * level))
    tail = np.linspace(level, 0.0, release + 1, dtype=np.float32)[1:]
    after = np.concatenate([tail, np.zeros(max(0, length - held - release), np.float32)])
    return np.concatenate([before, after])[:length]
