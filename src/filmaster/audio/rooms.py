"""The acoustics of a location: a small synthetic room response per set, applied to dialogue (and to anything
else recorded "in" the scene, e.g. foley) so that everything heard in one place shares one space.

A room is described by what a re-recording mixer would dial into a reverb: decay time (RT60), pre-delay (how far
the first reflections travel), damping (how much hard or soft the materials are: soft ones eat the highs) and how
much of the reverb is heard. The impulse response is exponentially decaying noise, darkened over time by the
damping, with a few discrete early reflections; it is seeded by the set so every line in a place sounds the same.

Call `room_of(scene)` (or `room_for(set_kind, interior)`) then `apply_room(audio, sample_rate, room, perspective)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import numpy as np

from ..model import SceneBlock, SetKind
from .filters import fft_convolve

ROOMS_VERSION = "1"  # bump when a room's response changes what it produces


@dataclass(frozen=True)
class Room:
    name: str
    rt60_s: float  # time for the reverb to fall by 60 dB
    predelay_s: float  # direct sound to first reflection
    damping: float  # 0 = hard, bright surfaces (tile, glass); 1 = soft (fabric, foliage): highs die fast
    wet_db: float  # reverb level against the direct sound for a line spoken on screen
    seed: int


# Sizes and materials of each set of the previz library (see previz/sets.py), as a mixer would hear them.
_ROOMS: dict[SetKind, Room] = {
    SetKind.ROOM: Room("living room: furnished, soft", 0.45, 0.008, 0.6, -14.0, 1),
    SetKind.KITCHEN: Room("kitchen: tiles and hard counters", 0.6, 0.006, 0.2, -11.0, 2),
    SetKind.OFFICE: Room("office: carpet, ceiling tiles", 0.5, 0.01, 0.5, -14.0, 3),
    SetKind.BAR: Room("bar: wood and glass, bigger", 0.9, 0.015, 0.4, -12.0, 4),
    SetKind.CORRIDOR: Room("corridor: long, hard walls", 1.1, 0.004, 0.25, -9.0, 5),
    SetKind.VEHICLE: Room("vehicle cabin: tiny, upholstered", 0.12, 0.002, 0.85, -18.0, 6),
    SetKind.STREET: Room("street: facades slap back", 0.7, 0.03, 0.35, -20.0, 7),
    SetKind.FOREST: Room("forest: trunks scatter, foliage absorbs", 0.5, 0.02, 0.8, -24.0, 8),
    SetKind.SHORE: Room("shore: open air", 0.25, 0.04, 0.7, -30.0, 9),
    SetKind.FIELD: Room("field: open air", 0.2, 0.05, 0.75, -32.0, 10),
}
# An interior of an outdoor set (a cabin on the shore, a shed in a field) is a small room.
_SMALL_INTERIOR = Room("small interior", 0.4, 0.005, 0.55, -15.0, 11)
_OUTDOOR = {SetKind.STREET, SetKind.FOREST, SetKind.SHORE, SetKind.FIELD}


class Perspective(StrEnum):
    """Where the listener is relative to the speaker."""

    ON_SCREEN = "on-screen"  # in the room, at the camera: the room's reverb at its level
    OFF_SCREEN = "off-screen"  # (O.S.)/(O.C.): in the scene, out of frame: a little darker, more of the room
    VOICE_OVER = "voice-over"  # (V.O.): not in the scene at all: dry, close, intimate
    CLOSE = "close"  # a whisper at the ear: less reverb than on screen


_WET_OFFSET_DB = {
    Perspective.ON_SCREEN: 0.0,
    Perspective.OFF_SCREEN: 3.0,
    Perspective.CLOSE: -8.0,
}


# What a perspective's treatment adds to the room's version: bumped for one perspective, only its lines are spoken
# again (2: an off-screen line keeps its direct sound and its consonants).
_PERSPECTIVE_VERSIONS = {"off-screen": "2"}


def rooms_version(perspective: Perspective) -> str:
    """The version of what `apply_room` makes from `perspective`'s lines, for their cache keys."""
    extra = _PERSPECTIVE_VERSIONS.get(perspective.value)
    return f"{ROOMS_VERSION}+{extra}" if extra else ROOMS_VERSION


def room_for(set_kind: SetKind | str, interior: bool) -> Room:
    """The room of a location: from its set kind, an interior of an outdoor set being a small room."""
    kind = SetKind(set_kind)
    if interior and kind in _OUTDOOR:
        return _SMALL_INTERIOR
    return _ROOMS[kind]


def room_of(scene: SceneBlock) -> Room:
    """The room of a scene's location (for foley and effects as much as for dialogue)."""
    return room_for(scene.set_kind, scene.interior)


@lru_cache(maxsize=32)
def _impulse_response(room: Room, sample_rate: int) -> np.ndarray:
    """The room's reverb (without the direct sound), normalised to unit energy."""
    rng = np.random.default_rng(room.seed)
    n = round(room.rt60_s * sample_rate) + 1
    t = np.arange(n) / sample_rate
    tail = rng.standard_normal(n) * np.exp(-6.9078 * t / room.rt60_s)  # 60 dB in rt60 (ln 1000 = 6.9078)
    # Damping: a one-pole low-pass whose cut-off falls as the tail ages; done in blocks for speed.
    from scipy.signal import lfilter

    block = max(1, sample_rate // 100)
    out = np.empty_like(tail)
    state = np.zeros(1)
    for start in range(0, n, block):
        age = start / sample_rate / room.rt60_s
        cutoff = 12000.0 * (1.0 - room.damping * min(1.0, age * 2.0)) + 800.0
        alpha = float(np.exp(-2.0 * np.pi * cutoff / sample_rate))
        out[start : start + block], state = lfilter([1.0 - alpha], [1.0, -alpha], tail[start : start + block], zi=state)
    # Early reflections: a handful of discrete taps after the pre-delay.
    for k in range(6):
        tap = round((room.predelay_s * (1.0 + 0.7 * k) + rng.uniform(0, 0.003)) * sample_rate)
        if tap < n:
            out[tap] += rng.choice((-1.0, 1.0)) * 3.0 * np.exp(-6.9078 * tap / sample_rate / room.rt60_s)
    predelay = round(room.predelay_s * sample_rate)
    response = np.concatenate([np.zeros(predelay), out])
    return (response / np.sqrt(np.sum(response**2))).astype(np.float32)


# An off-screen line is placed by its tone and its room, never at the cost of its words: the consonants' band
# (2-5 kHz) and the direct sound stay, so it carries over the beds like a line on screen. Whisper tiny.en on the
# examples' three off-screen lines in their scenes' mix, 16 start offsets each: with a 4th-order 2.8 kHz low-pass,
# the direct sound halved and the room 9 dB up it missed 35 % of their words (the first: "Ida!", "All ashore!",
# "Fog's"); with this treatment 15 % (docs/benchmarks.md).
_OFF_SCREEN_CUTOFF_HZ = 6000.0


def _lowpass(audio: np.ndarray, cutoff_hz: float, sample_rate: int, order: int = 2) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    sos = butter(order, cutoff_hz, btype="lowpass", fs=sample_rate, output="sos")
    return sosfilt(sos, audio, axis=0).astype(np.float32)


def apply_room(
    audio: np.ndarray, sample_rate: int, room: Room, perspective: Perspective = Perspective.ON_SCREEN
) -> np.ndarray:
    """`audio` ((n,) mono or (n, channels)) heard in `room` from `perspective`; longer by the reverb's tail
    (none for a voice-over).

    The direct sound keeps its level, so a line's loudness is set by its delivery, not by the room.
    """
    dry = np.asarray(audio, dtype=np.float32)
    if perspective == Perspective.VOICE_OVER or dry.size == 0:
        return dry.copy()
    response = _impulse_response(room, sample_rate)
    if perspective == Perspective.OFF_SCREEN:
        dry = _lowpass(dry, _OFF_SCREEN_CUTOFF_HZ, sample_rate)  # out of the lens's axis: the air band dulls
    dry_rms = float(np.sqrt(np.mean(dry**2))) or 1.0
    padded = np.concatenate([dry, np.zeros((response.shape[0], *dry.shape[1:]), dtype=np.float32)])
    wet = fft_convolve(padded, response)[: padded.shape[0]]
    wet_rms = float(np.sqrt(np.mean(wet**2))) or 1.0
    wet_db = room.wet_db + _WET_OFFSET_DB[perspective]
    out = padded + wet * np.float32(dry_rms / wet_rms * 10.0 ** (wet_db / 20.0))
    return out.astype(np.float32)
