"""Mix: stems → one stereo mixdown with dialogue on top, ducking, loudness normalisation and a true-peak ceiling."""

from __future__ import annotations

from pathlib import Path

from ..audio.mix import MixResult, mix
from ..audio.wavio import write_wav
from ..config import SoundConfig
from ..model import Cut, SoundPlan
from ..project import Project, content_key, media_digest
from .sound import stems_from_cues


def mix_film(sound: SoundPlan, cut: Cut, config: SoundConfig, project: Project) -> tuple[Path, MixResult | None]:
    """Write `media/audio/mix.wav` exactly as long as the picture; reuse it when no cue or setting changed."""
    target = project.out / "media" / "audio" / "mix.wav"
    sounds = media_digest(project.out, [cue.media for cue in sound.cues if cue.media])
    key = content_key("mix", sound, sounds, cut.frames, cut.fps, config)
    if target.is_file() and project.manifest().get("mix_key") == key:
        project.cache.record("mix", computed=False)
        return target, None
    total = round(cut.frames / cut.fps * sound.sample_rate)
    stems = stems_from_cues(sound, project.out, total)
    result = mix(
        stems,
        duck_db=config.duck_db,
        target_lufs=config.loudness_lufs,
        max_true_peak_db=config.true_peak_dbtp,
        sample_rate=sound.sample_rate,
    )
    write_wav(target, result.audio, sound.sample_rate)
    project.cache.record("mix", computed=True)
    project.update_manifest(
        mix_key=key, loudness_lufs=round(result.integrated_lufs, 2), true_peak_dbtp=round(result.true_peak_dbtp, 2)
    )
    return target, result
