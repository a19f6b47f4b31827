"""Scene cues from ElevenLabs Music (`POST /v1/music`): a prompt written from the scene, an instrumental track of
the cue's length, decoded and fitted to the cue's exact samples.

The prompt carries what the MIDI score reads from the scene — its mood, time of day, inside or outside, whose
theme plays, where the cue swells (the story beat) and the cuts it marks — in words, since the service takes no
notes. The key is ELEVENLABS_API_KEY (`xi-api-key` header); 401/403 are not retried, 429/5xx are; a cue whose
answer is lost after it was sent (a timeout, a cut-short reply) is not asked again, as it may have been billed
(`JobClient.purchase`). The answer (MP3 by default, the API's documented default) is
decoded with PyAV, resampled to the project's rate, made stereo and cut or padded to the cue with short fades.
Each cue's cost (USD per minute of music) is reserved in the run's budget (`--max-cost`) before it is asked; a cue
the service cannot make is scored by the MIDI score instead (stages/sound.py), and asked again on the next run.
"""

from __future__ import annotations

import io
import math
from typing import Any, ClassVar

import numpy as np

from ...audio.dsp import fade, resample
from ...budget import CostBudget
from ...errors import ConfigError, GenerationError
from ...project import Cache
from ..keys import env_api_key
from ..speech.remote import pcm16
from ..video.remote import JobClient
from .base import MusicBackend, MusicRequest, MusicResult

TRANSPORT_SETTINGS = frozenset({"base_url", "timeout_s", "max_retries", "price_per_minute"})
LENGTH_MS = (3000, 600000)  # the lengths the API composes
_EDGE_FADE_S = 0.5
_PEAK = 0.5  # about -6 dBFS: the mix sets the music's level, this keeps headroom like the MIDI score's renders


class ElevenLabsMusicBackend(MusicBackend):
    """Settings: `model` (music_v1), `output_format` (mp3_44100_128), `style` (words added to every prompt, e.g.
    "string quartet"), `price_per_minute` (USD), `base_url`, `timeout_s`, `max_retries`."""

    NAME: ClassVar[str] = "elevenlabs-music"
    KEY_ENV: ClassVar[str] = "ELEVENLABS_API_KEY"
    REMOTE: ClassVar[bool] = True
    SETTINGS: ClassVar[frozenset[str] | None] = TRANSPORT_SETTINGS | {"model", "output_format", "style"}
    PRICE_PER_MINUTE: ClassVar[float] = 0.80

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.base_url = str(settings.get("base_url", "https://api.elevenlabs.io")).rstrip("/")
        self.model = str(settings.get("model", "music_v1"))
        self.output_format = str(settings.get("output_format", "mp3_44100_128"))
        if not self.output_format.startswith(("mp3_", "opus_", "pcm_")):
            raise ConfigError(f"[backends.settings.music] output_format {self.output_format!r}: use e.g. mp3_44100_128")
        self.price_per_minute = float(settings.get("price_per_minute", self.PRICE_PER_MINUTE))
        self.budget = CostBudget(None)

    def use_budget(self, budget: CostBudget) -> None:
        self.budget = budget

    @property
    def cache_identity(self) -> dict[str, Any]:
        settings = {k: v for k, v in self.settings.items() if k not in TRANSPORT_SETTINGS}
        return {"backend": self.NAME, "version": self.VERSION, "model": self.model, "settings": settings}

    def length_ms(self, request: MusicRequest) -> int:
        return min(max(math.ceil(request.duration_s * 1000), LENGTH_MS[0]), LENGTH_MS[1])

    def estimate_cost(self, request: MusicRequest) -> float:
        return round(self.length_ms(request) / 60000 * self.price_per_minute, 4)

    def prompt(self, request: MusicRequest) -> str:
        place = "interior" if request.interior else "exterior"
        parts = [
            f"Instrumental film score cue, {request.mood.value} mood, for a {request.time_of_day.value} {place} scene.",
            str(self.settings.get("style", "")).strip(),
        ]
        if request.theme_name:
            parts.append(f"State {request.theme_name.title()}'s recurring theme as a short melody.")
        if request.beat_s is not None:
            parts.append(f"Quiet and sparse until {request.beat_s:.1f} s, then fuller and louder to the end.")
        if request.accents_s:
            parts.append("Soft accents at " + ", ".join(f"{t:.1f} s" for t in request.accents_s[:8]) + ".")
        parts.append("No vocals.")
        return " ".join(p for p in parts if p)

    def api_key(self) -> str:
        return env_api_key("music", self.NAME, self.KEY_ENV)

    def compose(self, request: MusicRequest, sample_rate: int, cache: Cache | None = None) -> MusicResult:
        client = JobClient(
            self.NAME,
            {"xi-api-key": self.api_key()},
            timeout_s=float(self.settings.get("timeout_s", 300.0)),  # a long cue takes minutes to compose
            max_retries=int(self.settings.get("max_retries", 3)),
        )
        self.budget.reserve(self.estimate_cost(request), "music")
        prompt = self.prompt(request)
        body = {
            "prompt": prompt,
            "music_length_ms": self.length_ms(request),
            "model_id": self.model,
            "force_instrumental": True,
        }
        reply = client.purchase(f"{self.base_url}/v1/music?output_format={self.output_format}", body)
        if self.output_format.startswith("pcm_"):  # raw 16-bit mono, no header to read the rate from
            rate = int(self.output_format.split("_")[1])
            audio = np.repeat(pcm16(reply, self.NAME)[:, None], 2, axis=1)
        else:
            audio, rate = decode_audio(reply, self.NAME)
        if rate != sample_rate:
            audio = resample(audio, rate, sample_rate)
        return MusicResult(audio=fit_cue(audio, request.duration_s, sample_rate), description=prompt)


def decode_audio(data: bytes, vendor: str) -> tuple[np.ndarray, int]:
    """Stereo float32 samples of an encoded reply (MP3, Opus) and their rate."""
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            stream = container.streams.audio[0]
            rate = stream.rate
            chunks = [frame.to_ndarray().astype(np.float32) for frame in container.decode(stream)]
            layout = stream.layout.nb_channels if stream.layout else 1
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise GenerationError(f"{vendor}: the music does not decode ({exc}); the reply may be cut short") from None
    if not chunks:
        raise GenerationError(f"{vendor}: the music holds no audio")
    # Planar frames are (channels, n); packed ones (1, n × channels).
    planar = np.concatenate(chunks, axis=1)
    samples = planar.T if planar.shape[0] == layout else planar.reshape(-1, layout)
    stereo = np.repeat(samples[:, :1], 2, axis=1) if samples.shape[1] == 1 else samples[:, :2]
    return np.ascontiguousarray(stereo, dtype=np.float32), int(rate)


def fit_cue(audio: np.ndarray, duration_s: float, sample_rate: int) -> np.ndarray:
    """Exactly the cue's samples: a longer answer cut, a shorter one padded with silence; faded at both ends, and
    brought to the same peak as every cue."""
    n = round(duration_s * sample_rate)
    out = np.zeros((n, 2), dtype=np.float32)
    out[: min(n, audio.shape[0])] = audio[:n]
    edge = min(_EDGE_FADE_S, duration_s / 4)
    out = fade(out, sample_rate, edge, edge)
    peak = float(np.abs(out).max())
    return out * (_PEAK / peak) if peak > 0 else out
