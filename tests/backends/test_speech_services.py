"""The ElevenLabs and OpenAI-compatible speech backends against local servers that speak each vendor's API
(tests/support/fake_speech_vendors.py): the voice each character gets, the parenthetical passed on, the answer
decoded to the project's rate (measured on the samples: the voice's pitch and the line's length), the cost, and
the failure rules (401 at once; 429, 500, timeouts and cut-short replies retried)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from fake_speech_vendors import KEY, Fault, line_seconds, serve, voice_hz
from filmaster.backends.speech.base import VoiceSpec
from filmaster.backends.speech.elevenlabs import ElevenLabsSpeechBackend
from filmaster.backends.speech.openai_tts import OpenAITTSSpeechBackend
from filmaster.budget import CostBudget
from filmaster.errors import BackendUnavailableError, CostLimitError, GenerationError
from project_entry_points import project_backends  # noqa: F401  (fixture)

BACKENDS = {"elevenlabs": ElevenLabsSpeechBackend, "openai": OpenAITTSSpeechBackend}
ENV = {"elevenlabs": "ELEVENLABS_API_KEY", "openai": "OPENAI_API_KEY"}
LINE = "Is it late, or is it early?"


@pytest.fixture(params=["elevenlabs", "openai"])
def vendor(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(ENV[request.param], KEY)
    return request.param


def _backend(vendor: str, url: str, **settings: object):
    return BACKENDS[vendor](base_url=url, timeout_s=0.5, max_retries=2, **settings)


def dominant_hz(audio: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.fft.rfftfreq(audio.size, 1.0 / rate)[np.argmax(spectrum)])


@pytest.mark.parametrize("rate", [48000, 32000])
def test_line_comes_back_at_the_project_rate_with_its_voice_and_length(vendor: str, rate: int) -> None:
    with serve(vendor) as server:
        backend = _backend(vendor, server.url)
        voice = backend.voice_for("ANNA", 0)
        audio = backend.synthesize(LINE, VoiceSpec(voice=voice, character="ANNA"), rate)
    assert audio.dtype == np.float32 and np.abs(audio).max() <= 1.0
    assert abs(dominant_hz(audio, rate) - voice_hz(voice)) < 3.0  # the voice's own pitch survived the resampling
    assert abs(audio.size / rate - line_seconds(LINE)) < 0.12  # all of the line (edges trimmed to 50 ms)
    if vendor == "elevenlabs":  # asked at the project's rate where offered, else the next one up
        assert server.requests[0]["query"] == f"output_format=pcm_{48000 if rate == 48000 else 44100}"


def test_each_character_gets_its_own_voice_and_the_map_wins(vendor: str) -> None:
    with serve(vendor) as server:
        backend = _backend(vendor, server.url, voices={"Ben": "my-cloned-voice"})
        anna, ben, cleo = (backend.voice_for(name, i) for i, name in enumerate(("ANNA", "BEN", "CLEO")))
        assert ben == "my-cloned-voice" and len({anna, ben, cleo}) == 3
        pitches = [dominant_hz(backend.synthesize(LINE, VoiceSpec(voice=v), 24000), 24000) for v in (anna, ben)]
    assert abs(pitches[0] - pitches[1]) > 10.0  # told apart from the samples


def test_elevenlabs_delivery_in_voice_settings_or_v3_audio_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)
    with serve("elevenlabs") as server:
        flat = VoiceSpec(voice="v1", rate=1.5)
        whisper = VoiceSpec(voice="v1", direction="(whispering)")
        _backend("elevenlabs", server.url).synthesize(LINE, flat, 24000)
        _backend("elevenlabs", server.url).synthesize(LINE, whisper, 24000)
        _backend("elevenlabs", server.url, model="eleven_v3").synthesize(LINE, whisper, 24000)
    plain, v2, v3 = (r["body"] for r in server.requests)
    assert plain["text"] == LINE and plain["voice_settings"]["speed"] == 1.2  # clamped to the documented range
    assert plain["model_id"] == "eleven_multilingual_v2" and plain["voice_settings"]["style"] == 0.0
    assert v2["text"] == LINE and v2["voice_settings"]["stability"] < plain["voice_settings"]["stability"]
    assert v2["voice_settings"]["style"] > 0
    assert v3["text"] == f"[whispering] {LINE}" and v3["voice_settings"]["stability"] in (0.0, 0.5, 1.0)
    assert all(r["path"] == "/v1/text-to-speech/v1" for r in server.requests)


def test_openai_delivery_in_instructions_and_speed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    angry = VoiceSpec(voice="onyx", rate=1.1, direction="(angrily)")
    with serve("openai") as server:
        _backend("openai", server.url).synthesize(LINE, angry, 24000)
        _backend("openai", server.url, model="tts-1").synthesize(LINE, angry, 24000)  # takes no instructions
    mini, tts1 = (r["body"] for r in server.requests)
    assert mini["instructions"] == "Speak angrily." and mini["speed"] == 1.1 and mini["voice"] == "onyx"
    assert "instructions" not in tts1 and tts1["model"] == "tts-1"


def test_auth_error_is_not_retried(vendor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV[vendor], "wrong-key")
    with serve(vendor) as server, pytest.raises(GenerationError, match="API key") as caught:
        _backend(vendor, server.url).synthesize(LINE, VoiceSpec(voice="v"), 24000)
    assert len(server.requests) == 1
    assert "wrong-key" not in str(caught.value)


@pytest.mark.parametrize("fault", ["429", "500", "slow", "truncated"])
def test_transient_failures_are_retried(vendor: str, fault: str) -> None:
    with serve(vendor) as server:
        server.fail_next(Fault(fault))
        audio = _backend(vendor, server.url).synthesize(LINE, VoiceSpec(voice="v"), 24000)
    assert len(server.requests) == 2
    assert abs(audio.size / 24000 - line_seconds(LINE)) < 0.12  # the whole line, not the cut-short first reply


def test_a_reply_cut_short_every_time_fails_the_line(vendor: str) -> None:
    with serve(vendor) as server:
        server.fail_next(*[Fault("truncated")] * 3)
        start = time.monotonic()
        with pytest.raises(GenerationError, match="cut short"):
            _backend(vendor, server.url).synthesize(LINE, VoiceSpec(voice="v"), 24000)
    assert len(server.requests) == 3 and time.monotonic() - start < 10


def test_missing_key_names_the_variable(vendor: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV[vendor])
    with pytest.raises(BackendUnavailableError, match=ENV[vendor]):
        _backend(vendor, "http://127.0.0.1:9").synthesize(LINE, VoiceSpec(), 24000)


def test_cost_is_estimated_per_character_and_counted_against_the_limit(vendor: str) -> None:
    with serve(vendor) as server:
        backend = _backend(vendor, server.url, price_per_1k_chars=10.0)
        budget = CostBudget(0.5)
        backend.use_budget(budget)
        backend.synthesize(LINE, VoiceSpec(voice="v"), 24000)
        assert budget.spent_usd == pytest.approx(len(LINE) / 1000 * 10.0)
        with pytest.raises(CostLimitError, match="--max-cost"):
            for _ in range(3):
                backend.synthesize(LINE, VoiceSpec(voice="v"), 24000)
    assert len(server.requests) == 1  # the second line (0.27 + 0.27 > 0.5) was never asked for


def test_nothing_to_say_asks_nothing(vendor: str) -> None:
    with serve(vendor) as server:
        audio = _backend(vendor, server.url).synthesize("[[a note]] ...", VoiceSpec(voice="v"), 24000)
    assert not np.any(audio) and server.requests == []


@pytest.mark.usefixtures("project_backends")
def test_the_sound_stage_shares_the_runs_budget_and_falls_back_locally() -> None:
    from filmaster.stages.sound import SoundBackends

    budget = CostBudget(1.0)
    backends = SoundBackends.create("openai-tts", "elevenlabs-music", {}, budget)
    assert backends.speech.budget is budget and backends.music.budget is budget  # type: ignore[attr-defined]
    assert backends.speech_fallback is not None and backends.speech_fallback.NAME == "piper"
    assert backends.music_fallback is not None and backends.music_fallback.NAME == "midi-score"
    local = SoundBackends.create("piper", "midi-score", {}, budget)
    assert local.speech_fallback is None and local.music_fallback is None
