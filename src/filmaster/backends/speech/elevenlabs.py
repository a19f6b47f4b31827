"""ElevenLabs text-to-speech (`POST /v1/text-to-speech/{voice_id}`), one premade voice per character.

The key travels in the `xi-api-key` header (from ELEVENLABS_API_KEY). Audio is asked as raw 16-bit PCM
(`output_format=pcm_<rate>`) at the project's rate where the service offers it, so nothing is lost to a codec.
The parenthetical is passed where the model takes it: an eleven_v3 model reads it as an audio tag
(`[whispering] ...`); the v2 models get a less stable, more stylised reading through `voice_settings`.
"""

from __future__ import annotations

import urllib.parse
from typing import ClassVar

import numpy as np

from ..video.remote import JobClient
from .base import VoiceSpec
from .remote import RemoteSpeechBackend, pcm16

PCM_RATES = (8000, 16000, 22050, 24000, 44100, 48000)  # the documented pcm_<rate> output formats
SPEED_RANGE = (0.7, 1.2)  # what voice_settings.speed accepts


class ElevenLabsSpeechBackend(RemoteSpeechBackend):
    NAME: ClassVar[str] = "elevenlabs"
    KEY_ENV: ClassVar[str] = "ELEVENLABS_API_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.elevenlabs.io"
    DEFAULT_MODEL: ClassVar[str] = "eleven_multilingual_v2"
    # Premade voices: George, Rachel, Adam, Sarah, Antoni, Elli.
    DEFAULT_VOICES: ClassVar[tuple[str, ...]] = (
        "JBFqnCBsd6RMkjVDRZzb", "21m00Tcm4TlvDq8ikWAM", "pNInz6obpgDQGcFmaJgB",
        "EXAVITQu4vr4xnSDxMaL", "ErXwobaYiN019PkySvjV", "MF3mGyEYCl7XYWbV9V6O",
    )  # fmt: skip
    PRICE_PER_1K_CHARS: ClassVar[float] = 0.10

    def api_headers(self, key: str) -> dict[str, str]:
        return {"xi-api-key": key, "Accept": "audio/pcm"}

    def speak(
        self, client: JobClient, text: str, voice: VoiceSpec, voice_id: str, sample_rate: int
    ) -> tuple[np.ndarray, int]:
        rate = sample_rate if sample_rate in PCM_RATES else next((r for r in PCM_RATES if r >= sample_rate), 44100)
        url = f"{self.base_url}/v1/text-to-speech/{urllib.parse.quote(voice_id, safe='')}?output_format=pcm_{rate}"
        return pcm16(client.raw("POST", url, self.request_body(text, voice)), self.NAME), rate

    def request_body(self, text: str, voice: VoiceSpec) -> dict[str, object]:
        direction = " ".join(voice.direction.strip("() ").split())
        speed = min(max(voice.rate, SPEED_RANGE[0]), SPEED_RANGE[1])
        if self.model.startswith("eleven_v3"):
            # v3 performs audio tags; its stability is one of 0 (creative), 0.5 (natural), 1 (robust).
            spoken = f"[{direction}] {text}" if direction else text
            settings = {"stability": 0.0 if direction else 0.5, "similarity_boost": 0.75, "speed": speed}
        else:
            spoken = text
            settings = {
                "stability": 0.3 if direction else 0.5,  # lower: a more varied, emotional reading
                "similarity_boost": 0.75,
                "style": 0.5 if direction else 0.0,
                "use_speaker_boost": True,
                "speed": speed,
            }
        return {"text": spoken, "model_id": self.model, "voice_settings": settings}
