"""What the hosted text-to-speech services have in common: one request per line, audio back at once.

`RemoteSpeechBackend` is the base of the vendor modules (elevenlabs.py, openai_tts.py). It reads the API key from
the environment only, picks each character's voice (the `voices` map of the settings, else the vendor's default
voices in cast order, so two characters never share one while there are enough), estimates the line's cost from
its characters and reserves it in the run's `CostBudget` (`--max-cost`) before asking, and brings the answer to
the project's sample rate and the level of every other line. The HTTP exchange is the video backends' `JobClient`:
401/403 are raised at once; 429, 5xx and 408 are retried with back-off, as is a connection refused before anything
was sent. A line is a purchase (`JobClient.purchase`): when its answer is lost after the request may have reached
the service (a timeout, a reset, a reply cut short) it is not asked for again — neither ElevenLabs nor OpenAI
documents an idempotency key for speech (ElevenLabs' request ids only join lines for prosody) — and the line falls
back with the note "may have been billed; not re-sent".

A failure raises (`GenerationError`, `BackendUnavailableError`, `CostLimitError`): the sound stage then has the
line spoken by Piper instead, with a note, and the service is asked again on the next run.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

import numpy as np

from ...audio.dsp import fade, resample, trim_silence
from ...budget import CostBudget
from ...errors import ConfigError, GenerationError
from ..keys import env_api_key
from ..video.remote import JobClient
from .base import SpeechBackend, VoiceSpec
from .piper import level_line, speakable

_EDGE_S = 0.05
_FADE_S = 0.01
_SILENT_LINE_S = 0.25
# How reaching, waiting for and paying the service is set: none of it changes a sample of the answer.
TRANSPORT_SETTINGS = frozenset({"base_url", "timeout_s", "max_retries", "price_per_1k_chars"})
COMMON_SETTINGS = TRANSPORT_SETTINGS | {"model", "voices", "default_voices"}


class RemoteSpeechBackend(SpeechBackend):
    """Settings: `base_url`, `model`, `voices` (character name → voice id), `default_voices` (the voices given in
    cast order to characters the map does not name), `price_per_1k_chars` (USD), `timeout_s`, `max_retries`."""

    KEY_ENV: ClassVar[str]
    DEFAULT_BASE_URL: ClassVar[str]
    DEFAULT_MODEL: ClassVar[str]
    DEFAULT_VOICES: ClassVar[tuple[str, ...]]
    PRICE_PER_1K_CHARS: ClassVar[float]  # USD, the vendor's list price at the default model
    SETTINGS: ClassVar[frozenset[str] | None] = COMMON_SETTINGS
    PERFORMS_DELIVERY: ClassVar[bool] = True
    REMOTE: ClassVar[bool] = True

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.base_url = str(settings.get("base_url", self.DEFAULT_BASE_URL)).rstrip("/")
        self.model = str(settings.get("model", self.DEFAULT_MODEL))
        self.price_per_1k_chars = float(settings.get("price_per_1k_chars", self.PRICE_PER_1K_CHARS))
        voices = settings.get("voices", {})
        defaults = settings.get("default_voices", list(self.DEFAULT_VOICES))
        if not isinstance(voices, dict) or not all(isinstance(v, str) and v for v in voices.values()):
            raise ConfigError('[backends.settings.speech] voices must map names to voice ids, e.g. { ANNA = "..." }')
        if not isinstance(defaults, list) or not defaults or not all(isinstance(v, str) and v for v in defaults):
            raise ConfigError("[backends.settings.speech] default_voices must be a non-empty list of voice ids")
        self.voice_map = {str(name).upper(): voice for name, voice in voices.items()}
        self.default_voices = tuple(defaults)
        self.budget = CostBudget(None)  # the run's budget, shared with the video stage (see `use_budget`)

    def use_budget(self, budget: CostBudget) -> None:
        self.budget = budget

    @property
    def cache_identity(self) -> dict[str, Any]:
        settings = {k: v for k, v in self.settings.items() if k not in TRANSPORT_SETTINGS}
        return {"backend": self.NAME, "version": self.VERSION, "model": self.model, "settings": settings}

    def voices(self) -> list[str]:
        return list(dict.fromkeys([*self.voice_map.values(), *self.default_voices]))

    def voice_for(self, character: str, index: int) -> str | None:
        return self.voice_map.get(character.upper()) or self.default_voices[index % len(self.default_voices)]

    def api_key(self) -> str:
        return env_api_key("speech", self.NAME, self.KEY_ENV)

    def client(self) -> JobClient:
        return JobClient(
            self.NAME,
            self.api_headers(self.api_key()),
            timeout_s=float(self.settings.get("timeout_s", 60.0)),
            max_retries=int(self.settings.get("max_retries", 4)),
        )

    def estimate_cost(self, text: str) -> float:
        return round(len(text) / 1000.0 * self.price_per_1k_chars, 6)

    # -- what a vendor module provides --------------------------------------------------------------------------
    def api_headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    @abstractmethod
    def speak(
        self, client: JobClient, text: str, voice: VoiceSpec, voice_id: str, sample_rate: int
    ) -> tuple[np.ndarray, int]:
        """Ask the service for one line; return its samples (float32 mono) and their sample rate."""

    # -- shared machinery ---------------------------------------------------------------------------------------
    def synthesize(self, text: str, voice: VoiceSpec, sample_rate: int) -> np.ndarray:
        words = speakable(text)
        if not any(ch.isalnum() for ch in words):
            return np.zeros(round(_SILENT_LINE_S * sample_rate), dtype=np.float32)
        voice_id = voice.voice or self.default_voices[0]
        client = self.client()  # a missing key fails here, before anything is counted as spent
        self.budget.reserve(self.estimate_cost(words), "voices")
        samples, native_rate = self.speak(client, words, voice, voice_id, sample_rate)
        if samples.size == 0 or not np.any(samples):
            raise GenerationError(f"{self.NAME}: the service answered no audio for {words[:40]!r}")
        audio = resample(samples, native_rate, sample_rate) if native_rate != sample_rate else samples
        audio = trim_silence(audio, sample_rate, threshold_db=-40.0, keep_s=_EDGE_S)
        return level_line(fade(audio, sample_rate, _FADE_S, _FADE_S))


def pcm16(data: bytes, vendor: str) -> np.ndarray:
    """Signed 16-bit little-endian mono samples as float32 in [-1, 1]; an odd byte count is a cut-short reply."""
    if len(data) % 2:
        raise GenerationError(f"{vendor}: the audio ends mid-sample ({len(data)} bytes); the reply was cut short")
    return (np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0).copy()
