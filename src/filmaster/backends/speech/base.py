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
    character: str = ""  # who speaks (a service picks the character's own voice)
    direction: str = ""  # the screenplay's parenthetical, for services that take a delivery ("whispering")


class SpeechBackend(Backend):
    KIND: ClassVar[str] = "speech"

    # Whether the voice itself performs the parenthetical (a service's delivery control); then the dialogue stage
    # only sets the line's level and perspective instead of reshaping a flat reading.
    PERFORMS_DELIVERY: ClassVar[bool] = False

    def voice_for(self, character: str, index: int) -> str | None:
        """The voice of the `index`-th character of the cast; None: the backend's default."""
        return None

    def voices(self) -> list[str]:
        """Distinct voices this backend offers (one per character where there are enough)."""
        return []

    @abstractmethod
    def synthesize(self, text: str, voice: VoiceSpec, sample_rate: int) -> np.ndarray:
        """Speak `text`; return float32 mono samples in [-1, 1] at `sample_rate`."""
