"""A scene's rendered cues as its stems, read a stretch at a time (`audio.scene_premix.SceneStems`): each cue on
its kind's stem at its offset from the scene's first cue, with its gain. A stretch reads only the cues that sound
in it, and only their part of each file, so a scene of any length is premixed from a few blocks' memory."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..audio.wavio import read_wav_span, wav_format
from ..errors import AudioError
from ..model import CueKind, SoundCue

DIALOGUE = CueKind.DIALOGUE.value


@dataclass(frozen=True)
class _Laid:
    kind: str
    offset: int  # samples from the scene's first cue
    frames: int
    path: Path
    gain: np.float32
    unlevelled: np.float32  # what the compressor hears of a line: its delivery's level taken off


class CueStems:
    """The stems of a scene whose first cue starts at sample `origin` of the film. With them, what the dialogue
    compressor listens to: the lines without their delivery's level (None if none has one), so a whispered line
    keeps its 12 dB under a spoken one through the compressor."""

    def __init__(self, cues: list[SoundCue], out_dir: Path, rate: int, origin: int) -> None:
        laid = []
        for cue in cues:
            path = out_dir / str(cue.media)
            frames, file_rate = wav_format(path)
            if file_rate != rate:
                raise AudioError(
                    f"{cue.media}: sample rate {file_rate} Hz, the mix runs at {rate} Hz; re-render the cue"
                )
            gain, unlevelled = np.float32(10 ** (cue.gain_db / 20)), np.float32(10 ** (-cue.delivery_db / 20))
            laid.append(_Laid(cue.kind.value, round(cue.start_s * rate) - origin, frames, path, gain, unlevelled))
        self._laid = laid
        self._starts = np.array([c.offset for c in laid])
        self._ends = self._starts + np.array([c.frames for c in laid])
        self.samples = int(self._ends.max())
        self.kinds = tuple(dict.fromkeys(c.kind for c in laid))  # in the order the cues bring them
        self.keyed = any(cue.delivery_db and cue.kind.value == DIALOGUE for cue in cues)

    def read(
        self, lo: int, hi: int, kinds: Collection[str] | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Samples [lo, hi) of the stems of `kinds` (the scene's when None; silence for a kind it has no cue
        of), and of the compressor's key (None: the dialogue itself, or no dialogue asked for)."""
        stems = {k: np.zeros((hi - lo, 2), dtype=np.float32) for k in (self.kinds if kinds is None else kinds)}
        detector = np.zeros((hi - lo, 2), dtype=np.float32) if self.keyed and DIALOGUE in stems else None
        for index in np.flatnonzero((self._starts < hi) & (self._ends > lo)).tolist():  # in the cues' order
            cue = self._laid[index]
            if cue.kind not in stems:
                continue
            first = max(lo, cue.offset)
            audio, _ = read_wav_span(cue.path, first - cue.offset, min(hi, cue.offset + cue.frames) - cue.offset)
            if audio.shape[1] == 1:
                audio = np.repeat(audio, 2, axis=1)
            gained = audio * cue.gain
            place = slice(first - lo, first - lo + gained.shape[0])
            stems[cue.kind][place] += gained
            if detector is not None and cue.kind == DIALOGUE:
                detector[place] += gained * cue.unlevelled
        return stems, detector
