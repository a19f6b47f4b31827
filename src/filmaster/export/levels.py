"""The mix's levels per timeline clip, as an editor's volume automation can carry them.

The mix (`audio/mix.py`, `stages/mix.py`) premixes each scene: every cue at its `gain_db`, the dialogue through a
compressor, music and ambience ducked under the dialogue by an envelope keyed on the compressed voice; the master
bus then adds one static gain to the loudness target and a true-peak limiter. Here the same envelope is computed
again from the timeline's dialogue clips, scene by scene as the mix does, and each clip gets:
- a static level: its cue's gain, plus for a line of dialogue the compressor's average effect on it (the
  compressor itself is not something every editor has);
- for ducked clips, the envelope in dB at every frame, thinned to the keyframes that a straight line between
  neighbours cannot replace within `KEYFRAME_TOLERANCE_DB`.
The master's gain is the timeline's own level (one value for the whole film); the limiter is left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import opentimelineio as otio

from ..audio.dynamics import compress
from ..audio.mix import duck_envelope, speech_presence
from ..audio.wavio import read_wav

META_KEY = "filmaster"
DUCKED_KINDS = ("music", "ambience")  # the kinds the mix ducks under dialogue
KEYFRAME_TOLERANCE_DB = 0.3


@dataclass(frozen=True)
class ClipLevel:
    """A clip's level in dB: `static_db`, plus `keyframes` (clip-relative frame, dB) when it moves."""

    static_db: float
    keyframes: list[tuple[int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Laid:
    clip: otio.schema.Clip
    kind: str
    start: int  # record sample
    length: int  # samples it plays
    audio: np.ndarray | None  # a line's voice, mono float32 at its gain: the part it plays (None for other kinds)


def clip_levels(
    timeline: otio.schema.Timeline, media_root: Path, sample_rate: int, duck_db: float
) -> dict[int, ClipLevel]:
    """Level of every audio clip of `timeline`, by `id(clip)`."""
    fps = _fps(timeline)
    scenes: dict[object, list[_Laid]] = defaultdict(list)
    for track in timeline.audio_tracks():
        for clip in track.find_clips():
            meta = clip.metadata.get(META_KEY, {})
            kind = meta.get("kind")
            if kind is None:
                continue
            scenes[meta.get("scene")].append(_lay(clip, str(kind), media_root, sample_rate))
    levels: dict[int, ClipLevel] = {}
    for laid in scenes.values():
        levels |= _scene_levels(laid, sample_rate, fps, duck_db)
    return levels


def _lay(clip: otio.schema.Clip, kind: str, media_root: Path, rate: int) -> _Laid:
    record = clip.range_in_parent()
    start = round(record.start_time.to_seconds() * rate)
    length = round(record.duration.to_seconds() * rate)
    if kind != "dialogue":  # only the voice keys the ducking: the beds' samples are not needed
        return _Laid(clip, kind, start, length, None)
    source = clip.source_range or clip.available_range()
    offset = round(source.start_time.to_seconds() * rate)
    audio = np.zeros(0, np.float32)
    path = media_root / clip.media_reference.target_url
    if path.is_file():
        samples, file_rate = read_wav(path)
        if file_rate == rate:
            # Mono: the compressor links the channels and the voices are mono, so one channel gives the same gain
            # in half the time.
            mono = samples.mean(axis=1) if samples.ndim == 2 else samples
            audio = mono[offset : offset + length] * np.float32(10 ** (_gain_db(clip) / 20))
    return _Laid(clip, kind, start, audio.shape[0], audio)


def _scene_levels(laid: list[_Laid], rate: int, fps: float, duck_db: float) -> dict[int, ClipLevel]:
    origin = min(item.start for item in laid)
    n = max(item.start + item.length for item in laid) - origin
    dialogue = np.zeros(max(n, 1), np.float32)
    lines = [item for item in laid if item.audio is not None]
    for item in lines:
        if item.audio is not None:  # (narrows the type; the list holds only these)
            dialogue[item.start - origin : item.start - origin + item.length] += item.audio
    gain = np.zeros(dialogue.shape[0])
    levels: dict[int, ClipLevel] = {}
    if lines:
        compressed = compress(dialogue, rate)
        for item in lines:
            a, b = item.start - origin, item.start - origin + item.length
            before, after = _rms(dialogue[a:b]), _rms(compressed[a:b])
            change = 20 * np.log10(after / before) if before > 0 and after > 0 else 0.0
            levels[id(item.clip)] = ClipLevel(static_db=_gain_db(item.clip) + float(change))
        if duck_db < 0:
            gain = 20 * np.log10(duck_envelope(speech_presence(compressed, rate), dialogue.shape[0], rate, duck_db))
    for item in laid:
        if item.audio is not None:
            continue
        keyframes: list[tuple[int, float]] = []
        if item.kind in DUCKED_KINDS and lines and duck_db < 0:
            keyframes = _keyframes(gain, item.start - origin, item.length, rate, fps)
        levels[id(item.clip)] = ClipLevel(static_db=_gain_db(item.clip), keyframes=keyframes)
    return levels


def _keyframes(gain_db: np.ndarray, start: int, length: int, rate: int, fps: float) -> list[tuple[int, float]]:
    """The envelope under a clip at each of its frames, thinned; an envelope that never moves gives none."""
    frames = max(1, round(length / rate * fps))
    at = np.clip(start + np.round(np.arange(frames + 1) * rate / fps).astype(int), 0, max(0, gain_db.size - 1))
    values = gain_db[at] if gain_db.size else np.zeros(frames + 1)
    if float(np.abs(values).max()) < KEYFRAME_TOLERANCE_DB:
        return []
    kept = [0]
    for i in range(1, frames):
        # Keep frame i when the line from the last kept frame to the next one misses it.
        j = kept[-1]
        straight = values[j] + (values[i + 1] - values[j]) * (i - j) / (i + 1 - j)
        if abs(values[i] - straight) > KEYFRAME_TOLERANCE_DB / 2 or abs(values[i] - values[j]) > 6:
            kept.append(i)
    kept.append(frames)
    return [(i, round(float(values[i]), 2)) for i in kept]


def _gain_db(clip: otio.schema.Clip) -> float:
    return float(clip.metadata.get(META_KEY, {}).get("gain_db", 0.0))


def _rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0


def _fps(timeline: otio.schema.Timeline) -> float:
    for clip in timeline.find_clips():
        if clip.source_range is not None:
            return clip.source_range.duration.rate
    return 24.0
