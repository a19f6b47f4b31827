"""Stems as a re-recording mixer delivers them: one WAV per track (Dialogue, Foley, SFX, Background, Music) under
`media/stems/`, each as long as the picture, every cue at its place and its cue gain (before ducking and the
master's loudness gain, so the stems sum to the premix's input). A stem is rewritten only when its cues changed.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from ..atomic import atomic_path
from ..audio.wavio import read_wav, to_pcm16
from ..model import TRACK_NAMES, CueKind, Cut, SoundPlan
from ..project import Project, content_key

STEMS_VERSION = "1"
STEMS_DIR = "media/stems"  # in the film's folder
BLOCK = 48000 * 30  # samples written at a time


def stem_path(project: Project, kind: CueKind) -> Path:
    return project.out / STEMS_DIR / f"{TRACK_NAMES[kind].lower()}.wav"


def stem_references(out: Path) -> list[tuple[str, str]]:
    """(track name, path relative to `out`) of every stem written in the film's folder `out`: the timelines carry
    them as muted reference tracks."""
    found = []
    for kind in CueKind:
        relative = f"{STEMS_DIR}/{TRACK_NAMES[kind].lower()}.wav"
        if (out / relative).is_file():
            found.append((f"{TRACK_NAMES[kind]} stem (reference)", relative))
    return found


def write_stems(sound: SoundPlan, cut: Cut, project: Project) -> dict[CueKind, Path]:
    """Write every kind's stem (an empty kind gives a silent stem, so a session always has all five)."""
    rate = sound.sample_rate
    total = round(cut.frames / cut.fps * rate)
    written: dict[CueKind, Path] = {}
    keys = dict(project.manifest().get("stem_keys", {}))
    for kind in CueKind:
        cues = [c for c in sound.of_kind(kind) if c.media]
        target = stem_path(project, kind)
        media = project.media_digest([c.media for c in cues if c.media])
        key = content_key(
            "stem", STEMS_VERSION, kind.value, [(c.start_s, c.gain_db, c.media) for c in cues], media, total
        )
        if target.is_file() and keys.get(kind.value) == key:
            written[kind] = target
            continue
        _write_stem(
            target, [(round(c.start_s * rate), c.gain_db, project.out / str(c.media)) for c in cues], total, rate
        )
        keys[kind.value] = key
        written[kind] = target
    project.update_manifest(stem_keys=keys)
    return written


def _write_stem(target: Path, placed: list[tuple[int, float, Path]], total: int, rate: int) -> None:
    """Lay (first sample, gain dB, WAV) on a silent stem of `total` samples, written block by block: memory stays
    one block and the cues that sound in it, whatever the film's length."""
    placed = sorted(placed)
    playing: list[tuple[int, np.ndarray]] = []  # (first sample, scaled stereo audio) of the cues begun so far
    upcoming = 0  # index of the next cue in `placed` not yet loaded
    with atomic_path(target) as tmp, wave.open(str(tmp), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        for block_start in range(0, max(total, 1), BLOCK):
            block_end = min(total, block_start + BLOCK)
            while upcoming < len(placed) and placed[upcoming][0] < block_end:
                start, gain_db, path = placed[upcoming]
                audio, _ = read_wav(path)
                stereo = np.repeat(audio[:, :1], 2, axis=1) if audio.shape[1] == 1 else audio[:, :2]
                playing.append((start, stereo * np.float32(10 ** (gain_db / 20))))
                upcoming += 1
            block = np.zeros((block_end - block_start, 2), dtype=np.float32)
            for start, audio in playing:
                a, b = max(start, block_start), min(start + audio.shape[0], block_end)
                if a < b:
                    block[a - block_start : b - block_start] += audio[a - start : b - start]
            playing = [(start, audio) for start, audio in playing if start + audio.shape[0] > block_end]
            out.writeframes(to_pcm16(np.clip(block, -1.0, 1.0)).tobytes())
