"""OpenAI-compatible text-to-speech (`POST /v1/audio/speech`): OpenAI itself, or any server speaking its API
(local Kokoro or Piper servers, hosted gateways), with `base_url`.

The key is a bearer token from OPENAI_API_KEY. Audio is asked as WAV, which names its own sample rate (OpenAI
answers 24 kHz; other servers differ), and is resampled to the project's. The parenthetical goes into
`instructions` ("Speak whispering.") for the models that take it (gpt-4o-mini-tts; tts-1 and tts-1-hd do not),
the character's pace into `speed`.
"""

from __future__ import annotations

import io
import wave
from typing import ClassVar

import numpy as np

from ...errors import GenerationError
from ..video.remote import JobClient
from .base import VoiceSpec
from .remote import RemoteSpeechBackend, pcm16

WITHOUT_INSTRUCTIONS = ("tts-1", "tts-1-hd")
SPEED_RANGE = (0.25, 4.0)


class OpenAITTSSpeechBackend(RemoteSpeechBackend):
    NAME: ClassVar[str] = "openai-tts"
    KEY_ENV: ClassVar[str] = "OPENAI_API_KEY"
    DEFAULT_BASE_URL: ClassVar[str] = "https://api.openai.com/v1"
    DEFAULT_MODEL: ClassVar[str] = "gpt-4o-mini-tts"
    DEFAULT_VOICES: ClassVar[tuple[str, ...]] = ("alloy", "coral", "onyx", "nova", "echo", "sage", "ash", "shimmer")
    PRICE_PER_1K_CHARS: ClassVar[float] = 0.015  # tts-1's list price; gpt-4o-mini-tts bills about the same

    def speak(
        self, client: JobClient, text: str, voice: VoiceSpec, voice_id: str, sample_rate: int
    ) -> tuple[np.ndarray, int]:
        reply = client.raw("POST", f"{self.base_url}/audio/speech", self.request_body(text, voice, voice_id))
        return read_wav_reply(reply, self.NAME)

    def request_body(self, text: str, voice: VoiceSpec, voice_id: str) -> dict[str, object]:
        body: dict[str, object] = {
            "model": self.model,
            "input": text,
            "voice": voice_id,
            "response_format": "wav",
            "speed": round(min(max(voice.rate, SPEED_RANGE[0]), SPEED_RANGE[1]), 3),
        }
        direction = " ".join(voice.direction.strip("() ").split())
        if direction and self.model not in WITHOUT_INSTRUCTIONS:
            body["instructions"] = f"Speak {direction}."
        return body


def read_wav_reply(data: bytes, vendor: str) -> tuple[np.ndarray, int]:
    """Mono 16-bit samples of a WAV reply and its rate. A streamed WAV may give its data chunk a placeholder
    size; the bytes that arrived are what counts."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reply:
            channels, width, rate = reply.getnchannels(), reply.getsampwidth(), reply.getframerate()
            frames = reply.readframes(reply.getnframes())
    except (wave.Error, EOFError) as exc:
        raise GenerationError(
            f"{vendor}: the reply is not a readable WAV ({exc}); the service may have failed"
        ) from None
    if width != 2:
        raise GenerationError(f"{vendor}: the WAV has {8 * width}-bit samples; 16-bit PCM was expected")
    if len(frames) % (2 * channels):
        raise GenerationError(f"{vendor}: the audio ends mid-sample; the reply was cut short")
    return pcm16(frames, vendor).reshape(-1, channels).mean(axis=1).astype(np.float32), rate
