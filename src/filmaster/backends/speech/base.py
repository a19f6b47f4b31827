"""Contract of a speech backend: text and a voice in, mono samples out."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..registry import Backend


@dataclass(frozen=True)
class VoiceSpec:
    voice: str | None = None  # a backend-specific voice id; None = the backend's default
    pitch: float = 1.0  # pitch factor (1 = natural)
    rate: float = 1.0  # speaking-rate factor (>1 faster)


class SpeechBackend(Backend):
    KIND: ClassVar[str] = "speech"

    def voices(self) -> list[str]:
        """Distinct voices this backend offers (one per character where there are enough)."""
        return []

    @abstractmethod
    def synthesize(self, text: str, voice: VoiceSpec, sample_rate: int) -> np.ndarray:
        """Speak `text`; return float32 mono samples in [-1, 1] at `sample_rate`."""
