"""The ElevenLabs Music backend against a local server speaking `POST /v1/music`: the cue has its exact samples in
stereo at the project's rate and is the service's music (its tone measured), the prompt carries the scene, cost
counts toward the limit, and the failure rules hold."""

from __future__ import annotations

import numpy as np
import pytest

from fake_speech_vendors import KEY, MUSIC_HZ, Fault, serve
from filmaster.backends.music.base import MusicRequest
from filmaster.backends.music.elevenlabs_music import ElevenLabsMusicBackend
from filmaster.budget import CostBudget
from filmaster.errors import CostLimitError, GenerationError
from filmaster.model import Mood, TimeOfDay

REQUEST = MusicRequest(
    cue_id="music-S01", mood=Mood.TENSE, time_of_day=TimeOfDay.NIGHT, interior=True, duration_s=4.3,
    accents_s=(1.5, 3.0), theme_name="ANNA", beat_s=2.0,
)  # fmt: skip


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ELEVENLABS_API_KEY", KEY)


def _backend(url: str, **settings: object) -> ElevenLabsMusicBackend:
    return ElevenLabsMusicBackend(base_url=url, timeout_s=1.0, max_retries=2, **settings)


def test_cue_is_the_services_music_at_the_cues_exact_length() -> None:
    with serve("elevenlabs") as server:
        result = _backend(server.url).compose(REQUEST, 48000)
    audio = result.audio
    assert audio.shape == (round(4.3 * 48000), 2) and audio.dtype == np.float32
    mono = audio.mean(axis=1)
    spectrum = np.abs(np.fft.rfft(mono * np.hanning(mono.size)))
    assert abs(np.fft.rfftfreq(mono.size, 1 / 48000)[np.argmax(spectrum)] - MUSIC_HZ) < 2.0
    assert np.abs(audio[: 48000 // 2]).max() > 0.05  # music from the start, not padding
    body = server.requests[0]["body"]
    assert body["music_length_ms"] == 4300 and body["force_instrumental"] is True and body["model_id"] == "music_v1"
    for words in ("tense", "night interior", "Anna's recurring theme", "until 2.0 s", "1.5 s, 3.0 s"):
        assert words in body["prompt"]


def test_a_short_cue_asks_for_the_shortest_the_api_makes() -> None:
    with serve("elevenlabs") as server:
        audio = _backend(server.url).compose(MusicRequest("m", Mood.CALM, TimeOfDay.DAY, False, 1.2), 44100).audio
    assert server.requests[0]["body"]["music_length_ms"] == 3000 and audio.shape == (round(1.2 * 44100), 2)


@pytest.mark.parametrize("fault", ["429", "500", "truncated"])
def test_transient_failures_are_retried(fault: str) -> None:
    with serve("elevenlabs") as server:
        server.fail_next(Fault(fault))
        assert _backend(server.url).compose(REQUEST, 48000).audio.shape[0] == round(4.3 * 48000)
    assert len(server.requests) == 2


def test_auth_error_is_not_retried_and_cost_is_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    with serve("elevenlabs") as server:
        backend = _backend(server.url, price_per_minute=1.0)
        budget = CostBudget(0.1)
        backend.use_budget(budget)
        backend.compose(REQUEST, 48000)
        assert budget.spent_usd == pytest.approx(4.3 / 60, abs=1e-4)  # estimated to 1/100 cent
        with pytest.raises(CostLimitError):
            backend.compose(REQUEST, 48000)
        monkeypatch.setenv("ELEVENLABS_API_KEY", "revoked")
        with pytest.raises(GenerationError, match="API key"):
            _backend(server.url).compose(REQUEST, 48000)
    assert len(server.requests) == 2
