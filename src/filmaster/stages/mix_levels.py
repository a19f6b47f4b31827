"""The mix's levels as data (`MixLevels`): where each cue plays in the film's sound and how loud — its gain, the
master's gain, the dialogue compressor's mean gain reduction over each line, and the ducking under dialogue that
each scene's premix applied to its music and ambience, as breakpoints an editor's volume keyframes can hold.

The ducking and the compression are computed again from the scene's dialogue exactly as `audio.mix.premix`
computes them (the same stems, the same compressor, key and envelope), not taken from the mixed sound, so the mix
is untouched; they are cached by the scene's premix layout, so a re-run computes them only for the scenes an edit
re-mixed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..audio.automation import breakpoints_at, sample_points
from ..audio.ducking import DUCKED_UNDER_DIALOGUE, curve_gain
from ..audio.scene_premix import SpeechPower, dialogue_blocks, scene_spans
from ..audio.wavio import wav_frames
from ..config import SoundConfig
from ..model import CueKind, SoundCue, SoundPlan
from ..model.levels import CueLevel, MixLevels
from ..project import Project, content_key
from .cue_stems import CueStems
from .mix import PREMIX_VERSION, _origin, _placed, cues_by_scene

NAMESPACE = "mix-levels"
LEVELS_VERSION = "1"
DUCKED = frozenset(CueKind(k) for k in DUCKED_UNDER_DIALOGUE)  # the stems premix ducks (its `duck_keys`)


def mix_levels(sound: SoundPlan, config: SoundConfig, project: Project, master_gain_db: float) -> MixLevels:
    """Every rendered cue's place and level in the film."""
    rate = sound.sample_rate
    levels: dict[str, CueLevel] = {}
    for cues in cues_by_scene(sound).values():
        if not cues:
            continue
        origin = _origin(cues, rate)
        placed = _placed(origin, rate)  # where the scene's sound is laid in the film
        ducking, dynamics = _scene_levels(cues, config, project, rate)
        for cue in cues:
            offset = round(cue.start_s * rate) - origin
            points: list[tuple[float, float]] = []
            if ducking and cue.kind in DUCKED:
                points = _window(ducking, offset / rate, wav_frames(project.out / str(cue.media)) / rate)
            squeeze = dynamics.get(cue.id, 0.0)
            levels[cue.id] = CueLevel(
                cue_id=cue.id,
                start_sample=placed + offset,
                gain_db=round(cue.gain_db + master_gain_db + squeeze, 3),
                dynamics_db=squeeze,
                ducking=points,
            )
    return MixLevels(sample_rate=rate, master_gain_db=master_gain_db, cues=levels)


def _scene_levels(
    cues: list[SoundCue], config: SoundConfig, project: Project, rate: int
) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """The scene's ducking breakpoints (seconds from its first cue, dB; [] when nothing is ducked) and each
    dialogue line's mean gain reduction in the compressor (dB, by cue id)."""
    if not any(c.kind == CueKind.DIALOGUE for c in cues):
        return [], {}
    origin = _origin(cues, rate)
    layout = [
        (c.kind.value, round(c.start_s * rate) - origin, c.gain_db, c.delivery_db, project.digest(str(c.media)))
        for c in cues
    ]
    key = content_key(NAMESPACE, LEVELS_VERSION, PREMIX_VERSION, layout, rate, config.duck_db)

    def make(tmp: Path) -> None:
        ducking, dynamics = _analyse(cues, project.out, rate, origin, config.duck_db)
        tmp.write_text(json.dumps({"ducking": ducking, "dynamics": dynamics}))

    stored = json.loads(project.cache.fetch_or_make(NAMESPACE, key, ".json", make).read_text())
    return [(float(t), float(db)) for t, db in stored["ducking"]], stored["dynamics"]


def _analyse(
    cues: list[SoundCue], out_dir: Path, rate: int, origin: int, duck_db: float
) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """The dialogue stem laid as `stages.mix` lays it, compressed as the premix compresses it, block by block
    (`audio.scene_premix.dialogue_blocks`): the ducking the premix derives from it, and how much quieter the
    compressor made each line (the ratio of its RMS after to before, over the line's samples). Memory stays a few
    blocks and the ducking curve (a 48th of the samples), whatever the scene's length."""
    stems = CueStems(cues, out_dir, rate, origin)
    spoken = [c for c in cues if c.kind == CueKind.DIALOGUE]
    offsets = {c.id: round(c.start_s * rate) - origin for c in spoken}
    lengths = {c.id: wav_frames(out_dir / str(c.media)) for c in spoken}
    energy = {c.id: [0.0, 0.0] for c in spoken}  # sum of squares before and after the compressor
    power = SpeechPower(stems.samples, rate)
    for lo, hi, laid, squeezed in dialogue_blocks(stems, scene_spans(stems, rate), rate):
        power.add(lo, squeezed)
        for cue in spoken:
            a, b = max(lo, offsets[cue.id]), min(hi, offsets[cue.id] + lengths[cue.id])
            if a < b:
                energy[cue.id][0] += float(np.sum(np.square(laid[a - lo : b - lo], dtype=np.float64)))
                energy[cue.id][1] += float(np.sum(np.square(squeezed[a - lo : b - lo], dtype=np.float64)))
    dynamics = {}
    for cue in spoken:
        count = 2 * lengths[cue.id]  # stereo samples
        before, after = (np.sqrt(total / count) if count else 0.0 for total in energy[cue.id])
        dynamics[cue.id] = round(float(20 * np.log10(after / before)), 3) if before > 0 and after > 0 else 0.0
    ducking: list[tuple[float, float]] = []
    if duck_db < 0 and any(c.kind in DUCKED for c in cues):
        index = sample_points(stems.samples, rate)
        ducking = breakpoints_at(index, curve_gain(power.ducking(duck_db), index, rate), rate)
    return ducking, dynamics


def _window(points: list[tuple[float, float]], start: float, length: float) -> list[tuple[float, float]]:
    """The breakpoints between `start` and `start + length` (scene seconds), from the cue's start, with the
    envelope's values at both ends; [] when the cue is not ducked at all."""
    times = np.array([t for t, _ in points])
    values = np.array([db for _, db in points])
    end = start + length
    inside = [(t - start, db) for t, db in points if start < t < end]
    window = [(0.0, float(np.interp(start, times, values))), *inside, (length, float(np.interp(end, times, values)))]
    if all(abs(db) < 0.01 for _, db in window):
        return []
    return [(round(t, 6), round(db, 3)) for t, db in window]
