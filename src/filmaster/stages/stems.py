"""Stems as a re-recording mixer delivers them: one WAV per track (Dialogue, Foley, SFX, Background, Music) under
`media/stems/`, each as long as the picture, every cue at its place and its cue gain (before ducking and the
master's loudness gain, so the stems sum to the premix's input). A stem is rewritten only when its cues changed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..audio.wavio import read_wav, write_wav
from ..model import TRACK_NAMES, CueKind, Cut, SoundPlan
from ..project import Project, content_key

STEMS_VERSION = "1"


def stem_path(project: Project, kind: CueKind) -> Path:
    return project.out / "media" / "stems" / f"{TRACK_NAMES[kind].lower()}.wav"


def write_stems(sound: SoundPlan, cut: Cut, project: Project) -> dict[CueKind, Path]:
    """Write every kind's stem (an empty kind gives a silent stem, so a session always has all five)."""
    rate = sound.sample_rate
    total = round(cut.frames / cut.fps * rate)
    written: dict[CueKind, Path] = {}
    keys = dict(project.manifest().get("stem_keys", {}))
    for kind in CueKind:
        cues = [c for c in sound.of_kind(kind) if c.media]
        target = stem_path(project, kind)
        media = project.media_digest([c.media for c in cues])
        key = content_key(
            "stem", STEMS_VERSION, kind.value, [(c.start_s, c.gain_db, c.media) for c in cues], media, total
        )
        if target.is_file() and keys.get(kind.value) == key:
            written[kind] = target
            continue
        stem = np.zeros((total, 2), dtype=np.float32)
        for cue in cues:
            audio, _ = read_wav(project.out / str(cue.media))
            if audio.ndim == 1 or audio.shape[1] == 1:
                audio = np.repeat(audio.reshape(-1, 1), 2, axis=1)
            start = round(cue.start_s * rate)
            end = min(total, start + audio.shape[0])
            if end > start:
                stem[start:end] += audio[: end - start] * np.float32(10 ** (cue.gain_db / 20))
        write_wav(target, np.clip(stem, -1.0, 1.0), rate)
        keys[kind.value] = key
        written[kind] = target
    project.update_manifest(stem_keys=keys)
    return written
