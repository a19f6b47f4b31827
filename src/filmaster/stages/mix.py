"""Mix: each scene's cues → a cached scene premix (dialogue on top, beds ducked); the joined premixes → the master
bus (loudness normalisation and a true-peak ceiling over the whole film).

A scene's premix and its analysis are keyed by the bytes of its cues and their offsets inside the scene, not by
where the scene sits in the film, so an edit re-mixes only the scene it touches (and a scene that moves because
an earlier one grew is reused); the master bus then needs well under a second for a two-minute film.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..audio.master import Analysis, Mastered, Segment, analyse, assemble, master
from ..audio.mix import premix
from ..audio.wavio import read_wav, write_wav
from ..config import SoundConfig
from ..errors import AudioError
from ..model import Cut, SoundCue, SoundPlan
from ..project import Project, content_key

NAMESPACE = "premix"
PREMIX_VERSION = "2"  # bump when premix() or the analysis changes what it produces


def mix_film(sound: SoundPlan, cut: Cut, config: SoundConfig, project: Project) -> tuple[Path, Mastered | None]:
    """Write `media/audio/mix.wav` exactly as long as the picture; reuse it when no cue or setting changed."""
    target = project.out / "media" / "audio" / "mix.wav"
    sounds = project.media_digest([cue.media for cue in sound.cues if cue.media])
    key = content_key("mix", PREMIX_VERSION, sound, sounds, cut.frames, cut.fps, config)
    if target.is_file() and project.manifest().get("mix_key") == key:
        project.cache.record("mix", computed=False)
        return target, None
    rate = sound.sample_rate
    total = round(cut.frames / cut.fps * rate)
    segments = [scene_premix(cues, config, project, rate) for cues in cues_by_scene(sound).values()]
    audio, analysis = assemble([s for s in segments if s is not None], total, rate)
    previous_gain = project.manifest().get("master_gain_db")
    done = master(audio, analysis, config.loudness_lufs, config.true_peak_dbtp, rate, start_gain_db=previous_gain)
    write_wav(target, done.audio, rate)
    project.cache.record("mix", computed=True)
    project.update_manifest(
        mix_key=key,
        loudness_lufs=round(done.integrated_lufs, 2),
        true_peak_dbtp=round(done.true_peak_dbtp, 2),
        master_gain_db=done.gain_db,
    )
    return target, done


def cues_by_scene(sound: SoundPlan) -> dict[int, list[SoundCue]]:
    """Rendered cues grouped by scene (a cue without a scene joins the scene of the cue before it)."""
    groups: dict[int, list[SoundCue]] = defaultdict(list)
    current = 0
    for cue in sorted((c for c in sound.cues if c.media), key=lambda c: c.start_s):
        current = cue.scene_index if cue.scene_index is not None else current
        groups[current].append(cue)
    return dict(sorted(groups.items()))


def scene_premix(cues: list[SoundCue], config: SoundConfig, project: Project, rate: int) -> Segment | None:
    """One scene's premix and its analysis, from the cache or made now; placed at its first cue."""
    if not cues:
        return None
    origin = min(round(cue.start_s * rate) for cue in cues)
    layout = [
        (cue.kind.value, round(cue.start_s * rate) - origin, cue.gain_db, project.digest(str(cue.media)))
        for cue in cues
        if cue.media
    ]
    key = content_key(NAMESPACE, PREMIX_VERSION, layout, rate, config.duck_db)
    stored = project.cache.path(NAMESPACE, key, ".npy")
    if stored.is_file():
        project.cache.record(NAMESPACE, computed=False)
        packed = np.load(stored)
    else:
        stems = _lay_cues(cues, project.out, rate, origin)
        audio = premix(stems, duck_db=config.duck_db, sample_rate=rate).audio
        analysis = analyse(audio, rate)
        packed = np.column_stack([audio, analysis.envelope, analysis.energy]).astype(np.float32)
        with atomic_path(stored) as tmp, tmp.open("wb") as handle:
            np.save(handle, packed)
        project.cache.record(NAMESPACE, computed=True)
    return Segment(
        start=origin,
        audio=packed[:, :2],
        analysis=Analysis(envelope=packed[:, 2], energy=packed[:, 3]),
    )


def _lay_cues(cues: list[SoundCue], out_dir: Path, rate: int, origin: int) -> dict[str, np.ndarray]:
    """Every cue on its kind's stem at its offset from `origin`, with its gain; stems as long as the longest."""
    placed: list[tuple[str, int, np.ndarray]] = []
    for cue in cues:
        audio, file_rate = read_wav(out_dir / str(cue.media))
        if file_rate != rate:
            raise AudioError(f"{cue.media}: sample rate {file_rate} Hz, the mix runs at {rate} Hz; re-render the cue")
        if audio.ndim == 1 or audio.shape[1] == 1:
            audio = np.repeat(audio.reshape(-1, 1), 2, axis=1)
        placed.append(
            (cue.kind.value, round(cue.start_s * rate) - origin, audio * np.float32(10 ** (cue.gain_db / 20)))
        )
    length = max(offset + audio.shape[0] for _, offset, audio in placed)
    stems: dict[str, np.ndarray] = {}
    for kind, offset, audio in placed:
        stem = stems.setdefault(kind, np.zeros((length, 2), dtype=np.float32))
        stem[offset : offset + audio.shape[0]] += audio
    return stems
