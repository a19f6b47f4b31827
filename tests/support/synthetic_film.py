"""A film's sound plan of any length made of synthetic cues (speech-like bursts, a music bed), for the mix."""

from __future__ import annotations

import numpy as np

from filmaster.audio.wavio import write_wav
from filmaster.model import Cut, CutClip, SoundCue, SoundPlan
from filmaster.project import Project

RATE = 48000
_VARIANTS = 3  # distinct cue files: scenes differ by the gains and places of their cues, not by new files


def _speech(seconds: float, seed: int) -> np.ndarray:
    """Mono noise shaped into syllables (4 a second) with a hot transient now and then, for the limiter."""
    rng = np.random.default_rng(seed)
    n = round(seconds * RATE)
    t = np.arange(n) / RATE
    syllables = np.clip(np.sin(2 * np.pi * 4.0 * t + seed), 0.0, None) ** 2
    audio = (rng.standard_normal(n) * 0.12 * syllables).astype(np.float32)
    audio[RATE // 3 :: RATE * 2] = 0.9  # a click every two seconds: peaks over the ceiling once gained
    return audio


def _music(seconds: float, hz: float) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return (0.08 * np.sin(2 * np.pi * hz * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.1 * t))).astype(np.float32)


def synthetic_film(project: Project, scenes: int, scene_s: float) -> tuple[SoundPlan, Cut]:
    """`scenes` scenes of `scene_s` seconds, each a music bed and a line every few seconds; returns plan and cut."""
    audio_dir = project.out / "media" / "audio"
    line_s = 2.5
    for v in range(_VARIANTS):
        write_wav(audio_dir / f"line-{v}.wav", _speech(line_s, v), RATE)
        write_wav(audio_dir / f"bed-{v}.wav", _music(scene_s, 110.0 * (v + 2)), RATE)
    cues = []
    for s in range(scenes):
        start = s * scene_s
        cues.append(
            SoundCue(
                id=f"music-S{s:03d}",
                kind="music",
                start_s=start,
                duration_s=scene_s,
                media=f"media/audio/bed-{s % _VARIANTS}.wav",
                gain_db=-(s % 7) * 0.5,
                scene_index=s,
            )
        )
        for i, at in enumerate(np.arange(0.5 + (s % 3) * 0.3, scene_s - line_s, 4.0)):
            cues.append(
                SoundCue(
                    id=f"dlg-S{s:03d}-{i}",
                    kind="dialogue",
                    start_s=start + float(at),
                    duration_s=line_s,
                    media=f"media/audio/line-{(s + i) % _VARIANTS}.wav",
                    gain_db=-((s * 5 + i) % 4) * 1.0,
                    scene_index=s,
                    text=f"Line {i} of scene {s}.",
                )
            )
    frames = round(scenes * scene_s * 24)
    cut = Cut(
        title="long",
        fps=24,
        width=64,
        height=36,
        clips=[CutClip(shot_id="S01-01", scene_index=0, media="x", frames=frames)],
    )
    return SoundPlan(cues=cues), cut


def edit_one_line(sound: SoundPlan, scene: int, gain_db: float = -3.0) -> SoundPlan:
    """The plan after one line of `scene` was changed (re-rendered quieter): only that scene's premix changes."""
    cues = list(sound.cues)
    index = next(i for i, c in enumerate(cues) if c.scene_index == scene and c.kind.value == "dialogue")
    cues[index] = cues[index].model_copy(update={"gain_db": cues[index].gain_db + gain_db})
    return sound.model_copy(update={"cues": cues})
