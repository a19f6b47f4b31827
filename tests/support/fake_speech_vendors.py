"""Local HTTP servers that speak the hosted text-to-speech and music APIs, for the speech and music backends' tests.

One threaded server on 127.0.0.1 speaks either ElevenLabs (`POST /v1/text-to-speech/{voice_id}?output_format=
pcm_<rate>`, key in `xi-api-key`, raw 16-bit PCM back) or OpenAI's audio API (`POST /v1/audio/speech`, bearer key,
WAV or raw 24 kHz PCM back), checks each request's fields as the vendor documents them (400/422 otherwise), and
answers a real recording: a tone whose pitch is the voice's own (`voice_hz`) and whose length follows the text
(`line_seconds`), so a test can tell from the samples which voice spoke and whether all of it arrived. Tests
script faults for the next requests: 401, 429 with Retry-After, 500, a reply slower than the client's timeout, a
truncated body. The ElevenLabs server also composes (`POST /v1/music`): an MP3 of `MUSIC_HZ`, as long as asked.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
import urllib.parse
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import numpy as np

from fake_http import QuietHandler, serving

KEY = "sk-speech-test-key"
ELEVENLABS_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
OPENAI_RATE = 24000
OPENAI_FORMATS = ("mp3", "opus", "aac", "flac", "wav", "pcm")
MUSIC_HZ = 440.0
MUSIC_LENGTH_MS = (3000, 600000)


def voice_hz(voice_id: str) -> float:
    """The pitch the fake gives a voice: 160-540 Hz in steps of 20, from its id."""
    return 160.0 + 20.0 * (int(hashlib.sha256(voice_id.encode()).hexdigest(), 16) % 20)


def line_seconds(text: str) -> float:
    return 0.3 + 0.04 * len(text)


def recording(voice_id: str, text: str, rate: int) -> np.ndarray:
    """16-bit samples of the voice's tone, faded in and out, as long as the text asks."""
    t = np.arange(round(line_seconds(text) * rate)) / rate
    envelope = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.02)
    return (0.4 * envelope * np.sin(2 * np.pi * voice_hz(voice_id) * t) * 32767).astype("<i2")


def mp3_tone(hz: float, seconds: float, rate: int) -> bytes:
    """A stereo MP3 (libmp3lame through PyAV) of one tone."""
    import av

    out = io.BytesIO()
    with av.open(out, mode="w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=rate, layout="stereo")
        t = np.arange(round(seconds * rate)) / rate
        tone = (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)
        block = stream.codec_context.frame_size or 1152
        for start in range(0, tone.size, block):
            chunk = np.ascontiguousarray(np.stack([tone[start : start + block]] * 2))
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
            frame.sample_rate = rate
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out.getvalue()


@dataclass
class Fault:
    kind: str  # "401", "429", "500", "slow", "truncated"
    retry_after: str = "0.05"
    slow_s: float = 1.5


@dataclass
class Server:
    vendor: str  # "elevenlabs" or "openai"
    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)  # every request that reached it: path, body
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def next_fault(self) -> Fault | None:
        with self.lock:
            return self.faults.pop(0) if self.faults else None


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.raw_body()
            parsed = urllib.parse.urlsplit(self.path)
            try:
                request = json.loads(body or b"{}")
            except ValueError:
                request = None
            with server.lock:
                server.requests.append({"path": parsed.path, "query": parsed.query, "body": request})
            fault = server.next_fault()
            if fault and fault.kind == "slow":
                time.sleep(fault.slow_s)
            if fault and fault.kind in ("401", "429", "500"):
                return self._error(int(fault.kind), fault)
            if not self._authorised():
                return self._error(401, None)
            if not isinstance(request, dict):
                return self._json(400, {"detail": "body is not JSON"})
            answer = (self._elevenlabs if server.vendor == "elevenlabs" else self._openai)(parsed, request)
            if answer is None:
                return None
            audio, content_type = answer
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(audio)))
            self.end_headers()
            if fault and fault.kind == "truncated":
                self.wfile.write(audio[: len(audio) // 2 + 1])  # half of it, then the connection drops
                self.wfile.flush()
                self.close_connection = True
                return None
            self.wfile.write(audio)
            return None

        def _authorised(self) -> bool:
            if server.vendor == "elevenlabs":
                return self.headers.get("xi-api-key") == KEY
            return self.headers.get("Authorization") == f"Bearer {KEY}"

        def _elevenlabs(self, parsed: urllib.parse.SplitResult, request: dict[str, Any]) -> tuple[bytes, str] | None:
            if parsed.path == "/v1/music":
                return self._music(parsed, request)
            prefix = "/v1/text-to-speech/"
            if not parsed.path.startswith(prefix):
                self._json(404, {"detail": "Not Found"})
                return None
            voice_id = urllib.parse.unquote(parsed.path[len(prefix) :])
            output = urllib.parse.parse_qs(parsed.query).get("output_format", ["mp3_44100_128"])[0]
            rate = int(output.removeprefix("pcm_")) if output.startswith("pcm_") else 0
            settings = request.get("voice_settings") or {}
            problems = [
                *(["text is required"] if not isinstance(request.get("text"), str) or not request["text"] else []),
                *([f"output_format {output} is not served here"] if rate not in ELEVENLABS_RATES else []),
                *[
                    f"{k} must be in [0, 1]"
                    for k in ("stability", "similarity_boost", "style")
                    if k in settings and not 0.0 <= settings[k] <= 1.0
                ],
                *(["speed must be in [0.7, 1.2]"] if not 0.7 <= settings.get("speed", 1.0) <= 1.2 else []),
            ]
            if problems:
                self._json(422, {"detail": [{"loc": ["body"], "msg": p, "type": "value_error"} for p in problems]})
                return None
            return recording(voice_id, request["text"], rate).tobytes(), "application/octet-stream"

        def _music(self, parsed: urllib.parse.SplitResult, request: dict[str, Any]) -> tuple[bytes, str] | None:
            output = urllib.parse.parse_qs(parsed.query).get("output_format", ["mp3_44100_128"])[0]
            length = request.get("music_length_ms")
            problems = [
                *(["prompt is required"] if not isinstance(request.get("prompt"), str) or not request["prompt"]
                  else []),
                *([f"music_length_ms must be in {MUSIC_LENGTH_MS}"]
                  if not isinstance(length, int) or not MUSIC_LENGTH_MS[0] <= length <= MUSIC_LENGTH_MS[1] else []),
                *([f"output_format {output} is not served here"] if output != "mp3_44100_128" else []),
            ]  # fmt: skip
            if problems:
                self._json(422, {"detail": [{"loc": ["body"], "msg": p, "type": "value_error"} for p in problems]})
                return None
            return mp3_tone(MUSIC_HZ, length / 1000.0, 44100), "audio/mpeg"

        def _openai(self, parsed: urllib.parse.SplitResult, request: dict[str, Any]) -> tuple[bytes, str] | None:
            if parsed.path != "/v1/audio/speech":
                self._json(404, {"error": {"message": "Not found", "type": "invalid_request_error"}})
                return None
            model, text, voice = request.get("model"), request.get("input"), request.get("voice")
            fmt = request.get("response_format", "mp3")
            problems = [
                *(
                    ["input is required (at most 4096 characters)"]
                    if not isinstance(text, str) or not text or len(text) > 4096
                    else []
                ),
                *(["model is required"] if not model else []),
                *(["voice is required"] if not voice else []),
                *([f"response_format {fmt} is not one of {OPENAI_FORMATS}"] if fmt not in OPENAI_FORMATS else []),
                *([f"this fake serves only wav and pcm, not {fmt}"] if fmt not in ("wav", "pcm") else []),
                *(["speed must be between 0.25 and 4.0"] if not 0.25 <= request.get("speed", 1.0) <= 4.0 else []),
                *(
                    [f"instructions are not supported with {model}"]
                    if "instructions" in request and model in ("tts-1", "tts-1-hd")
                    else []
                ),
            ]
            if problems:
                self._json(400, {"error": {"message": "; ".join(problems), "type": "invalid_request_error"}})
                return None
            samples = recording(str(voice), str(text), OPENAI_RATE)
            if fmt == "pcm":
                return samples.tobytes(), "audio/pcm"
            out = io.BytesIO()
            with wave.open(out, "wb") as wav:
                wav.setnchannels(1)
                wav.setsampwidth(2)
                wav.setframerate(OPENAI_RATE)
                wav.writeframes(samples.tobytes())
            return out.getvalue(), "audio/wav"

        def _error(self, status: int, fault: Fault | None) -> None:
            if server.vendor == "elevenlabs":
                detail = {
                    401: {"status": "invalid_api_key", "message": "Invalid API key"},
                    429: {"status": "too_many_concurrent_requests", "message": "Too many concurrent requests"},
                    500: {"status": "internal_error", "message": "Internal server error"},
                }[status]
                payload: dict[str, Any] = {"detail": detail}
            else:
                message = {401: "Incorrect API key provided", 429: "Rate limit reached", 500: "The server had an error"}
                payload = {"error": {"message": message[status], "type": "invalid_request_error"}}
            headers = {"Retry-After": fault.retry_after} if fault and status == 429 else {}
            self._json(status, payload, headers)

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            self.send_json(status, payload, headers)

    return Handler


@contextmanager
def serve(vendor: str) -> Iterator[Server]:
    """A fake of `vendor` on a free port of 127.0.0.1; `Server.url` is the base_url a backend is given."""
    server = Server(vendor)
    with serving(_handler(server)) as root:
        server.url = root if vendor == "elevenlabs" else f"{root}/v1"
        yield server
