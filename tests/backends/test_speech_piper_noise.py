"""The kept Piper session (speech/piper_noise.py) against the fresh session per line it replaces: the same bytes."""

import numpy as np
import pytest

from filmaster.backends.registry import create_backend
from filmaster.backends.speech import piper_noise
from filmaster.backends.speech.base import VoiceSpec
from filmaster.backends.speech.piper import PiperSpeechBackend

RATE = 48000
LINES = [
    ("No.", VoiceSpec()),
    ("Mum says the sea keeps what it takes.", VoiceSpec(pitch=1.24, rate=0.9)),
    # Three sentences: Piper runs the voice once per sentence, and each run draws after the ones before.
    ("We sail at dawn. Are you coming, Nell? Tell me now!", VoiceSpec(pitch=0.8, rate=0.6)),
]


def _backends() -> tuple[PiperSpeechBackend, PiperSpeechBackend]:
    kept, fresh = create_backend("speech", "piper"), create_backend("speech", "piper")
    assert isinstance(kept, PiperSpeechBackend) and isinstance(fresh, PiperSpeechBackend)
    kept._load()
    fresh._load()
    fresh._seeded = None  # the former way: a session made for each line, seeded from it
    assert kept._seeded is not None
    return kept, fresh


@pytest.fixture(scope="module")
def spoken_fresh() -> dict[str, np.ndarray]:
    _, fresh = _backends()
    return {text: fresh.synthesize(text, voice, RATE) for text, voice in LINES}


def test_one_kept_session_speaks_every_line_as_a_fresh_session_would(spoken_fresh):
    kept, _ = _backends()
    voice_session = kept._seeded.session
    runs = []
    # In the reverse order: a line depends on its words, not on the lines spoken before it.
    for text, voice in reversed(LINES):
        audio = kept.synthesize(text, voice, RATE)
        assert audio.size > 0.2 * RATE
        assert audio.tobytes() == spoken_fresh[text].tobytes(), text
        line_session = kept._voice.session
        assert isinstance(line_session, piper_noise.LineSession) and line_session.voice.session is voice_session
        runs.append(len(line_session.drawn))
    assert runs == [3, 1, 1]  # one run of the kept session per sentence


def test_a_first_draw_too_short_is_drawn_again_longer(spoken_fresh, monkeypatch):
    monkeypatch.setattr(piper_noise, "_VALUES_PER_TOKEN", 8)
    monkeypatch.setattr(piper_noise, "_VALUES_PER_SENTENCE", 0)
    kept, _ = _backends()
    text, voice = LINES[2]
    assert kept.synthesize(text, voice, RATE).tobytes() == spoken_fresh[text].tobytes()
