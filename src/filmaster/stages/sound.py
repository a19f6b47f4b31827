"""Sound: design cues against the locked cut, then render each cue to a stem file through the cache.

Three scales, as in the paper: per scene an ambience bed and a music cue spanning the scene; per shot the
dialogue lines, placed where the shot shows them. (Intra-shot foley and effects come with a later backend.)
"""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..atomic import write_bytes_atomic
from ..audio.ambience import ambience_bed
from ..audio.wavio import write_wav
from ..backends.music.base import MusicBackend, MusicRequest
from ..backends.registry import create_backend
from ..backends.speech.base import SpeechBackend, VoiceSpec
from ..config import SoundConfig
from ..model import CueKind, Cut, Plan, SoundCue, SoundPlan
from ..progress import Reporter
from ..project import Project, content_key, publish

AMBIENCE_VERSION = "1"


@dataclass(frozen=True)
class SoundBackends:
    speech: SpeechBackend
    music: MusicBackend

    @classmethod
    def create(cls, speech: str, music: str, settings: dict[str, dict[str, Any]]) -> SoundBackends:
        return cls(
            speech=create_backend("speech", speech, **settings.get("speech", {})),  # type: ignore[arg-type]
            music=create_backend("music", music, **settings.get("music", {})),  # type: ignore[arg-type]
        )


def design_sound(plan: Plan, cut: Cut, config: SoundConfig) -> SoundPlan:
    """Cue sheet from the locked cut: where every line, music cue and ambience bed starts and how long it is."""
    starts = cut.record_start_frames()
    fps = cut.fps
    cues: list[SoundCue] = []
    for scene in plan.scenes:
        if not scene.shots:
            continue
        scene_start = starts[scene.shots[0].id] / fps
        scene_len = sum(c.frames for c in cut.clips if c.scene_index == scene.index) / fps
        tag = f"S{scene.index + 1:02d}"
        cues.append(
            SoundCue(
                id=f"amb-{tag}",
                kind=CueKind.AMBIENCE,
                start_s=scene_start,
                duration_s=scene_len,
                description=f"{scene.set_kind.value} {'interior' if scene.interior else 'exterior'}, "
                f"{scene.time_of_day.value}",
                gain_db=config.ambience_db,
                scene_index=scene.index,
            )
        )
        cues.append(
            SoundCue(
                id=f"music-{tag}",
                kind=CueKind.MUSIC,
                start_s=scene_start,
                duration_s=scene_len,
                description=f"{scene.mood.value} score for {scene.heading}",
                gain_db=config.music_db,
                scene_index=scene.index,
            )
        )
        for shot in scene.shots:
            for i, line in enumerate(shot.dialogue, start=1):
                cues.append(
                    SoundCue(
                        id=f"dlg-{shot.id}-{i}",
                        kind=CueKind.DIALOGUE,
                        start_s=starts[shot.id] / fps + line.start_s,
                        duration_s=line.duration_s,
                        description=f"{line.character}" + (f" ({line.parenthetical})" if line.parenthetical else ""),
                        scene_index=scene.index,
                        shot_id=shot.id,
                        character=line.character,
                        text=line.text,
                    )
                )
    return SoundPlan(sample_rate=config.sample_rate, cues=cues)


def render_sound(
    plan: Plan, sound: SoundPlan, backends: SoundBackends, project: Project, reporter: Reporter, seed: int
) -> SoundPlan:
    """Render every cue to `media/audio/<cue>.wav` (through the cache); return the plan with real durations."""
    rate = sound.sample_rate
    cache = project.cache
    scenes = {s.index: s for s in plan.scenes}
    rendered: list[SoundCue] = []
    audio_dir = project.out / "media" / "audio"
    with reporter.task(f"Rendering {len(sound.cues)} sound cues", len(sound.cues)) as advance:
        for cue in sound.cues:
            if cue.kind == CueKind.DIALOGUE:
                member = plan.cast.get(cue.character or "")
                voice = VoiceSpec(
                    pitch=member.voice_pitch if member else 1.0, rate=member.voice_rate if member else 1.0
                )
                key = content_key("dialogue", cue.text, voice.__dict__, rate, backends.speech.cache_identity)

                def make_line(tmp: Path, text: str = cue.text or "", voice: VoiceSpec = voice) -> None:
                    write_wav(tmp, backends.speech.synthesize(text, voice, rate), rate)

                stored = cache.fetch_or_make("dialogue", key, ".wav", make_line)
            elif cue.kind == CueKind.MUSIC:
                scene = scenes[cue.scene_index or 0]
                request = MusicRequest(
                    cue_id=cue.id,
                    mood=scene.mood,
                    time_of_day=scene.time_of_day,
                    interior=scene.interior,
                    duration_s=cue.duration_s,
                    seed=seed + scene.index,
                )
                key = content_key("music", request.__dict__, rate, backends.music.cache_identity)
                stored = cache.fetch_or_make(
                    "music", key, ".wav", _music_maker(backends.music, request, rate, cache, key)
                )
                midi = cache.path("music", key, ".mid")
                if midi.is_file():
                    publish(midi, project.out / "media" / "music" / f"{cue.id}.mid")
            else:
                scene = scenes[cue.scene_index or 0]
                args = (scene.set_kind, scene.interior, scene.time_of_day, cue.duration_s, rate, seed + scene.index)
                key = content_key("ambience", AMBIENCE_VERSION, [str(a) for a in args])

                def make_bed(tmp: Path, args: tuple = args) -> None:
                    write_wav(tmp, ambience_bed(*args), rate)

                stored = cache.fetch_or_make("ambience", key, ".wav", make_bed)
            target = audio_dir / f"{cue.id}.wav"
            publish(stored, target)
            update: dict[str, Any] = {"media": project.rel(target)}
            if cue.kind == CueKind.DIALOGUE:
                update["duration_s"] = round(_wav_seconds(stored), 3)
            rendered.append(cue.model_copy(update=update))
            advance(1)
    return sound.model_copy(update={"cues": rendered})


def _music_maker(backend: MusicBackend, request: MusicRequest, rate: int, cache, key: str):
    def make(tmp: Path) -> None:
        result = backend.compose(request, rate)
        if result.midi:
            write_bytes_atomic(cache.path("music", key, ".mid"), result.midi)
        write_wav(tmp, result.audio, rate)

    return make


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as handle:
        return handle.getnframes() / handle.getframerate()
