"""Contract of a music backend: a scene's mood and length in, a stereo score out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ...model import Mood, TimeOfDay
from ...project import Cache
from ..registry import Backend


@dataclass(frozen=True)
class MusicRequest:
    cue_id: str
    mood: Mood
    time_of_day: TimeOfDay
    interior: bool
    duration_s: float
    seed: int = 0
    accents_s: tuple[float, ...] = ()  # cue points (s from the cue's start): cuts and story beats the music marks
    theme: tuple[int, ...] = ()  # a leitmotif (semitones from the cue's tonic) stated in this cue
    theme_name: str = ""  # whose theme it is (a character or a place)
    beat_s: float | None = None  # a story beat (s from the cue's start): from here the cue plays louder and fuller


@dataclass(frozen=True)
class MusicResult:
    audio: np.ndarray  # float32, shape (samples, 2), in [-1, 1]
    midi: bytes | None = None  # the score as a Standard MIDI File, when the backend composes one
    description: str = ""  # e.g. "tense, 96 BPM, D minor, strings and low piano"


class MusicBackend(Backend):
    KIND: ClassVar[str] = "music"

    @abstractmethod
    def compose(self, request: MusicRequest, sample_rate: int, cache: Cache | None = None) -> MusicResult:
        """Return a cue exactly round(duration_s * sample_rate) samples long. `cache` (the project's) is where
        the backend may keep work that serves more than one request, such as a render that cues of other lengths
        are cut from."""
