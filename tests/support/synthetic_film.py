"""A film's sound plan of any length made of synthetic cues (speech-like bursts, a music bed), for the mix."""

from __future__ import annotations

import numpy as np

from filmaster.audio.master import Segment, analyse, assemble, master
from filmaster.audio.mix import premix
from filmaster.audio.wav_stream import wav_blocks
from filmaster.audio.wavio import to_pcm16, write_wav
from filmaster.config import SoundConfig
from filmaster.model import Cut, CutClip, SoundCue, SoundPlan
from filmaster.project import Project
from filmaster.stages.mix import _origin, _placed, cues_by_scene, lay_cues

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
    return SoundPlan(cues=cues), _cut(scenes * scene_s)


def _cut(seconds: float) -> Cut:
    clip = CutClip(shot_id="S01-01", scene_index=0, media="x", frames=round(seconds * 24))
    return Cut(title="long", fps=24, width=64, height=36, clips=[clip])


def one_take(project: Project, minutes: float) -> tuple[SoundPlan, Cut]:
    """ONE scene of `minutes`: an ambience bed all through it (one long file, written a block at a time), a music
    cue every 30 s and a line every 4 s, all in scene 0."""
    audio_dir = project.out / "media" / "audio"
    seconds = minutes * 60.0
    total = round(seconds * RATE)
    rng = np.random.default_rng(7)
    with wav_blocks(audio_dir / "room-tone.wav", 1, RATE) as room:
        for lo in range(0, total, 10 * RATE):
            hi = min(total, lo + 10 * RATE)
            room.write(lo, hi, (0.02 * rng.standard_normal((hi - lo, 1))).astype(np.float32))
    cues = [SoundCue(id="room", kind="ambience", start_s=0.0, duration_s=seconds, media="media/audio/room-tone.wav")]
    line_s, music_s = 2.5, 30.0
    for v in range(_VARIANTS):
        write_wav(audio_dir / f"line-{v}.wav", _speech(line_s, v), RATE)
        write_wav(audio_dir / f"theme-{v}.wav", _music(music_s, 110.0 * (v + 2)), RATE)
    for k, at in enumerate(np.arange(0.0, seconds - music_s + 1e-9, music_s)):
        media = f"media/audio/theme-{k % _VARIANTS}.wav"
        cues.append(SoundCue(id=f"music-{k}", kind="music", start_s=float(at), duration_s=music_s, media=media))
    for i, at in enumerate(np.arange(0.5, seconds - line_s, 4.0)):
        media = f"media/audio/line-{i % _VARIANTS}.wav"
        cues.append(
            SoundCue(id=f"dlg-{i}", kind="dialogue", start_s=float(at), duration_s=line_s, media=media, text=".")
        )
    cues = [cue.model_copy(update={"scene_index": 0}) for cue in cues]
    return SoundPlan(cues=sorted(cues, key=lambda c: c.start_s)), _cut(seconds)


def whole_film_master(sound: SoundPlan, cut: Cut, project: Project) -> np.ndarray:
    """The film's master made the way it was before blocks: every scene premixed whole in memory, the premixes
    joined and mastered at once; 16-bit PCM."""
    config = SoundConfig()
    segments = []
    for cues in cues_by_scene(sound).values():
        origin = _origin(cues, RATE)
        stems, detector = lay_cues(cues, project.out, RATE, origin)
        audio = premix(stems, duck_db=config.duck_db, sample_rate=RATE, dialogue_detector=detector).audio
        segments.append(Segment(_placed(origin, RATE), audio, analyse(audio, RATE)))
    total = round(cut.frames / cut.fps * RATE)
    audio, analysis = assemble(segments, total, RATE)
    done = master(audio, analysis, config.loudness_lufs, config.true_peak_dbtp, RATE)
    return to_pcm16(done.audio)


def edit_one_line(sound: SoundPlan, scene: int, gain_db: float = -3.0) -> SoundPlan:
    """The plan after one line of `scene` was changed (re-rendered quieter): only that scene's premix changes."""
    cues = list(sound.cues)
    index = next(i for i, c in enumerate(cues) if c.scene_index == scene and c.kind.value == "dialogue")
    cues[index] = cues[index].model_copy(update={"gain_db": cues[index].gain_db + gain_db})
    return sound.model_copy(update={"cues": cues})
