"""Offline rendering of MIDI parts through a SoundFont: every note is one voice per region it sounds.

A whole score is known in advance, so each voice is rendered in one vectorised pass from its note-on to the end of
its release (sample positions, loop wrapping, linear interpolation, envelope, optional low-pass, constant-power pan)
and added to its channel; a channel's volume (CC 7) and expression (CC 11) then scale the channel sample by sample.
The specification's default modulators that the scores use are applied: velocity, CC 7 and CC 11 to attenuation by
its concave curve, CC 10 to pan. Pitch bend, vibrato and the modulation envelope/LFO are not (no score uses them).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from . import sf2
from .envelope import modulation_envelope, volume_envelope
from .regions import Region, regions
from .sf2 import Preset, SoundFont

DRUM_BANK = 128
# Output gain (dB) that brings a render to the loudness the scores had through tinysoundfont: the mean over the
# bundled example's scene cues (tests/audio/test_soundfont_vs_tinysoundfont.py). tinysoundfont scales by
# velocity linearly where the specification's curve is squared, so a cue's level moves by its velocities (±1.6 dB).
OUTPUT_GAIN_DB = -3.2
_NO_FILTER_CENTS = 13500  # initialFilterFc at or above this leaves the voice unfiltered
# A voice whose level, all gains applied, falls below this is inaudible in the 16-bit-sourced output: it ends there.
_INAUDIBLE_DB = -96.0
_FILTER_BLOCK = 512  # samples between looks at a swept filter's cutoff


@dataclass(frozen=True)
class Note:
    start_s: float
    end_s: float
    key: int
    velocity: int


@dataclass(frozen=True)
class Part:
    """One MIDI channel's notes and control changes (time s, controller, value), played on one preset."""

    program: int
    drums: bool = False
    notes: Sequence[Note] = ()
    controls: Sequence[tuple[float, int, int]] = field(default_factory=tuple)


class MissingPresetError(KeyError):
    pass


def find_preset(font: SoundFont, program: int, drums: bool) -> Preset:
    """The part's preset; a drum part falls back to the standard kit (program 0) as General MIDI players do."""
    bank = DRUM_BANK if drums else 0
    preset = font.preset(bank, program) or (font.preset(bank, 0) if drums else None)
    if preset is None:
        raise MissingPresetError(f"bank {bank} program {program}")
    return preset


def concave_attenuation_cb(value: float) -> float:
    """The spec's concave curve for a negative unipolar 7-bit source (velocity, CC 7, CC 11), times 960 cB."""
    if value <= 0:
        return 1440.0
    return min(1440.0, -400.0 * math.log10(min(value, 127) / 127.0))


def render(font: SoundFont, parts: Sequence[Part], n: int, sample_rate: int) -> np.ndarray:
    """The parts mixed to float32 stereo of `n` samples. Raises MissingPresetError for a program the font lacks."""
    presets = [find_preset(font, part.program, part.drums) for part in parts]
    out = np.zeros((2, n), np.float32)  # channels apart: each voice adds to two contiguous rows
    voices: dict[tuple, np.ndarray] = {}  # a note repeated (in any part) is rendered once
    for part, preset in zip(parts, presets, strict=True):
        channel = np.zeros((2, n), np.float32)
        pans = _control_steps(part.controls, 10, 64, sample_rate)
        for note in part.notes:
            start = round(note.start_s * sample_rate)
            if start >= n or note.velocity <= 0:
                continue
            off = max(1, round(note.end_s * sample_rate) - start)
            pan = pans[bisect.bisect_right(pans, (start, 128)) - 1][1]
            for region in regions(font, preset, note.key, note.velocity):
                _add_voice(channel, font, region, note, start, off, pan, sample_rate, voices)
        # Volume and expression attenuate the channel, each change holding until the next.
        steps = sorted(
            {at for at, _ in _control_steps(part.controls, 7, 100, sample_rate)}
            | {at for at, _ in _control_steps(part.controls, 11, 127, sample_rate)}
        )
        for i, at in enumerate(steps):
            if at >= n:
                break
            until = steps[i + 1] if i + 1 < len(steps) else n
            gain_cb = _value_at(part.controls, 7, 100, at, sample_rate) + _value_at(
                part.controls, 11, 127, at, sample_rate
            )
            out[:, at:until] += channel[:, at:until] * np.float32(10.0 ** (-gain_cb / 200.0))
    return np.ascontiguousarray(out.T) * np.float32(10.0 ** (OUTPUT_GAIN_DB / 20.0))


def _control_steps(
    controls: Sequence[tuple[float, int, int]], number: int, default: int, sample_rate: int
) -> list[tuple[int, int]]:
    """A controller's (sample, value) changes in time order, from its default at sample 0."""
    changes = [(0, default)]
    for time_s, _, value in sorted(c for c in controls if c[1] == number):
        changes.append((max(0, round(time_s * sample_rate)), max(0, min(127, value))))
    return changes


def _value_at(
    controls: Sequence[tuple[float, int, int]], number: int, default: int, at: int, sample_rate: int
) -> float:
    steps = _control_steps(controls, number, default, sample_rate)
    return concave_attenuation_cb(steps[bisect.bisect_right(steps, (at, 128)) - 1][1])


def _add_voice(
    channel: np.ndarray,
    font: SoundFont,
    region: Region,
    note: Note,
    start: int,
    off: int,
    pan_cc: float,
    sample_rate: int,
    voices: dict[tuple, np.ndarray],
) -> None:
    key = region.get(sf2.KEYNUM) if region.get(sf2.KEYNUM) >= 0 else note.key
    velocity = region.get(sf2.VELOCITY) if region.get(sf2.VELOCITY) >= 0 else note.velocity
    attenuation = max(0, region.get(sf2.ATTENUATION)) + concave_attenuation_cb(velocity)
    floor_db = round(_INAUDIBLE_DB + attenuation / 10.0)
    memo = (region.sample, tuple(sorted(region.generators.items())), key, off, floor_db)
    if memo not in voices:
        voices[memo] = voice_samples(font, region, key, off, sample_rate, floor_db=floor_db)
    mono = voices[memo][: channel.shape[1] - start]
    if mono.size == 0:
        return
    pan = max(-0.5, min(0.5, region.get(sf2.PAN) / 1000.0 + (pan_cc - 64.0) / 128.0))
    angle = (pan + 0.5) * math.pi / 2.0
    gain = 10.0 ** (-attenuation / 200.0)
    end = start + mono.size
    channel[0, start:end] += mono * np.float32(gain * math.cos(angle))
    channel[1, start:end] += mono * np.float32(gain * math.sin(angle))


def voice_samples(
    font: SoundFont, region: Region, key: int, off: int, sample_rate: int, floor_db: float = -100.0
) -> np.ndarray:
    """One voice, mono, unattenuated: the sample played at the note's pitch through its envelope (and filter),
    released `off` samples after its start, until its envelope falls to `floor_db` (or its sample ends)."""
    sample = region.sample
    data = font.data
    start = sample.start + region.get(sf2.START_OFFSET) + 32768 * region.get(sf2.START_COARSE)
    end = sample.end + region.get(sf2.END_OFFSET) + 32768 * region.get(sf2.END_COARSE)
    loop_start = sample.loop_start + region.get(sf2.LOOP_START_OFFSET) + 32768 * region.get(sf2.LOOP_START_COARSE)
    loop_end = sample.loop_end + region.get(sf2.LOOP_END_OFFSET) + 32768 * region.get(sf2.LOOP_END_COARSE)
    end = min(end, data.size - 1)
    start = max(0, min(start, end))
    mode = region.get(sf2.SAMPLE_MODES) & 3
    looped = mode in (1, 3) and start <= loop_start < loop_end <= end and loop_end - loop_start >= 2

    root = region.get(sf2.ROOT_KEY)
    if root < 0:
        root = sample.original_key if sample.original_key <= 127 else 60
    cents = (
        (key - root) * region.get(sf2.SCALE_TUNING)
        + 100 * region.get(sf2.COARSE_TUNE)
        + region.get(sf2.FINE_TUNE)
        + sample.pitch_correction
    )
    step = 2.0 ** (cents / 1200.0) * sample.sample_rate / sample_rate

    envelope = volume_envelope(region, key, off, sample_rate, floor_db)
    count = envelope.size
    pos = start + step * _counting(count)
    through = 0  # samples played inside the loop (mode 1: all; mode 3: until the release)
    if looped:
        length = loop_end - loop_start
        through = count if mode == 1 else min(off, count)
        first = min(through, max(0, math.floor((loop_end - start) / step)))  # about where it first passes the end
        wrapped = pos[first:through]
        wrapped -= loop_start
        np.mod(wrapped, length, out=wrapped)
        wrapped += loop_start
        if 0 < through < count:  # released: play on from where the loop was, to the sample's end
            pos[through:] = pos[through - 1] + step * (_counting(count - through) + 1.0)
    if through < count:  # outside a loop the positions only rise: the voice ends where they reach the sample's end
        left = float(end - 1 - pos[through])
        count = min(count, through + (math.ceil(left / step) if left > 0 else 0))
        pos, envelope = pos[:count], envelope[:count]
    index = pos.astype(np.int64)
    frac = (pos - index).astype(np.float32)
    following = index + 1
    if through:  # inside the loop, the sample after its last is its first
        following[np.flatnonzero(index[:through] == loop_end - 1)] = loop_start
    a = data[index].astype(np.float32)
    envelope *= np.float32(font.scale)  # (a copy of its own: voice_samples made it)
    mono = (a + (data[following].astype(np.float32) - a) * frac) * envelope

    cutoff = region.get(sf2.FILTER_FC)
    sweep = region.get(sf2.MOD_ENV_TO_FC)
    if (cutoff < _NO_FILTER_CENTS or cutoff + sweep < _NO_FILTER_CENTS) and mono.size:
        cutoff_cents = np.full(mono.size, float(cutoff), np.float32)
        if sweep:
            cutoff_cents += sweep * modulation_envelope(region, key, off, mono.size, sample_rate)
        mono = _lowpass(mono, cutoff_cents, max(0, region.get(sf2.FILTER_Q)) / 10.0, sample_rate)
    return mono.astype(np.float32, copy=False)


def _lowpass(signal: np.ndarray, cutoff_cents: np.ndarray, resonance_db: float, sample_rate: int) -> np.ndarray:
    """A two-pole low-pass (RBJ biquad) whose peak stands `resonance_db` above its DC gain, its cutoff (absolute
    cents, per sample) followed in runs: a new run starts where the cutoff has moved by more than a quarter tone."""
    q = max(math.sqrt(0.5), 10.0 ** (resonance_db / 20.0))  # an RBJ low-pass peaks about Q above DC
    step = _FILTER_BLOCK
    marks = cutoff_cents[::step]
    runs = [0]
    for b in range(1, marks.size):
        if abs(float(marks[b]) - float(marks[runs[-1]])) > 50.0:
            runs.append(b)
    # Imported here, not with the module: scipy.signal takes about a second to import, and the music backend is
    # made (and this module imported) before the render workers start; by the first note they are rendering.
    from scipy.signal import lfilter

    out = np.empty_like(signal)
    state = np.zeros(2)
    for i, b in enumerate(runs):
        lo, hi = b * step, (runs[i + 1] * step if i + 1 < len(runs) else signal.size)
        hz = min(8.176 * 2.0 ** (float(cutoff_cents[lo:hi].mean()) / 1200.0), 0.45 * sample_rate)
        w = 2.0 * math.pi * hz / sample_rate
        alpha, cos_w = math.sin(w) / (2.0 * q), math.cos(w)
        num = np.array([(1 - cos_w) / 2, 1 - cos_w, (1 - cos_w) / 2]) / (1 + alpha)
        den = np.array([1.0, -2 * cos_w / (1 + alpha), (1 - alpha) / (1 + alpha)])
        out[lo:hi], state = lfilter(num, den, signal[lo:hi], zi=state)
    return out


_COUNT = np.arange(48000 * 8, dtype=np.float64)


def _counting(count: int) -> np.ndarray:
    """0, 1, ... count - 1 as float64, sliced from one array kept for every voice (grown when too short)."""
    global _COUNT
    if count > _COUNT.size:
        _COUNT = np.arange(max(count, 2 * _COUNT.size), dtype=np.float64)
    return _COUNT[:count]
